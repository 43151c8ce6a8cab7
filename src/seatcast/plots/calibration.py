"""Reliability diagram: whether a predicted 70% chance comes true 70% of the time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _band(b: Mapping[str, Any]) -> tuple[float, float]:
    """The bin's sampling range if calibrated: its ``ci_lo``/``ci_hi``, else a normal approximation."""
    if "ci_lo" in b and "ci_hi" in b:
        return float(b["ci_lo"]), float(b["ci_hi"])
    p, n = float(b["predicted"]), max(float(b["count"]), 1.0)
    half = 1.96 * (p * (1 - p) / n) ** 0.5
    return max(0.0, p - half), min(1.0, p + half)


def plot_calibration(bins: Sequence[Mapping[str, Any]], *, ax: Any = None, title: str | None = None) -> Any:
    """Plot calibration bins (``predicted``, ``observed``, ``count``) against the diagonal.

    The shaded band is, at each bin's mean predicted probability, the central 95% range of the
    observed frequency a calibrated forecast would show by sampling alone (binomial with the
    bin's count: ``ci_lo``/``ci_hi`` from :func:`seatcast.simulate.backtest.calibration_band`,
    or a normal approximation when a bin lacks them). A point inside the band is within sampling
    error of the diagonal; points outside are drawn hollow and red. Returns the ``ax`` drawn on.
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 5))
    ordered = sorted(bins, key=lambda b: float(b["predicted"]))
    pred = [float(b["predicted"]) for b in ordered]
    obs = [float(b["observed"]) for b in ordered]
    band = [_band(b) for b in ordered]
    ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label="perfect calibration")
    if pred:
        ax.fill_between(pred, [lo for lo, _ in band], [hi for _, hi in band], color="#4c72b0", alpha=0.2,
                        linewidth=0, label="95% sampling band (binomial)")
        ax.vlines(pred, [lo for lo, _ in band], [hi for _, hi in band], color="#4c72b0", alpha=0.5, linewidth=1)
    inside = [lo <= o <= hi for o, (lo, hi) in zip(obs, band, strict=True)]
    ax.plot([p for p, i in zip(pred, inside, strict=True) if i], [o for o, i in zip(obs, inside, strict=True) if i],
            "o", color="#333333", label="bin within band")
    ax.plot([p for p, i in zip(pred, inside, strict=True) if not i],
            [o for o, i in zip(obs, inside, strict=True) if not i],
            "o", markerfacecolor="none", color="#c44e52", label="bin outside band")
    for p, o, b in zip(pred, obs, ordered, strict=True):
        ax.annotate(str(int(b["count"])), (p, o), textcoords="offset points", xytext=(5, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of winning")
    ax.set_ylabel("observed frequency")
    ax.set_title(title or "Reliability")
    ax.legend(loc="upper left", fontsize=8)
    return ax
