"""The create-time configuration (``ram_config``)."""
from __future__ import annotations

import ctypes
from typing import Any, Dict, Tuple, Union

from . import errors
from ._base import Handle
from ._enums import ConfigKey
from ._lib import lib

KeyLike = Union[ConfigKey, str, int]


def config_key(key: KeyLike) -> ConfigKey:
    """A ConfigKey from itself, its number or its name ("patch", "PATCH")."""
    if isinstance(key, str):
        try:
            return ConfigKey[key.upper()]
        except KeyError:
            raise KeyError("unknown configuration key %r (ram.ConfigKey has %s)"
                           % (key, ", ".join(k.name.lower() for k in ConfigKey))) from None
    try:
        return ConfigKey(key)
    except ValueError:
        raise KeyError("unknown configuration key %r" % (key,)) from None


def config_bounds(key: KeyLike) -> Tuple[int, int]:
    """Inclusive bounds of a configuration key (``ram_config_bounds``)."""
    lo, hi = ctypes.c_int64(), ctypes.c_int64()
    errors.check(lib.ram_config_bounds(int(config_key(key)), ctypes.byref(lo),
                                       ctypes.byref(hi)))
    return lo.value, hi.value


class Config(Handle):
    """A create-time configuration (``ram_config``), holding the defaults
    (the paper's 28x28 MNIST model) until set. Keys are :class:`ram.ConfigKey`
    members, their numbers, or their names in any case::

        cfg = ram.Config(core=ram.CoreType.LSTM, hidden=128, seed=7)
        cfg["max_steps"] = 8
        cfg[ram.ConfigKey.ACTIONS]      # 10

    Values are ints (``seed`` is a uint64 stored as its int64 bits, as in C;
    give any int in [-2**63, 2**64) and read back the int64)."""

    def __init__(self, **keys: int) -> None:
        out = ctypes.c_void_p()
        errors.check(lib.ram_config_create(ctypes.byref(out)))
        assert out.value is not None
        self._adopt(out.value, lib.ram_config_free)
        for k, v in keys.items():
            self.set(k, v)

    def set(self, key: KeyLike, value: int) -> None:
        """Set one key (``ram_config_set``); OutOfRange outside its bounds."""
        k = config_key(key)
        v = int(value)
        if k == ConfigKey.SEED and v >= 2 ** 63:
            v -= 2 ** 64
        errors.check(lib.ram_config_set(self._h, int(k), v))

    def get(self, key: KeyLike) -> int:
        """Read one key (``ram_config_get``)."""
        v = ctypes.c_int64()
        errors.check(lib.ram_config_get(self._h, int(config_key(key)), ctypes.byref(v)))
        return v.value

    __getitem__ = get
    __setitem__ = set

    def to_dict(self) -> Dict[str, int]:
        """Every key and its value, by lower-case name."""
        return {k.name.lower(): self.get(k) for k in ConfigKey}

    bounds = staticmethod(config_bounds)

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Config(<closed>)"
        return "ram.Config(%s)" % ", ".join("%s=%d" % kv for kv in self.to_dict().items())

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Config) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]
