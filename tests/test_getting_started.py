"""docs/getting-started.md stays true: its commands are run in order and their output checked.

How the guide is read:

- ```` ```console ```` blocks: a line starting with ``$ `` is a command; the lines after it, up
  to the next command or the end of the block, are what it prints (stdout and stderr as a
  terminal shows them). A command ending in ``# exit N`` must exit N; any other must exit 0.
  ``cd DIR`` and ``export NAME=VALUE`` act as in a shell; every other command starts with
  ``px`` and runs as ``python -m px ...`` (split with shlex).
- ```` ```python file=PATH ```` blocks are written to PATH (from the current directory) when
  the guide reaches them: the code the reader is told to write.

What the guide shows is a reader's machine; the test maps its own machine onto it (``mapping``):
its home directory is ``/home/you``, the loopback registry (pypiserver, tests/loop) is
``http://localhost:8080/``, the loopback index is PyPI. In the expected output, the
placeholders of ``PLACEHOLDERS`` and ``...`` (a whole line: any lines, none included; inside a
line: any text) are wildcards, and so is every dotted version number (``2.21.0``): the index
serves the versions of pytest, pygments, ruff, ... installed in the test environment. A run of
two or more spaces matches any such run, so a table may be aligned for its placeholders.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.server import IndexServer
from tests.loop import conftest as loop
from tests.loop.conftest import Registry

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "getting-started.md"
HOME = "/home/you"
REGISTRY = "http://localhost:8080/"
PYPI = "https://pypi.org/simple/"
PLACEHOLDERS = {
    "<sha256>": r"[0-9a-f]{64}",
    "<hash>": r"[0-9a-f]+",  # an abbreviated digest
    "<n>": r"\d+",  # a size, a count of seconds, an id
    "<time>": r"\d{4}-\d\d-\d\dT[0-9:.]+Z?",
    "<platform>": r"[\w.-]+",
    "<target>": r"[\w.-]+",  # cp311-linux-x86_64
}
_VERSION = r"\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*(?:\+[a-z0-9.]+)?"
_TOKEN = re.compile("|".join([*map(re.escape, PLACEHOLDERS), r"\.\.\.", r"\d+(?:\.\d+)+", "  +"]))
_EXIT = re.compile(r"\s+# exit (\d+)$")
_FENCE = re.compile(r"^```(\S*)(.*)$")

registry = loop.registry  # the pypiserver fixture of tests/loop, for this module too


@dataclass(frozen=True)
class Command:
    line: int  # in the guide, for messages
    text: str  # as the guide writes it, without "$ " and "# exit N"
    exit_code: int
    expected: tuple[str, ...]


@dataclass(frozen=True)
class WriteFile:
    line: int
    path: str
    content: str


Step = Command | WriteFile


def parse_guide(text: str) -> list[Step]:
    """The guide's commands and files, in order."""
    steps: list[Step] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence or not fence.group(1):
            i += 1
            continue
        start = i + 1
        end = next(j for j in range(start, len(lines)) if lines[j].startswith("```"))
        body = lines[start:end]
        if fence.group(1) == "console":
            steps.extend(_commands(body, start + 1))
        elif target := re.search(r"\bfile=(\S+)", fence.group(2)):
            steps.append(WriteFile(start, target.group(1), "\n".join(body) + "\n"))
        i = end + 1
    return steps


def _commands(body: list[str], first_line: int) -> Iterator[Command]:
    starts = [k for k, line in enumerate(body) if line.startswith("$ ")]
    for n, k in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(body)
        text = body[k][2:]
        code = _EXIT.search(text)
        if code:
            text = text[: code.start()]
        expected = tuple(body[k + 1 : stop])
        yield Command(first_line + k, text, int(code.group(1)) if code else 0, expected)


def output_pattern(expected: tuple[str, ...]) -> re.Pattern[str]:
    """A regex for the whole output: placeholders, ``...`` and versions as wildcards."""
    parts = []
    for line in expected:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        pattern, last = "", 0
        for token in _TOKEN.finditer(line):
            pattern += re.escape(line[last : token.start()])
            found = token.group()
            if found in PLACEHOLDERS:
                pattern += PLACEHOLDERS[found]
            elif found == "...":
                pattern += ".*?"
            else:
                pattern += "  +" if found.startswith(" ") else _VERSION
            last = token.end()
        parts.append(pattern + re.escape(line[last:]) + r"\n")
    return re.compile("".join(parts))


def shown(output: str, mapping: dict[str, str]) -> str:
    """The output as the guide shows it: the test's paths and URLs mapped onto the reader's."""
    for real, doc in mapping.items():
        output = output.replace(real, doc)
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def test_every_step_of_the_guide_says_what_it_shows(
    tmp_path: Path,
    index: IndexServer,
    registry: Registry,
) -> None:
    if sys.version_info < (3, 11):
        pytest.skip("the guide shows Python 3.11+: on 3.10 pytest also needs exceptiongroup, tomli")
    assert (registry.username, registry.password) == ("alice", "correct-horse-battery-staple")
    home = tmp_path / "you"
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "PX_HOME": str(home / ".local" / "share" / "px"),
        "PX_INDEX_URL": index.url("primary"),
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleaved as on a terminal
        "COLUMNS": "80",
        "LC_ALL": "C.UTF-8",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),  # not in git: px build's epoch is "from files"
    }
    # the test's machine -> the reader's, as the guide shows it
    mapping = {index.url("primary"): PYPI, registry.url: REGISTRY, str(home): HOME}
    steps = parse_guide(GUIDE.read_text())
    assert sum(isinstance(s, Command) for s in steps) > 20, "the guide lost its commands"
    cwd = home
    for step in steps:
        if isinstance(step, WriteFile):
            (cwd / step.path).write_text(step.content)
            continue
        where = f"docs/getting-started.md:{step.line}: $ {step.text}"
        argv = shlex.split(step.text.replace(REGISTRY, registry.url))
        if argv[0] in ("cd", "export"):
            assert not step.expected, f"{where}: prints nothing"
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
            continue
        if argv[0] == "export":
            name, _, value = argv[1].partition("=")
            env[name] = value
            continue
        assert argv[0] == "px", f"{where}: only px, cd and export are run"
        done = subprocess.run(
            [sys.executable, "-m", "px", *argv[1:]],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        output = shown(done.stdout, mapping)
        assert done.returncode == step.exit_code, f"{where}: exit {done.returncode}\n{output}"
        pattern = output_pattern(step.expected)
        assert pattern.fullmatch(output), (
            f"{where}: the output is not what the guide shows\n--- guide\n"
            + "\n".join(step.expected)
            + f"\n--- px\n{output}"
        )


def test_the_parser_reads_commands_outputs_and_files() -> None:
    guide = (
        "text\n```console\n$ px init hello --app\ncreated\n  a file\n$ cd hello\n"
        "$ px lint  # exit 1\nsrc/x.py:1:8: F401\n```\n"
        "```python file=src/x.py\nimport os\n```\n```sh\n$ not run\n```\n"
    )
    assert parse_guide(guide) == [
        Command(3, "px init hello --app", 0, ("created", "  a file")),
        Command(6, "cd hello", 0, ()),
        Command(7, "px lint", 1, ("src/x.py:1:8: F401",)),
        WriteFile(10, "src/x.py", "import os\n"),
    ]


def test_placeholders_versions_and_ellipses_are_wildcards() -> None:
    pattern = output_pattern(("+ pygments 2.21.0", "...", "built <n> bytes sha256:<sha256>"))
    assert pattern.fullmatch(f"+ pygments 2.22.1\na\nb\nbuilt 12 bytes sha256:{'a' * 64}\n")
    assert pattern.fullmatch(f"+ pygments 2.21.0\nbuilt 1 bytes sha256:{'0' * 64}\n")
    assert not pattern.fullmatch(f"+ pytest 2.21.0\nbuilt 1 bytes sha256:{'0' * 64}\n")
    assert not pattern.fullmatch("+ pygments 2.21.0\nbuilt 1 bytes sha256:abc\n")
    assert not output_pattern(("all good",)).fullmatch("all good\nand one line more\n")
    table = output_pattern(("@2  <time>                <hash>        5  add",))
    assert table.fullmatch("@2  2026-11-26T10:54:45Z  eb33f49e269f  5  add\n")
    assert not table.fullmatch("@2  2026-11-26T10:54:45Z  eb33f49e269f 5  add\n")
