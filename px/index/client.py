"""The index client facade: what the resolver and installer call.

``IndexClient`` applies the index strategy (first-index, explicit indexes
pinned through ``sources``, find-links), fetches metadata the cheapest way
(PEP 658/714 metadata file, else the wheel), and downloads verified artifacts
into the store. Thread-safe: several threads may call it at once.
"""

from __future__ import annotations

import concurrent.futures
import logging
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from packaging.utils import NormalizedName, canonicalize_name

from px.errors import InputError, IntegrityError, MetadataNeedsBuild, NetworkError
from px.index.config import IndexConfig, NetworkSettings, default_index
from px.index.credentials import CredentialProvider
from px.index.fetch import CachedFetcher, Fetched, local_path
from px.index.filenames import try_parse_filename
from px.index.find_links import find_links_files
from px.index.metadata import parse_core_metadata, read_sdist_metadata, read_wheel_metadata
from px.index.models import CoreMetadata, FileInfo, PageFile, ProjectPage
from px.index.pages import ACCEPT, Keep, parse_project_page, project_page_files
from px.index.urls import project_page_url, redact

if TYPE_CHECKING:
    from px.index.transport import Transport
    from px.store import Store

log = logging.getLogger("px.index")
_T = TypeVar("_T")


def _check_config(indexes: Sequence[IndexConfig], sources: Mapping[str, str]) -> None:
    names = [i.name for i in indexes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(
            f"index name {duplicates[0]!r} is used more than once", hint="give each index a name"
        )
    problems = [
        f"sources: {package} = {index!r}: no index has that name"
        for package, index in sorted(sources.items())
        if index not in names
    ]
    if problems:
        raise InputError(
            "package sources name unknown indexes",
            hint=f"known indexes: {', '.join(names) or '(none)'}",
            details=problems,
        )


class IndexClient:
    """Project pages, metadata and downloads from the configured indexes, through the store."""

    def __init__(
        self,
        store: Store,
        indexes: Sequence[IndexConfig] | None = None,
        *,
        sources: Mapping[str, str] | None = None,
        find_links: Sequence[Path | str] = (),
        settings: NetworkSettings | None = None,
        credentials: CredentialProvider | None = None,
    ) -> None:
        self.indexes = tuple(indexes) if indexes is not None else (default_index(),)
        self.sources: dict[str, str] = {canonicalize_name(k): v for k, v in (sources or {}).items()}
        _check_config(self.indexes, self.sources)
        self.find_links = tuple(find_links)
        self.settings = settings or NetworkSettings()
        # find-links URLs may carry credentials too: they are bound like an index's.
        link_urls = [
            IndexConfig(f"find-links-{i}", url)
            for i, url in enumerate(self.find_links)
            if isinstance(url, str) and url.startswith(("http://", "https://"))
        ]
        self.credentials = credentials or CredentialProvider([*self.indexes, *link_urls])
        transport: Transport | None = None
        if not self.settings.offline:  # urllib3 is not imported at all offline
            from px.index.transport import Transport

            transport = Transport(self.settings, self.credentials)
        self._transport = transport
        self._fetcher = CachedFetcher(store, transport, offline=self.settings.offline)
        self._store = store
        self._lock = threading.Lock()
        self._projects: dict[tuple[str, Keep | None], list[PageFile]] = {}  # by (name, keep)
        self._metadata: dict[str, CoreMetadata] = {}
        self._link_pages: dict[str, ProjectPage] = {}
        # (index name, project) -> blob key of each project page read; None: not on that index
        self.pages_read: dict[tuple[str, str], str | None] = {}
        self.page_urls: dict[tuple[str, str], str] = {}  # ... and its HTTP cache key
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    # -- project pages -------------------------------------------------------------

    def indexes_for(self, name: str) -> tuple[IndexConfig, ...]:
        """The indexes searched for ``name``, in order."""
        pinned = self.sources.get(canonicalize_name(name))
        if pinned is not None:
            return tuple(i for i in self.indexes if i.name == pinned)
        return tuple(i for i in self.indexes if not i.explicit)

    def project_files(self, name: str, keep: Keep | None = None) -> list[FileInfo]:
        """Every file of ``name`` (first index that has it, plus find-links).

        ``keep``: only the index's files whose names it accepts (a resolver for
        one target passes :meth:`Target.may_install`); find-links files all come.
        """
        return [file.info() for file in self.page_files(name, keep)]

    def page_files(self, name: str, keep: Keep | None = None) -> list[PageFile]:
        """:meth:`project_files`, each built into a :class:`FileInfo` only when asked."""
        project = canonicalize_name(name)
        with self._lock:
            if (project, keep) in self._projects:
                return list(self._projects[project, keep])
        files: list[PageFile] = []
        for index in self.indexes_for(project):
            fetched = self._page(index, project)
            if fetched is None:
                log.debug("%s: not on index %s", project, index.name)
                continue
            files = project_page_files(
                fetched.body,
                fetched.content_type,
                fetched.url,
                project=project,
                index=index.name,
                keep=keep,
            )
            log.debug("%s: %d files on index %s", project, len(files), index.name)
            break  # first-index: never look further once an index knows the project
        for source in self.find_links:
            files.extend(PageFile.of(info) for info in self._find_links(source, project))
        with self._lock:
            self._projects[project, keep] = files
        return list(files)

    def _page(
        self, index: IndexConfig, project: NormalizedName, *, body: bool = True
    ) -> Fetched | None:
        url = project_page_url(index.url, project)
        fetched = self._fetcher.page(
            url, accept=ACCEPT, what=f"the page of {project} on index {index.name!r}", body=body
        )
        self.pages_read[(index.name, project)] = None if fetched is None else fetched.key
        self.page_urls[(index.name, project)] = redact(url)
        return fetched

    def page_keys(self, pages: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """Read these (index name, project) pages again, in parallel: each body's blob key.

        A page the cache can vouch for (fresh, offline, or confirmed by a 304) is
        not read from the store. ``None``: the index has no such project; a page
        of an index no longer configured reads as ``"gone"``.
        """
        by_name = {index.name: index for index in self.indexes}
        todo = list(pages)

        def one(page: tuple[str, str]) -> str | None:
            index = by_name.get(page[0])
            if index is None:
                return "gone"
            fetched = self._page(index, canonicalize_name(page[1]), body=False)
            return None if fetched is None else fetched.key

        return dict(zip(todo, self._executor().map(one, todo), strict=True))

    def _find_links(self, source: Path | str, project: NormalizedName) -> list[FileInfo]:
        if isinstance(source, Path):
            return find_links_files(source, project)
        if source.startswith("file:"):
            return find_links_files(local_path(source), project)
        if "://" not in source:
            return find_links_files(Path(source), project)
        with self._lock:
            page = self._link_pages.get(source)
        if page is None:
            fetched = self._fetcher.page(
                source, accept="text/html", what=f"the find-links page {redact(source)}"
            )
            if fetched is None:
                raise NetworkError(
                    f"the find-links page {redact(source)} does not exist (404)",
                    hint="fix or remove it in [tool.px] find-links",
                )
            page = parse_project_page(
                fetched.body, fetched.content_type, fetched.url, project="", index=redact(source)
            )
            with self._lock:
                self._link_pages[source] = page
        return [
            f
            for f in page.files
            if (parsed := try_parse_filename(f.filename)) is not None and parsed.name == project
        ]

    # -- metadata ------------------------------------------------------------------

    def metadata(self, file: FileInfo) -> CoreMetadata:
        """Core metadata of ``file``: its metadata file if offered, else from the artifact."""
        return self._metadata_of(file, store_checked=False)

    def _metadata_of(self, file: FileInfo, *, store_checked: bool) -> CoreMetadata:
        with self._lock:
            if file.url in self._metadata:
                return self._metadata[file.url]
        return self._remember_metadata(file, self._metadata_bytes(file, store_checked))

    def _remember_metadata(self, file: FileInfo, data: bytes) -> CoreMetadata:
        meta = parse_core_metadata(data, source=file.filename)
        parsed = try_parse_filename(file.filename)
        if parsed is not None and canonicalize_name(meta.name) != parsed.name:
            raise InputError(
                f"metadata of {file.filename} names another project ({meta.name})",
                hint="the file on the index is broken; report it to its maintainers",
            )
        with self._lock:
            self._metadata[file.url] = meta
        return meta

    def _metadata_bytes(self, file: FileInfo, store_checked: bool = False) -> bytes:
        if file.core_metadata:
            data = self._metadata_file(file, store_checked)
            if data is not None:
                return data
        if file.kind == "wheel":
            data = self._wheel_metadata_unstored(file)
            if data is not None:
                return data
        key = self.download(file)
        with tempfile.TemporaryDirectory(prefix="px-meta-") as tmp:
            path = Path(tmp) / file.filename
            self._store.blobs.write_to(key, path)
            if file.kind == "wheel":
                return read_wheel_metadata(path, file.filename)
            data = read_sdist_metadata(path, file.filename) if file.kind == "sdist" else None
        if data is None:
            raise MetadataNeedsBuild(
                f"the dependencies of {file.filename} are only known after building it",
                why="its PKG-INFO is missing, older than 2.2, or marks them dynamic",
            )
        return data

    def _wheel_metadata_unstored(self, file: FileInfo) -> bytes | None:
        """A wheel's METADATA without storing the wheel first; None: read it from the wheel
        in the store (offline, already stored, or a ``file:`` URL).

        In order: the copy a range read kept (under ``metadata-of:<sha256>``);
        range requests for a wheel of :data:`RANGES_FROM` bytes or more
        (:mod:`px.index.lazy_wheel`); else the verified download itself
        (:meth:`CachedFetcher.read_download`). Either way the METADATA read is
        kept under that label, and the archive is not.
        """
        sha256 = (file.sha256 or "").lower()
        label = f"metadata-of:{sha256}"
        # the kept METADATA and the wheel itself, looked up in one read of the store
        found = self._fetcher.known_many([label, sha256]) if sha256 else {}
        if label in found:
            return self._store.blobs.get(found[label])
        if self._transport is None or not file.url.startswith(("http://", "https://")):
            return None
        if sha256 in found:
            return None  # the wheel itself is stored: read it there
        from px.index.lazy_wheel import RANGES_FROM, wheel_metadata

        # ranges need a sha256 to keep the result under, and a size worth saving
        if sha256 and (file.size or 0) >= RANGES_FROM:
            data = wheel_metadata(self._transport, file.url, file.filename)
            if data is not None:
                self._fetcher.remember_document(
                    label, data, filename=f"{file.filename}.metadata", url=file.url
                )
                return data
        data = self._fetcher.read_download(
            file.url,
            filename=file.filename,
            expected=self._expected_hashes(file),
            what=file.filename,
            read=lambda wheel: read_wheel_metadata(wheel, file.filename),
            size=file.size,
        )
        if data is not None and sha256:
            self._fetcher.remember_document(
                label, data, filename=f"{file.filename}.metadata", url=file.url
            )
        return data

    def _metadata_file(self, file: FileInfo, store_checked: bool) -> bytes | None:
        """The metadata file's bytes; ``store_checked``: the caller just looked for its sha256."""
        sha = file.metadata_sha256
        what = f"the metadata of {file.filename}"
        if sha is not None:
            data = self._fetcher.document(
                file.metadata_url,
                filename=file.filename + ".metadata",
                expected={"sha256": sha},
                what=what,
                look_in_store=not store_checked,
            )
            if data is None:
                log.debug("%s: announced metadata file is missing", file.filename)
            return data
        fetched = self._fetcher.page(file.metadata_url, accept="*/*", what=what)
        if fetched is None:
            log.debug("%s: announced metadata file is missing; reading the artifact", file.filename)
            return None
        return fetched.body

    def prefetch_metadata(self, files: Iterable[FileInfo]) -> dict[FileInfo, CoreMetadata]:
        """Fetch metadata of many files in parallel; the first failure is raised.

        Metadata files the store already holds (by sha256) are read in one go and
        parsed here while the others are fetched by the pool.
        """
        todo = list(dict.fromkeys(files))
        if not todo:
            return {}
        with self._lock:
            known = {f: self._metadata[f.url] for f in todo if f.url in self._metadata}
        hashed: dict[FileInfo, str] = {}
        for f in todo:
            if f not in known and f.core_metadata and f.metadata_sha256 is not None:
                hashed[f] = f.metadata_sha256.lower()
        try:
            stored = self._fetcher.stored_documents(hashed.values())
        except IntegrityError:  # a damaged object: each file alone, so the error lands on its own
            hashed, stored = {}, {}
        pool = self._executor()
        futures = {
            f: pool.submit(self._metadata_of, f, store_checked=f in hashed)
            for f in todo
            if f not in known and not (f in hashed and hashed[f] in stored)
        }
        outcomes: dict[FileInfo, CoreMetadata | BaseException] = dict(known)
        for f, sha in hashed.items():
            if sha in stored:
                try:
                    outcomes[f] = self._remember_metadata(f, stored[sha])
                except Exception as error:  # raised below, in the order of ``files``
                    outcomes[f] = error
        concurrent.futures.wait(futures.values())
        result: dict[FileInfo, CoreMetadata] = {}
        for f in todo:
            outcome = outcomes[f] if f in outcomes else futures[f].result()
            if isinstance(outcome, BaseException):
                raise outcome
            result[f] = outcome
        return result

    # -- downloads -----------------------------------------------------------------

    def download(self, file: FileInfo, expected_sha256: str | None = None) -> str:
        """Put ``file`` into the store (once per sha256) and return its blob key."""
        return self._fetch(self._fetcher.content, file, expected_sha256)

    def download_file(self, file: FileInfo, expected_sha256: str | None = None) -> Path:
        """``file``, verified, in a temporary file the caller owns: not put into the store.

        For a wheel that is ingested at once (the store keeps its files, not the
        archive); a copy the store already holds is used instead of the network.
        """
        return self._fetch(self._fetcher.fetch_file, file, expected_sha256)

    def _fetch(
        self, fetch: Callable[..., _T | None], file: FileInfo, expected_sha256: str | None
    ) -> _T:
        found = fetch(
            file.url,
            filename=file.filename,
            expected=self._expected_with(file, expected_sha256),
            what=file.filename,
        )
        if found is None:
            raise NetworkError(
                f"{file.filename} is listed by index {file.index!r} but cannot be downloaded",
                why=f"the server answered 404 for {redact(file.url)}",
                hint="the index may have removed it; run the command again to refresh the page",
            )
        return found

    def _expected_with(self, file: FileInfo, expected_sha256: str | None) -> dict[str, str]:
        """The digests ``file`` must have: the index's, and the caller's (a lock's) sha256."""
        expected = self._expected_hashes(file)
        if expected_sha256 is not None:
            wanted = expected_sha256.lower().removeprefix("sha256:")
            if "sha256" in expected and expected["sha256"] != wanted:
                raise IntegrityError(
                    f"{file.filename} has two different expected sha256 digests",
                    why=f"the index says {expected['sha256']}, the caller (lock) says {wanted}",
                    hint="the index changed the file since the lock was written; "
                    "re-lock only if you trust the new file",
                )
            expected["sha256"] = wanted
        return expected

    @staticmethod
    def _expected_hashes(file: FileInfo) -> dict[str, str]:
        return {algo: digest for algo, digest in file.hashes}

    def download_many(self, files: Iterable[FileInfo]) -> dict[FileInfo, str]:
        """:meth:`download` in parallel; the first failure is raised."""
        todo = list(dict.fromkeys(files))
        futures = self.download_each(todo)
        concurrent.futures.wait(futures)
        return {f: future.result() for f, future in zip(todo, futures, strict=True)}

    def download_each(self, files: Sequence[FileInfo]) -> list[concurrent.futures.Future[str]]:
        """Start :meth:`download` of every file in parallel; their futures, in order.

        For a caller that can use each file as soon as it is stored.
        """
        pool = self._executor()
        return [pool.submit(self.download, f) for f in files]

    def download_files_each(
        self, files: Sequence[FileInfo]
    ) -> list[concurrent.futures.Future[Path]]:
        """Start :meth:`download_file` of every file in parallel; their futures, in order.

        Each finished future's file belongs to the caller, who removes it, also when
        it stops before using them all.
        """
        pool = self._executor()
        return [pool.submit(self.download_file, f) for f in files]

    # -- lifetime ------------------------------------------------------------------

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=max(1, min(self.settings.max_workers, 16)),
                    thread_name_prefix="px-index",
                )
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        urls = ", ".join(redact(i.url) for i in self.indexes)
        return f"IndexClient({urls}, offline={self.settings.offline})"
