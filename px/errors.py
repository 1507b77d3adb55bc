"""The one error family of px.

Every failure a user can cause or meet is a :class:`PxError`. It says *what*
failed, *why*, and what to do about it (*hint*), and carries a stable exit code
and a stable machine-readable ``code`` for ``--json`` output. Only
``px.cli.main`` catches these; everything below it raises.

Exit codes are part of px's interface: they are documented in
``docs/exit-codes.md`` and a test keeps that page in step with this module.
"""

from __future__ import annotations

import enum

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from typing import ClassVar


class ExitCode(enum.IntEnum):
    """Process exit codes. Stable: never renumber, only add."""

    OK = 0
    FAILURE = 1  # the command ran and reports a negative result
    USAGE = 2  # bad command line (argparse uses 2 as well)
    INPUT = 3  # malformed input: pyproject.toml, px.lock, requirement, URL, wheel
    STORE = 4  # the store is damaged, newer than this px, or unusable
    INTEGRITY = 5  # a hash did not match: corrupted object or tampered download
    NETWORK = 6  # network unavailable, HTTP failure, or missing while --offline
    RESOLUTION = 7  # no set of versions satisfies the requirements
    LOCK_STALE = 8  # px.lock is missing or does not match its inputs
    LOCK_DIFFERS = 9  # `px lock diff` found differences
    BUSY = 10  # another px process holds the store or environment too long
    BUILD = 11  # building a distribution failed
    INSTALL = 12  # installing into an environment failed
    PUBLISH = 13  # the registry refused an upload (credentials, permissions, the file)
    INTERNAL = 70  # a bug in px (EX_SOFTWARE)
    COMMAND_NOT_FOUND = 127  # `px run` could not find the command (as a shell does)
    INTERRUPTED = 130  # Ctrl-C


class PxError(Exception):
    """Base of every error px reports to a user.

    ``what`` is one line saying what failed. ``why`` says the cause when it is
    known, ``hint`` says what the user can do. ``details`` holds extra lines
    (for example every problem found while validating a file).
    """

    exit_code: ClassVar[ExitCode] = ExitCode.FAILURE
    code: ClassVar[str] = "failure"

    def __init__(
        self,
        what: str,
        *,
        why: str | None = None,
        hint: str | None = None,
        details: tuple[str, ...] | list[str] = (),
    ) -> None:
        super().__init__(what)
        self.what = what
        self.why = why
        self.hint = hint
        self.details = tuple(details)

    def one_line(self) -> str:
        """The message as one line: what, why and hint joined."""
        parts = [self.what]
        if self.why:
            parts.append(self.why)
        line = ": ".join(parts)
        if self.hint:
            line = f"{line} ({self.hint})"
        return line

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "exit_code": int(self.exit_code),
            "message": self.what,
            "why": self.why,
            "hint": self.hint,
            "details": list(self.details),
        }


class UsageError(PxError):
    exit_code = ExitCode.USAGE
    code = "usage"


class InputError(PxError):
    """Malformed user input: a file, a requirement, a URL, a wheel."""

    exit_code = ExitCode.INPUT
    code = "bad-input"


class StoreError(PxError):
    """The store cannot be used: damaged, too new, unwritable."""

    exit_code = ExitCode.STORE
    code = "store"


class StoreDamaged(StoreError):
    code = "store-damaged"


class StoreTooNew(StoreError):
    code = "store-too-new"


class IntegrityError(PxError):
    """Content did not match the hash it was stored or announced under."""

    exit_code = ExitCode.INTEGRITY
    code = "integrity"


class NetworkError(PxError):
    exit_code = ExitCode.NETWORK
    code = "network"


class OfflineMiss(NetworkError):
    """Running offline and the store does not hold what was asked for."""

    code = "offline-miss"


class ResolutionImpossible(PxError):
    exit_code = ExitCode.RESOLUTION
    code = "resolution-impossible"


class LockStale(PxError):
    exit_code = ExitCode.LOCK_STALE
    code = "lock-stale"


class LockDiffers(PxError):
    exit_code = ExitCode.LOCK_DIFFERS
    code = "lock-differs"


class Busy(PxError):
    exit_code = ExitCode.BUSY
    code = "busy"


class BuildError(PxError):
    exit_code = ExitCode.BUILD
    code = "build"


class MetadataNeedsBuild(BuildError):
    """An sdist whose dependencies only a build can tell (PKG-INFO older than 2.2, or
    marking them dynamic): a resolver that can build asks its backend instead."""

    code = "metadata-needs-build"


class InstallError(PxError):
    exit_code = ExitCode.INSTALL
    code = "install"


class UploadRejected(PxError):
    """A registry answered an upload with a refusal (4xx): credentials, permissions, the file."""

    exit_code = ExitCode.PUBLISH
    code = "upload-rejected"


class InternalError(PxError):
    """An unexpected exception: a bug in px."""

    exit_code = ExitCode.INTERNAL
    code = "internal"


class CommandNotFound(PxError):
    """`px run` found no such command in the environment or on PATH."""

    exit_code = ExitCode.COMMAND_NOT_FOUND
    code = "command-not-found"
