"""Parse project pages: PEP 691 JSON first, PEP 503 HTML as the fallback.

Pure functions: bytes and the page URL in, a :class:`ProjectPage` out. File
URLs are resolved against the page URL and lose any credentials they carried.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from packaging.utils import canonicalize_name

from px.errors import NetworkError
from px.index.models import FileInfo, Hashes, PageFile, ProjectPage, make_hashes
from px.index.urls import redact, resolve, strip_fragment

Keep = Callable[[str], bool]  # which file names a caller wants (see parse_project_page)

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
ACCEPT = f"{JSON_TYPE}, {HTML_TYPE};q=0.2, text/html;q=0.01"
SUPPORTED_MAJOR = 1


def _bad_page(url: str, why: str) -> NetworkError:
    return NetworkError(
        f"the index sent an unusable project page for {redact(url)}",
        why=why,
        hint="check the index URL; if it is right, report this to the index operator",
    )


def _check_api_version(version: object, url: str) -> None:
    if version is None:
        return
    major = str(version).split(".", 1)[0]
    if not major.isdigit() or int(major) > SUPPORTED_MAJOR:
        raise _bad_page(url, f"it uses repository API version {version}, px supports 1.x")


def parse_project_page(
    body: bytes,
    content_type: str,
    page_url: str,
    *,
    project: str,
    index: str = "",
    keep: Keep | None = None,
) -> ProjectPage:
    """Parse a project page by its ``Content-Type``.

    ``keep``: a test on file names; JSON entries it refuses are dropped before
    they are turned into :class:`FileInfo` (PyPI lists thousands of wheels for
    other platforms: 15,057 files for pydantic-core).
    """
    mime = content_type.partition(";")[0].strip().lower()
    if mime.endswith("json"):
        return parse_json_page(body, page_url, project=project, index=index, keep=keep)
    return _parse_html(body, content_type, page_url, project=project, index=index)


def project_page_files(
    body: bytes,
    content_type: str,
    page_url: str,
    *,
    project: str,
    index: str = "",
    keep: Keep | None = None,
) -> list[PageFile]:
    """The files of a project page, as :func:`parse_project_page` reads them, unbuilt.

    A JSON entry becomes a :class:`FileInfo` only when :meth:`PageFile.info` is
    called: a resolver looks at the files of a few versions of each page.
    """
    mime = content_type.partition(";")[0].strip().lower()
    if mime.endswith("json"):
        return _json_page_files(body, page_url, index=index, keep=keep)[1]
    page = _parse_html(body, content_type, page_url, project=project, index=index)
    return [PageFile.of(info) for info in page.files]


def _parse_html(
    body: bytes, content_type: str, page_url: str, *, project: str, index: str
) -> ProjectPage:
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    if mime in {HTML_TYPE, "text/html", ""}:
        charset = "utf-8"
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"'")
        try:
            text = body.decode(charset, errors="replace")
        except LookupError:
            text = body.decode("utf-8", errors="replace")
        return parse_html_page(text, page_url, project=project, index=index)
    raise _bad_page(page_url, f"its content type {mime!r} is neither JSON nor HTML")


# -- PEP 691 JSON ------------------------------------------------------------------


def _json_hashes(value: object) -> Hashes:
    if not isinstance(value, dict):
        return ()
    if len(value) == 1:  # the usual {"sha256": ...}: no sorting, no second dict
        ((algorithm, digest),) = value.items()
        return (
            ((str(algorithm).lower(), digest.lower()),)
            if isinstance(digest, str) and digest
            else ()
        )
    return make_hashes({str(k): str(v) for k, v in value.items() if isinstance(v, str)})


def _json_file(entry: dict[str, Any], page_url: str, index: str) -> FileInfo:
    """The whole entry; ``filename`` and ``url`` were checked by :func:`_json_page_files`."""
    url, fragment = strip_fragment(resolve(page_url, entry["url"]))
    yanked = entry.get("yanked", False)
    # PEP 714: prefer "core-metadata", fall back to the older "dist-info-metadata".
    meta = entry.get("core-metadata", entry.get("dist-info-metadata", False))
    size = entry.get("size")
    requires_python = entry.get("requires-python")
    upload_time = entry.get("upload-time")
    return FileInfo(
        filename=entry["filename"],
        url=redact(url),
        hashes=_json_hashes(entry.get("hashes")) or _fragment_hashes(fragment),
        requires_python=requires_python if isinstance(requires_python, str) else None,
        yanked=bool(yanked),
        yanked_reason=yanked if isinstance(yanked, str) and yanked else None,
        core_metadata=bool(meta),
        core_metadata_hashes=_json_hashes(meta),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        upload_time=upload_time if isinstance(upload_time, str) else None,
        index=index,
    )


def _json_page_files(
    body: bytes, page_url: str, *, index: str, keep: Keep | None
) -> tuple[dict[str, Any], list[PageFile]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad_page(page_url, f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise _bad_page(page_url, "it has no 'files' list")
    meta = data.get("meta")
    _check_api_version(meta.get("api-version") if isinstance(meta, dict) else None, page_url)
    # One pass, in line: pydantic-core's page alone lists 15,057 files. An entry
    # becomes a PageFile with what choosing a version needs, read now; the rest
    # is read by _json_file when the file is asked for.
    files: list[PageFile] = []
    for entry in data["files"]:
        if not isinstance(entry, dict):
            continue
        filename = entry.get("filename")
        if not isinstance(filename, str) or not isinstance(entry.get("url"), str):
            continue
        if keep is not None and not keep(filename):
            continue
        yanked = entry.get("yanked", False)
        requires_python = entry.get("requires-python")
        files.append(
            PageFile(
                filename,
                requires_python if isinstance(requires_python, str) else None,
                yanked if isinstance(yanked, str) and yanked else None,
                functools.partial(_json_file, entry, page_url, index),
                yanked=bool(yanked),
            )
        )
    return data, files


def parse_json_page(
    body: bytes, page_url: str, *, project: str, index: str = "", keep: Keep | None = None
) -> ProjectPage:
    data, page_files = _json_page_files(body, page_url, index=index, keep=keep)
    files = tuple(file.info() for file in page_files)
    versions = data.get("versions")
    name = data.get("name")
    return ProjectPage(
        name=canonicalize_name(name if isinstance(name, str) else project),
        url=redact(page_url),
        files=files,
        versions=tuple(str(v) for v in versions) if isinstance(versions, list) else (),
    )


# -- PEP 503 HTML ------------------------------------------------------------------


def _fragment_hashes(fragment: str) -> Hashes:
    algo, sep, digest = fragment.partition("=")
    if not sep or not digest:
        return ()
    return make_hashes({algo: digest})


def _attr_metadata(value: str | None) -> tuple[bool, Hashes]:
    if value is None or value.strip().lower() == "false":
        return False, ()
    if value.strip().lower() == "true":
        return True, ()
    return True, _fragment_hashes(value.strip())


class _AnchorCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.api_version: str | None = None
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "base" and self.base is None and attributes.get("href"):
            self.base = attributes["href"]
        elif tag == "meta" and attributes.get("name") == "pypi:repository-version":
            self.api_version = attributes.get("content")
        elif tag == "a":
            self._open, self._text = attributes, []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def _html_file(attrs: dict[str, str | None], text: str, base: str, index: str) -> FileInfo | None:
    href = attrs.get("href")
    if not href:
        return None
    url, fragment = strip_fragment(resolve(base, href))
    filename = text or url.rstrip("/").rsplit("/", 1)[-1]
    if "data-core-metadata" in attrs:
        has_meta, meta_hashes = _attr_metadata(attrs["data-core-metadata"])
    else:
        has_meta, meta_hashes = _attr_metadata(attrs.get("data-dist-info-metadata"))
    yanked = "data-yanked" in attrs
    return FileInfo(
        filename=filename,
        url=redact(url),
        hashes=_fragment_hashes(fragment),
        requires_python=attrs.get("data-requires-python") or None,
        yanked=yanked,
        yanked_reason=(attrs.get("data-yanked") or None) if yanked else None,
        core_metadata=has_meta,
        core_metadata_hashes=meta_hashes,
        index=index,
    )


def parse_html_page(text: str, page_url: str, *, project: str, index: str = "") -> ProjectPage:
    collector = _AnchorCollector()
    collector.feed(text)
    collector.close()
    _check_api_version(collector.api_version, page_url)
    base = resolve(page_url, collector.base) if collector.base else page_url
    files = tuple(
        info
        for attrs, label in collector.anchors
        if (info := _html_file(attrs, label, base, index)) is not None
    )
    return ProjectPage(name=canonicalize_name(project), url=redact(page_url), files=files)
