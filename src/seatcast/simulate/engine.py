"""The Monte Carlo engine: chunks, seeds, local worker processes and Dask.

Randomness comes in fixed blocks of :data:`BLOCK` simulations: block *k* draws from child *k*
of ``SeedSequence(seed)`` (``spawn_key=(k,)``), one row of variates per simulation. The compiled
path (``accel="numba"``) computes the same layout of variates by counter instead (variate *j* of
simulation *i* is number ``i * width + j``, :mod:`.counter_normals`), inside its loops: other
numbers of the same distribution, and just as independent of how the work is cut. A task is a
run of consecutive blocks (``chunk_size // BLOCK`` of them); within a block, simulations are
computed in batches of at most :data:`INNER` (small enough to stay in cache, so memory does not
grow with ``n_sims``). Every accumulator is an integer (:class:`~.kernels.Tally`), so tallies
add up exactly in any order. Hence the result is bit-identical whatever ``chunk_size``,
``workers`` or Dask cluster is used, for the same seed (on machines with the same numpy build
and CPU features: numpy's vectorised ``exp``/``log``/``sin`` may differ in the last bit between
instruction sets).

One simulation: national and nation errors move the group targets (log-share space), the
swing model maps them to seat shares, region and seat noise are added, then ``steps``
(scenario edits) are applied in order, then the winners are counted. Steps come after the
noise, so a run with a step and one without share the same draws.

Speed (see :mod:`.kernels`): only the (seat, party) pairs where the party stands are computed,
in buckets of seats with as many parties; uniform and proportional swing are evaluated on that
compact layout directly (``COMPACT_KERNELS``; any other kernel, a factory-built one included,
goes through ``setup.run`` and is gathered); winners and seat totals are counted with
``bincount``. Seats held at the base (Northern Ireland unless NI shares are given, the Speaker)
still get region and seat noise: their winners are uncertain too, and they cost 3% of the work.
With scenario steps, each batch is scattered back to ``[n, seats, parties]`` for the steps.
With ``accel="numba"`` the covariate kernel is unrolled onto the pairs (:attr:`Plan.cov`) and
compiled with the noise and tallies (:func:`.accel.fused_covariate`); docs/simulation-engine.md
lists what each simulation draws.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from seatcast.data.parties import IND, OTHER, SPEAKER
from seatcast.errors import InputError, check_seed
from seatcast.extras import require_extra
from seatcast.models.covariate.kernel import CovariateKernel, PairMaps, pair_maps
from seatcast.models.proportional import proportional_swing
from seatcast.models.uniform import uniform_swing
from seatcast.projection import ProjectionSetup
from seatcast.simulate import kernels
from seatcast.simulate.error_model import NATIONAL_PARTIES, THIRD_PARTY_SHARE, ErrorModel, from_source, national_slot
from seatcast.simulate.limits import check_sims
from seatcast.simulate.result import ForecastResult

#: Simulations per unit of randomness (one SeedSequence child each).
BLOCK = 1000
#: Default simulations per task (the unit of work sent to a worker, and of progress reports from
#: workers; a run in this process reports every block).
DEFAULT_CHUNK = 10 * BLOCK


class Step(Protocol):
    """A scenario edit applied to simulated shares (see :mod:`seatcast.scenarios`)."""

    def apply(self, shares: np.ndarray[Any, Any], rng: np.random.Generator | None) -> np.ndarray[Any, Any]:
        """New shares ``[n, seats, parties]`` from ``shares``; deterministic when ``rng`` is None."""


#: Ways to run a batch: plain numpy (the default), or the optional fused numba loop.
ACCELS = ("numpy", "numba")
#: Simulations computed at once inside a block: small enough that a batch's arrays stay in cache.
INNER = 64
#: The same for a kernel run through ``setup.run`` (the covariate model): it works on full
#: ``[n, seats, parties]`` arrays, three times wider than the compact layout, so fewer rows fit.
GENERIC_INNER = 32
#: Kernels the engine evaluates directly on the compact layout (the same arithmetic, fewer columns).
COMPACT_KERNELS: dict[Any, str] = {uniform_swing: "uns", proportional_swing: "proportional"}


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything a worker needs besides the setup: error arrays aligned to the setup's columns.

    ``rows``, ``cols`` and ``pair_sd`` list the seat-noise pairs in the order of their variates
    (bucket by bucket, slot-major: see :class:`~.kernels.Bucket`).
    """

    layout: kernels.Layout
    target: npt.NDArray[np.float32]  # [G, P]
    national_w: npt.NDArray[np.float32]  # [k + P, P]: national variates -> log errors
    #: Nation-error size of each group ``[G, 1]`` (England, Scotland, Wales each their own).
    nation_sd: npt.NDArray[np.float32]
    region_sd: float
    seat_region: npt.NDArray[np.intp]  # [S]
    rows: npt.NDArray[np.intp]  # seat-noise pairs
    cols: npt.NDArray[np.intp]
    pair_sd: npt.NDArray[np.float32]
    oth_col: int | None
    entropy: int
    buckets: tuple[kernels.Bucket, ...] = ()
    #: "uns" or "proportional": the kernel is evaluated on the compact layout; "generic": through
    #: ``setup.run`` (any model, a factory-built kernel included), then gathered.
    mode: str = "generic"
    base_national: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    #: The covariate kernel unrolled onto the pairs, for the compiled path (None: another kernel,
    #: or one the pairs cannot carry; that path then runs ``setup.run`` like numpy).
    cov: PairMaps | None = None


def kernel_mode(setup: ProjectionSetup) -> str:
    """How the engine evaluates the setup's kernel: directly on the compact layout, or via ``setup.run``."""
    kernel = setup.kernel or setup.model.kernel
    return COMPACT_KERNELS.get(kernel, "generic")


def make_plan(setup: ProjectionSetup, error: ErrorModel, entropy: int, *, compiled: bool = False) -> Plan:
    """Align the error model to the setup's parties, groups, regions and seats.

    ``compiled``: also unroll a covariate kernel onto the pairs for the numba path (:attr:`Plan.cov`).
    """
    parties = setup.parties
    p = len(parties)
    k = len(NATIONAL_PARTIES)
    chol = np.linalg.cholesky(error.national_cov + np.eye(k) * 1e-10)
    w = np.zeros((k + p, p))
    for j, party in enumerate(parties):
        slot = national_slot(party)
        if slot is not None:
            w[:k, j] = chol[slot]
        elif party not in (IND, SPEAKER):
            w[k + j, j] = error.minor_sd
    regions = sorted(set(setup.frame.regions))
    seat_region = np.array([regions.index(r) for r in setup.frame.regions], dtype=np.intp)
    base = setup.frame.shares
    # Every kernel keeps a party that does not stand at zero, and noise scales with sqrt(s (1 - s)):
    # these pairs are the only ones that can be non-zero in a simulation.
    standing = base > 0
    standing[setup.modelled] |= setup.ctx.stands
    third = np.sort(base, axis=1)[:, -3] >= THIRD_PARTY_SHARE if p >= 3 else np.zeros(len(base), bool)
    sd = np.where(third[:, None], error.seat_sd_third, error.seat_sd) * np.ones((1, p))
    if IND in parties:
        sd[:, parties.index(IND)] = error.seat_sd_ind
    oth_col = parties.index(OTHER) if OTHER in parties else None
    seat_group = np.full(setup.frame.n_seats, -1, np.intp)
    seat_group[setup.modelled] = setup.ctx.group
    buckets = kernels.build_buckets(standing, oth_col, sd.astype(np.float32), base.astype(np.float32), seat_group,
                                    seat_region, len(setup.groups))
    rows = np.concatenate([np.broadcast_to(b.seats, b.cols.shape).ravel() for b in buckets]).astype(np.intp)
    cols = np.concatenate([b.cols.ravel() for b in buckets]).astype(np.intp)
    pair_sd = np.concatenate([b.sd.ravel() for b in buckets]).astype(np.float32)
    nation_sd = np.array([error.nation_sd_of(g) for g in setup.groups], dtype=np.float32).reshape(-1, 1)
    cov = None
    kernel = setup.kernel or setup.model.kernel
    if compiled and isinstance(kernel, CovariateKernel):
        ctx_row = np.full(setup.frame.n_seats, -1, np.intp)
        ctx_row[setup.modelled] = np.arange(int(setup.modelled.sum()))
        seats = np.concatenate([b.seats for b in buckets]).astype(np.intp)
        order = seat_major(buckets)
        cov = pair_maps(kernel, setup.ctx, ctx_row, seats, rows[order], cols[order],
                        np.concatenate([b.base.ravel() for b in buckets]).astype(np.float32)[order], order)
    layout = kernels.Layout(n_national=k + p, n_groups=len(setup.groups), n_regions=len(regions), n_parties=p,
                            n_pairs=len(rows))
    return Plan(layout=layout, target=np.asarray(setup.target, dtype=np.float32),
                national_w=w.astype(np.float32), nation_sd=nation_sd, region_sd=error.region_sd,
                seat_region=seat_region, rows=rows, cols=cols, pair_sd=pair_sd, oth_col=oth_col, entropy=entropy,
                buckets=buckets, mode=kernel_mode(setup),
                base_national=np.asarray(setup.ctx.base_national, dtype=np.float32), cov=cov)


def seat_major(buckets: Sequence[kernels.Bucket]) -> npt.NDArray[np.intp]:
    """Positions of the seat-noise pairs taken seat by seat (bucket order), each seat's slots in order."""
    return np.concatenate([(b.offset + np.arange(b.m)[:, None] + np.arange(b.k)[None, :] * b.m).ravel()
                           for b in buckets]).astype(np.intp)


def block_rng(entropy: int, block: int, stream: int = 0) -> np.random.Generator:
    """The generator of one block (``stream`` 0: the error draws; 1: scenario steps)."""
    key = (block,) if stream == 0 else (block, stream)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key)))


class Workspace:
    """Buffers reused by every batch of a task: fresh pages cost as much as the arithmetic."""

    def __init__(self, plan: Plan, batch: int, *, columns: int | None = None, compact: bool = True) -> None:
        """Buffers for batches of up to ``batch`` simulations.

        ``columns``: variates per simulation held (default: the whole row); ``compact=False`` leaves
        out the per-bucket buffers of the numpy path (the compiled path keeps its shares in its own).
        """
        self.z = np.empty((batch, plan.layout.width if columns is None else columns), np.float32)
        self.half = np.empty((batch, plan.layout.width // 2 if compact else 0), np.float32)
        g, p = plan.base_national.shape if plan.mode != "generic" else (0, 0)
        self.src = np.empty((batch, g * p + 1), np.float32)
        shapes = [(batch, b.k, b.m) for b in plan.buckets] if compact else []
        self.x = [np.empty(s, np.float32) for s in shapes]
        self.a = [np.empty(s, np.float32) for s in shapes]
        self.b = [np.empty(s, np.float32) for s in shapes]
        self.total = [np.empty((batch, m), np.float32) for _, _, m in shapes]
        self.slot = [np.empty((batch, m), np.intp) for _, _, m in shapes]
        self.gain = [np.empty((batch, m), np.bool_) for _, _, m in shapes]


def _sources(setup: ProjectionSetup, plan: Plan, targets: npt.NDArray[np.float32],
             ws: Workspace) -> npt.NDArray[np.float32]:
    """Per simulation, what the buckets gather from: ``[n, G*P + 1]`` changes or ratios, or ``[n, S*P]`` shares."""
    n = targets.shape[0]
    if plan.mode == "generic":
        return np.asarray(setup.run(targets), dtype=np.float32).reshape(n, -1)
    src = ws.src[:n]
    body = src[:, :-1].reshape(targets.shape)
    if plan.mode == "uns":  # uniform_swing: base + (target - group base), clipped at 0
        np.subtract(targets, plan.base_national, out=body)
        src[:, -1] = 0  # held seats: no change
    else:  # proportional_swing: base * target / group base
        bn = np.broadcast_to(plan.base_national, targets.shape)
        body[...] = 1
        np.divide(targets, bn, out=body, where=bn > 0)
        src[:, -1] = 1
    return src


def _kernel_shares(plan: Plan, b: kernels.Bucket, src: npt.NDArray[np.float32], x: npt.NDArray[np.float32],
                   total: npt.NDArray[np.float32]) -> None:
    """The swing model's shares of bucket ``b`` into ``x`` (exactly what ``setup.run`` gives, on fewer columns)."""
    if plan.mode == "generic":
        kernels.gather(src, b.flat_idx, x)
        return
    kernels.gather(src, b.target_idx, x)
    if plan.mode == "uns":
        x += b.base
        np.maximum(x, np.float32(0), out=x)
    else:
        x *= b.base
    kernels.renormalise_or(x, total, b.base)


def apply_errors(plan: Plan, z: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32],
                                                                  npt.NDArray[np.float32]]:
    """``(group targets [n, G, P] moved by the national and nation errors, region errors [n, R*P], seat variates)``."""
    n = z.shape[0]
    z_nat, z_nation, z_region, z_seat = plan.layout.split(z)
    national = z_nat @ plan.national_w
    targets = kernels.perturb_targets(plan.target, national, z_nation * plan.nation_sd)
    region = (z_region * np.float32(plan.region_sd)).reshape(n, -1)
    return targets, region, z_seat


def _prelude(setup: ProjectionSetup, plan: Plan, z: npt.NDArray[np.float32],
             ws: Workspace) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """National and nation errors through the kernel source: ``(src, region errors [n, R*P], seat variates)``."""
    targets, region, z_seat = apply_errors(plan, z)
    return _sources(setup, plan, targets, ws), region, z_seat


def simulate_compact(setup: ProjectionSetup, plan: Plan, z: npt.NDArray[np.float32],
                     ws: Workspace) -> list[npt.NDArray[np.float32]]:
    """Seat shares (before steps) for the rows of variates ``z``: one ``[n, k, m]`` array per bucket."""
    n = z.shape[0]
    src, region, z_seat = _prelude(setup, plan, z, ws)
    out = []
    for i, b in enumerate(plan.buckets):
        x, total = ws.x[i][:n], ws.total[i][:n]
        _kernel_shares(plan, b, src, x, total)
        kernels.seat_noise(x, z_seat[:, b.offset:b.offset + b.size], region, b, ws.a[i][:n], ws.b[i][:n])
        if not kernels.renormalise(x, total):  # a seat lost every vote to the noise: keep it as it was
            before = ws.a[i][:n]
            _kernel_shares(plan, b, src, before, ws.total[i][:n])
            kernels.renormalise_or(x, total, before)
        out.append(x)
    return out


def simulate_shares(setup: ProjectionSetup, plan: Plan, z: npt.NDArray[np.float32],
                    ws: Workspace | None = None) -> npt.NDArray[np.float32]:
    """Seat shares ``[n, S, P]`` (before steps) for ``n`` rows of variates ``z``."""
    n = z.shape[0]
    ws = ws or Workspace(plan, n)
    full = np.zeros((n, setup.frame.n_seats * len(setup.parties)), np.float32)
    for b, x in zip(plan.buckets, simulate_compact(setup, plan, z, ws), strict=True):
        full[:, b.flat_idx] = x.reshape(n, -1)
    return full.reshape(n, setup.frame.n_seats, len(setup.parties))


def run_blocks(setup: ProjectionSetup, plan: Plan, steps: Sequence[Step], blocks: Sequence[int], n_sims: int,
               batch: int, accel: str = "numpy", draws: str | None = None) -> kernels.Tally:
    """Simulate the given blocks and tally them (the unit of work of a worker).

    ``draws``: where the variates come from. ``"stream"`` is the numpy path's (each block's PCG64
    stream, Box-Muller); ``"counter"`` (the compiled path's default) computes them by counter where
    they are used (:mod:`.counter_normals`). The compiled path given ``"stream"`` gives the numpy
    path's bytes (the tests hold the two kernels to that).
    """
    s_n, p = setup.frame.n_seats, len(setup.parties)
    compact = kernels.CompactTally(plan.buckets, s_n, p)
    total = compact.head
    fast: Any = None
    if draws not in (None, "stream", "counter"):
        raise ValueError(f"draws must be 'stream' or 'counter', not {draws!r}")
    counted = False
    if accel == "numba" and not steps:
        from seatcast.simulate import accel as fast
        from seatcast.simulate import counter_normals

        flat = fast.flatten(plan.buckets, plan.mode)
        scratch = fast.cov_scratch(plan.cov) if plan.cov is not None else None
        wins = np.zeros(plan.layout.n_pairs, np.int64)
        share_q = np.zeros(plan.layout.n_pairs, np.int64)
        counted = draws != "stream"
        keys = counter_normals.run_keys(plan.entropy)
        used = plan.layout.used
        seat0 = used - plan.layout.n_pairs  # the seat variates are computed in the compiled loops
    elif draws == "counter":
        raise ValueError("draws='counter' needs the compiled path (accel='numba', no scenario steps)")
    if counted:
        # A whole block per call: the compiled loops batch their own lanes, and the batch holds only
        # the few variates computed ahead (national, nation, region: 1 MB for 1,000 simulations).
        batch = BLOCK
        ws = Workspace(plan, batch, columns=seat0, compact=False)
    else:
        ws = Workspace(plan, batch)
    for b in blocks:
        n_block = min(BLOCK, n_sims - b * BLOCK)
        rng = None if counted else block_rng(plan.entropy, b)
        step_rng = block_rng(plan.entropy, b, 1) if steps else None
        done = 0
        while done < n_block:
            n = min(batch, n_block - done)
            if rng is not None:
                z = kernels.normals(rng, ws.z[:n], ws.half)
            else:  # the compiled path: variates by counter, simulation (b * BLOCK + done + i)'s row
                z = ws.z[:n]
                counter_normals.fill(keys, b * BLOCK + done, used, 0, z)
            seat_totals = np.zeros((n, p), np.intp)
            at = fast.Counted(keys, b * BLOCK + done, used, seat0) if counted else None
            if steps:
                shares = simulate_shares(setup, plan, z, ws)
                for step in steps:
                    shares = np.asarray(step.apply(shares, step_rng), dtype=np.float32)
                total += kernels.tally(shares, kernels.winners(shares, plan.oth_col), p)
            elif fast is not None and plan.cov is not None:
                targets, region, z_seat = apply_errors(plan, z)
                fast.fused_covariate(flat, plan.cov, targets, z_seat, region, wins, share_q, seat_totals, scratch, at)
                total.add_totals(seat_totals)
            elif fast is not None:
                src, region, z_seat = _prelude(setup, plan, z, ws)
                fast.fused(flat, plan.mode, src, z_seat, region, wins, share_q, seat_totals, at)
                total.add_totals(seat_totals)
            else:
                for i, x in enumerate(simulate_compact(setup, plan, z, ws)):
                    key = kernels.slot_winners(x, plan.buckets[i], ws.slot[i][:n], ws.total[i][:n], ws.gain[i][:n])
                    compact.add(i, x, key, ws.a[i][:n], seat_totals)
                total.add_totals(seat_totals)
            done += n
    if fast is not None:
        for i, bk in enumerate(plan.buckets):
            compact.wins[i] += wins[bk.offset:bk.offset + bk.size]
            compact.share_q[i] += share_q[bk.offset:bk.offset + bk.size]
    return compact.to_tally()


# ---- workers ---------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(setup: ProjectionSetup, plan: Plan, steps: Sequence[Step], accel: str) -> None:
    _WORKER.update(setup=setup, plan=plan, steps=steps, accel=accel)


def _worker_task(blocks: Sequence[int], n_sims: int, batch: int) -> kernels.Tally:
    return run_blocks(_WORKER["setup"], _WORKER["plan"], _WORKER["steps"], blocks, n_sims, batch, _WORKER["accel"])


def _portable(setup: ProjectionSetup) -> ProjectionSetup:
    """The setup without what cannot travel to another process (the open store)."""
    return replace(setup, context={k: v for k, v in setup.context.items() if k != "store"})


def _tasks(n_blocks: int, per_task: int) -> Iterator[range]:
    """The tasks' block indices, one range at a time (a list of every block would grow with ``n_sims``)."""
    return (range(s, min(s + per_task, n_blocks)) for s in range(0, n_blocks, per_task))


#: Tasks submitted ahead of the results read, per worker: enough to keep workers busy, few enough
#: that a huge run never queues millions of futures.
IN_FLIGHT_PER_WORKER = 2


def _bounded(tasks: Iterator[range], window: int, submit: Callable[[range], Any]) -> Iterator[list[Any]]:
    """Submit tasks keeping at most ``window`` in flight; yield the pending futures after each submission round."""
    pending: list[Any] = []
    for t in tasks:
        pending.append(submit(t))
        if len(pending) >= window:
            yield pending
            pending = []
    if pending:
        yield pending


def _run_local(tasks: Iterable[Sequence[int]],
               run: Callable[[Sequence[int]], kernels.Tally]) -> Iterator[kernels.Tally]:
    """Run in this process one block at a time, so that progress moves every :data:`BLOCK` simulations.

    Blocks are independent and tallies are integers, so how blocks are grouped changes nothing.
    """
    for t in tasks:
        for b in t:
            yield run([b])


def _sliding(tasks: Iterator[range], window: int, submit: Callable[[range], Future[Any]]) -> Iterator[Any]:
    """Results of ``submit(task)`` as they complete, with at most ``window`` tasks in flight.

    A task is submitted as soon as another finishes, so no worker waits for the slowest task of a
    round (rounds of ``window`` tasks left both workers idle at the end of each, a tenth of a
    million-simulation run). The order of results does not matter: tallies are integers.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    pending: set[Future[Any]] = set()
    try:
        for t in itertools.islice(tasks, window):
            pending.add(submit(t))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                nxt = next(tasks, None)
                if nxt is not None:
                    pending.add(submit(nxt))
                yield f.result()
    finally:  # stopped early (a progress callback raised): drop the tasks not yet started
        for f in pending:
            f.cancel()


def _run_processes(tasks: Iterator[range], workers: int, setup: ProjectionSetup, plan: Plan,
                   steps: Sequence[Step], n_sims: int, batch: int, accel: str) -> Iterator[kernels.Tally]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")  # fork is unsafe with threads; spawn is portable
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(_portable(setup), plan, tuple(steps), accel)) as pool:
        yield from _sliding(tasks, IN_FLIGHT_PER_WORKER * workers,
                            lambda t: pool.submit(_worker_task, t, n_sims, batch))


#: Seconds to wait for a Dask scheduler before saying it cannot be reached (Dask's default is 30).
DASK_CONNECT_TIMEOUT = 5.0


def _run_dask(tasks: Iterator[range], address: str, setup: ProjectionSetup, plan: Plan, steps: Sequence[Step],
              n_sims: int, batch: int, accel: str) -> Iterator[kernels.Tally]:
    from distributed import Client

    try:
        client: Any = Client(address, set_as_default=False, timeout=DASK_CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:  # refused, unknown host, or nothing answering in time
        raise InputError(f"--dask {address}: cannot reach the Dask scheduler within {DASK_CONNECT_TIMEOUT:g} s "
                         f"({type(exc).__name__})") from None
    with client:
        shared = client.scatter((_portable(setup), plan, tuple(steps)), broadcast=True)
        window = IN_FLIGHT_PER_WORKER * max(1, len(client.nthreads()))
        for futures in _bounded(tasks, window, lambda t: client.submit(_dask_task, shared, t, n_sims, batch, accel,
                                                                        pure=False)):
            for f in futures:  # in order: integer tallies would add up the same in any order anyway
                yield client.gather(f)


def _dask_task(shared: tuple[ProjectionSetup, Plan, Sequence[Step]], blocks: Sequence[int], n_sims: int,
               batch: int, accel: str = "numpy") -> kernels.Tally:
    setup, plan, steps = shared
    return run_blocks(setup, plan, steps, blocks, n_sims, batch, accel)


# ---- public entry point ----------------------------------------------------------------------

def default_error(setup: ProjectionSetup) -> ErrorModel:
    """The stored error model estimated from elections before the setup's ``as_of`` date (all, if none).

    It comes from the setup's fit source (the API's, kept in the setup's context by
    :func:`seatcast.projection.prepare`), else from the setup's store's saved fits.
    """
    from seatcast.fit.registry import source

    fits = setup.context.get("fits") or source(setup.context.get("store"))
    as_of = setup.context.get("as_of")
    return from_source(fits, date.fromisoformat(as_of) if as_of else None, setup.model.name)


def resolve_accel(accel: str | None) -> str:
    """``accel``, else ``$SEATCAST_ACCEL``, else ``"numpy"``; ``"numba"`` is checked to be importable."""
    choice = (accel or os.environ.get("SEATCAST_ACCEL") or "numpy").strip().lower()
    if choice not in ACCELS:
        raise InputError(f"accel must be one of {', '.join(ACCELS)}, not {choice!r}")
    if choice == "numba":
        require_extra("numba", what="accel numba (--accel numba or SEATCAST_ACCEL=numba)")
    return choice


def simulate(
    setup: ProjectionSetup,
    *,
    n_sims: int,
    seed: int | None,
    error: ErrorModel | None = None,
    steps: Sequence[Step] = (),
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    accel: str | None = None,
) -> ForecastResult:
    """Simulate ``n_sims`` elections from ``setup`` and summarise them (module docstring).

    ``seed=None`` draws fresh entropy (recorded in the result, so the run can be repeated).
    A task is ``max(1, chunk_size // BLOCK)`` blocks (fewer with local workers, so that each of
    them gets a task); at most ``min(chunk_size, INNER)`` simulations are held in memory at once
    per worker. ``workers > 1`` runs tasks in local processes;
    ``dask_address`` (``tcp://host:8786``) runs them on a Dask cluster. ``accel="numba"`` (or the
    environment variable ``SEATCAST_ACCEL=numba``) fuses each batch's arithmetic into one compiled
    loop (:mod:`.accel`, needs numba); the result is the same, bit for bit.
    """
    if n_sims < 1:
        raise InputError(f"n_sims must be at least 1, not {n_sims}")
    check_sims(n_sims)
    if chunk_size < 1 or workers < 1:
        raise InputError("chunk_size and workers must be at least 1")
    check_seed(seed)
    if dask_address is not None:
        require_extra("distributed", what="--dask")
    accel = resolve_accel(accel)
    error = error or default_error(setup)
    entropy = int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]
    plan = make_plan(setup, error, entropy, compiled=accel == "numba")
    n_blocks = -(-n_sims // BLOCK)
    batch = min(chunk_size, BLOCK, INNER if plan.mode != "generic" or plan.cov is not None else GENERIC_INNER)
    per_task = max(1, chunk_size // BLOCK)
    if dask_address is None and workers > 1:  # fewer tasks than workers would leave some idle
        per_task = max(1, min(per_task, -(-n_blocks // workers)))
    tasks = _tasks(n_blocks, per_task)
    total = kernels.Tally.zeros(setup.frame.n_seats, len(setup.parties))
    if dask_address is not None:
        results = _run_dask(tasks, dask_address, setup, plan, steps, n_sims, batch, accel)
    elif workers > 1 and n_blocks > per_task:  # more than one task
        results = _run_processes(tasks, workers, setup, plan, steps, n_sims, batch, accel)
    else:
        results = _run_local(tasks, lambda t: run_blocks(setup, plan, steps, t, n_sims, batch, accel))
    for part in results:
        total += part
        if progress is not None:
            progress(total.n, n_sims)
    return ForecastResult.from_tally(setup, total, seed=entropy, error=error)
