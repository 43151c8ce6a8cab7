"""Optional numba path: the compact kernels of one batch fused into a single loop per seat.

Selected by ``simulate(..., accel="numba")`` or ``SEATCAST_ACCEL=numba``; the numpy path stays the
default and the reference for correctness. The loop performs the same float32 operations in the
same order as :mod:`seatcast.simulate.kernels` (swing, renormalise, noise, renormalise, running
maximum, fixed-point share sums), so the two paths agree bit for bit (a test holds them to it).
What it saves is memory traffic: each seat's few shares stay in registers from the swing to the
tally, where numpy makes ~20 passes over ``[n, k, m]`` arrays. Random draws and the national
and nation errors stay in numpy, so the variates are the same.

The covariate (default) model gets its own compiled path (:func:`fused_covariate`): its kernel,
unrolled onto the pairs once per run (:class:`~seatcast.models.covariate.kernel.PairMaps`), runs
here on 64 simulations side by side, then the noise and tallies across the same lanes. Its
shares equal ``setup.run``'s within float32 rounding (not bit for bit: a seat is renormalised by
a reciprocal and group means are summed in float64); for a given seed its results do not depend
on batches, chunks, workers or Dask, like every other path.

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


# ---- the covariate kernel ----------------------------------------------------------------------
# The kernel's pairs are kept seat-major (``start[s] .. start[s + 1]``): every step is a loop over
# one seat's few pairs, and re-basing takes seven passes, so they must be contiguous. LANES
# simulations are computed side by side (``y [pairs, LANES]``): each pair's arithmetic is then one
# vector operation across simulations (a seat's five or six pairs are too few to vectorise), and
# a lane's numbers do not depend on its neighbours (IEEE operations, no fast-math), so results
# do not depend on where a simulation falls in a batch. Group means for the next round are added
# up in the pass that finishes a round (float64 accumulators), and a seat is renormalised by one
# reciprocal (numpy divides each share: the two differ in the last bit at most, and a division
# per pair would cost a fifth of the kernel).

#: Simulations computed side by side by the compiled covariate kernel.
LANES = 64  # = the engine's batch (INNER): 3580 pairs x 64 lanes of float32 stay in a 1 MB L2


@njit(cache=True, nogil=True, error_model="numpy")  # type: ignore[misc, untyped-decorator, unused-ignore]
def _cov_lanes(t: Any, tabs: Any, work: Any) -> None:  # pragma: no cover - compiled
    """Covariate shares ``y [pairs, lanes]`` (``work[0]``) for targets ``t [lanes, G, P]`` (tables: :func:`_tables`)."""
    (bn, start, modelled, group, weight, party, base, right_delta, const, own, m_ptr, m_q, m_coef, md_ptr, md_q,
     md_coef, down_rel, up_rel, churn, stands, donor, recipient, squeezed, extra, right_col, rounds) = tabs
    y, dd, dn, wr, vol, mean, tot, acc, acc2 = work
    zero = np.float32(0.0)
    one = np.float32(1.0)
    half = np.float32(0.5)
    n_g, n_p = t.shape[1], t.shape[2]
    nl = y.shape[1]  # a run-time trip count: LLVM then vectorises the lane loops (with alias checks)
    for g in range(n_g):
        for ln in range(nl):
            vol[g, ln] = zero
        for q in range(n_p):
            for ln in range(nl):
                d = t[ln, g, q] - bn[g, q]
                dd[g, q, ln] = d
                dn[g, q, ln] = d if d < zero else zero
                vol[g, ln] += abs(d)
        for ln in range(nl):
            vol[g, ln] = half * vol[g, ln]
        if right_col >= 0:
            b = bn[g, right_col]
            for ln in range(nl):
                r = t[ln, g, right_col] / b if b > zero else one
                r = r - one
                wr[g, ln] = zero if r < zero else (one if r > one else r)
    n_sq = donor.shape[0]
    mean[:, :, :] = 0.0
    for s in range(start.shape[0] - 1):
        a, e = start[s], start[s + 1]
        if not modelled[s]:
            for p in range(a, e):
                for ln in range(nl):
                    y[p, ln] = base[p]
            continue
        g = group[s]
        for ln in range(nl):
            tot[ln] = zero
        for p in range(a, e):
            c_p = party[p]
            b0, rd, k0, mo = base[p], right_delta[p], const[p], own[p]
            dr, ur, ch, st = down_rel[p], up_rel[p], churn[p], stands[p]
            has_m = m_ptr[p + 1] > m_ptr[p]  # drivers other than the party's own change
            if has_m:
                for ln in range(nl):
                    acc[ln] = zero
                for c in range(m_ptr[p], m_ptr[p + 1]):
                    for ln in range(nl):
                        acc[ln] += m_coef[c] * dd[g, m_q[c], ln]
            has_md = md_ptr[p + 1] > md_ptr[p]
            if has_md:
                for ln in range(nl):
                    acc2[ln] = zero
                for c in range(md_ptr[p], md_ptr[p + 1]):
                    for ln in range(nl):
                        acc2[ln] += md_coef[c] * dn[g, md_q[c], ln]
            for ln in range(nl):  # the terms in the order of CovariateKernel.__call__
                d = dd[g, c_p, ln]
                x = (b0 + wr[g, ln] * rd if right_col >= 0 else b0) + d
                x = x + d * mo
                if has_m:
                    x = x + acc[ln]
                x = x + k0
                if has_md:
                    x = x + acc2[ln]
                x = x + (d if d < zero else zero) * dr
                x = x + (d if d > zero else zero) * ur
                x = x - ch * vol[g, ln]
                x = (x if x > zero else zero) * st
                y[p, ln] = x
                tot[ln] += x
        for ln in range(nl):
            tot[ln] = one / tot[ln] if tot[ln] > zero else zero
        for p in range(a, e):
            b0 = base[p]
            for ln in range(nl):
                y[p, ln] = y[p, ln] * tot[ln] if tot[ln] > zero else b0
        w = weight[s]
        for i in range(n_sq):
            if not squeezed[i, s]:  # no advice in this seat: nothing moves
                continue
            for ln in range(nl):
                acc[ln] = zero
            for p in range(a, e):
                f = donor[i, p]
                for ln in range(nl):
                    mv = y[p, ln] * f
                    y[p, ln] = y[p, ln] - mv
                    acc[ln] += mv
            for p in range(a, e):
                f = recipient[i, p]
                for ln in range(nl):
                    y[p, ln] = y[p, ln] + f * acc[ln]
            x_col = extra[i, s]
            if x_col >= 0:  # moved to a party that does not stand: counted once, then clipped
                for ln in range(nl):
                    mean[g, x_col, ln] += w * acc[ln]
        for p in range(a, e):
            c_p = party[p]
            for ln in range(nl):
                mean[g, c_p, ln] += w * y[p, ln]
    for r in range(rounds):
        for g in range(n_g):
            for q in range(n_p):
                for ln in range(nl):
                    dd[g, q, ln] = t[ln, g, q] - np.float32(mean[g, q, ln])
                    mean[g, q, ln] = 0.0
        for s in range(start.shape[0] - 1):
            if not modelled[s]:
                continue
            a, e, g = start[s], start[s + 1], group[s]
            for ln in range(nl):
                tot[ln] = zero
            for p in range(a, e):
                c_p, st = party[p], stands[p]
                for ln in range(nl):
                    x = y[p, ln] + dd[g, c_p, ln]
                    x = (x if x > zero else zero) * st
                    y[p, ln] = x
                    tot[ln] += x
            w = weight[s]
            for ln in range(nl):
                tot[ln] = one / tot[ln] if tot[ln] > zero else zero
            last = r == rounds - 1
            for p in range(a, e):
                c_p, b0 = party[p], base[p]
                for ln in range(nl):
                    x = y[p, ln] * tot[ln] if tot[ln] > zero else b0
                    y[p, ln] = x
                if not last:
                    for ln in range(nl):
                        mean[g, c_p, ln] += w * y[p, ln]


def _tables(maps: Any) -> tuple[Any, ...]:
    """The arrays of a :class:`~seatcast.models.covariate.kernel.PairMaps`, as :func:`_cov_lanes` unpacks them."""
    return (maps.base_national, maps.start, maps.modelled, maps.group, maps.weight, maps.party, maps.base,
            maps.right_delta, maps.const, maps.own, maps.m_ptr, maps.m_q, maps.m_coef, maps.md_ptr, maps.md_q,
            maps.md_coef, maps.down_rel, maps.up_rel, maps.churn, maps.stands, maps.donor, maps.recipient,
            maps.squeezed, maps.extra, maps.right_col, maps.rounds)


def cov_scratch(maps: Any) -> tuple[Any, ...]:
    """Buffers of :data:`LANES` simulations of :func:`fused_covariate` (reused across batches)."""
    g, p = maps.base_national.shape
    pairs = len(maps.base)
    work = (np.empty((pairs, LANES), np.float32), np.empty((g, p, LANES), np.float32),
            np.empty((g, p, LANES), np.float32), np.zeros((g, LANES), np.float32), np.empty((g, LANES), np.float32),
            np.empty((g, p, LANES), np.float64), np.empty(LANES, np.float32), np.empty(LANES, np.float32),
            np.empty(LANES, np.float32))
    lanes = (np.zeros((pairs, LANES), np.float32), np.zeros((pairs, LANES), np.float32),
             np.empty((pairs, LANES), np.float32), np.empty(LANES, np.float32), np.empty(LANES, np.float32),
             np.empty(LANES, np.intp))
    return work, np.empty((LANES, g, p), np.float32), lanes


@njit(cache=True, nogil=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _fill_lanes(targets: Any, i0: int, t: Any) -> Any:  # pragma: no cover - compiled
    """Copy simulations ``i0 ..`` into ``t [LANES, G, P]`` (short at the end: repeat the last); how many are real."""
    n = min(LANES, targets.shape[0] - i0)
    for ln in range(LANES):
        t[ln] = targets[i0 + min(ln, n - 1)]
    return n


@njit(cache=True, nogil=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _cov_batch(targets: Any, tabs: Any, work: Any, t: Any, out: Any) -> None:  # pragma: no cover - compiled
    y = work[0]
    for i0 in range(0, targets.shape[0], LANES):
        n = _fill_lanes(targets, i0, t)
        _cov_lanes(t, tabs, work)
        for ln in range(n):
            out[i0 + ln, :] = y[:, ln]


def covariate_shares(maps: Any, targets: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The covariate kernel's shares ``[n, pairs]`` (in ``maps``' seat-major pair order) for targets ``[n, G, P]``."""
    out = np.empty((targets.shape[0], len(maps.base)), np.float32)
    work, t, _ = cov_scratch(maps)
    _cov_batch(np.ascontiguousarray(targets, dtype=np.float32), _tables(maps), work, t, out)
    return out


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
def _fused_cov(targets: Any, tabs: Any, work: Any, t: Any, lanes: Any, variate: Any, z_seat: Any, region: Any,
               sd: Any, region_idx: Any, kc_of: Any, wins: Any, share_q: Any,
               totals: Any) -> None:  # pragma: no cover - compiled
    y, party, start = work[0], tabs[5], tabs[1]
    zt, rt, x, t2, best, bj = lanes
    for i0 in range(0, targets.shape[0], LANES):
        n = _fill_lanes(targets, i0, t)
        _cov_lanes(t, tabs, work)
        for p in range(variate.shape[0]):  # the lanes' variates, pair by pair (seat-major)
            vp, rp = variate[p], region_idx[p]
            for ln in range(n):
                zt[p, ln] = z_seat[i0 + ln, vp]
                rt[p, ln] = region[i0 + ln, rp]
        _noise_lanes(y, zt, rt, n, sd, start, kc_of, variate, party, x, t2, best, bj, wins, share_q,
                     totals[i0:i0 + n])


def fused_covariate(flat: Flat, maps: Any, targets: npt.NDArray[np.float32], z_seat: npt.NDArray[np.float32],
                    region: npt.NDArray[np.float32], wins: npt.NDArray[np.int64], share_q: npt.NDArray[np.int64],
                    totals: npt.NDArray[np.intp], scratch: tuple[Any, ...] | None = None) -> None:
    """:func:`fused` for the covariate kernel: the kernel itself runs in the loop, from the group ``targets``.

    ``maps`` is the kernel's :class:`~seatcast.models.covariate.kernel.PairMaps` on ``flat``'s pairs, seat-major
    (``flat``'s seat order, each seat's slots in order); ``scratch`` is :func:`cov_scratch`'s buffers.
    """
    work, t, lanes = scratch or cov_scratch(maps)
    _fused_cov(np.ascontiguousarray(targets, dtype=np.float32), _tables(maps), work, t, lanes, maps.variate, z_seat,
               region, flat.sd[maps.variate], flat.region_idx[maps.variate], flat.seat_kc, wins, share_q, totals)
