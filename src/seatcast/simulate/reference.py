"""A slow, obvious reference simulator: one simulation at a time, one seat and party at a time.

It reads the same random variates as the engine (same blocks, same row layout) and must give
the same win counts seed for seed; the tests hold the fast engine to it on small inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from seatcast.projection import ProjectionSetup
from seatcast.simulate.engine import BLOCK, Step, block_rng, make_plan
from seatcast.simulate.error_model import ErrorModel
from seatcast.simulate.kernels import draw


def reference_simulate(setup: ProjectionSetup, *, n_sims: int, seed: int, error: ErrorModel,
                       steps: Sequence[Step] = ()) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Win counts ``[S, P]`` and summed shares ``[S, P]`` computed simulation by simulation."""
    plan = make_plan(setup, error, int(np.random.SeedSequence(seed).entropy))  # type: ignore[arg-type]
    lay = plan.layout
    parties = setup.parties
    s_n, p_n = setup.frame.n_seats, len(parties)
    wins = np.zeros((s_n, p_n), np.int64)
    share_sum = np.zeros((s_n, p_n))
    pair_sd = {(int(r), int(c)): float(sd) for r, c, sd in zip(plan.rows, plan.cols, plan.pair_sd, strict=True)}
    pair_pos = {(int(r), int(c)): k for k, (r, c) in enumerate(zip(plan.rows, plan.cols, strict=True))}
    for b in range(-(-n_sims // BLOCK)):
        rng = block_rng(plan.entropy, b)
        step_rng = block_rng(plan.entropy, b, 1) if steps else None
        for _ in range(min(BLOCK, n_sims - b * BLOCK)):
            z = draw(rng, 1, lay)[0]
            z_nat = z[: lay.n_national]
            off = lay.n_national
            z_nation = z[off: off + lay.n_groups * p_n].reshape(lay.n_groups, p_n)
            off += lay.n_groups * p_n
            z_region = z[off: off + lay.n_regions * p_n].reshape(lay.n_regions, p_n)
            z_seat = z[off + lay.n_regions * p_n: lay.used]
            # National and nation errors on the group targets, in log-share space.
            national = z_nat @ plan.national_w
            target = np.zeros_like(plan.target)
            for g in range(lay.n_groups):
                row = plan.target[g] * np.exp(national + z_nation[g] * plan.nation_sd[g])
                target[g] = row / row.sum() if row.sum() > 0 else row
            shares = np.asarray(setup.run(target), dtype=np.float32)
            # Region and seat noise, seat by seat.
            for i in range(s_n):
                row = shares[i].copy()
                for j in range(p_n):
                    s = shares[i, j]
                    noise = z_region[plan.seat_region[i], j] * np.float32(plan.region_sd)
                    if (i, j) in pair_pos:
                        noise += z_seat[pair_pos[i, j]] * np.float32(pair_sd[i, j])
                    row[j] = max(s + np.sqrt(max(s * (1 - s), 0)) * noise, 0)
                total = row.sum()
                shares[i] = row / total if total > 0 else shares[i]
            out = shares[None]
            for step in steps:
                out = np.asarray(step.apply(out, step_rng), dtype=np.float32)
            for i in range(s_n):
                row = out[0, i].copy()
                if plan.oth_col is not None:
                    row[plan.oth_col] = -1
                wins[i, int(np.argmax(row))] += 1
            share_sum += out[0]
    return wins, share_sum
