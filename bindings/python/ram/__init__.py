"""libram for Python: the Recurrent Attention Model over libram's C ABI.

A pure-ctypes binding (NumPy is its only dependency). ``import ram`` loads
``libram.so.0.2`` (``$RAM_LIBRARY``, else ``pkg-config --variable=libdir
ram``, else the system's search path) and refuses a library of another ABI
version. docs/python.md is the guide; every class and function has a
docstring.
"""
from __future__ import annotations

from ._enums import (RAM_LOCATION_MAX_STD, RAM_MAX_ACTIONS, RAM_MAX_ROWS, RAM_MAX_UNITS,
                     RAM_SENSOR_MAX_CHANNELS, RAM_SENSOR_MAX_IMAGE, RAM_SENSOR_MAX_PATCH,
                     RAM_SENSOR_MAX_SCALES, ActionMode, BeginFlags, Bound, ConfigKey,
                     CoreType, FirstLocation, LoadFlags, Optimizer, Param, PixelFormat,
                     SaveFlags, Stat, Status)
from ._lib import BINDING_VERSION, SONAME, LibraryError, lib as _clib, path as library_path
from .agent import Agent, Step, param_bounds, param_default
from .config import Config, config_bounds
from .errors import (ERRORS, BufferTooSmall, ChecksumError, ClosedError, FormatError,
                     InvalidArgument, IOFailure, NonFinite, OutOfMemory, OutOfRange, RamError,
                     StateError, Truncated, Unsupported, VersionError)
from .networks import Action, Baseline, Core, Glimpse, Location
from .sensor import Sensor

__version__ = "%d.%d.%d" % BINDING_VERSION


def version() -> str:
    """The loaded library's version string (``ram_version_string``)."""
    return str(_clib.ram_version_string().decode())


def version_number() -> int:
    """The loaded library's version number, MAJOR*10000 + MINOR*100 + PATCH."""
    return int(_clib.ram_version_number())


def strerror(status: int) -> str:
    """The library's description of a status code."""
    return str(_clib.ram_strerror(int(status)).decode())


def status_name(status: int) -> str:
    """The enumerator name of a status code ("RAM_E_INVALID")."""
    return str(_clib.ram_status_name(int(status)).decode())


def last_error() -> str:
    """This thread's ``ram_last_error()`` (the detail of the last failure)."""
    return str(_clib.ram_last_error().decode("utf-8", "replace"))


__all__ = [
    "Agent", "Config", "Sensor", "Glimpse", "Core", "Location", "Action", "Baseline", "Step",
    "ActionMode", "BeginFlags", "Bound", "ConfigKey", "CoreType", "FirstLocation",
    "LoadFlags", "Optimizer", "Param", "PixelFormat", "SaveFlags", "Stat", "Status",
    "RamError", "InvalidArgument", "OutOfRange", "OutOfMemory", "StateError", "NonFinite",
    "FormatError", "VersionError", "ChecksumError", "Truncated", "IOFailure",
    "BufferTooSmall", "Unsupported", "ClosedError", "LibraryError", "ERRORS",
    "config_bounds", "param_bounds", "param_default", "version", "version_number",
    "strerror", "status_name", "last_error", "library_path", "SONAME", "BINDING_VERSION",
    "RAM_LOCATION_MAX_STD", "RAM_MAX_ACTIONS", "RAM_MAX_ROWS", "RAM_MAX_UNITS",
    "RAM_SENSOR_MAX_CHANNELS", "RAM_SENSOR_MAX_IMAGE", "RAM_SENSOR_MAX_PATCH",
    "RAM_SENSOR_MAX_SCALES",
]
