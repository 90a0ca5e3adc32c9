"""Loading libram and declaring its functions (ctypes).

The binding is written for the ABI of RAM_VERSION_MAJOR.RAM_VERSION_MINOR
(from the headers, via _enums.py). It loads the shared library

1. from the file ``$RAM_LIBRARY`` names, if that is set;
2. else from the directory that ``pkg-config --variable=libdir ram`` names;
3. else by soname from the system's search path (``ldconfig``, ``LD_LIBRARY_PATH``),

and refuses a library whose runtime version (``ram_version_number()``) has
another ABI: before 1.0 another minor version, from 1.0 on another major
version or an older minor one.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from ctypes import (c_char_p, c_double, c_float, c_int, c_int64,
                    c_size_t, c_uint, c_uint64, c_void_p)
from typing import Any, Dict, List, Optional, Tuple

from ._enums import RAM_VERSION_MAJOR, RAM_VERSION_MINOR, RAM_VERSION_PATCH

#: The version of the headers this binding was generated from.
BINDING_VERSION: Tuple[int, int, int] = (RAM_VERSION_MAJOR, RAM_VERSION_MINOR,
                                         RAM_VERSION_PATCH)

#: The soname the binding loads: libram.so.MAJOR, libram.so.0.MINOR before 1.0.
SONAME: str = ("libram.so.%d.%d" % (RAM_VERSION_MAJOR, RAM_VERSION_MINOR)
               if RAM_VERSION_MAJOR == 0 else "libram.so.%d" % RAM_VERSION_MAJOR)


class LibraryError(ImportError):
    """libram could not be loaded, or it has an incompatible version."""


def _pkg_config_libdir() -> Optional[str]:
    exe = shutil.which(os.environ.get("PKG_CONFIG", "pkg-config"))
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "--variable=libdir", "ram"], capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    libdir = res.stdout.strip()
    return libdir if res.returncode == 0 and libdir else None


def _open() -> Tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    path = os.environ.get("RAM_LIBRARY")
    if path:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            raise LibraryError("RAM_LIBRARY=%s: cannot load it: %s" % (path, e)) from e
    libdir = _pkg_config_libdir()
    if libdir is not None:
        candidate = os.path.join(libdir, SONAME)
        if os.path.exists(candidate):
            try:
                return ctypes.CDLL(candidate), candidate
            except OSError as e:
                tried.append("%s (%s)" % (candidate, e))
        else:
            tried.append("%s (pkg-config's libdir; no such file)" % candidate)
    try:
        return ctypes.CDLL(SONAME), SONAME
    except OSError as e:
        tried.append("%s from the search path (%s)" % (SONAME, e))
    raise LibraryError(
        "cannot find libram (%s): tried %s. Set RAM_LIBRARY to the library file, "
        "e.g. RAM_LIBRARY=/path/to/libram/lib/%s, or install libram (make install)"
        % (SONAME, "; ".join(tried), SONAME))


def compatible(number: int) -> bool:
    """Whether a library of version number (MAJOR*10000 + MINOR*100 + PATCH)
    has the ABI this binding was written for."""
    major, minor = number // 10000, (number // 100) % 100
    if major != RAM_VERSION_MAJOR:
        return False
    if major == 0:
        return minor == RAM_VERSION_MINOR
    return minor >= RAM_VERSION_MINOR


_P = c_void_p
_S = c_size_t
_PROTOS: Dict[str, Tuple[Any, List[Any]]] = {
    # version.h, status.h
    "ram_version_number": (c_uint, []),
    "ram_version_string": (c_char_p, []),
    "ram_strerror": (c_char_p, [c_int]),
    "ram_status_name": (c_char_p, [c_int]),
    "ram_last_error": (c_char_p, []),
    # agent.h: configuration and tunables
    "ram_config_create": (c_int, [_P]),
    "ram_config_free": (None, [_P]),
    "ram_config_set": (c_int, [_P, c_int, c_int64]),
    "ram_config_get": (c_int, [_P, c_int, _P]),
    "ram_config_bounds": (c_int, [c_int, _P, _P]),
    "ram_param_bounds": (c_int, [c_int, _P, _P]),
    "ram_param_default": (c_int, [c_int, _P]),
    # agent.h: the agent
    "ram_agent_create": (c_int, [_P, _P]),
    "ram_agent_free": (None, [_P]),
    "ram_agent_get_config": (c_int, [_P, c_int, _P]),
    "ram_agent_set_param": (c_int, [_P, c_int, c_double]),
    "ram_agent_get_param": (c_int, [_P, c_int, _P]),
    "ram_agent_reset_params": (c_int, [_P]),
    "ram_agent_params": (c_int, [_P, _P, _P, _P]),
    "ram_agent_seed": (c_int, [_P, c_uint64]),
    "ram_agent_set_input": (c_int, [_P, c_int, _S, _S, _S, _S]),
    "ram_agent_get_input": (c_int, [_P, _P, _P, _P, _P, _P]),
    "ram_agent_batch": (c_int, [_P, _P]),
    "ram_agent_begin": (c_int, [_P, _S, c_uint]),
    "ram_agent_location": (c_int, [_P, _P]),
    "ram_agent_step": (c_int, [_P, _P, _S, _P, _P, _P]),
    "ram_agent_reward": (c_int, [_P, _P]),
    "ram_agent_end": (c_int, [_P, _P]),
    "ram_agent_update": (c_int, [_P]),
    "ram_agent_grad_samples": (c_int, [_P, _P]),
    "ram_agent_set_grad_samples": (c_int, [_P, c_uint64]),
    "ram_agent_zero_grad": (c_int, [_P]),
    "ram_agent_stat": (c_int, [_P, c_int, _P]),
    "ram_agent_save": (c_int, [_P, c_uint, _P, _S, _P]),
    "ram_agent_load": (c_int, [_P, _P, _S, c_uint]),
    "ram_agent_save_file": (c_int, [_P, c_uint, c_char_p]),
    "ram_agent_load_file": (c_int, [_P, c_char_p, c_uint]),
    # sensor.h
    "ram_sensor_create": (c_int, [_P, _S, _S, _S]),
    "ram_sensor_free": (None, [_P]),
    "ram_sensor_output_size": (_S, [_P]),
    "ram_sensor_shape": (c_int, [_P, _P, _P, _P]),
    "ram_sensor_glimpse": (c_int, [_P, _S, _P, c_int, _S, _S, _S, _S, _P, _P]),
    "ram_sensor_patch_rect": (c_int, [_P, _S, _S, _P, _S, _P, _P, _P]),
    # glimpse.h
    "ram_glimpse_create": (c_int, [_P, _S, _S, _S, _S, c_uint64]),
    "ram_glimpse_free": (None, [_P]),
    "ram_glimpse_reserve": (c_int, [_P, _S]),
    "ram_glimpse_shape": (c_int, [_P, _P, _P, _P, _P]),
    "ram_glimpse_tape_size": (_S, [_P]),
    "ram_glimpse_params": (c_int, [_P, _P, _P, _P]),
    "ram_glimpse_zero_grad": (c_int, [_P]),
    "ram_glimpse_forward": (c_int, [_P, _S, _P, _P, _P, _P]),
    "ram_glimpse_backward": (c_int, [_P, _S, _P, _P, _P, _P, _P, _P, _P, c_float]),
    # core.h
    "ram_core_create": (c_int, [_P, c_int, _S, _S, c_uint64]),
    "ram_core_free": (None, [_P]),
    "ram_core_reserve": (c_int, [_P, _S]),
    "ram_core_shape": (c_int, [_P, _P, _P, _P]),
    "ram_core_tape_size": (_S, [_P]),
    "ram_core_params": (c_int, [_P, _P, _P, _P]),
    "ram_core_zero_grad": (c_int, [_P]),
    "ram_core_forward": (c_int, [_P, _S, _P, _P, _P, _P, _P, _P]),
    "ram_core_backward": (c_int, [_P, _S, _S, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P,
                                  c_float]),
    # location.h
    "ram_location_create": (c_int, [_P, _S, c_int, c_uint64]),
    "ram_location_free": (None, [_P]),
    "ram_location_shape": (c_int, [_P, _P, _P]),
    "ram_location_params": (c_int, [_P, _P, _P, _P]),
    "ram_location_zero_grad": (c_int, [_P]),
    "ram_location_set_std": (c_int, [_P, c_double]),
    "ram_location_get_std": (c_int, [_P, _P]),
    "ram_location_seed": (c_int, [_P, c_uint64]),
    "ram_location_forward": (c_int, [_P, _S, _P, _P]),
    "ram_location_sample": (c_int, [_P, _S, _P, _P, _P, _P]),
    "ram_location_score": (c_int, [_P, _S, _P, _P, _P, _P]),
    "ram_location_log_prob": (c_int, [_P, _S, _P, _P, _P, _P]),
    "ram_location_entropy": (c_int, [_P, _P]),
    "ram_location_backward": (c_int, [_P, _S, _P, _P, _P, _P, c_float]),
    # action.h
    "ram_action_create": (c_int, [_P, _S, _S, c_uint64]),
    "ram_action_free": (None, [_P]),
    "ram_action_shape": (c_int, [_P, _P, _P]),
    "ram_action_params": (c_int, [_P, _P, _P, _P]),
    "ram_action_zero_grad": (c_int, [_P]),
    "ram_action_seed": (c_int, [_P, c_uint64]),
    "ram_action_forward": (c_int, [_P, _S, _P, _P]),
    "ram_action_sample": (c_int, [_P, _S, _P, _P]),
    "ram_action_xent": (c_int, [_P, _S, _P, _P, c_double, _P, _P]),
    "ram_action_score": (c_int, [_P, _S, _P, _P, _P, _P]),
    "ram_action_log_prob": (c_int, [_P, _S, _P, _P, _P, _P]),
    "ram_action_entropy": (c_int, [_P, _S, _P, _P, _P]),
    "ram_action_backward": (c_int, [_P, _S, _P, _P, _P, c_float]),
    # baseline.h
    "ram_baseline_create": (c_int, [_P, _S]),
    "ram_baseline_free": (None, [_P]),
    "ram_baseline_shape": (c_int, [_P, _P]),
    "ram_baseline_params": (c_int, [_P, _P, _P, _P]),
    "ram_baseline_zero_grad": (c_int, [_P]),
    "ram_baseline_forward": (c_int, [_P, _S, _P, _P]),
    "ram_baseline_mse": (c_int, [_P, _S, _P, _P, c_double, _P, _P]),
    "ram_baseline_backward": (c_int, [_P, _S, _P, _P, _P, c_float]),
}


def _load() -> Tuple[ctypes.CDLL, str]:
    lib, where = _open()
    if not hasattr(lib, "ram_version_number"):
        raise LibraryError("%s is not libram: it has no ram_version_number()" % where)
    lib.ram_version_number.restype = c_uint
    lib.ram_version_number.argtypes = []
    number = int(lib.ram_version_number())
    if not compatible(number):
        raise LibraryError(
            "%s is libram %d.%d.%d, but this binding is for libram %d.%d (%s): "
            "load a matching library (RAM_LIBRARY) or the binding of that version"
            % (where, number // 10000, (number // 100) % 100, number % 100,
               RAM_VERSION_MAJOR, RAM_VERSION_MINOR, SONAME))
    missing = [name for name in _PROTOS if not hasattr(lib, name)]
    if missing:
        raise LibraryError("%s says it is libram %d.%d but lacks %s"
                           % (where, number // 10000, (number // 100) % 100,
                              ", ".join(missing[:5])))
    for name, (restype, argtypes) in _PROTOS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib, where


lib, path = _load()
