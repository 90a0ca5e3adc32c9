"""The network handles: Glimpse, Core, Location, Action, Baseline.

They share the C grammar (include/ram/glimpse.h): a flat parameter array and
a gradient array of the same length (``params``, ``grads``: zero-copy
float32 views), ``forward`` over n rows (one sample per row, row-major) and
``backward``, which *adds* the parameter gradients and stores the input
gradients BLAS-style into arrays the caller passes: ``dx = beta * dx +
dLoss/dx`` (beta 0 writes, 1 adds). Every array is float32 (labels and
actions: integers), C-contiguous and of exactly the documented shape;
anything else raises TypeError or ValueError before the library is called.
"""
from __future__ import annotations

import ctypes
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np

from . import errors
from ._base import F32, I32, Handle, addr, f32_in, out_f32
from ._enums import Bound, CoreType
from ._lib import lib

_check = errors.check


def _opt(a: Optional[F32], shape: Tuple[int, ...], name: str) -> Optional[int]:
    return None if a is None else f32_in(a, shape, name)


def _ints(a: Any, n: int, name: str) -> I32:
    arr = np.asarray(a)
    if arr.dtype.kind not in "iu":
        raise TypeError("%s: dtype is %s, expected integers" % (name, arr.dtype))
    if arr.shape != (n,):
        raise ValueError("%s: shape is %s, expected (%d,)" % (name, arr.shape, n))
    return np.ascontiguousarray(arr, dtype=np.intc)


def _rows(a: Any, name: str) -> int:
    if not isinstance(a, np.ndarray) or a.ndim < 1:
        raise TypeError("%s: expected a numpy.ndarray with rows" % name)
    return int(a.shape[0])


class _Net(Handle):
    _params_fn: Callable[..., int]
    _zero_fn: Callable[..., int]

    def _new(self, create: Callable[..., int], free: Callable[..., None], *args: Any) -> None:
        out = ctypes.c_void_p()
        _check(create(ctypes.byref(out), *args))
        assert out.value is not None
        self._adopt(out.value, free)

    def _arrays(self) -> Tuple[int, int, int]:
        p, g, n = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_size_t()
        _check(type(self)._params_fn(self._h, ctypes.byref(p), ctypes.byref(g),
                                     ctypes.byref(n)))
        return p.value or 0, g.value or 0, n.value

    @property
    def params(self) -> F32:
        """The flat parameters (zero-copy, writable)."""
        p, _, n = self._arrays()
        return self._view(p, n)

    @property
    def grads(self) -> F32:
        """The flat gradients (zero-copy, writable)."""
        _, g, n = self._arrays()
        return self._view(g, n)

    def zero_grad(self) -> None:
        """Set every gradient to 0."""
        _check(type(self)._zero_fn(self._h))


class Glimpse(_Net):
    """The glimpse network (``ram_glimpse``): rho (n, input) and loc (n, 2)
    to g (n, output)."""

    _params_fn = lib.ram_glimpse_params
    _zero_fn = lib.ram_glimpse_zero_grad

    def __init__(self, input: int, what: int = 128, where: int = 128, output: int = 256,
                 seed: int = 1) -> None:
        self._new(lib.ram_glimpse_create, lib.ram_glimpse_free, int(input), int(what),
                  int(where), int(output), int(seed) % 2 ** 64)
        self.input, self.what, self.where, self.output = self.shape

    @property
    def shape(self) -> Tuple[int, int, int, int]:
        """(input, what, where, output)."""
        v = [ctypes.c_size_t() for _ in range(4)]
        _check(lib.ram_glimpse_shape(self._h, *[ctypes.byref(x) for x in v]))
        return v[0].value, v[1].value, v[2].value, v[3].value

    @property
    def tape_size(self) -> int:
        """Tape floats per row."""
        return int(lib.ram_glimpse_tape_size(self._h))

    def reserve(self, max_rows: int) -> None:
        """Reserve a workspace for calls over up to max_rows rows."""
        _check(lib.ram_glimpse_reserve(self._h, int(max_rows)))

    def forward(self, rho: F32, loc: F32, tape: bool = True) -> Tuple[F32, Optional[F32]]:
        """(g, tape): g (n, output) and the tape (n, tape_size) backward
        needs, or None with ``tape=False``."""
        h = self._h
        n = _rows(rho, "rho")
        g = out_f32((n, self.output))
        t = out_f32((n, self.tape_size)) if tape else None
        _check(lib.ram_glimpse_forward(h, n, f32_in(rho, (n, self.input), "rho"),
                                       f32_in(loc, (n, 2), "loc"), addr(g),
                                       None if t is None else addr(t)))
        return g, t

    def backward(self, rho: F32, loc: F32, g: F32, tape: F32, dg: F32,
                 drho: Optional[F32] = None, dloc: Optional[F32] = None,
                 beta: float = 0.0) -> None:
        """Add the parameter gradients; store drho (n, input) and dloc (n, 2)
        with beta when given."""
        h = self._h
        n = _rows(rho, "rho")
        _check(lib.ram_glimpse_backward(
            h, n, f32_in(rho, (n, self.input), "rho"), f32_in(loc, (n, 2), "loc"),
            f32_in(g, (n, self.output), "g"), f32_in(tape, (n, self.tape_size), "tape"),
            f32_in(dg, (n, self.output), "dg"), _opt(drho, (n, self.input), "drho"),
            _opt(dloc, (n, 2), "dloc"), float(beta)))

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Glimpse(<closed>)"
        return "ram.Glimpse(input=%d, what=%d, where=%d, output=%d)" % self.shape


class Core(_Net):
    """The core network (``ram_core``), a ReLU RNN or an LSTM. Sequences are
    step-major arrays (T, n, width)."""

    _params_fn = lib.ram_core_params
    _zero_fn = lib.ram_core_zero_grad

    def __init__(self, type: Union[CoreType, int] = CoreType.RNN, input: int = 256,
                 hidden: int = 256, seed: int = 1) -> None:
        self._new(lib.ram_core_create, lib.ram_core_free, int(type), int(input), int(hidden),
                  int(seed) % 2 ** 64)
        t, self.input, self.hidden = self.shape
        self.type = CoreType(t)

    @property
    def shape(self) -> Tuple[int, int, int]:
        """(type, input, hidden)."""
        t, i, hh = ctypes.c_int(), ctypes.c_size_t(), ctypes.c_size_t()
        _check(lib.ram_core_shape(self._h, ctypes.byref(t), ctypes.byref(i), ctypes.byref(hh)))
        return t.value, i.value, hh.value

    @property
    def tape_size(self) -> int:
        """Tape floats per row per step."""
        return int(lib.ram_core_tape_size(self._h))

    def reserve(self, max_rows: int) -> None:
        """Reserve a workspace for calls over up to max_rows rows per step."""
        _check(lib.ram_core_reserve(self._h, int(max_rows)))

    def forward(self, x: F32, h_prev: Optional[F32] = None, c_prev: Optional[F32] = None,
                tape: bool = True) -> Tuple[F32, Optional[F32], Optional[F32]]:
        """One step over n rows: (h, c, tape); c is None for the RNN, tape
        None with ``tape=False``. h_prev and c_prev default to zeros."""
        hd = self._h
        n = _rows(x, "x")
        H = self.hidden
        lstm = self.type == CoreType.LSTM
        h = out_f32((n, H))
        c = out_f32((n, H)) if lstm else None
        t = out_f32((n, self.tape_size)) if tape else None
        _check(lib.ram_core_forward(hd, n, _opt(h_prev, (n, H), "h_prev"),
                                    _opt(c_prev, (n, H), "c_prev") if lstm else None,
                                    f32_in(x, (n, self.input), "x"), addr(h),
                                    None if c is None else addr(c),
                                    None if t is None else addr(t)))
        return h, c, t

    def backward(self, x: F32, h: F32, tape: F32, dh: F32, c: Optional[F32] = None,
                 h0: Optional[F32] = None, c0: Optional[F32] = None,
                 dx: Optional[F32] = None, dh0: Optional[F32] = None,
                 dc0: Optional[F32] = None, beta: float = 0.0) -> None:
        """BPTT over a T-step sequence: x (T, n, input), h and c (T, n,
        hidden), tape (T, n, tape_size; overwritten), dh (T, n, hidden) from
        the heads. Stores dx (T, n, input), dh0 and dc0 (n, hidden) with beta
        when given."""
        hd = self._h
        if not isinstance(x, np.ndarray) or x.ndim != 3:
            raise ValueError("x: expected a (T, n, input) float32 array")
        T, n = int(x.shape[0]), int(x.shape[1])
        H, I = self.hidden, self.input
        lstm = self.type == CoreType.LSTM
        if lstm and c is None:
            raise ValueError("c: the LSTM's backward needs the cells (T, n, hidden)")
        _check(lib.ram_core_backward(
            hd, T, n, _opt(h0, (n, H), "h0"), _opt(c0, (n, H), "c0") if lstm else None,
            f32_in(x, (T, n, I), "x"), f32_in(h, (T, n, H), "h"),
            _opt(c, (T, n, H), "c") if lstm else None,
            f32_in(tape, (T, n, self.tape_size), "tape"), f32_in(dh, (T, n, H), "dh"),
            _opt(dx, (T, n, I), "dx"), _opt(dh0, (n, H), "dh0"),
            _opt(dc0, (n, H), "dc0") if lstm else None, float(beta)))

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Core(<closed>)"
        return "ram.Core(type=%s, input=%d, hidden=%d)" % (self.type.name, self.input,
                                                           self.hidden)


class Location(_Net):
    """The location network (``ram_location``): a Gaussian policy with mean
    bound(W h + b) and a settable std."""

    _params_fn = lib.ram_location_params
    _zero_fn = lib.ram_location_zero_grad

    def __init__(self, input: int = 256, bound: Union[Bound, int] = Bound.TANH,
                 seed: int = 1) -> None:
        self._new(lib.ram_location_create, lib.ram_location_free, int(input), int(bound),
                  int(seed) % 2 ** 64)
        self.input, b = self.shape
        self.bound = Bound(b)

    @property
    def shape(self) -> Tuple[int, int]:
        """(input, bound)."""
        i, b = ctypes.c_size_t(), ctypes.c_int()
        _check(lib.ram_location_shape(self._h, ctypes.byref(i), ctypes.byref(b)))
        return i.value, b.value

    @property
    def std(self) -> float:
        """The standard deviation, in (0, RAM_LOCATION_MAX_STD]."""
        v = ctypes.c_double()
        _check(lib.ram_location_get_std(self._h, ctypes.byref(v)))
        return v.value

    @std.setter
    def std(self, value: float) -> None:
        _check(lib.ram_location_set_std(self._h, float(value)))

    def seed(self, seed: int) -> None:
        """Reseed the sampling RNG."""
        _check(lib.ram_location_seed(self._h, int(seed) % 2 ** 64))

    def forward(self, h: Optional[F32], n: Optional[int] = None) -> F32:
        """mean (n, 2) for h (n, input); h None means zeros (give n)."""
        hd = self._h
        rows = _rows(h, "h") if h is not None else int(n or 0)
        mean = out_f32((rows, 2))
        _check(lib.ram_location_forward(hd, rows, _opt(h, (rows, self.input), "h"),
                                        addr(mean)))
        return mean

    def sample(self, mean: F32) -> Tuple[F32, F32, F32]:
        """(raw, loc, logp): the unclamped sample, it clamped to [-1, 1], and
        log pi(raw | mean)."""
        hd = self._h
        n = _rows(mean, "mean")
        raw, loc, logp = out_f32((n, 2)), out_f32((n, 2)), out_f32((n,))
        _check(lib.ram_location_sample(hd, n, f32_in(mean, (n, 2), "mean"), addr(raw),
                                       addr(loc), addr(logp)))
        return raw, loc, logp

    def score(self, mean: F32, raw: F32, coef: F32) -> F32:
        """dmean = coef * (raw - mean) / std^2 per row."""
        hd = self._h
        n = _rows(mean, "mean")
        d = out_f32((n, 2))
        _check(lib.ram_location_score(hd, n, f32_in(mean, (n, 2), "mean"),
                                      f32_in(raw, (n, 2), "raw"), f32_in(coef, (n,), "coef"),
                                      addr(d)))
        return d

    def log_prob(self, mean: F32, raw: F32) -> Tuple[F32, F32]:
        """(logp (n,), dlogp/dmean (n, 2))."""
        hd = self._h
        n = _rows(mean, "mean")
        lp, d = out_f32((n,)), out_f32((n, 2))
        _check(lib.ram_location_log_prob(hd, n, f32_in(mean, (n, 2), "mean"),
                                         f32_in(raw, (n, 2), "raw"), addr(lp), addr(d)))
        return lp, d

    def entropy(self) -> float:
        """The policy's entropy in nats."""
        v = ctypes.c_double()
        _check(lib.ram_location_entropy(self._h, ctypes.byref(v)))
        return v.value

    def backward(self, h: Optional[F32], mean: F32, dmean: F32, dh: Optional[F32] = None,
                 beta: float = 0.0) -> None:
        """Add the parameter gradients; store dh (n, input) with beta."""
        hd = self._h
        n = _rows(mean, "mean")
        _check(lib.ram_location_backward(hd, n, _opt(h, (n, self.input), "h"),
                                         f32_in(mean, (n, 2), "mean"),
                                         f32_in(dmean, (n, 2), "dmean"),
                                         _opt(dh, (n, self.input), "dh"), float(beta)))

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Location(<closed>)"
        return "ram.Location(input=%d, bound=%s, std=%g)" % (self.input, self.bound.name,
                                                             self.std)


class Action(_Net):
    """The action network (``ram_action``): softmax(W h + b) over A actions."""

    _params_fn = lib.ram_action_params
    _zero_fn = lib.ram_action_zero_grad

    def __init__(self, input: int = 256, actions: int = 10, seed: int = 1) -> None:
        self._new(lib.ram_action_create, lib.ram_action_free, int(input), int(actions),
                  int(seed) % 2 ** 64)
        self.input, self.actions = self.shape

    @property
    def shape(self) -> Tuple[int, int]:
        """(input, actions)."""
        i, a = ctypes.c_size_t(), ctypes.c_size_t()
        _check(lib.ram_action_shape(self._h, ctypes.byref(i), ctypes.byref(a)))
        return i.value, a.value

    def seed(self, seed: int) -> None:
        """Reseed the sampling RNG."""
        _check(lib.ram_action_seed(self._h, int(seed) % 2 ** 64))

    def forward(self, h: F32) -> F32:
        """probs (n, A) for h (n, input)."""
        hd = self._h
        n = _rows(h, "h")
        p = out_f32((n, self.actions))
        _check(lib.ram_action_forward(hd, n, f32_in(h, (n, self.input), "h"), addr(p)))
        return p

    def sample(self, probs: F32) -> I32:
        """One action per row, drawn in proportion to probs."""
        hd = self._h
        n = _rows(probs, "probs")
        a = np.empty(n, np.intc)
        _check(lib.ram_action_sample(hd, n, f32_in(probs, (n, self.actions), "probs"),
                                     addr(a)))
        return a

    def xent(self, probs: F32, labels: Any, scale: float = 1.0) -> Tuple[float, F32]:
        """(loss, dlogits): loss = -scale * sum log probs[label]."""
        hd = self._h
        n = _rows(probs, "probs")
        lab = _ints(labels, n, "labels")
        d = out_f32((n, self.actions))
        loss = ctypes.c_double()
        _check(lib.ram_action_xent(hd, n, f32_in(probs, (n, self.actions), "probs"),
                                   addr(lab), float(scale), addr(d), ctypes.byref(loss)))
        return loss.value, d

    def score(self, probs: F32, actions: Any, coef: F32) -> F32:
        """dlogits = coef * (onehot(actions) - probs) per row."""
        hd = self._h
        n = _rows(probs, "probs")
        act = _ints(actions, n, "actions")
        d = out_f32((n, self.actions))
        _check(lib.ram_action_score(hd, n, f32_in(probs, (n, self.actions), "probs"),
                                    addr(act), f32_in(coef, (n,), "coef"), addr(d)))
        return d

    def log_prob(self, probs: F32, actions: Any) -> Tuple[F32, F32]:
        """(logp (n,), dlogp/dlogits (n, A))."""
        hd = self._h
        n = _rows(probs, "probs")
        act = _ints(actions, n, "actions")
        lp, d = out_f32((n,)), out_f32((n, self.actions))
        _check(lib.ram_action_log_prob(hd, n, f32_in(probs, (n, self.actions), "probs"),
                                       addr(act), addr(lp), addr(d)))
        return lp, d

    def entropy(self, probs: F32) -> Tuple[F32, F32]:
        """(entropy (n,), dentropy/dlogits (n, A))."""
        hd = self._h
        n = _rows(probs, "probs")
        e, d = out_f32((n,)), out_f32((n, self.actions))
        _check(lib.ram_action_entropy(hd, n, f32_in(probs, (n, self.actions), "probs"),
                                      addr(e), addr(d)))
        return e, d

    def backward(self, h: F32, dlogits: F32, dh: Optional[F32] = None,
                 beta: float = 0.0) -> None:
        """Add the parameter gradients; store dh (n, input) with beta."""
        hd = self._h
        n = _rows(h, "h")
        _check(lib.ram_action_backward(hd, n, f32_in(h, (n, self.input), "h"),
                                       f32_in(dlogits, (n, self.actions), "dlogits"),
                                       _opt(dh, (n, self.input), "dh"), float(beta)))

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Action(<closed>)"
        return "ram.Action(input=%d, actions=%d)" % self.shape


class Baseline(_Net):
    """The learned baseline (``ram_baseline``): b = w . h + c per row."""

    _params_fn = lib.ram_baseline_params
    _zero_fn = lib.ram_baseline_zero_grad

    def __init__(self, input: int = 256) -> None:
        self._new(lib.ram_baseline_create, lib.ram_baseline_free, int(input))
        self.input = self.shape

    @property
    def shape(self) -> int:
        """The input size H."""
        i = ctypes.c_size_t()
        _check(lib.ram_baseline_shape(self._h, ctypes.byref(i)))
        return i.value

    def forward(self, h: Optional[F32], n: Optional[int] = None) -> F32:
        """b (n,) for h (n, input); h None means zeros (give n)."""
        hd = self._h
        rows = _rows(h, "h") if h is not None else int(n or 0)
        b = out_f32((rows,))
        _check(lib.ram_baseline_forward(hd, rows, _opt(h, (rows, self.input), "h"), addr(b)))
        return b

    def mse(self, b: F32, target: F32, scale: float = 1.0) -> Tuple[float, F32]:
        """(loss, db): loss = scale * sum (b - target)^2 / 2."""
        hd = self._h
        n = _rows(b, "b")
        db = out_f32((n,))
        loss = ctypes.c_double()
        _check(lib.ram_baseline_mse(hd, n, f32_in(b, (n,), "b"), f32_in(target, (n,), "target"),
                                    float(scale), addr(db), ctypes.byref(loss)))
        return loss.value, db

    def backward(self, h: Optional[F32], db: F32, dh: Optional[F32] = None,
                 beta: float = 0.0) -> None:
        """Add the parameter gradients; store dh (n, input) with beta."""
        hd = self._h
        n = _rows(db, "db")
        _check(lib.ram_baseline_backward(hd, n, _opt(h, (n, self.input), "h"),
                                         f32_in(db, (n,), "db"), _opt(dh, (n, self.input), "dh"),
                                         float(beta)))

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Baseline(<closed>)"
        return "ram.Baseline(input=%d)" % self.input
