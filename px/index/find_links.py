"""``find-links``: local directories of wheels and sdists as an extra source of files."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import NormalizedName

from px.errors import InputError
from px.index.download import hash_file
from px.index.filenames import try_parse_filename
from px.index.models import FileInfo


def find_links_files(directory: Path, project: NormalizedName) -> list[FileInfo]:
    """The files of ``project`` in ``directory`` (not recursive), sorted by name.

    Each is hashed (sha256) so that locks record it and downloads verify it.
    """
    if not directory.is_dir():
        raise InputError(
            f"find-links directory {directory} does not exist",
            hint="create it, or remove it from [tool.px] find-links",
        )
    files = []
    for path in sorted(directory.iterdir()):
        parsed = try_parse_filename(path.name)
        if parsed is None or parsed.name != project or not path.is_file():
            continue
        files.append(
            FileInfo(
                filename=path.name,
                url=path.resolve().as_uri(),
                hashes=(("sha256", hash_file(path)),),
                size=path.stat().st_size,
                index=f"find-links:{directory}",
            )
        )
    return files
