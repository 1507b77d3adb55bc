"""docs/pyproject.md documents every [tool.px] key px accepts."""

from __future__ import annotations

from pathlib import Path

from px.project.settings import INDEX_KEYS, SETTINGS_KEYS, SOURCE_KEYS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "pyproject.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for key in (*SETTINGS_KEYS, *INDEX_KEYS, *SOURCE_KEYS):
        assert f"`{key}`" in DOC, key
    for section in ("[tool.px]", "[[tool.px.index]]", "[tool.px.sources]", "[dependency-groups]"):
        assert section in DOC, section
