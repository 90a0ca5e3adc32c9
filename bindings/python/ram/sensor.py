"""The glimpse sensor (``ram_sensor``)."""
from __future__ import annotations

import ctypes
from typing import Any, Tuple

import numpy as np
import numpy.typing as npt

from . import errors
from ._base import F32, Handle, addr, f32_in, image_layout
from ._lib import lib


class Sensor(Handle):
    """A retina of ``scales`` square patches of ``patch`` x ``patch`` cells,
    each twice as wide as the one before (``ram_sensor``)::

        s = ram.Sensor(patch=8, scales=3)
        rho = s.glimpse(images, loc)    # (batch, 3*8*8) float32

    Immutable after creation: one sensor may be used by several threads."""

    def __init__(self, patch: int = 8, scales: int = 1, channels: int = 1) -> None:
        out = ctypes.c_void_p()
        errors.check(lib.ram_sensor_create(ctypes.byref(out), int(patch), int(scales),
                                           int(channels)))
        assert out.value is not None
        self._adopt(out.value, lib.ram_sensor_free)
        self.patch, self.scales, self.channels = self.shape

    @property
    def shape(self) -> Tuple[int, int, int]:
        """(patch, scales, channels)."""
        g, k, c = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
        errors.check(lib.ram_sensor_shape(self._h, ctypes.byref(g), ctypes.byref(k),
                                          ctypes.byref(c)))
        return g.value, k.value, c.value

    @property
    def output_size(self) -> int:
        """Floats per glimpse: scales * channels * patch * patch."""
        return int(lib.ram_sensor_output_size(self._h))

    def glimpse(self, images: "npt.NDArray[Any]", loc: F32) -> F32:
        """One glimpse per image: ``images`` as for :meth:`ram.Agent.step`
        (uint8 or float32, (batch, H, W) or (batch, H, W, C), no copy),
        ``loc`` float32 (batch, 2) in [-1, 1]. Returns (batch, R) float32,
        element ((i*C + c)*g + v)*g + u being cell (u, v) of patch i, channel
        c."""
        h = self._h
        fmt, n, w, hh, row, img, _ = image_layout(images, self.channels)
        pl = f32_in(loc, (n, 2), "loc")
        out = np.empty((n, self.output_size), np.float32)
        errors.check(lib.ram_sensor_glimpse(h, n, addr(images), fmt, w, hh, row, img, pl,
                                            addr(out)))
        return out

    def patch_rect(self, width: int, height: int, loc: Any, scale: int) -> Tuple[int, int, int]:
        """(x0, y0, size): the pixels patch ``scale`` covers for one location
        in a width x height image (x0, y0 may be negative)."""
        l2 = (ctypes.c_float * 2)(*[float(v) for v in np.asarray(loc).reshape(2)])
        x0, y0, size = ctypes.c_ssize_t(), ctypes.c_ssize_t(), ctypes.c_size_t()
        errors.check(lib.ram_sensor_patch_rect(self._h, int(width), int(height), l2, int(scale),
                                               ctypes.byref(x0), ctypes.byref(y0),
                                               ctypes.byref(size)))
        return x0.value, y0.value, size.value

    def __repr__(self) -> str:
        if self.closed:
            return "ram.Sensor(<closed>)"
        return "ram.Sensor(patch=%d, scales=%d, channels=%d)" % self.shape
