"""Exceptions: one class per libram status code, plus the binding's own.

Every failing libram call raises the class of its status (a subclass of
:class:`RamError`), whose message is the library's description of the
status (``ram_strerror``) followed by the detail of the failure
(``ram_last_error``: function, argument, reason), e.g.::

    ram.BufferTooSmall: buffer too small: ram_agent_step: RAM_E_BUFFER:
    images_size is 1024 bytes, the input needs 4096
"""
from __future__ import annotations

from typing import Dict, Optional, Type

from ._enums import Status
from ._lib import lib


class RamError(Exception):
    """A libram call failed. ``status`` is the :class:`ram.Status` code,
    ``description`` its ``ram_strerror()`` text and ``detail`` the
    thread's ``ram_last_error()`` right after the failing call."""

    status: Optional[Status] = None

    def __init__(self, status: int, description: str, detail: str) -> None:
        self.code = int(status)
        self.description = description
        self.detail = detail
        super().__init__("%s: %s" % (description, detail) if detail else description)


class InvalidArgument(RamError, ValueError):
    """RAM_E_INVALID: a NULL or malformed argument (unknown key, flag,
    format, mismatched sizes or input geometry)."""
    status = Status.E_INVALID


class OutOfRange(RamError, ValueError):
    """RAM_E_RANGE: a numeric argument outside its documented bounds."""
    status = Status.E_RANGE


class OutOfMemory(RamError, MemoryError):
    """RAM_E_NOMEM: an allocation failed."""
    status = Status.E_NOMEM


class StateError(RamError):
    """RAM_E_STATE: a call out of order (step before begin, ...)."""
    status = Status.E_STATE


class NonFinite(RamError, ValueError):
    """RAM_E_NONFINITE: NaN or infinity in an input."""
    status = Status.E_NONFINITE


class FormatError(RamError, ValueError):
    """RAM_E_FORMAT: not a libram model, or a corrupt one."""
    status = Status.E_FORMAT


class VersionError(RamError, ValueError):
    """RAM_E_VERSION: a model format newer than this library reads."""
    status = Status.E_VERSION


class ChecksumError(RamError, ValueError):
    """RAM_E_CHECKSUM: a model fails its checksum."""
    status = Status.E_CHECKSUM


class Truncated(RamError, ValueError):
    """RAM_E_TRUNCATED: a model ends early."""
    status = Status.E_TRUNCATED


class IOFailure(RamError):
    """RAM_E_IO: a file could not be opened, read, written or renamed."""
    status = Status.E_IO


class BufferTooSmall(RamError, ValueError):
    """RAM_E_BUFFER: a buffer is smaller than the call needs."""
    status = Status.E_BUFFER


class Unsupported(RamError):
    """RAM_E_UNSUPPORTED: a valid request this handle does not support
    (training an inference-only agent, ...)."""
    status = Status.E_UNSUPPORTED


class ClosedError(ValueError):
    """A handle was used after ``close()`` (as Python's files raise
    ValueError on a closed file)."""


#: The exception class of each status code other than RAM_OK.
ERRORS: Dict[Status, Type[RamError]] = {
    cls.status: cls for cls in (
        InvalidArgument, OutOfRange, OutOfMemory, StateError, NonFinite,
        FormatError, VersionError, ChecksumError, Truncated, IOFailure,
        BufferTooSmall, Unsupported)
    if cls.status is not None
}


def error(status: int) -> RamError:
    """The exception for a status returned by a libram call made just now in
    this thread (reads ram_last_error() at once)."""
    detail = (lib.ram_last_error() or b"").decode("utf-8", "replace")
    description = (lib.ram_strerror(status) or b"").decode("utf-8", "replace")
    try:
        cls: Type[RamError] = ERRORS[Status(status)]
    except (ValueError, KeyError):
        cls = RamError
    return cls(status, description, detail)


def check(status: int) -> None:
    """Raise the exception of a status other than RAM_OK."""
    if status:
        raise error(status)
