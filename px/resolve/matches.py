"""A lazily filled sequence of candidates, as resolvelib's find_matches may return."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from px.resolve.model import Candidate


class Matches(Sequence[Candidate]):
    """Candidates made as resolvelib reaches them, remembered for the next pass."""

    def __init__(self, source: Iterable[Candidate]) -> None:
        self._source: Iterator[Candidate] | None = iter(source)
        self._made: list[Candidate] = []

    def _reach(self, count: int) -> bool:
        """Make candidates until ``count`` exist; whether they do."""
        while len(self._made) < count and self._source is not None:
            made = next(self._source, None)
            if made is None:
                self._source = None
            else:
                self._made.append(made)
        return len(self._made) >= count

    def __bool__(self) -> bool:
        return self._reach(1)

    def __iter__(self) -> Iterator[Candidate]:
        index = 0
        while self._reach(index + 1):
            yield self._made[index]
            index += 1

    def __len__(self) -> int:
        self._reach(sys.maxsize)
        return len(self._made)

    @overload
    def __getitem__(self, index: int) -> Candidate: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Candidate]: ...

    def __getitem__(self, index: int | slice) -> Candidate | Sequence[Candidate]:
        self._reach(sys.maxsize if isinstance(index, slice) or index < 0 else index + 1)
        return self._made[index]
