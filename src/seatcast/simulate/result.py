"""The labelled result of a simulation run: seat win probabilities and seat-total distributions.

A :class:`ForecastResult` holds integer tallies only (counts and histograms), so the CLI, the
plots and the web page read the same numbers and never re-simulate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from seatcast.simulate.kernels import SHARE_Q, Tally, hist_quantile

if TYPE_CHECKING:
    from seatcast.projection import ProjectionSetup
    from seatcast.simulate.error_model import ErrorModel


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """Probabilities from ``n_sims`` simulated elections."""

    base: str
    model: str
    n_sims: int
    seed: int
    parties: tuple[str, ...]
    seat_ids: tuple[str, ...]
    names: tuple[str, ...]
    win_counts: npt.NDArray[np.int64]  # [S, P]
    seat_hist: npt.NDArray[np.int64]  # [P, S + 1]
    majority: npt.NDArray[np.int64]  # [P]
    largest: npt.NDArray[np.int64]  # [P]
    hung: int
    share_q: npt.NDArray[np.int64]  # [S, P]
    error: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_tally(cls, setup: ProjectionSetup, tally: Tally, *, seed: int, error: ErrorModel) -> ForecastResult:
        """Label a finished tally with the setup's seats and parties."""
        f = setup.frame
        return cls(base=f.election_id, model=setup.model.name, n_sims=tally.n, seed=seed, parties=setup.parties,
                   seat_ids=f.seat_ids, names=f.names, win_counts=tally.win_counts, seat_hist=tally.seat_hist,
                   majority=tally.majority, largest=tally.largest, hung=tally.hung, share_q=tally.share_q,
                   error=error.to_dict())

    @property
    def n_seats(self) -> int:
        """Number of seats."""
        return len(self.seat_ids)

    @property
    def p_win(self) -> npt.NDArray[np.float64]:
        """``[seats, parties]`` probability that each party wins each seat."""
        return self.win_counts / self.n_sims

    @property
    def mean_shares(self) -> npt.NDArray[np.float64]:
        """``[seats, parties]`` mean simulated share."""
        return self.share_q / (SHARE_Q * self.n_sims)

    def seats_quantile(self, party: str, q: float) -> int:
        """A quantile of ``party``'s simulated seat total."""
        return hist_quantile(self.seat_hist[self.parties.index(party)], q)

    def seats_mean(self, party: str) -> float:
        """Mean simulated seat total of ``party``."""
        h = self.seat_hist[self.parties.index(party)]
        return float(h @ np.arange(len(h)) / h.sum())

    def party_summary(self) -> dict[str, dict[str, float]]:
        """Per party that won a seat in some simulation: the contract keys, largest mean first."""
        out = {}
        for j, p in enumerate(self.parties):
            if self.win_counts[:, j].sum() == 0:
                continue
            out[p] = {
                "seats_mean": round(self.seats_mean(p), 3),
                "seats_median": self.seats_quantile(p, 0.5),
                "seats_p05": self.seats_quantile(p, 0.05),
                "seats_p95": self.seats_quantile(p, 0.95),
                "p_majority": round(float(self.majority[j] / self.n_sims), 6),
                "p_largest": round(float(self.largest[j] / self.n_sims), 6),
            }
        return dict(sorted(out.items(), key=lambda kv: -kv[1]["seats_mean"]))

    @property
    def p_hung(self) -> float:
        """Probability that no party wins a majority."""
        return self.hung / self.n_sims

    def seat_records(self) -> list[dict[str, Any]]:
        """One record per seat: ``id``, ``name``, ``p_win`` (parties with a chance), ``shares``."""
        pw = self.p_win
        ms = self.mean_shares
        out = []
        for i in range(self.n_seats):
            out.append({
                "id": self.seat_ids[i], "name": self.names[i],
                "p_win": {p: round(float(pw[i, j]), 6) for j, p in enumerate(self.parties) if pw[i, j] > 0},
                "shares": {p: round(float(ms[i, j]), 6) for j, p in enumerate(self.parties) if ms[i, j] > 0},
            })
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the contract keys ``n_sims``, ``seed``, ``parties``, ``seats``, ``p_hung``."""
        return {
            "base": self.base, "model": self.model, "n_sims": self.n_sims, "seed": self.seed,
            "p_hung": round(self.p_hung, 6), "parties": self.party_summary(), "error_model": self.error,
            "seats": self.seat_records(),
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per seat, a ``p_<party>`` column per party that wins anywhere."""
        import pandas as pd

        pw = self.p_win
        cols = {f"p_{p}": pw[:, j] for j, p in enumerate(self.parties) if self.win_counts[:, j].any()}
        df = pd.DataFrame(cols)
        df.insert(0, "name", self.names)
        df.insert(0, "id", self.seat_ids)
        return df
