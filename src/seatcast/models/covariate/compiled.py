"""The covariate kernel compiled with numba, on the pairs of a :class:`~.kernel.PairMaps`.

The same arithmetic as :class:`~.kernel.CovariateKernel`, term by term, unrolled onto the (seat,
party) pairs where a party can have a share: what the simulator's compiled path
(:mod:`seatcast.simulate.accel`) runs once per simulation, 64 simulations side by side. It is a
pure kernel (arrays in, arrays out), so it lives with the model; numba is imported only when
this module is, and this module only when a compiled path is asked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

try:
    from numba import njit
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the compiled covariate kernel needs the optional extra 'accel': "
                      "pip install 'seatcast[accel]'") from exc

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
    """Covariate shares ``y [pairs, lanes]`` (``work[0]``) for targets ``t [lanes, G, P]`` (tables: :func:`_tables`).

    Generic in the dtype of the tables (float32 for the simulator, float64 for a point projection,
    :func:`point_shares`): numba compiles one instance per dtype. The targets, the tables and
    every scratch buffer but the float64 group-mean accumulators share that dtype; the float32
    constants below are exact in either. The one rounding between dtypes, the re-basing mean
    back to the kernel's dtype, is done by storing it into a scratch array of that dtype (an
    array store casts), so the float32 instance computes exactly what it computed with an
    explicit ``np.float32(...)``.
    """
    _cov_steps(t, tabs, work, work[0].shape[1])  # a run-time trip count: LLVM then vectorises the lane loops


@njit(inline="always", error_model="numpy")  # type: ignore[misc, untyped-decorator, unused-ignore]
def _cov_steps(t: Any, tabs: Any, work: Any, nl: int) -> None:  # pragma: no cover - compiled
    """The body of :func:`_cov_lanes` for ``nl`` lanes, inlined into its callers.

    :func:`_cov_lanes` passes the lanes at run time (LLVM then vectorises the lane loops, with
    alias checks); :func:`_cov_point` passes the constant 1, so the lane loops vanish: each of a
    point projection's few thousand pairs would otherwise pay a dozen loop set-ups and alias
    checks for one element (a tenth of the time of 64 lanes, not a sixty-fourth).
    """
    (bn, start, modelled, group, weight, party, base, right_delta, const, own, m_ptr, m_q, m_coef, md_ptr, md_q,
     md_coef, down_rel, up_rel, churn, stands, donor, recipient, squeezed, extra, right_col, rounds) = tabs
    y, dd, dn, wr, vol, mean, tot, acc, acc2 = work
    zero = np.float32(0.0)
    one = np.float32(1.0)
    half = np.float32(0.5)
    n_g, n_p = t.shape[1], t.shape[2]
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
                for ln in range(nl):  # the float64 mean, rounded to the kernel's dtype by the store
                    acc[ln] = mean[g, q, ln]
                    mean[g, q, ln] = 0.0
                for ln in range(nl):
                    dd[g, q, ln] = t[ln, g, q] - acc[ln]
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


def _work(maps: Any, lanes: int) -> tuple[Any, ...]:
    """The scratch buffers of :func:`_cov_lanes` for ``lanes`` simulations, in the dtype of ``maps``' tables."""
    g, p = maps.base_national.shape
    pairs = len(maps.base)
    dt = maps.base.dtype
    return (np.empty((pairs, lanes), dt), np.empty((g, p, lanes), dt), np.empty((g, p, lanes), dt),
            np.zeros((g, lanes), dt), np.empty((g, lanes), dt), np.empty((g, p, lanes), np.float64),
            np.empty(lanes, dt), np.empty(lanes, dt), np.empty(lanes, dt))


def cov_scratch(maps: Any) -> tuple[Any, ...]:
    """Buffers of :data:`LANES` simulations of :func:`fused_covariate` (reused across batches)."""
    g, p = maps.base_national.shape
    pairs = len(maps.base)
    lanes = (np.zeros((pairs, LANES), np.float32), np.zeros((pairs, LANES), np.float32),
             np.empty((pairs, LANES), np.float32), np.empty(LANES, np.float32), np.empty(LANES, np.float32),
             np.empty(LANES, np.intp))
    return _work(maps, LANES), np.empty((LANES, g, p), maps.base.dtype), lanes


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


@njit(cache=True, nogil=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _cov_point(target: Any, tabs: Any, work: Any, rows: Any, cols: Any, out: Any) -> None:  # pragma: no cover
    """One lane of :func:`_cov_lanes` for ``target [1, G, P]``, its pairs scattered into ``out [S, P]`` (zeroed)."""
    _cov_steps(target, tabs, work, 1)
    y = work[0]
    out[:, :] = 0.0
    for i in range(rows.shape[0]):
        out[rows[i], cols[i]] = y[i, 0]


def point_shares(maps: Any, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp], n_seats: int,
                 target: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Seat shares ``[n_seats, P]`` of one group target ``[G, P]``: one lane, in the dtype of ``maps``' tables.

    ``maps`` covers the pairs ``(rows, cols)`` (seat-major) of every share that can be non-zero;
    the rest are zero, as the kernel leaves them. The scratch buffers are made per call (a few
    small arrays): a server runs projections from several threads at once, and the kernel
    releases the GIL, so buffers kept between calls would have to be locked.
    """
    dt = maps.base.dtype
    t = np.ascontiguousarray(target, dtype=dt).reshape(1, *target.shape)
    out = np.empty((n_seats, target.shape[-1]), dt)
    _cov_point(t, _tables(maps), _work(maps, 1), rows, cols, out)
    return out
