"""The pure lock diff: every kind of change, and the why chain behind each one."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings

from px.lock import Artifact, Lock
from px.lock.diff import TAMPERING, LockDiff, PackageChange, diff_locks
from tests.lock.strategies import locks
from tests.review.builders import make_lock, new_lock, old_lock, pkg, sha


def by_name(diff: LockDiff) -> dict[str, PackageChange]:
    return {c.name: c for c in diff.packages}


def chain(change: PackageChange) -> list[tuple[str | None, str]]:
    return [(s.package, s.kind) for s in change.why]


def test_each_kind_of_change_is_reported_with_why() -> None:
    diff = diff_locks(old_lock(), new_lock(), project="demo")
    changes = by_name(diff)
    assert {name: c.kind for name, c in changes.items()} == {
        "anyio": "added",
        "httpx": "added",
        "flask": "removed",
        "itsdangerous": "removed",
        "werkzeug": "removed",
        "requests": "upgraded",
        "urllib3": "upgraded",
        "charset-normalizer": "downgraded",
        "certifi": "changed",
        "colorama": "changed",
        "idna": "changed",
        "pytest": "changed",
    }
    assert diff.counts() == {"added": 2, "removed": 3, "upgraded": 2, "downgraded": 1, "changed": 4}
    assert not diff.identical

    # added: a new root requirement, and what that new package requires
    assert changes["httpx"].why[0].text == "demo requires httpx (new root requirement)"
    assert chain(changes["anyio"]) == [("anyio", "required"), ("httpx", "root-added")]
    assert changes["anyio"].why[0].text == "httpx 0.27.0 requires anyio"

    # removed: the root requirement went away, and with it what only flask needed
    assert changes["flask"].why[0].text == "flask was removed from demo's dependencies"
    assert chain(changes["werkzeug"]) == [
        ("werkzeug", "requirer-removed"),
        ("flask", "root-removed"),
    ]
    assert changes["werkzeug"].required_by == ("flask",)

    # upgraded: the root specifier moved, which forced requests, which forced urllib3
    requests = changes["requests"]
    assert (requests.old_version, requests.new_version) == ("2.31.0", "2.32.0")
    assert requests.why[0].kind == "root-changed"
    assert requests.why[0].requirement == "requests>=2.32"
    assert requests.why[0].old_requirement == "requests>=2.31"
    assert "excludes 2.31.0" in requests.why[0].text
    assert chain(changes["urllib3"]) == [
        ("urllib3", "dependency-changed"),
        ("requests", "root-changed"),
    ]
    assert changes["urllib3"].why[0].text.startswith("requests 2.32.0 requires urllib3<3,>=2")
    assert [(d.field, d.name) for d in requests.details] == [
        ("dependency", "charset-normalizer"),
        ("dependency", "urllib3"),
    ]

    # downgraded: a new upper bound of the upgraded requests
    assert chain(changes["charset-normalizer"]) == [
        ("charset-normalizer", "dependency-changed"),
        ("requests", "root-changed"),
    ]
    assert "excludes 3.3.2" in changes["charset-normalizer"].why[0].text

    # source change
    idna = changes["idna"]
    assert [(d.field, d.old, d.new) for d in idna.details] == [
        ("source", "https://pypi.example/simple/", "https://mirror.example/simple/")
    ]
    assert idna.why[0].kind == "source" and not idna.flags

    # marker change: on the package and on the edge that brings it in
    colorama = changes["colorama"]
    assert colorama.details[0].field == "marker"
    assert colorama.details[0].new == 'sys_platform == "win32" or os_name == "nt"'
    assert chain(colorama) == [("colorama", "dependency-changed"), ("pytest", "other")]
    assert changes["pytest"].details[0].field == "dependency"

    # roots
    assert [(r.kind, r.package, r.label) for r in diff.roots] == [
        ("removed", "flask", "demo"),
        ("added", "httpx", "demo"),
        ("changed", "requests", "demo"),
    ]
    assert diff.input_digest is not None and diff.requires_python is None


def test_hash_change_without_version_change_is_flagged_loudly() -> None:
    diff = diff_locks(old_lock(), new_lock(), project="demo")
    certifi = by_name(diff)["certifi"]
    assert certifi.kind == "changed" and certifi.old_version == certifi.new_version
    assert certifi.flags == ("hash-changed",)
    assert certifi.details[0].field == "sha256"
    assert certifi.details[0].new == sha("re-uploaded")
    assert certifi.why[0].kind == "artifact-hash" and TAMPERING in certifi.why[0].text
    assert diff.hash_changed == 1
    assert len(diff.warnings) == 1 and TAMPERING in diff.warnings[0]
    assert "certifi" in diff.warnings[0]
    # a version change with new files is an upgrade, not a flag
    assert not any(c.flags for c in diff.packages if c.name != "certifi")


def test_identical_locks() -> None:
    diff = diff_locks(old_lock(), old_lock())
    assert diff.identical and diff.packages == () and diff.warnings == ()
    assert diff.to_json()["identical"] is True


def test_an_unforced_upgrade_names_the_lock_wide_cause() -> None:
    old = make_lock(pkg("a", "1.0"), roots=("a>=1",), requires_python=">=3.8")
    new = make_lock(pkg("a", "2.0"), roots=("a>=1",), requires_python=">=3.10")
    change = diff_locks(old, new, project="demo").packages[0]
    assert change.kind == "upgraded"
    assert chain(change) == [("a", "unforced"), (None, "requires-python")]
    assert "also allows 1.0" in change.why[0].text
    assert change.why[1].text == "requires-python changed from >=3.8 to >=3.10"


def test_a_dependency_dropped_by_an_upgraded_requirer() -> None:
    old = make_lock(pkg("app", "1.0", "helper>=1"), pkg("helper", "1.5"), roots=("app",))
    new = make_lock(pkg("app", "2.0"), roots=("app>=2",))
    changes = by_name(diff_locks(old, new, project="demo"))
    helper = changes["helper"]
    assert helper.kind == "removed"
    assert chain(helper) == [("helper", "dependency-removed"), ("app", "root-changed")]
    assert helper.why[0].text == "app 2.0 no longer requires it (app 1.0 required helper>=1)"
    assert changes["app"].details[0].old == "helper>=1" and changes["app"].details[0].new is None


def test_groups_and_extras_are_named() -> None:
    old = make_lock(pkg("click", "8.0"), pkg("rich", "13.0"), extras={"cli": ("click", "rich")})
    new = make_lock(
        pkg("click", "8.0"),
        pkg("pytest", "8.0"),
        extras={"cli": ("click",)},
        groups={"test": ("pytest",)},
    )
    changes = by_name(diff_locks(old, new, project="demo"))
    pytest_why = changes["pytest"].why[0].text
    assert pytest_why == "demo (group test) requires pytest (new root requirement)"
    assert changes["rich"].why[0].text == "rich was removed from demo's extra cli"
    assert changes["pytest"].required_by == ("demo (group test)",)


def test_a_new_file_for_the_same_version_is_reported_but_not_flagged() -> None:
    old = make_lock(pkg("a", "1.0"), roots=("a",))
    package = pkg("a", "1.0")
    sdist = Artifact("a-1.0.tar.gz", "https://files.example/a-1.0.tar.gz", sha("sdist"))
    new = make_lock(
        dataclasses.replace(package, artifacts=(*package.artifacts, sdist)), roots=("a",)
    )
    change = diff_locks(old, new).packages[0]
    assert [(d.field, d.name) for d in change.details] == [("artifact", "a-1.0.tar.gz")]
    assert change.flags == ()


@settings(max_examples=60, deadline=None)
@given(locks(), locks())
def test_every_difference_is_reported(a: Lock, b: Lock) -> None:
    assert diff_locks(a, a).identical
    diff = diff_locks(a, b)
    assert diff.identical == (a == b)
    changed = {
        name
        for name in {p.name for p in a.packages} | {p.name for p in b.packages}
        if [p for p in a.packages if p.name == name] != [p for p in b.packages if p.name == name]
    }
    assert {c.name for c in diff.packages} == changed
    for change in diff.packages:
        assert change.why, change
