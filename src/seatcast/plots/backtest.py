"""The backtest plot: predicted against actual share per seat and party, and a hex map of misses.

A thin adaptor over :class:`~seatcast.backtest.runner.BacktestResult`: it recomputes nothing.
matplotlib is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seatcast.backtest.runner import BacktestResult
from seatcast.data.frame import ShareFrame
from seatcast.data.hexmaps import hex_centres
from seatcast.data.parties import OTHER, SEPARATE_NATIONS, colour, name
from seatcast.data.schema import Election


def load_hexjson(boundaries: str) -> dict[str, tuple[float, float]]:
    """Seat id -> (x, y) hexagon centre (:func:`seatcast.data.hexmaps.hex_centres`)."""
    return hex_centres(boundaries)


def plot_share_scatter(result: BacktestResult, target: Election, ax: Any = None) -> Any:
    """Predicted against actual share, one dot per seat and party, in the party's colour."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    proj = result.projection
    actual = ShareFrame.from_election(target)
    order = [actual.seat_ids.index(s) for s in proj.frame.seat_ids]
    act = actual.with_parties(proj.parties).shares[order]
    for j, p in enumerate(proj.parties):
        if p == OTHER:
            continue
        m = (proj.shares[:, j] > 0) | (act[:, j] > 0)
        if m.sum() < 5:
            continue
        ax.scatter(act[m, j] * 100, proj.shares[m, j] * 100, s=4, alpha=0.5, color=colour(p), label=name(p))
    ax.plot([0, 100], [0, 100], color="black", lw=0.8)
    ax.set_xlabel("actual share (%)")
    ax.set_ylabel("predicted share (%)")
    ax.set_title(f"{result.election}: {result.model}, {result.inputs} inputs (MAE {result.share_mae:.2f})")
    ax.legend(fontsize=6, markerscale=2, loc="upper left")
    return ax


def miss_counts(result: BacktestResult) -> dict[str, tuple[int, int]]:
    """Seats called wrong and seats in all, for GB and for the separately scored nations.

    The backtest scores GB seats only (``seats_correct_gb`` of ``n_seats_gb``), but the map shows
    every seat: a single UK-wide "N seats called wrong" next to a GB figure reads as a mismatch,
    so the two are counted apart. Counted over every projected seat, whether or not it has a hexagon,
    so ``gb`` always agrees with ``n_seats_gb - seats_correct_gb``.
    """
    pred = result.projection.winners
    out = {"gb": (0, 0), "other": (0, 0)}
    for i, nation in enumerate(result.projection.frame.nations):
        key = "other" if nation in SEPARATE_NATIONS else "gb"
        wrong, n = out[key]
        out[key] = (wrong + int(pred[i] != result.actual_winners[i]), n + 1)
    return out


def miss_title(result: BacktestResult) -> str:
    """The map's title: the GB misses (the scored figure), then any elsewhere, said as such.

    Shared with ``seatcast plot backtest``'s printed line, so the terminal and the image agree.
    """
    (gb_wrong, gb_n), (ot_wrong, ot_n) = (miss_counts(result)[k] for k in ("gb", "other"))
    title = f"{gb_wrong} of {gb_n} GB seats called wrong"
    if ot_n:
        nations = sorted(set(result.projection.frame.nations) & set(SEPARATE_NATIONS))
        title += f"\n(+{ot_wrong} of {ot_n} in {', '.join(nations)}, not scored)"
    return title + "; coloured by actual winner"


def plot_miss_map(result: BacktestResult, boundaries: str, ax: Any = None) -> Any:
    """Hex map: each seat in its actual winner's colour, seats called wrong outlined in black."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import RegularPolygon

    ax = ax or plt.gca()
    centres = load_hexjson(boundaries)
    pred = result.projection.winners
    for i, sid in enumerate(result.projection.frame.seat_ids):
        if sid not in centres:
            continue
        x, y = centres[sid]
        miss = pred[i] != result.actual_winners[i]
        ax.add_patch(RegularPolygon((x, y), numVertices=6, radius=0.57, orientation=0,
                                    facecolor=colour(result.actual_winners[i]) if miss else "#EEEEEE",
                                    edgecolor="black" if miss else "white", linewidth=0.4))
    xs, ys = zip(*centres.values(), strict=True)
    ax.set_xlim(min(xs) - 1, max(xs) + 1)
    ax.set_ylim(min(ys) - 1, max(ys) + 1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(miss_title(result))
    return ax


def plot_backtest(result: BacktestResult, target: Election, boundaries: str, out: str | Path) -> Path:
    """Both panels side by side, written to ``out`` (format from its suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, 7))
    plot_share_scatter(result, target, a1)
    plot_miss_map(result, boundaries, a2)
    fig.tight_layout()
    path = Path(out)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
