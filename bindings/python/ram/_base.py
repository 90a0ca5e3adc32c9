"""Handle ownership and NumPy array checks shared by the classes."""
from __future__ import annotations

import ctypes
from typing import Any, Callable, Optional, Sequence, Tuple, TypeVar

import numpy as np
import numpy.typing as npt

from .errors import ClosedError

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.intc]


class _Owner:
    """Owns one C handle and frees it exactly once, when the last Python
    reference to it goes: the wrapper object and every NumPy view of memory
    the handle owns (parameters, gradients) hold one."""

    __slots__ = ("ptr", "_free", "__weakref__")

    def __init__(self, ptr: int, free: Callable[[int], None]) -> None:
        self.ptr: Optional[int] = ptr
        self._free = free

    def release(self) -> None:
        ptr, self.ptr = self.ptr, None
        if ptr:
            self._free(ptr)

    def __del__(self) -> None:
        self.release()


T = TypeVar("T", bound="Handle")


class Handle:
    """Base of the classes over an opaque libram handle. ``close()`` (or the
    end of a ``with`` block) gives the handle up; using the object after it
    raises :class:`ram.ClosedError`. Memory that NumPy views still show
    (``params``, ``grads``) is freed when the last view goes."""

    _owner: Optional[_Owner] = None
    _ptr: Optional[int] = None

    def _adopt(self, ptr: int, free: Callable[[int], None]) -> None:
        self._owner = _Owner(ptr, free)
        self._ptr = ptr

    @property
    def _h(self) -> int:
        ptr = self._ptr if self._owner is not None else None
        if not ptr:
            raise ClosedError("%s is closed" % type(self).__name__)
        return ptr

    @property
    def closed(self) -> bool:
        """True after close()."""
        return self._owner is None

    def close(self) -> None:
        """Give up the handle (idempotent)."""
        owner, self._owner = self._owner, None
        self._ptr = None
        del owner  # frees now unless a params/grads view still holds it

    def __enter__(self: T) -> T:
        self._h
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _view(self, address: int, count: int) -> F32:
        """A zero-copy float32 view of count floats the handle owns; the view
        keeps the handle's memory alive."""
        if not address or count == 0:
            return np.empty(0, np.float32)
        buf = (ctypes.c_float * count).from_address(address)
        setattr(buf, "_ram_owner", self._owner)  # keeps the C memory alive
        return np.frombuffer(memoryview(buf), dtype=np.float32)


def addr(a: "npt.NDArray[Any]") -> int:
    """The address of an array's first element (writable C-contiguous
    arrays through the buffer protocol, which is the fastest way)."""
    if a.flags.writeable and a.flags.c_contiguous:
        return ctypes.addressof(ctypes.c_char.from_buffer(a))  # type: ignore[arg-type]
    return int(a.ctypes.data)


def f32_in(a: Any, shape: Sequence[int], name: str) -> int:
    """Check a float32 input or output array of exactly `shape`, C-contiguous,
    and return its address."""
    return _checked(a, np.float32, "float32", shape, name)


def int_in(a: Any, shape: Sequence[int], name: str) -> int:
    """The same for a C int array (numpy.intc)."""
    return _checked(a, np.intc, "int32 (numpy.intc)", shape, name)


def _checked(a: Any, dtype: Any, dname: str, shape: Sequence[int], name: str) -> int:
    if not isinstance(a, np.ndarray):
        raise TypeError("%s: expected a numpy.ndarray of %s, got %s"
                        % (name, dname, type(a).__name__))
    if a.dtype != dtype:
        raise TypeError("%s: dtype is %s, expected %s" % (name, a.dtype, dname))
    if tuple(a.shape) != tuple(shape):
        raise ValueError("%s: shape is %s, expected %s" % (name, tuple(a.shape), tuple(shape)))
    if not a.flags.c_contiguous:
        raise ValueError("%s: not C-contiguous (use numpy.ascontiguousarray)" % name)
    return addr(a)


def out_f32(shape: Tuple[int, ...]) -> F32:
    return np.empty(shape, np.float32)


def image_layout(images: Any, channels: int) -> Tuple[int, int, int, int, int, int, int]:
    """Check a batch of images for the sensor or the agent: a uint8 or float32
    array of shape (batch, H, W) or (batch, H, W, C) whose pixels (the C
    channels of one pixel and the pixels of one row) are contiguous; rows and
    images may have any positive strides. Returns (format, batch, width,
    height, row_stride, image_stride, bytes spanned)."""
    if not isinstance(images, np.ndarray):
        raise TypeError("images: expected a numpy.ndarray (uint8 or float32), got %s"
                        % type(images).__name__)
    dt = images.dtype
    if dt == np.uint8:
        fmt = 1
    elif dt == np.float32:
        fmt = 2
    else:
        raise TypeError("images: dtype is %s, expected uint8 or float32" % dt)
    shape = images.shape
    strides = images.strides
    item = dt.itemsize
    if len(shape) == 3:
        n, h, w = shape
        c = 1
        if strides[2] != item and w > 1:
            raise ValueError("images: pixels of a row are not contiguous (stride %d bytes, "
                             "expected %d): use numpy.ascontiguousarray" % (strides[2], item))
    elif len(shape) == 4:
        n, h, w, c = shape
        if (strides[3] != item and c > 1) or (strides[2] != c * item and w > 1):
            raise ValueError("images: the channels and pixels of a row are not contiguous "
                             "(strides %s): use numpy.ascontiguousarray" % (strides,))
    else:
        raise ValueError("images: shape %s, expected (batch, H, W) or (batch, H, W, C)"
                         % (shape,))
    if c != channels:
        raise ValueError("images: %d channels, expected %d" % (c, channels))
    if n == 0 or h == 0 or w == 0:
        raise ValueError("images: empty shape %s" % (shape,))
    row = strides[1] if h > 1 else w * c * item
    if row < 0 or (n > 1 and strides[0] < 0):
        raise ValueError("images: negative strides %s are not supported: use "
                         "numpy.ascontiguousarray" % (strides,))
    img = strides[0] if n > 1 else h * row
    span = (n - 1) * img + (h - 1) * row + w * c * item
    return fmt, n, w, h, row, img, span
