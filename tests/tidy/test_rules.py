"""The pure parts of `px tidy`: modules a wheel provides, imports found, the check's rules."""

from __future__ import annotations

import ast
from pathlib import Path

from px.tools.deps import DEV, RUNTIME, Declared, Distribution, check_dependencies
from px.tools.imports import Imports, imported_modules, is_test_file, scan_imports
from px.tools.provides import provided_modules


def test_provided_modules_from_wheel_paths() -> None:
    paths = [
        "six.py",
        "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
        "pkg/__init__.py",
        "pkg/sub/__init__.py",
        "nsroot/a/__init__.py",  # PEP 420: nsroot has no __init__.py
        "nsroot/helper.py",
        "requests-stubs/__init__.pyi",
        "pkg-1.0.data/purelib/extra_mod.py",
        "pkg-1.0.data/scripts/tool",
        "pkg-1.0.data/data/share/x.txt",
        "pkg-1.0.dist-info/METADATA",
        "share/not-code.txt",
        "thing.pth",
    ]
    assert provided_modules(paths) == {
        "six", "_cffi_backend", "pkg", "nsroot.a", "nsroot.helper", "requests", "extra_mod",
    }  # fmt: skip


def test_top_level_txt_adds_only_names_the_files_do_not_explain() -> None:
    assert provided_modules(["nsroot/a/__init__.py"], "nsroot\n") == {"nsroot.a"}
    assert provided_modules(["x/data.bin"], "weird\n") == {"weird"}


def test_imports_found_by_ast() -> None:
    tree = ast.parse(
        "import a.b.c\n"
        "from d import e, f\n"
        "from g import *\n"
        "from . import local\n"
        "from .x import y\n"
        "import importlib\n"
        "importlib.import_module('h.i')\n"
        "__import__('j')\n"
        "importlib.import_module('.rel', 'pkg')\n"
    )
    assert imported_modules(tree) == {"a.b.c", "d.e", "d.f", "g", "importlib", "h.i", "j"}


def test_test_files_are_told_apart() -> None:
    for path in ("tests/test_x.py", "pkg/tests/helpers.py", "conftest.py", "x_test.py"):
        assert is_test_file(Path(path)), path
    for path in ("src/pkg/__init__.py", "pkg/testsuite.py", "contest.py"):
        assert not is_test_file(Path(path)), path


def test_scan_skips_environments_and_hidden_dirs(tmp_path: Path) -> None:
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "__init__.py").write_text("import flask\n")
    (tmp_path / ".px" / "lib").mkdir(parents=True)
    (tmp_path / ".px" / "lib" / "junk.py").write_text("import hidden_thing\n")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    (tmp_path / "venv" / "junk.py").write_text("import venv_thing\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("import pytest\nimport helper\n")
    (tmp_path / "tests" / "helper.py").write_text("")
    found = scan_imports(tmp_path)
    assert set(found.code) == {"flask"}
    assert set(found.tests) == {"pytest", "helper"}
    assert {"app", "helper", "broken"} <= found.local
    assert found.unreadable == ("broken.py",)


def report(
    declared: list[Declared],
    code: dict[str, tuple[str, ...]],
    tests: dict[str, tuple[str, ...]],
    installed: list[Distribution],
):  # type: ignore[no-untyped-def]
    imports = Imports(code=code, tests=tests, local=frozenset({"mine"}))
    return check_dependencies(
        declared, imports, {d.name: d for d in installed}, project="mine-project"
    )


def test_the_rules() -> None:
    installed = [
        Distribution("used", frozenset({"used"})),
        Distribution("unused", frozenset({"unused"})),
        Distribution("only-tests", frozenset({"only_tests"})),
        Distribution("tool", frozenset({"tool"}), has_commands=True),
        Distribution("meta", frozenset()),
        Distribution("ns-a", frozenset({"ns.a"})),
        Distribution("ns-b", frozenset({"ns.b"})),
        Distribution("transitive", frozenset({"transitive"})),
        Distribution("pytest", frozenset({"pytest", "_pytest"})),
        Distribution("mine-project", frozenset({"mine_pkg"})),
    ]
    declared = [
        Declared("used", RUNTIME), Declared("unused", RUNTIME), Declared("only-tests", RUNTIME),
        Declared("tool", RUNTIME), Declared("meta", RUNTIME), Declared("ns-a", RUNTIME),
        Declared("ns-b", RUNTIME), Declared("pytest", DEV), Declared("not-installed", DEV),
        Declared("mine-project", RUNTIME),
    ]  # fmt: skip
    found = report(
        declared,
        code={"used.x": ("a.py",), "ns.a": ("a.py",), "os.path": ("a.py",), "mine": ("a.py",),
              "mine_pkg.x": ("a.py",), "transitive": ("b.py",), "pytest": ("c.py",)},
        tests={"only_tests": ("t.py",), "not_installed": ("t.py",), "nowhere.sub": ("t.py",)},
        installed=installed,
    )  # fmt: skip
    assert [(u.name, u.where, u.tests_only) for u in found.unused] == [
        ("ns-b", RUNTIME, False),
        ("only-tests", RUNTIME, True),
        ("unused", RUNTIME, False),
    ]
    assert [(u.module, u.files, u.tests, u.provided_by) for u in found.undeclared] == [
        ("nowhere", ("t.py",), True, None),
        ("pytest", ("c.py",), False, "pytest"),  # a dev dependency, imported by the code
        ("transitive", ("b.py",), False, "transitive"),
    ]


def test_a_namespace_root_import_counts_for_every_portion() -> None:
    installed = [
        Distribution("ns-a", frozenset({"ns.a"})),
        Distribution("ns-b", frozenset({"ns.b"})),
    ]
    found = report(
        [Declared("ns-a", RUNTIME), Declared("ns-b", RUNTIME)], {"ns": ("x.py",)}, {}, installed
    )
    assert found.unused == () and found.undeclared == ()
