"""How a generation's site-packages is assembled from the store's trees (link_merged)."""

from __future__ import annotations

import os
from pathlib import Path

from px.install.generation import link_merged


def make_tree(root: Path, files: dict[str, str]) -> tuple[str, list[str]]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return os.fspath(root), sorted(files)


def listing(root: Path) -> dict[str, str]:
    """Every file reachable under root (following links), with its text."""
    found: dict[str, str] = {}
    for directory, _dirs, names in os.walk(root, followlinks=True):
        for name in names:
            path = Path(directory) / name
            found[path.relative_to(root).as_posix()] = path.read_text()
    return found


def test_a_package_only_one_tree_provides_is_one_link(tmp_path: Path) -> None:
    a = make_tree(tmp_path / "a", {f"big/sub{i}/m{j}.py": "a" for i in range(5) for j in range(9)})
    b = make_tree(tmp_path / "b", {"solo.py": "b", "b-1.0.dist-info/RECORD": "r"})
    site = tmp_path / "site"
    site.mkdir()
    assert link_merged([a, b], os.fspath(site)) == []
    assert sorted(os.listdir(site)) == ["b-1.0.dist-info", "big", "solo.py"]
    assert all((site / name).is_symlink() for name in os.listdir(site))
    assert os.readlink(site / "big") == os.path.join(a[0], "big")
    assert len(listing(site)) == 47


def test_shared_directories_are_merged_and_the_first_file_wins(tmp_path: Path) -> None:
    a = make_tree(
        tmp_path / "a",
        {
            "google/protobuf/__init__.py": "protobuf",
            "__pycache__/six.pyc": "a-six",
            "clash.py": "first",
            "mixed": "a file",
        },
    )
    b = make_tree(
        tmp_path / "b",
        {
            "google/api/__init__.py": "api",
            "google/api/deep/x.py": "x",
            "__pycache__/attr.pyc": "b-attr",
            "clash.py": "second",
            "mixed/inner.py": "a directory",
        },
    )
    site = tmp_path / "site"
    site.mkdir()
    taken = link_merged([a, b], os.fspath(site))
    assert sorted(taken) == ["clash.py", "mixed/inner.py"]
    # the namespace package is a real directory, each of its halves one link
    assert (site / "google").is_dir() and not (site / "google").is_symlink()
    assert (site / "google" / "protobuf").is_symlink() and (site / "google" / "api").is_symlink()
    assert not (site / "__pycache__").is_symlink()
    assert listing(site) == {
        "google/protobuf/__init__.py": "protobuf",
        "google/api/__init__.py": "api",
        "google/api/deep/x.py": "x",
        "__pycache__/six.pyc": "a-six",
        "__pycache__/attr.pyc": "b-attr",
        "clash.py": "first",
        "mixed": "a file",
    }


def test_a_directory_first_keeps_the_directory_against_a_later_file(tmp_path: Path) -> None:
    a = make_tree(tmp_path / "a", {"pkg/__init__.py": "a"})
    b = make_tree(tmp_path / "b", {"pkg": "a file named pkg"})
    c = make_tree(tmp_path / "c", {"pkg/extra.py": "c"})
    site = tmp_path / "site"
    site.mkdir()
    assert link_merged([a, b, c], os.fspath(site)) == ["pkg"]
    assert listing(site) == {"pkg/__init__.py": "a", "pkg/extra.py": "c"}
