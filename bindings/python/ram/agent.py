"""The agent (``ram_agent``): episodes, training, save and load."""
from __future__ import annotations

import ctypes
import os
from typing import Any, Dict, NamedTuple, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import errors
from ._base import F32, I32, Handle, addr, f32_in, image_layout, int_in
from ._enums import ActionMode, BeginFlags, ConfigKey, LoadFlags, Param, PixelFormat, SaveFlags, Stat
from ._lib import lib
from .config import Config, KeyLike, config_key

ParamLike = Union[Param, str, int]
StatLike = Union[Stat, str, int]
PathLike = Union[str, "os.PathLike[str]"]

_step = lib.ram_agent_step
_set_input = lib.ram_agent_set_input
_error = errors.error
_addressof = ctypes.addressof
_c_char = ctypes.c_char


def _address(a: "npt.NDArray[Any]") -> int:
    """The address of an array's first element: through the buffer protocol
    when the array is writable and C-contiguous (fast), else numpy's ctypes
    interface."""
    if a.flags.writeable and a.flags.c_contiguous:
        return _addressof(_c_char.from_buffer(a))  # type: ignore[arg-type]
    return int(a.ctypes.data)


def param_key(key: ParamLike) -> Param:
    """A Param from itself, its number or its name ("learning_rate")."""
    if isinstance(key, str):
        try:
            return Param[key.upper()]
        except KeyError:
            raise KeyError("unknown tunable %r (ram.Param has %s)"
                           % (key, ", ".join(p.name.lower() for p in Param))) from None
    try:
        return Param(key)
    except ValueError:
        raise KeyError("unknown tunable %r" % (key,)) from None


def _stat_key(key: StatLike) -> Stat:
    if isinstance(key, str):
        try:
            return Stat[key.upper()]
        except KeyError:
            raise KeyError("unknown statistic %r" % (key,)) from None
    try:
        return Stat(key)
    except ValueError:
        raise KeyError("unknown statistic %r" % (key,)) from None


def param_bounds(key: ParamLike) -> Tuple[float, float]:
    """Inclusive bounds of a tunable (``ram_param_bounds``)."""
    lo, hi = ctypes.c_double(), ctypes.c_double()
    errors.check(lib.ram_param_bounds(int(param_key(key)), ctypes.byref(lo), ctypes.byref(hi)))
    return lo.value, hi.value


def param_default(key: ParamLike) -> float:
    """Default of a tunable (``ram_param_default``)."""
    v = ctypes.c_double()
    errors.check(lib.ram_param_default(int(param_key(key)), ctypes.byref(v)))
    return v.value


class Step(NamedTuple):
    """What :meth:`Agent.step` returns: where the next step looks (batch x 2),
    the action distribution (batch x A) and the action taken (batch), the
    last two None when not asked for."""
    location: F32
    probs: Optional[F32]
    actions: Optional[I32]


class Agent(Handle):
    """A Recurrent Attention Model agent (``ram_agent``).

    Create one from a :class:`Config` (or keyword keys), or load a model with
    :meth:`Agent.load`. An episode is ``begin()``, ``step()`` per glimpse
    (``reward()`` after a step in control mode), ``end()``; a training
    episode adds gradient sums, and ``update()`` applies their mean::

        agent = ram.Agent(seed=1)
        agent.begin(batch=len(x), train=True)
        for _ in range(6):
            agent.step(x)                       # x: (batch, 28, 28) uint8
        agent.end(labels)                       # labels: (batch,) ints
        agent.update()

    ``params`` and ``grads`` are zero-copy float32 views of the agent's flat
    arrays. Not thread-safe: one agent, one thread at a time (the C rule).
    """

    def __init__(self, config: Optional[Config] = None, /, **keys: int) -> None:
        own = None
        if config is None or keys:
            own = Config()
            if config is not None:
                for k, v in config.to_dict().items():
                    own.set(k, v)
            for k, v in keys.items():
                own.set(k, v)
            config = own
        out = ctypes.c_void_p()
        try:
            errors.check(lib.ram_agent_create(ctypes.byref(out), config._h))
        finally:
            if own is not None:
                own.close()
        assert out.value is not None
        self._init(out.value)

    def _init(self, ptr: int) -> None:
        self._adopt(ptr, lib.ram_agent_free)
        self._channels = self.config(ConfigKey.CHANNELS)
        self._actions = self.config(ConfigKey.ACTIONS)
        self._input: Optional[Tuple[int, int, int, int, int]] = None
        self._layout_key: Any = None
        self._layout: Tuple[int, int, int] = (0, 0, 0)
        self._batch = 0

    # -- construction from a model ------------------------------------------
    @classmethod
    def load(cls, path: PathLike, inference: bool = False) -> "Agent":
        """Load a model file (``ram_agent_load_file``); ``inference=True``
        gives an inference-only agent (no gradients, no optimiser)."""
        out = ctypes.c_void_p()
        flags = int(LoadFlags.INFERENCE) if inference else 0
        errors.check(lib.ram_agent_load_file(ctypes.byref(out), os.fsencode(path), flags))
        self = cls.__new__(cls)
        assert out.value is not None
        self._init(out.value)
        return self

    @classmethod
    def from_bytes(cls, data: bytes, inference: bool = False) -> "Agent":
        """Load a model from bytes (``ram_agent_load``)."""
        buf = bytes(data)
        out = ctypes.c_void_p()
        flags = int(LoadFlags.INFERENCE) if inference else 0
        errors.check(lib.ram_agent_load(ctypes.byref(out), buf, len(buf), flags))
        self = cls.__new__(cls)
        assert out.value is not None
        self._init(out.value)
        return self

    def save(self, path: PathLike, optimizer: bool = False) -> None:
        """Save atomically to a file (``ram_agent_save_file``); with
        ``optimizer=True`` also the optimiser and RNG state, so that training
        resumes exactly."""
        flags = int(SaveFlags.OPTIMIZER) if optimizer else 0
        errors.check(lib.ram_agent_save_file(self._h, flags, os.fsencode(path)))

    def to_bytes(self, optimizer: bool = False) -> bytes:
        """The model as bytes (``ram_agent_save``)."""
        flags = int(SaveFlags.OPTIMIZER) if optimizer else 0
        size = ctypes.c_size_t()
        errors.check(lib.ram_agent_save(self._h, flags, None, 0, ctypes.byref(size)))
        buf = ctypes.create_string_buffer(size.value)
        errors.check(lib.ram_agent_save(self._h, flags, buf, size.value, ctypes.byref(size)))
        return buf.raw[: size.value]

    # -- configuration and tunables ----------------------------------------
    def config(self, key: KeyLike) -> int:
        """One configuration key of the agent (``ram_agent_get_config``)."""
        v = ctypes.c_int64()
        errors.check(lib.ram_agent_get_config(self._h, int(config_key(key)), ctypes.byref(v)))
        return v.value

    def config_dict(self) -> Dict[str, int]:
        """Every configuration key, by lower-case name."""
        return {k.name.lower(): self.config(k) for k in ConfigKey}

    def set_param(self, key: ParamLike, value: float) -> None:
        """Set a tunable (``ram_agent_set_param``)."""
        errors.check(lib.ram_agent_set_param(self._h, int(param_key(key)), float(value)))

    def get_param(self, key: ParamLike) -> float:
        """Read a tunable (``ram_agent_get_param``)."""
        v = ctypes.c_double()
        errors.check(lib.ram_agent_get_param(self._h, int(param_key(key)), ctypes.byref(v)))
        return v.value

    def params_dict(self) -> Dict[str, float]:
        """Every tunable, by lower-case name."""
        return {p.name.lower(): self.get_param(p) for p in Param}

    def reset_params(self) -> None:
        """Every tunable back to its default."""
        errors.check(lib.ram_agent_reset_params(self._h))

    param_bounds = staticmethod(param_bounds)
    param_default = staticmethod(param_default)

    def seed(self, seed: int) -> None:
        """Reseed the agent's RNG (a uint64)."""
        errors.check(lib.ram_agent_seed(self._h, int(seed) % 2 ** 64))

    # -- flat parameters ---------------------------------------------------
    def _arrays(self) -> Tuple[int, int, int]:
        p, g, n = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_size_t()
        errors.check(lib.ram_agent_params(self._h, ctypes.byref(p), ctypes.byref(g),
                                          ctypes.byref(n)))
        return p.value or 0, g.value or 0, n.value

    @property
    def params(self) -> F32:
        """The flat parameters: a writable zero-copy float32 view."""
        p, _, n = self._arrays()
        return self._view(p, n)

    @property
    def grads(self) -> Optional[F32]:
        """The flat gradient SUMS over :attr:`grad_samples` samples (a
        zero-copy view), or None for an inference-only agent."""
        _, g, n = self._arrays()
        return self._view(g, n) if g else None

    @property
    def grad_samples(self) -> int:
        """Samples the gradient sums cover; settable after an all-reduce."""
        v = ctypes.c_uint64()
        errors.check(lib.ram_agent_grad_samples(self._h, ctypes.byref(v)))
        return v.value

    @grad_samples.setter
    def grad_samples(self, n: int) -> None:
        errors.check(lib.ram_agent_set_grad_samples(self._h, int(n)))

    # -- episodes ------------------------------------------------------------
    def set_input(self, format: Union[PixelFormat, int], width: int, height: int,
                  row_stride: int, image_stride: int = 0) -> None:
        """Describe the images by hand (``ram_agent_set_input``). Not needed
        with :meth:`step`, which describes each array it is given."""
        errors.check(_set_input(self._h, int(format), width, height, row_stride, image_stride))
        self._input = (int(format), width, height, row_stride, image_stride)
        self._layout_key = None

    def get_input(self) -> Tuple[PixelFormat, int, int, int, int]:
        """(format, width, height, row_stride, image_stride) in force;
        StateError before any input was described."""
        f = ctypes.c_int()
        w, h, r, i = (ctypes.c_size_t() for _ in range(4))
        errors.check(lib.ram_agent_get_input(self._h, ctypes.byref(f), ctypes.byref(w),
                                             ctypes.byref(h), ctypes.byref(r), ctypes.byref(i)))
        return PixelFormat(f.value), w.value, h.value, r.value, i.value

    @property
    def batch(self) -> int:
        """The batch of the episode under way; StateError without one."""
        v = ctypes.c_size_t()
        errors.check(lib.ram_agent_batch(self._h, ctypes.byref(v)))
        return v.value

    def begin(self, batch: int = 1, train: bool = False, greedy_location: bool = False,
              greedy_action: bool = False, flags: Union[BeginFlags, int] = 0) -> None:
        """Begin an episode of ``batch`` observations (``ram_agent_begin``);
        ``train`` records it for gradients."""
        f = int(flags)
        if train:
            f |= BeginFlags.TRAIN
        if greedy_location:
            f |= BeginFlags.GREEDY_LOCATION
        if greedy_action:
            f |= BeginFlags.GREEDY_ACTION
        errors.check(lib.ram_agent_begin(self._h, int(batch), f))
        self._batch = int(batch)

    def location(self) -> F32:
        """Where the next step will look: (batch, 2) floats in [-1, 1]."""
        h = self._h
        out = np.empty((max(self._batch, 1), 2), np.float32)
        errors.check(lib.ram_agent_location(h, addr(out)))
        return out

    def _describe(self, images: "npt.NDArray[Any]", key: Any) -> Tuple[int, int, int]:
        """Check a new image array layout, describe it to the library (when it
        differs from the one in force) and cache it: (count, bytes spanned,
        writable flag)."""
        fmt, n, w, hh, row, img, span = image_layout(images, self._channels)
        desc = (fmt, w, hh, row, img)
        if desc != self._input:
            rc = _set_input(self._h, fmt, w, hh, row, img)
            if rc:
                raise _error(rc)
            self._input = desc
        self._layout_key = key
        self._layout = (n, span, 0)
        return self._layout

    def step(self, images: "npt.NDArray[Any]", probs: bool = True,
             actions: bool = True) -> Step:
        """One glimpse of every image at the current location.

        ``images`` is a uint8 or float32 array of shape (batch, H, W) or
        (batch, H, W, C), passed without a copy: the pixels of a row must be
        contiguous, rows and images may have any positive strides (a slice
        ``x[i:j]`` or ``x[:, ::2]`` works). Its geometry must match the
        model's (InvalidArgument otherwise); the library reads only the bytes
        the array spans and refuses fewer than the episode's batch needs
        (BufferTooSmall). In classify mode pass ``probs=False,
        actions=False`` except at the last step to skip the action network.
        Returns :class:`Step` of new arrays (views of one allocation)."""
        h = self._h
        try:
            key = (images.dtype, images.shape, images.strides)
        except AttributeError:
            raise TypeError("images: expected a numpy.ndarray (uint8 or float32), got %s"
                            % type(images).__name__) from None
        if key == self._layout_key and self._input is not None:
            n, span, _ = self._layout
        else:
            n, span, _ = self._describe(images, key)
        b = self._batch or n  # no episode yet: the library says so (StateError)
        if n > b:
            raise ValueError("images: batch of %d, the episode's is %d" % (n, b))
        A = self._actions
        nl = 2 * b
        npr = b * A if probs else 0
        buf = np.empty(nl + npr + (b if actions else 0), np.float32)
        base = _addressof(_c_char.from_buffer(buf))  # type: ignore[arg-type]
        rc = _step(h, _address(images), span, base, base + 4 * nl if probs else None,
                   base + 4 * (nl + npr) if actions else None)
        if rc:
            raise _error(rc)
        return Step(buf[:nl].reshape(b, 2),
                    buf[nl:nl + npr].reshape(b, A) if probs else None,
                    buf[nl + npr:].view(np.intc) if actions else None)

    def step_into(self, images: "npt.NDArray[Any]", location: F32,
                  probs: Optional[F32] = None, actions: Optional[I32] = None) -> None:
        """:meth:`step` writing into caller-owned arrays (checked: float32
        (batch, 2) and (batch, A), intc (batch,), C-contiguous), for loops
        that must not allocate."""
        h = self._h
        try:
            key = (images.dtype, images.shape, images.strides)
        except AttributeError:
            raise TypeError("images: expected a numpy.ndarray (uint8 or float32), got %s"
                            % type(images).__name__) from None
        if key == self._layout_key and self._input is not None:
            n, span, _ = self._layout
        else:
            n, span, _ = self._describe(images, key)
        b = self._batch or n
        if n > b:
            raise ValueError("images: batch of %d, the episode's is %d" % (n, b))
        pl = f32_in(location, (b, 2), "location")
        pp = None if probs is None else f32_in(probs, (b, self._actions), "probs")
        pa = None if actions is None else int_in(actions, (b,), "actions")
        rc = _step(h, _address(images), span, pl, pp, pa)
        if rc:
            raise _error(rc)

    def reward(self, rewards: Any) -> None:
        """Rewards that followed the last step: batch floats (a scalar at
        batch 1)."""
        h = self._h
        r = np.ascontiguousarray(rewards, dtype=np.float32).reshape(-1)
        if r.shape[0] != self._batch:
            raise ValueError("rewards: %d values, the episode's batch is %d"
                             % (r.shape[0], self._batch))
        errors.check(lib.ram_agent_reward(h, addr(r)))

    def end(self, labels: Any = None) -> None:
        """End the episode; a training one adds its gradient sums. ``labels``:
        batch ints in [0, A) (classify mode), or None."""
        h = self._h
        if labels is None:
            errors.check(lib.ram_agent_end(h, None))
            return
        arr = np.asarray(labels)
        if arr.dtype.kind not in "iu":
            raise TypeError("labels: dtype is %s, expected integers" % arr.dtype)
        lab = np.ascontiguousarray(arr, dtype=np.intc).reshape(-1)
        if lab.shape[0] != self._batch:
            raise ValueError("labels: %d values, the episode's batch is %d"
                             % (lab.shape[0], self._batch))
        errors.check(lib.ram_agent_end(h, addr(lab)))

    def update(self) -> None:
        """Apply the optimiser to the mean gradient, then zero it."""
        errors.check(lib.ram_agent_update(self._h))

    def zero_grad(self) -> None:
        """Discard the gradient sums and the sample count."""
        errors.check(lib.ram_agent_zero_grad(self._h))

    def stat(self, key: StatLike) -> float:
        """A figure of the last episode or update (``ram_agent_stat``)."""
        v = ctypes.c_double()
        errors.check(lib.ram_agent_stat(self._h, int(_stat_key(key)), ctypes.byref(v)))
        return v.value

    def stats(self) -> Dict[str, float]:
        """Every figure, by lower-case name."""
        return {s.name.lower(): self.stat(s) for s in Stat}

    @property
    def trainable(self) -> bool:
        """False for an inference-only agent."""
        return bool(self.config(ConfigKey.TRAINABLE))

    @property
    def mode(self) -> ActionMode:
        """CLASSIFY or CONTROL."""
        return ActionMode(self.config(ConfigKey.ACTION_MODE))

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Agent(<closed>)"
        cfg = self.config_dict()
        return "ram.Agent(%s; %d parameters)" % (
            ", ".join("%s=%d" % kv for kv in cfg.items()), self._arrays()[2])
