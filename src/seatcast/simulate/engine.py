"""The Monte Carlo engine: chunks, seeds, local worker processes and Dask.

Randomness comes in fixed blocks of :data:`BLOCK` simulations: block *k* draws from child *k*
of ``SeedSequence(seed)`` (``spawn_key=(k,)``), one row of variates per simulation. A task is a
run of consecutive blocks; within a block, simulations are computed in batches of at most
``chunk_size`` (for memory). Every accumulator is an integer (:class:`~.kernels.Tally`), so
tallies add up exactly in any order. Hence the result is bit-identical whatever ``chunk_size``,
``workers`` or Dask cluster is used, for the same seed.

One simulation: national and nation errors move the group targets (log-share space), the
projection setup maps them to seat shares, region and seat noise are added, then ``steps``
(scenario edits) are applied in order, then the winners are counted. Steps come after the
noise, so a run with a step and one without share the same draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from seatcast.data.parties import IND, OTHER, SPEAKER
from seatcast.errors import InputError
from seatcast.projection import ProjectionSetup
from seatcast.simulate import kernels
from seatcast.simulate.errors import NATIONAL_PARTIES, THIRD_PARTY_SHARE, ErrorModel, estimate, national_slot
from seatcast.simulate.result import ForecastResult

#: Simulations per unit of randomness (one SeedSequence child each).
BLOCK = 1000
#: Default simulations per batch: bounds memory at a few hundred MB for 650 seats.
DEFAULT_CHUNK = 1000


class Step(Protocol):
    """A scenario edit applied to simulated shares (see :mod:`seatcast.scenarios`)."""

    def apply(self, shares: np.ndarray[Any, Any], rng: np.random.Generator | None) -> np.ndarray[Any, Any]:
        """New shares ``[n, seats, parties]`` from ``shares``; deterministic when ``rng`` is None."""


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything a worker needs besides the setup: error arrays aligned to the setup's columns."""

    layout: kernels.Layout
    target: npt.NDArray[np.float32]  # [G, P]
    national_w: npt.NDArray[np.float32]  # [k + P, P]: national variates -> log errors
    nation_sd: float
    region_sd: float
    seat_region: npt.NDArray[np.intp]  # [S]
    rows: npt.NDArray[np.intp]  # seat-noise pairs
    cols: npt.NDArray[np.intp]
    pair_sd: npt.NDArray[np.float32]
    oth_col: int | None
    entropy: int


def make_plan(setup: ProjectionSetup, error: ErrorModel, entropy: int) -> Plan:
    """Align the error model to the setup's parties, groups, regions and seats."""
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
    standing = base > 0
    standing[setup.modelled] |= setup.ctx.stands
    rows, cols = np.nonzero(standing)
    third = np.sort(base, axis=1)[:, -3] >= THIRD_PARTY_SHARE if p >= 3 else np.zeros(len(base), bool)
    sd = np.where(third[rows], error.seat_sd_third, error.seat_sd)
    if IND in parties:
        sd = np.where(cols == parties.index(IND), error.seat_sd_ind, sd)
    layout = kernels.Layout(n_national=k + p, n_groups=len(setup.groups), n_regions=len(regions), n_parties=p,
                            n_pairs=len(rows))
    return Plan(layout=layout, target=np.asarray(setup.target, dtype=np.float32),
                national_w=w.astype(np.float32), nation_sd=error.nation_sd, region_sd=error.region_sd,
                seat_region=seat_region, rows=rows.astype(np.intp), cols=cols.astype(np.intp),
                pair_sd=sd.astype(np.float32), oth_col=parties.index(OTHER) if OTHER in parties else None,
                entropy=entropy)


def block_rng(entropy: int, block: int, stream: int = 0) -> np.random.Generator:
    """The generator of one block (``stream`` 0: the error draws; 1: scenario steps)."""
    key = (block,) if stream == 0 else (block, stream)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key)))


def simulate_shares(setup: ProjectionSetup, plan: Plan, z: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Seat shares ``[n, S, P]`` (before steps) for ``n`` rows of variates ``z``."""
    z_nat, z_nation, z_region, z_seat = plan.layout.split(z)
    national = z_nat @ plan.national_w
    targets = kernels.perturb_targets(plan.target, national, z_nation * np.float32(plan.nation_sd))
    shares = np.asarray(setup.run(targets), dtype=np.float32)
    return kernels.add_seat_noise(shares, z_seat, plan.rows, plan.cols, plan.pair_sd, z_region, plan.seat_region,
                                  plan.region_sd)


def run_blocks(setup: ProjectionSetup, plan: Plan, steps: Sequence[Step], blocks: Sequence[int], n_sims: int,
               batch: int) -> kernels.Tally:
    """Simulate the given blocks and tally them (the unit of work of a worker)."""
    p = len(setup.parties)
    total = kernels.Tally.zeros(setup.frame.n_seats, p)
    for b in blocks:
        n_block = min(BLOCK, n_sims - b * BLOCK)
        rng = block_rng(plan.entropy, b)
        step_rng = block_rng(plan.entropy, b, 1) if steps else None
        done = 0
        while done < n_block:
            n = min(batch, n_block - done)
            shares = simulate_shares(setup, plan, kernels.draw(rng, n, plan.layout))
            for step in steps:
                shares = np.asarray(step.apply(shares, step_rng), dtype=np.float32)
            total += kernels.tally(shares, kernels.winners(shares, plan.oth_col), p)
            done += n
    return total


# ---- workers ---------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(setup: ProjectionSetup, plan: Plan, steps: Sequence[Step]) -> None:
    _WORKER.update(setup=setup, plan=plan, steps=steps)


def _worker_task(blocks: Sequence[int], n_sims: int, batch: int) -> kernels.Tally:
    return run_blocks(_WORKER["setup"], _WORKER["plan"], _WORKER["steps"], blocks, n_sims, batch)


def _portable(setup: ProjectionSetup) -> ProjectionSetup:
    """The setup without what cannot travel to another process (the open store)."""
    return replace(setup, context={k: v for k, v in setup.context.items() if k != "store"})


def _tasks(n_blocks: int, per_task: int) -> list[list[int]]:
    return [list(range(s, min(s + per_task, n_blocks))) for s in range(0, n_blocks, per_task)]


def _run_local(tasks: list[list[int]], run: Callable[[list[int]], kernels.Tally]) -> Iterator[kernels.Tally]:
    for t in tasks:
        yield run(t)


def _run_processes(tasks: list[list[int]], workers: int, setup: ProjectionSetup, plan: Plan,
                   steps: Sequence[Step], n_sims: int, batch: int) -> Iterator[kernels.Tally]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # fork is unsafe with threads; spawn is portable
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(_portable(setup), plan, tuple(steps))) as pool:
        futures = [pool.submit(_worker_task, t, n_sims, batch) for t in tasks]
        for f in as_completed(futures):
            yield f.result()


def _run_dask(tasks: list[list[int]], address: str, setup: ProjectionSetup, plan: Plan, steps: Sequence[Step],
              n_sims: int, batch: int) -> Iterator[kernels.Tally]:
    from distributed import Client

    with Client(address, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        shared = client.scatter((_portable(setup), plan, tuple(steps)), broadcast=True)
        futures = [client.submit(_dask_task, shared, t, n_sims, batch, pure=False) for t in tasks]
        for f in futures:  # in order: integer tallies would add up the same in any order anyway
            yield client.gather(f)


def _dask_task(shared: tuple[ProjectionSetup, Plan, Sequence[Step]], blocks: Sequence[int], n_sims: int,
               batch: int) -> kernels.Tally:
    setup, plan, steps = shared
    return run_blocks(setup, plan, steps, blocks, n_sims, batch)


# ---- public entry point ----------------------------------------------------------------------

def default_error(setup: ProjectionSetup) -> ErrorModel:
    """The error model estimated from elections before the setup's ``as_of`` date (all, if none)."""
    return estimate(setup.context.get("as_of") or "9999-12-31", model=setup.model.name,
                    store=setup.context.get("store"))


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
) -> ForecastResult:
    """Simulate ``n_sims`` elections from ``setup`` and summarise them (module docstring).

    ``seed=None`` draws fresh entropy (recorded in the result, so the run can be repeated).
    ``chunk_size`` bounds the simulations held in memory at once; a task is
    ``max(1, chunk_size // BLOCK)`` blocks. ``workers > 1`` runs tasks in local processes;
    ``dask_address`` (``tcp://host:8786``) runs them on a Dask cluster.
    """
    if n_sims < 1:
        raise InputError(f"n_sims must be at least 1, not {n_sims}")
    if chunk_size < 1 or workers < 1:
        raise InputError("chunk_size and workers must be at least 1")
    error = error or default_error(setup)
    entropy = int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]
    plan = make_plan(setup, error, entropy)
    n_blocks = -(-n_sims // BLOCK)
    batch = min(chunk_size, BLOCK)
    tasks = _tasks(n_blocks, max(1, chunk_size // BLOCK))
    total = kernels.Tally.zeros(setup.frame.n_seats, len(setup.parties))
    if dask_address is not None:
        results = _run_dask(tasks, dask_address, setup, plan, steps, n_sims, batch)
    elif workers > 1 and len(tasks) > 1:
        results = _run_processes(tasks, workers, setup, plan, steps, n_sims, batch)
    else:
        results = _run_local(tasks, lambda t: run_blocks(setup, plan, steps, t, n_sims, batch))
    for part in results:
        total += part
        if progress is not None:
            progress(total.n, n_sims)
    return ForecastResult.from_tally(setup, total, seed=entropy, error=error)
