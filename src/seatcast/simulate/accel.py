"""Optional numba path: the compact kernels of one batch fused into a single loop per seat.

Selected by ``simulate(..., accel="numba")`` or ``SEATCAST_ACCEL=numba``; the numpy path stays the
default and the reference for correctness. The loop performs the same float32 operations in the
same order as :mod:`seatcast.simulate.kernels` (swing, renormalise, noise, renormalise, running
maximum, fixed-point share sums), so the two paths agree bit for bit (a test holds them to it).
What it saves is memory traffic: each seat's few shares stay in registers from the swing to the
tally, where numpy makes ~20 passes over ``[n, k, m]`` arrays. Random draws and the national
and nation errors stay in numpy, so the variates are the same.

numba is imported only when this module is, and this module only when the path is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.simulate.kernels import Bucket

try:
    from numba import njit
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the numba path needs the optional extra 'accel': pip install 'seatcast[accel]' "
                      "(or leave SEATCAST_ACCEL unset)") from exc

IntArray = npt.NDArray[np.intp]
MODES = {"uns": 0, "proportional": 1, "generic": 2}


@dataclass(frozen=True, eq=False)
class Flat:
    """The buckets as flat per-pair and per-seat arrays (the order of the seat-noise variates)."""

    base: npt.NDArray[np.float32]  # [pairs]
    sd: npt.NDArray[np.float32]
    src_idx: IntArray  # where each pair reads the batch's source row (mode-dependent)
    region_idx: IntArray
    party: IntArray
    seat_p0: IntArray  # [seats in bucket order] first pair of the seat
    seat_m: IntArray  # stride between a seat's slots (its bucket's seat count)
    seat_k: IntArray
    seat_kc: IntArray
    k_max: int


def flatten(buckets: tuple[Bucket, ...], mode: str) -> Flat:
    """Per-pair and per-seat arrays of ``buckets`` for :func:`fused`."""
    def cat(parts: list[Any], dtype: Any) -> Any:
        return np.ascontiguousarray(np.concatenate(parts), dtype=dtype)

    return Flat(
        base=cat([b.base.ravel() for b in buckets], np.float32),
        sd=cat([b.sd.ravel() for b in buckets], np.float32),
        src_idx=cat([b.flat_idx if mode == "generic" else b.target_idx for b in buckets], np.intp),
        region_idx=cat([b.region_idx for b in buckets], np.intp),
        party=cat([b.cols.ravel() for b in buckets], np.intp),
        seat_p0=cat([b.offset + np.arange(b.m) for b in buckets], np.intp),
        seat_m=cat([np.full(b.m, b.m) for b in buckets], np.intp),
        seat_k=cat([np.full(b.m, b.k) for b in buckets], np.intp),
        seat_kc=cat([np.full(b.m, b.n_contenders) for b in buckets], np.intp),
        k_max=max(b.k for b in buckets),
    )


@njit(cache=True, nogil=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _fused(mode: int, src: Any, z_seat: Any, region: Any, base: Any, sd: Any, src_idx: Any, region_idx: Any,
           party: Any, seat_p0: Any, seat_m: Any, seat_k: Any, seat_kc: Any, k_max: int, wins: Any, share_q: Any,
           totals: Any) -> None:  # pragma: no cover - compiled
    zero = np.float32(0.0)
    one = np.float32(1.0)
    q = np.float32(2.0**24)
    v = np.empty(k_max, np.float32)
    w = np.empty(k_max, np.float32)
    for i in range(src.shape[0]):
        for s in range(seat_p0.shape[0]):
            p0, m, k, kc = seat_p0[s], seat_m[s], seat_k[s], seat_kc[s]
            t = zero
            for j in range(k):
                p = p0 + j * m
                g = src[i, src_idx[p]]
                if mode == 0:
                    x = g + base[p]
                    if x < zero:
                        x = zero
                elif mode == 1:
                    x = g * base[p]
                else:
                    x = g
                v[j] = x
                t = t + x if j else x
            if mode != 2:
                for j in range(k):
                    v[j] = v[j] / t if t > zero else base[p0 + j * m]
            t2 = zero
            for j in range(k):
                p = p0 + j * m
                noise = z_seat[i, p] * sd[p]
                noise = noise + region[i, region_idx[p]]
                scale = (one - v[j]) * v[j]
                scale = np.sqrt(scale) * noise
                x = v[j] + scale
                if x < zero:
                    x = zero
                w[j] = x
                t2 = t2 + x if j else x
            for j in range(k):
                w[j] = w[j] / t2 if t2 > zero else v[j]
            best = w[0]
            bj = 0
            for j in range(1, kc):
                if w[j] > best:
                    best = w[j]
                    bj = j
            pw = p0 + bj * m
            wins[pw] += 1
            totals[i, party[pw]] += 1
            for j in range(k):
                share_q[p0 + j * m] += np.int64(np.rint(w[j] * q))


def fused(flat: Flat, mode: str, src: npt.NDArray[np.float32], z_seat: npt.NDArray[np.float32],
          region: npt.NDArray[np.float32], wins: npt.NDArray[np.int64], share_q: npt.NDArray[np.int64],
          totals: npt.NDArray[np.intp]) -> None:
    """Simulate one batch from its kernel ``src`` rows and variates.

    Adds to ``wins`` and ``share_q`` (per pair, in variate order) and to the seat totals ``[n, P]``.
    """
    _fused(MODES[mode], src, z_seat, region, flat.base, flat.sd, flat.src_idx, flat.region_idx, flat.party,
           flat.seat_p0, flat.seat_m, flat.seat_k, flat.seat_kc, flat.k_max, wins, share_q, totals)
