"""Scores of a projection against the actual result: pure functions on arrays and dicts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt


def seat_total_error(predicted: Mapping[str, float], actual: Mapping[str, float]) -> float:
    """Half the sum over parties of |predicted - actual| seats: the seats that would change hands."""
    parties = set(predicted) | set(actual)
    return 0.5 * sum(abs(predicted.get(p, 0) - actual.get(p, 0)) for p in parties)


def seats_correct(predicted: npt.NDArray[np.str_], actual: npt.NDArray[np.str_],
                  mask: npt.NDArray[np.bool_] | None = None) -> int:
    """Seats whose predicted winning party won (within ``mask``)."""
    hit = predicted == actual
    return int(hit[mask].sum() if mask is not None else hit.sum())


def share_mae(predicted: npt.NDArray[np.floating], actual: npt.NDArray[np.floating],
              stood: npt.NDArray[np.bool_]) -> float:
    """Mean absolute error, in points, of the shares of the parties that stood (``stood`` mask)."""
    if not stood.any():
        return float("nan")
    return float(np.abs(predicted - actual)[stood].mean() * 100)


def brier(probs: npt.NDArray[np.floating], outcome: npt.NDArray[np.intp]) -> float:
    """Multi-class Brier score: mean over seats of the squared distance to the one-hot outcome."""
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(outcome)), outcome] = 1.0
    return float(((probs - onehot) ** 2).sum(axis=1).mean())


def log_loss(probs: npt.NDArray[np.floating], outcome: npt.NDArray[np.intp], eps: float = 1e-4) -> float:
    """Mean negative log probability given to the actual winner (clipped at ``eps``)."""
    p = np.clip(probs[np.arange(len(outcome)), outcome], eps, 1.0)
    return float(-np.log(p).mean())


def calibration(probs: npt.NDArray[np.floating], outcome: npt.NDArray[np.intp],
                bins: int = 10) -> list[dict[str, float]]:
    """Reliability bins over every seat-party probability: mean predicted, observed frequency, count."""
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(outcome)), outcome] = 1.0
    p, y = probs.ravel(), onehot.ravel()
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        sel = idx == b
        n = int(sel.sum())
        if n == 0:
            continue
        out.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "predicted": float(p[sel].mean()),
                    "observed": float(y[sel].mean()), "count": n})
    return out
