"""The last steps of every project install: a generation built, recorded, switched in.

Once the trees of an install are known, what follows is the same whether they
came from the normal path of `px install` (lock read, wheels fetched and
materialised) or from an install plan (:mod:`px.cli.fastinstall`, a warm
install of a lock installed before): build generation N of links, record it
as staged, switch ``.px/current`` atomically, mark it committed, start the
background byte-compiling, audit the ``.pth`` files and write ``.px/state``.
This module keeps that sequence in one place and light enough for the fast
path: it imports neither ``packaging`` nor the lock or the index client.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from px.errors import Busy
from px.install import generation, state
from px.install.generation import EntryPoint

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from px.install.tree import Tree
    from px.interp import Interpreter
    from px.store import Store


@contextlib.contextmanager
def project_lock(px_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Serialise installs of one project: a second px waits for the first."""
    px_dir.mkdir(exist_ok=True)
    with open(px_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            raise Busy(f"another px is installing into {px_dir}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Plan:
    """Everything a generation is built from, once the wheels and their trees are known."""

    interpreter: Interpreter
    target: str
    input_digest: str
    packages: int  # locked packages selected (the project's own editable wheel not counted)
    wheel_ids: tuple[int, ...]
    trees: tuple[Tree, ...]
    entry_points: tuple[EntryPoint, ...]

    def to_json(self) -> str:
        i = self.interpreter
        return json.dumps(
            {
                "interpreter": {"path": i.path, "base": i.base, "markers": dict(i.markers)},
                "target": self.target,
                "input_digest": self.input_digest,
                "packages": self.packages,
                "wheel_ids": list(self.wheel_ids),
                "trees": [str(t.path) for t in self.trees],
                "entry_points": [[e.name, e.module, e.attr, e.gui] for e in self.entry_points],
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Plan | None:
        """The plan, with every tree it names loaded; None when one is gone or the text is odd."""
        from px.install.tree import load_tree
        from px.interp.probe import Interpreter

        try:
            data = json.loads(text)
            found = data["interpreter"]
            interpreter = Interpreter(
                path=found["path"],
                base=found["base"],
                markers=tuple(sorted(found["markers"].items())),
                tags=(),  # not needed to assemble: the wheels were chosen when the plan was made
            )
            loaded = [load_tree(Path(p)) for p in data["trees"]]
            trees = tuple(t for t in loaded if t is not None)
            if len(trees) != len(loaded) or not os.path.exists(interpreter.base_executable):
                return None
            return cls(
                interpreter=interpreter,
                target=data["target"],
                input_digest=data["input_digest"],
                packages=int(data["packages"]),
                wheel_ids=tuple(int(w) for w in data["wheel_ids"]),
                trees=trees,
                entry_points=tuple(
                    EntryPoint(n, m, a, bool(g)) for n, m, a, g in data["entry_points"]
                ),
            )
        except (ValueError, KeyError, TypeError):
            return None


def activate(
    store: Store, root: Path, plan: Plan, selection: str, trees_root: Path
) -> tuple[int, list[str]]:
    """Build, record and switch in the next generation of ``root/.px``; its number and warnings.

    The caller holds :func:`project_lock`. A failure before the switch leaves
    the current generation in use; after it, the next install repairs.
    """
    from px.install.tree import compile_later
    from px.store import environments

    px_dir = root / ".px"
    number = generation.next_number(px_dir)
    _, warnings = generation.build(px_dir, number, plan.interpreter, plan.trees, plan.entry_points)
    gen_id = environments.stage(
        store,
        project=str(root),
        number=number,
        lock_sha256=state.file_sha256(str(root / "px.lock")),
        python=plan.interpreter.base_executable,
        selection=selection,
        wheel_ids=plan.wheel_ids,
    )
    generation.switch(px_dir, number)
    environments.commit(store, gen_id)
    compile_later(
        plan.interpreter,
        plan.trees,
        generation.site_packages(px_dir / generation.GENS / str(number), plan.interpreter),
    )
    _audit_pth_files(store, root, number, generation.site_packages(px_dir, plan.interpreter))
    state.write(
        str(root),
        selection,
        number,
        {
            "python": str(generation.python_in(px_dir)),
            "base_python": plan.interpreter.base_executable,
            "packages": str(plan.packages),
            "target": plan.target,
            "input_digest": plan.input_digest,
            "trees": str(trees_root),
        },
    )
    return number, warnings


def _audit_pth_files(store: Store, root: Path, number: int, site: Path) -> None:
    """Each .pth file runs code at every interpreter start: record every one we install."""
    from px.store import audit

    started = audit.now()
    for name in sorted(os.listdir(site)):
        if name.endswith(".pth"):
            audit.record(
                store,
                "install: .pth file",
                started_at=started,
                outcome="ok",
                exit_code=0,
                detail={"project": str(root), "generation": number, "file": name},
            )
