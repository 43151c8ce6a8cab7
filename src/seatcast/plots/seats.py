"""Seat distributions: how many seats each party wins across the simulated elections."""

from __future__ import annotations

from typing import Any

import numpy as np

from seatcast.data.parties import COLOURS, NAMES
from seatcast.extras import require_extra


def plot_seat_distributions(result: Any, *, ax: Any = None, min_mean: float = 1.0, top: int = 6) -> Any:
    """Step histograms of seat totals for the ``top`` parties with a mean of at least ``min_mean``.

    ``result`` is a :class:`~seatcast.simulate.ForecastResult`; a dotted line marks the majority.
    Returns the ``ax`` drawn on.
    """
    require_extra("matplotlib", what="plotting")
    import matplotlib

    if ax is None:
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4))
    summary = result.party_summary()
    shown = [p for p, s in summary.items() if s["seats_mean"] >= min_mean][:top]
    seats = np.arange(result.n_seats + 1)
    for p in shown:
        h = result.seat_hist[result.parties.index(p)] / result.n_sims
        hi = int(np.flatnonzero(h)[-1]) + 2 if h.any() else 1
        ax.step(seats[:hi], h[:hi], where="mid", color=COLOURS.get(p, "#555555"),
                label=f"{NAMES.get(p, p)} ({summary[p]['seats_p05']}-{summary[p]['seats_p95']})")
    ax.axvline(result.n_seats // 2 + 1, color="#444444", linestyle=":", linewidth=1, label="majority")
    ax.set_xlabel("seats")
    ax.set_ylabel("probability")
    ax.set_title(f"Seat distributions, {result.n_sims:,} simulations from {result.base}")
    ax.legend(fontsize=8)
    return ax
