"""Optional numba path: the compact kernels of one batch fused into a single loop per seat.

Selected by ``simulate(..., accel="numba")`` or ``SEATCAST_ACCEL=numba``; the numpy path stays the
default and the reference for correctness. The loop performs the same float32 operations in the
same order as :mod:`seatcast.simulate.kernels` (swing, renormalise, noise, renormalise, running
maximum, fixed-point share sums), so given the same variates the two paths agree bit for bit (a
test holds them to it). What it saves is memory traffic: each seat's few shares stay in
registers from the swing to the tally, where numpy makes ~20 passes over ``[n, k, m]`` arrays.

The variates themselves are the compiled path's own: each seat variate is computed by counter
(:mod:`.counter_normals`) inside the loop, at the pair and simulation that use it (``counted``),
rather than drawn into a batch-sized array first; the few national, nation and region variates
are computed the same way per batch by the engine, and their errors applied in numpy. Given
``z_seat`` instead, the loops read it (how the tests compare them with the numpy path).

The covariate (default) model gets its own compiled path (:func:`fused_covariate`): its kernel
(:mod:`seatcast.models.covariate.compiled`), unrolled onto the pairs once per run
(:class:`~seatcast.models.covariate.kernel.PairMaps`), runs here on 64 simulations side by side,
then the noise and tallies across the same lanes. Its shares equal ``setup.run``'s within
float32 rounding (not bit for bit: a seat is renormalised by a reciprocal and group means are
summed in float64); for a given seed its results do not depend on batches, chunks, workers or
Dask, like every other path.

numba is imported only when this module is, and this module only when the path is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.models.covariate.compiled import (  # noqa: F401 - LANES, cov_scratch, covariate_shares re-exported
    LANES,
    _cov_lanes,
    _fill_lanes,
    _tables,
    cov_scratch,
    covariate_shares,
)
from seatcast.simulate.counter_normals import normal_at
from seatcast.simulate.kernels import Bucket

try:
    from numba import njit
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the numba path needs the optional extra 'accel': pip install 'seatcast[accel]' "
                      "(or leave SEATCAST_ACCEL unset)") from exc

IntArray = npt.NDArray[np.intp]
MODES = {"uns": 0, "proportional": 1, "generic": 2}


@dataclass(frozen=True)
class Counted:
    """Where a batch's seat variates come from when they are drawn by counter (:mod:`.counter_normals`).

    Simulation ``sim0 + i`` has ``width`` variates; its seat variate ``v`` is number
    ``(sim0 + i) * width + seat0 + v`` of the run keyed ``keys``.
    """

    keys: npt.NDArray[np.uint64]
    sim0: int
    width: int
    seat0: int


_NO_KEYS = np.zeros(0, np.uint64)


def _seat_variates(z_seat: npt.NDArray[np.float32] | None,
                   counted: Counted | None) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.uint64], int, int, int]:
    """The compiled loops' arguments for their seat variates: ``(z_seat, keys, sim0, width, seat0)``."""
    if counted is None:
        if z_seat is None:
            raise ValueError("give the seat variates (z_seat) or where to compute them (counted)")
        return z_seat, _NO_KEYS, 0, 0, 0
    return np.zeros((0, 0), np.float32), counted.keys, counted.sim0, counted.width, counted.seat0


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
           totals: Any, keys: Any, sim0: int, width: int, seat0: int) -> None:  # pragma: no cover - compiled
    counted = keys.shape[0] > 0  # seat variates by counter (else read from z_seat)
    key, key2 = (keys[0], keys[1]) if counted else (np.uint64(0), np.uint64(0))
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
                if counted:
                    zv = normal_at(key, key2, np.uint64(sim0 + i) * np.uint64(width) + np.uint64(seat0 + p))
                else:
                    zv = z_seat[i, p]
                noise = zv * sd[p]
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


def fused(flat: Flat, mode: str, src: npt.NDArray[np.float32], z_seat: npt.NDArray[np.float32] | None,
          region: npt.NDArray[np.float32], wins: npt.NDArray[np.int64], share_q: npt.NDArray[np.int64],
          totals: npt.NDArray[np.intp], counted: Counted | None = None) -> None:
    """Simulate one batch from its kernel ``src`` rows and variates.

    Adds to ``wins`` and ``share_q`` (per pair, in variate order) and to the seat totals ``[n, P]``.
    The seat variates are read from ``z_seat`` ``[n, pairs]``, or computed where they are used (``counted``).
    """
    z_seat, keys, sim0, width, seat0 = _seat_variates(z_seat, counted)
    _fused(MODES[mode], src, z_seat, region, flat.base, flat.sd, flat.src_idx, flat.region_idx, flat.party,
           flat.seat_p0, flat.seat_m, flat.seat_k, flat.seat_kc, flat.k_max, wins, share_q, totals,
           keys, sim0, width, seat0)


@njit(cache=True, nogil=True, error_model="numpy")  # type: ignore[misc, untyped-decorator, unused-ignore]
def _noise_lanes(y: Any, zt: Any, rt: Any, n: int, sd: Any, start: Any, kc_of: Any, variate: Any, party: Any,
                 x: Any, t2: Any, best: Any, bj: Any, wins: Any, share_q: Any,
                 totals: Any) -> None:  # pragma: no cover - compiled
    """Region and seat noise, renormalising, winners and tallies of ``n`` lanes of covariate shares ``y``.

    The same float32 operations, in the same order, as :func:`_fused`'s loop (so the same bits), done
    across lanes; ``zt`` and ``rt`` are the lanes' seat variates and region errors, pair by pair.
    """
    zero = np.float32(0.0)
    one = np.float32(1.0)
    q = np.float32(2.0**24)
    nl = y.shape[1]
    for s in range(start.shape[0] - 1):
        a, e, kc = start[s], start[s + 1], kc_of[s]
        for p in range(a, e):
            sdp = sd[p]
            for ln in range(nl):
                v = y[p, ln]
                noise = zt[p, ln] * sdp
                noise = noise + rt[p, ln]
                scale = (one - v) * v
                scale = np.sqrt(scale) * noise
                xv = v + scale
                xv = xv if xv > zero else zero
                x[p, ln] = xv
                t2[ln] = t2[ln] + xv if p > a else xv
        for p in range(a, e):
            for ln in range(nl):
                x[p, ln] = x[p, ln] / t2[ln] if t2[ln] > zero else y[p, ln]
        for ln in range(nl):
            best[ln] = x[a, ln]
            bj[ln] = 0
        for j in range(1, kc):
            for ln in range(nl):
                xv = x[a + j, ln]
                gain = xv > best[ln]
                best[ln] = xv if gain else best[ln]
                bj[ln] = j if gain else bj[ln]
        for ln in range(n):
            pw = a + bj[ln]
            wins[variate[pw]] += 1
            totals[ln, party[pw]] += 1
        for p in range(a, e):
            acc = 0.0
            for ln in range(n):
                acc += np.rint(x[p, ln] * q)  # integers below 2**25, summed exactly in float64
            share_q[variate[p]] += np.int64(acc)


@njit(cache=True, nogil=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _fused_cov(targets: Any, tabs: Any, work: Any, t: Any, lanes: Any, variate: Any, z_seat: Any, region_t: Any,
               sd: Any, region_idx: Any, kc_of: Any, wins: Any, share_q: Any, totals: Any, keys: Any, sim0: int,
               width: int, seat0: int) -> None:  # pragma: no cover - compiled
    y, party, start = work[0], tabs[5], tabs[1]
    zt, rt, x, t2, best, bj = lanes
    counted = keys.shape[0] > 0  # seat variates by counter (else read from z_seat)
    key, key2 = (keys[0], keys[1]) if counted else (np.uint64(0), np.uint64(0))
    for i0 in range(0, targets.shape[0], LANES):
        n = _fill_lanes(targets, i0, t)
        _cov_lanes(t, tabs, work)
        for p in range(variate.shape[0]):  # the lanes' variates, pair by pair (seat-major)
            vp, rp = variate[p], region_idx[p]
            for ln in range(n):
                rt[p, ln] = region_t[rp, i0 + ln]
            if counted:
                col = np.uint64(seat0 + vp)
                for ln in range(n):
                    zt[p, ln] = normal_at(key, key2, np.uint64(sim0 + i0 + ln) * np.uint64(width) + col)
            else:
                for ln in range(n):
                    zt[p, ln] = z_seat[i0 + ln, vp]
        _noise_lanes(y, zt, rt, n, sd, start, kc_of, variate, party, x, t2, best, bj, wins, share_q,
                     totals[i0:i0 + n])


def fused_covariate(flat: Flat, maps: Any, targets: npt.NDArray[np.float32], z_seat: npt.NDArray[np.float32] | None,
                    region: npt.NDArray[np.float32], wins: npt.NDArray[np.int64], share_q: npt.NDArray[np.int64],
                    totals: npt.NDArray[np.intp], scratch: tuple[Any, ...] | None = None,
                    counted: Counted | None = None) -> None:
    """:func:`fused` for the covariate kernel: the kernel itself runs in the loop, from the group ``targets``.

    ``maps`` is the kernel's :class:`~seatcast.models.covariate.kernel.PairMaps` on ``flat``'s pairs, seat-major
    (``flat``'s seat order, each seat's slots in order); ``scratch`` is :func:`cov_scratch`'s buffers. The seat
    variates are read from ``z_seat`` ``[n, pairs]``, or computed in the loop where they are used (``counted``).
    """
    work, t, lanes = scratch or cov_scratch(maps)
    z_seat, keys, sim0, width, seat0 = _seat_variates(z_seat, counted)
    _fused_cov(np.ascontiguousarray(targets, dtype=np.float32), _tables(maps), work, t, lanes, maps.variate, z_seat,
               np.ascontiguousarray(region.T), flat.sd[maps.variate], flat.region_idx[maps.variate], flat.seat_kc, wins,
               share_q, totals,
               keys, sim0, width, seat0)
