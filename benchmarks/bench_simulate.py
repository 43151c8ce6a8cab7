"""Benchmark the simulator: sims/s at 10k, 100k, 1M; peak memory; scaling; ratio to the reference.

Run: ``python benchmarks/bench_simulate.py [--max 1000000] [--workers 2] [--accel numpy|numba|both]
[--models uns,covariate] [--budget 300]``.
Two swing models are timed: ``uns`` (uniform swing, evaluated on the engine's compact layout:
the baseline) and ``covariate`` (what ``seatcast forecast`` uses by default on the bundled UK
bases: the seat-aware kernel, through ``setup.run`` with numpy, compiled on the seat-noise pairs
with numba). Each row prints its rate as a ratio to ``uns`` with the same n, accel and workers,
measured in this process. A row whose time, extrapolated from the same model's previous row,
would exceed ``--budget`` seconds is skipped and says so. The phase table splits one block's
time into drawing the variates, the kernel (national and nation errors through the swing model)
and the rest (region and seat noise, renormalising, winners and tallies); with numba the variates
are computed by counter inside the fused loop, so the draws and the kernel are timed alone and
the rest is the difference (see :func:`phases`).
Timings on a shared machine are noisy: compare the ratios printed in one run rather than
absolute figures across runs. Peak memory is the maximum resident set size of this process and
of the largest worker process.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from seatcast.data.polls import poll_average
from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.projection import ProjectionSetup, prepare
from seatcast.simulate import ErrorModel, estimate_error, kernels, simulate
from seatcast.simulate import engine as eng
from seatcast.simulate.reference import reference_simulate

GOAL_SIMS, GOAL_SECONDS, GOAL_MB = 1_000_000, 30.0, 2048
GOAL_RATIO = 0.7


def phases(setup: ProjectionSetup, error: ErrorModel, accel: str, blocks: int = 2) -> dict[str, float]:
    """Seconds per simulation in each phase of the engine's loop (module docstring), over ``blocks`` blocks.

    numpy: the three phases run one after the other and are timed apart. numba: the variates are
    computed by counter, the seat variates inside the fused loop, so "draw" is a separate fill of
    a whole row per simulation (what the run computes, wherever it computes it), "kernel" the
    compiled kernel alone, and "noise+count" what the fused batch costs beyond those two.
    """
    plan = eng.make_plan(setup, error, 1, compiled=accel == "numba")
    batch = eng.INNER if plan.mode != "generic" or plan.cov is not None else eng.GENERIC_INNER
    ws = eng.Workspace(plan, batch)
    compact = kernels.CompactTally(plan.buckets, setup.frame.n_seats, len(setup.parties))
    fast: Any = None
    used = plan.layout.used
    seat0 = used - plan.layout.n_pairs
    if accel == "numba":
        from seatcast.simulate import accel as fast
        from seatcast.simulate import counter_normals

        keys = counter_normals.run_keys(plan.entropy)
        flat = fast.flatten(plan.buckets, plan.mode)
        wins = np.zeros(plan.layout.n_pairs, np.int64)
        share_q = np.zeros(plan.layout.n_pairs, np.int64)
        scratch = fast.cov_scratch(plan.cov) if plan.cov is not None else None
        row = np.empty((batch, used), np.float32)
    out = {"draw": 0.0, "kernel": 0.0, "whole": 0.0}
    n_total = 0
    for b in range(-1, blocks):  # block -1 warms up (numba compiles or loads its cache) and is not counted
        rng = eng.block_rng(plan.entropy, max(b, 0))
        for k in range(-(-eng.BLOCK // batch) if b >= 0 else 1):
            n = batch
            sim0 = max(b, 0) * eng.BLOCK + k * batch
            t0 = time.perf_counter()
            if fast is None:
                z = kernels.normals(rng, ws.z[:n], ws.half)
            else:
                counter_normals.fill(keys, sim0, used, 0, row[:n])
                z = ws.z[:n]
                z[:, :used] = row[:n]
            t1 = time.perf_counter()
            # The kernel alone: errors to seat shares before noise.
            targets, _, _ = eng.apply_errors(plan, z)
            if fast is not None and plan.cov is not None:
                fast.covariate_shares(plan.cov, targets)
            else:
                src = eng._sources(setup, plan, targets, ws)
                if fast is None:
                    for i, bk in enumerate(plan.buckets):
                        eng._kernel_shares(plan, bk, src, ws.x[i][:n], ws.total[i][:n])
            t2 = time.perf_counter()
            # The whole batch, as run_blocks does it (numba: its own variates, by counter).
            totals = np.zeros((n, len(setup.parties)), np.intp)
            if fast is not None:
                counted = fast.Counted(keys, sim0, used, seat0)
                counter_normals.fill(keys, sim0, used, 0, z[:, :seat0])
                if plan.cov is not None:
                    targets, region, _ = eng.apply_errors(plan, z)
                    fast.fused_covariate(flat, plan.cov, targets, None, region, wins, share_q, totals, scratch,
                                         counted)
                else:
                    src, region, _ = eng._prelude(setup, plan, z, ws)
                    fast.fused(flat, plan.mode, src, None, region, wins, share_q, totals, counted)
            else:
                for i, x in enumerate(eng.simulate_compact(setup, plan, z, ws)):
                    key = kernels.slot_winners(x, plan.buckets[i], ws.slot[i][:n], ws.total[i][:n], ws.gain[i][:n])
                    compact.add(i, x, key, ws.a[i][:n], totals)
            compact.head.add_totals(totals)
            t3 = time.perf_counter()
            if b >= 0:
                out["draw"] += t1 - t0
                out["kernel"] += t2 - t1
                out["whole"] += t3 - t2
                n_total += n
    # numba's whole batch computes its variates too: the rest is what remains beyond them and the kernel.
    rest = out["whole"] - out["kernel"] - (out["draw"] if fast is not None else 0.0)
    return {"draw": out["draw"] / n_total, "kernel": out["kernel"] / n_total,
            "noise+count": max(rest, 0.0) / n_total}


def main() -> None:
    """Print the tables (see the module docstring)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=100_000, help="largest n_sims (1000000 for the full run)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--accel", choices=["numpy", "numba", "both"], default="numpy")
    ap.add_argument("--models", default="uns,covariate", help="comma-separated; uns is the baseline of the ratios")
    ap.add_argument("--budget", type=float, default=300.0,
                    help="skip a row expected (from the model's previous row) to take longer, in seconds")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    accels = ["numpy", "numba"] if args.accel == "both" else [args.accel]
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    store = Store(Path(tempfile.mkdtemp()) / "bench.db")
    base = store.load("ge2019n24")
    setups = {m: prepare(base, poll_average("ge2024"), model=m, as_of="2024-07-04", store=store, fits=source(store))
              for m in models}
    setup = setups.get("uns") or next(iter(setups.values()))
    error = estimate_error("2024-07-04", store=store)
    s, p = setup.frame.n_seats, len(setup.parties)
    print(f"{s} seats x {p} party columns, models {', '.join(models)}, base ge2019n24, ge2024 final polls "
          "(one error model for all, so only the swing kernel differs)")

    n_ref = 5
    t = time.perf_counter()
    reference_simulate(setup, n_sims=n_ref, seed=1, error=error)
    ref_rate = n_ref / (time.perf_counter() - t)
    print(f"reference (per simulation, per seat): {ref_rate:,.1f} sims/s")
    for st in setups.values():  # warm up (numba compiles or loads its cache once per process)
        for accel in accels:
            simulate(st, n_sims=1000, seed=1, error=error, accel=accel)

    rows = []
    skipped = []
    for n in (10_000, 100_000, 1_000_000):
        if n > args.max:
            continue
        for accel in accels:
            for w in sorted({1, args.workers}):
                for model, st in setups.items():
                    seen = [r[5] for r in rows if r[0] == model and r[2] == accel and r[3] == w]
                    if seen and n / seen[-1] > args.budget:
                        skipped.append(f"{model} {n:,} {accel} {w} worker(s): expected {n / seen[-1]:.0f} s "
                                       f"> --budget {args.budget:.0f} s")
                        continue
                    t = time.perf_counter()
                    simulate(st, n_sims=n, seed=1, error=error, workers=w, chunk_size=10_000, accel=accel)
                    dt = time.perf_counter() - t
                    rows.append((model, n, accel, w, dt, n / dt))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    uns_rate = {(n, accel, w): rate for model, n, accel, w, _, rate in rows if model == "uns"}
    print(f"\n{'model':>10} {'n_sims':>10} {'accel':>6} {'workers':>7} {'seconds':>9} {'sims/s':>10} "
          f"{'ms/1k sims':>10} {'x reference':>12} {'x uns':>6}")
    for model, n, accel, w, dt, rate in rows:
        base_rate = uns_rate.get((n, accel, w))
        ratio = f"{rate / base_rate:>6.3f}" if base_rate else f"{'-':>6}"
        print(f"{model:>10} {n:>10,} {accel:>6} {w:>7} {dt:>9.2f} {rate:>10,.0f} {dt / n * 1e6:>10.1f} "
              f"{rate / ref_rate:>12,.0f} {ratio}")
    for line in skipped:
        print(f"skipped: {line}")
    print(f"peak RSS: main {peak_mb:,.0f} MB, largest worker {child_mb:,.0f} MB (goal < {GOAL_MB} MB)")
    cov_rows = [r for r in rows if r[0] != "uns" and (r[1], r[2], r[3]) in uns_rate]
    for model, n, accel, w, _, rate in cov_rows:
        if n == max(r[1] for r in cov_rows if r[2] == accel):
            ratio = rate / uns_rate[(n, accel, w)]
            print(f"{model}/uns at {n:,} sims, {accel}, {w} worker(s): {ratio:.2f} "
                  f"({'meets' if ratio >= GOAL_RATIO else 'misses'} the {GOAL_RATIO} goal)")
    for model in setups:
        for accel in accels:
            best = max((r for r in rows if r[0] == model and r[2] == accel), key=lambda r: r[5], default=None)
            if best is not None:
                eta = GOAL_SIMS / best[5]
                print(f"{model} {accel}: 1M simulations at the best rate ({best[3]} worker(s)): {eta:.1f} s "
                      f"(goal < {GOAL_SECONDS:.0f} s on 2 cores)")

    print("\nwhere the time goes (one process, 2 blocks, us per simulation and share):")
    print(f"{'model':>10} {'accel':>6} {'draw':>14} {'kernel':>14} {'noise+count':>14}")
    for model, st in setups.items():
        for accel in accels:
            ph = phases(st, error, accel)
            whole = sum(ph.values())
            cells = " ".join(f"{v * 1e6:>7.1f} ({v / whole:>4.0%})" for v in ph.values())
            print(f"{model:>10} {accel:>6} {cells}")
    print(f"load average (1 min) at start {load0:.1f}, at end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: "
          "above the CPU count, other work shared the machine and the timings are slower than alone")

    # Cost against the number of seats: the same engine on one nation, then on all seats.
    print("\nscaling with seats (10k sims, 1 worker, numpy):")
    for nation in ("Wales", "Scotland", None):
        sub = base if nation is None else type(base)(
            id=base.id, name=base.name, date=base.date,
            constituencies=tuple(c for c in base.constituencies if c.nation == nation))
        st = prepare(sub, poll_average("ge2024"), model="uns")
        t = time.perf_counter()
        simulate(st, n_sims=10_000, seed=1, error=error)
        dt = time.perf_counter() - t
        print(f"  {st.frame.n_seats:>4} seats: {dt:6.2f} s, {dt / st.frame.n_seats * 1e3:.2f} ms per seat")


if __name__ == "__main__":
    main()
