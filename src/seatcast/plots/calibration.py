"""Reliability diagram: whether a predicted 70% chance comes true 70% of the time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def plot_calibration(bins: Sequence[Mapping[str, float]], *, ax: Any = None, title: str | None = None) -> Any:
    """Plot calibration bins (``predicted``, ``observed``, ``count``) against the diagonal.

    Error bars are two binomial standard errors of the observed frequency, so a well calibrated
    forecast has its points within them of the diagonal. Returns the ``ax`` drawn on.
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 5))
    pred = [float(b["predicted"]) for b in bins]
    obs = [float(b["observed"]) for b in bins]
    err = [2 * (max(o * (1 - o), 1e-9) / max(float(b["count"]), 1)) ** 0.5 for o, b in zip(obs, bins, strict=True)]
    ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label="perfect calibration")
    ax.errorbar(pred, obs, yerr=err, fmt="o", color="#333333", capsize=3, label="seat-party bins (±2 s.e.)")
    for p, o, b in zip(pred, obs, bins, strict=True):
        ax.annotate(str(int(b["count"])), (p, o), textcoords="offset points", xytext=(5, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of winning")
    ax.set_ylabel("observed frequency")
    ax.set_title(title or "Reliability")
    ax.legend(loc="upper left", fontsize=8)
    return ax
