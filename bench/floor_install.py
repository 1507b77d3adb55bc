"""The floor of a cold install written in Python: ``python floor_install.py PX_LOCK DEST``.

What any installer in Python pays on this machine before doing anything px adds:
download the wheel of each package of ``PX_LOCK`` this interpreter would install
(two threads, urllib3, sha256 checked against the lock), and unpack each as it
lands with :meth:`zipfile.ZipFile.extractall` into ``DEST/site``, in two forked
processes. No validation beyond zip CRCs, no RECORD hashes, no store, no
bytecode, no environment: a line for the ``install`` scenario to say how far px
is from the least a Python program can do, and how far that least is from
``uv sync``.

Two threads and two processes are the fastest of the shapes tried on 2 cores
(1-3 processes, 2-8 threads; ``docs/benchmarks.md``). Run as a script, so
that nothing of the harness is imported; it needs ``urllib3`` and
``packaging``, which px's own environment has.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DOWNLOADERS = 2
UNPACKERS = 2
CHUNK = 1 << 20


def unpack(wheel: str, site: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)


def chosen_wheels(lock: Path) -> list[tuple[str, str, str]]:
    """(filename, url, sha256) of each package's best wheel for this interpreter."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    from packaging.tags import sys_tags
    from packaging.utils import parse_wheel_filename

    rank = {tag: i for i, tag in enumerate(sys_tags())}
    chosen = []
    for package in tomllib.loads(lock.read_text(encoding="utf-8"))["package"]:
        best = None
        for artifact in package.get("artifacts", []):
            name = artifact["filename"]
            if not name.endswith(".whl"):
                continue
            score = min((rank[t] for t in parse_wheel_filename(name)[3] if t in rank), default=None)
            if score is not None and (best is None or score < best[0]):
                best = (score, (name, artifact["url"], artifact["sha256"]))
        if best is None:
            raise SystemExit(f"no wheel of {package['name']} for this interpreter")
        chosen.append(best[1])
    return chosen


def main(lock: Path, dest: Path) -> None:
    context = multiprocessing.get_context("fork" if os.name == "posix" else None)
    with context.Pool(UNPACKERS) as unpackers:  # forked before any thread starts
        import urllib3

        wheels = chosen_wheels(lock)
        site = str(dest / "site")
        http = urllib3.PoolManager(maxsize=DOWNLOADERS)
        unpacked = []

        def download(wheel: tuple[str, str, str]) -> None:
            name, url, sha256 = wheel
            response = http.request("GET", url, preload_content=False)
            if response.status != 200:
                raise SystemExit(f"GET {url}: {response.status}")
            digest = hashlib.sha256()
            path = dest / name
            with open(path, "wb") as f:
                for chunk in response.stream(CHUNK):
                    f.write(chunk)
                    digest.update(chunk)
            response.release_conn()
            if digest.hexdigest() != sha256:
                raise SystemExit(f"{name}: sha256 does not match the lock")
            unpacked.append(unpackers.apply_async(unpack, (str(path), site)))

        with ThreadPoolExecutor(DOWNLOADERS) as threads:
            list(threads.map(download, wheels))
        for result in unpacked:
            result.get()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
