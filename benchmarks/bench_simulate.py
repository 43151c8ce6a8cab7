"""Benchmark the simulator: sims/s at 10k, 100k, 1M; peak memory; scaling; ratio to the reference.

Run: ``python benchmarks/bench_simulate.py [--max 1000000] [--workers 2] [--accel numpy|numba|both]
[--models uns,covariate]``.
Two swing models are timed: ``uns`` (uniform swing, evaluated on the engine's compact layout:
the baseline) and ``covariate`` (what ``seatcast forecast`` uses by default on the bundled UK
bases: the seat-aware kernel through ``setup.run``). Each row prints its rate as a ratio to
``uns`` with the same n, accel and workers, measured in this process.
Timings on a shared machine are noisy: compare the ratios printed in one run rather than
absolute figures across runs. Peak memory is the maximum resident set size of this process and
of the largest worker process.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from seatcast.data.polls import poll_average
from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.projection import prepare
from seatcast.simulate import estimate_error, simulate
from seatcast.simulate.reference import reference_simulate

GOAL_SIMS, GOAL_SECONDS, GOAL_MB = 1_000_000, 30.0, 2048


def main() -> None:
    """Print the tables (see the module docstring)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=100_000, help="largest n_sims (1000000 for the full run)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--accel", choices=["numpy", "numba", "both"], default="numpy")
    ap.add_argument("--models", default="uns,covariate", help="comma-separated; uns is the baseline of the ratios")
    args = ap.parse_args()
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
    for n in (10_000, 100_000, 1_000_000):
        if n > args.max:
            continue
        for accel in accels:
            for w in sorted({1, args.workers}):
                for model, st in setups.items():
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
    print(f"peak RSS: main {peak_mb:,.0f} MB, largest worker {child_mb:,.0f} MB (goal < {GOAL_MB} MB)")
    for model in setups:
        for accel in accels:
            best = max((r for r in rows if r[0] == model and r[2] == accel), key=lambda r: r[5], default=None)
            if best is not None:
                eta = GOAL_SIMS / best[5]
                print(f"{model} {accel}: 1M simulations at the best rate ({best[3]} worker(s)): {eta:.1f} s "
                      f"(goal < {GOAL_SECONDS:.0f} s on 2 cores, set for uns)")

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
