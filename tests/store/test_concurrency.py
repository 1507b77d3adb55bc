"""Several px processes writing one store at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

WRITER = r"""
import sys
from pathlib import Path
from px.store import open_store

directory, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with open_store(directory) as store:
    for i in range(count):
        store.blobs.put(f"{tag}-{i}".encode() * 20)
        if i % 10 == 0:
            store.blobs.put_many([f"{tag}-batch-{i}-{j}".encode() for j in range(20)])
        store.blobs.put(b"shared content written by every process")
print("done")
"""


def test_two_processes_write_many_blobs_at_once(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(directory), tag, "150"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b", "c")
    ]
    results = [p.communicate(timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err
        assert out.strip() == "done"
    conn = sqlite3.connect(directory / "store.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (count,) = conn.execute("SELECT count(*) FROM blobs").fetchone()
    assert count == 3 * (150 + 15 * 20) + 1
    conn.close()
