"""`px publish`: upload built distributions to a PyPI-compatible registry.

Every file is read and checked first (:mod:`px.publish.checks`); one bad file
stops the command before anything is sent. Then, per file: the registry's
simple page of the project is read, and a file it already lists (same name and,
when the page says, same sha256) is reported ``already-present`` without being
sent again; a file of that name with *other* content is refused (a published
file can never be replaced). Otherwise the file is uploaded; a registry answer
of "file already exists" (409, or 400/403 saying so) also counts as present.

``--dry-run`` does all the checks and touches no network.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from px.errors import InputError, PxError, UploadRejected
from px.publish.credentials import PYPI_UPLOAD_URL, Credentials, CredentialSources
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    from px.publish.distfile import DistFile
    from px.publish.registry import Registry

log = logging.getLogger("px.publish")
Status = Literal["uploaded", "already-present", "would-upload"]


@dataclass(frozen=True)
class PublishedFile:
    path: str
    name: str
    version: str
    kind: Literal["sdist", "wheel"]
    sha256: str
    size: int
    status: Status
    message: str = ""  # the registry's words, when it said something

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "filename": Path(self.path).name,
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
            "status": self.status,
            "message": self.message,
        }


@dataclass(frozen=True)
class PublishResult:
    repository: str  # without credentials
    dry_run: bool
    credentials: str | None  # where they came from ("PX_PUBLISH_TOKEN"), never what they are
    files: tuple[PublishedFile, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "repository": self.repository,
            "dry_run": self.dry_run,
            "credentials": self.credentials,
            "files": [f.to_json() for f in self.files],
        }


def publish(
    start: Path,
    dists: Sequence[Path],
    *,
    repository_url: str | None,
    sources: CredentialSources,
    dry_run: bool = False,
    reporter: Reporter | None = None,
) -> PublishResult:
    from px.index.config import settings_from_environ, user_agent
    from px.publish.credentials import find_credentials
    from px.publish.registry import Registry

    reporter = reporter or QuietReporter()
    url, in_url = _repository(repository_url or PYPI_UPLOAD_URL)
    files = _checked(_distributions(start, dists))
    explicit = any(v is not None for v in (sources.token, sources.username, sources.password))
    # the command line first, then credentials written into the URL, then the rest
    credentials = in_url if in_url is not None and not explicit else find_credentials(url, sources)
    source = credentials.source if credentials else None
    if dry_run:
        return PublishResult(url, True, source, _report(files))
    network = settings_from_environ(sources.environ)
    registry = Registry(url, credentials, ca_bundle=network.ca_bundle, user_agent=user_agent())
    done: list[PublishedFile] = []
    try:
        for dist in files:
            reporter.note(f"publishing {dist.filename}")
            status, message = _publish_one(registry, dist)
            done.append(_published(dist, status, message))
    except PxError as error:
        sent = [f.path for f in done if f.status == "uploaded"]
        if sent:
            error.details = (*error.details, *(f"uploaded before the failure: {p}" for p in sent))
        raise
    finally:
        registry.close()
    return PublishResult(url, False, source, tuple(done))


def _repository(url: str) -> tuple[str, Credentials | None]:
    """The URL without ``user:password@``, and those credentials when it had them."""
    from px.index.urls import redact, split_userinfo

    if not url.lower().startswith(("https://", "http://")):
        raise InputError(
            f"{redact(url)!r} is not an upload URL",
            why="it must start with https:// (or http:// for a registry on this machine)",
            hint=f"PyPI's is {PYPI_UPLOAD_URL}",
        )
    bare, username, password = split_userinfo(url)
    if username is None and password is None:
        return url, None
    return bare, Credentials(username or "__token__", password or "", "the repository URL")


def _distributions(start: Path, given: Sequence[Path]) -> list[Path]:
    from px.publish.distfile import is_distribution

    if given:
        paths: list[Path] = []
        for path in given:
            if path.is_dir():
                paths += sorted(p for p in path.iterdir() if is_distribution(p))
            elif not path.exists():
                raise InputError(f"{path} does not exist", hint="build it first with `px build`")
            else:
                paths.append(path)
        where = ", ".join(str(p) for p in given)
    else:
        from px.project import find_project

        dist_dir = find_project(start) / "dist"
        paths = (
            sorted(p for p in dist_dir.iterdir() if is_distribution(p)) if dist_dir.is_dir() else []
        )
        where = str(dist_dir)
    if not paths:
        raise InputError(f"nothing to publish in {where}", hint="run `px build` first")
    names = [p.name for p in paths]
    doubles = sorted({n for n in names if names.count(n) > 1})
    if doubles:
        raise InputError("the same file is given twice", why=", ".join(doubles))
    # sdists first, then wheels, each by name: the order twine and PyPI's docs use
    return sorted(paths, key=lambda p: (p.name.endswith(".whl"), p.name))


def _checked(paths: list[Path]) -> list[DistFile]:
    from px.publish.checks import distribution_problems
    from px.publish.distfile import read_distribution

    files = [read_distribution(path) for path in paths]
    problems = [p for f in files for p in distribution_problems(f)]
    if problems:
        raise InputError(
            "refusing to publish: the distributions have problems",
            why=problems[0] if len(problems) == 1 else f"{len(problems)} problems",
            hint="fix them and build again with `px build`",
            details=problems,
        )
    return files


def _publish_one(registry: Registry, dist: DistFile) -> tuple[Status, str]:
    from px.publish.form import upload_fields

    listed = _listed_sha256(registry, dist)
    if listed is not None:
        if listed and listed != dist.sha256:
            raise UploadRejected(
                f"the registry already has a different {dist.filename}",
                why=f"its sha256 is {listed}, this file's is {dist.sha256}",
                hint="a published file can never be replaced: raise the version and build again",
            )
        return "already-present", "listed on the registry's project page"
    answer = registry.upload(upload_fields(dist), dist.path)
    return answer.status, answer.message


def _listed_sha256(registry: Registry, dist: DistFile) -> str | None:
    """The sha256 the registry lists for this file ("" if it gives none), None if unlisted."""
    from px.index.pages import parse_project_page
    from px.index.urls import project_page_url
    from px.publish.registry import simple_index_url

    page_url = project_page_url(simple_index_url(registry.url), dist.name)
    try:
        page = registry.project_page(page_url)
    except UploadRejected as error:  # not allowed to read it: the upload's answer will tell
        log.info("cannot read %s: %s", page_url, error.one_line())
        return None
    if page is None:
        return None
    try:
        parsed = parse_project_page(page.body, page.content_type, page.url, project=dist.name)
    except PxError as error:
        log.info("cannot parse %s: %s", page_url, error.one_line())
        return None
    for file in parsed.files:
        if file.filename == dist.filename:
            return (file.sha256 or "").lower()
    return None


def _published(dist: DistFile, status: Status, message: str) -> PublishedFile:
    return PublishedFile(
        str(dist.path), dist.name, dist.version, dist.kind, dist.sha256, dist.size, status,
        message,
    )  # fmt: skip


def _report(files: list[DistFile]) -> tuple[PublishedFile, ...]:
    return tuple(_published(f, "would-upload", "") for f in files)
