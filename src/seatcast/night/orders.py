"""Declaration orders for replaying a past election seat by seat.

*Real order.* The bundled results (House of Commons Library) carry no declaration times, and no
bundled source gives the order in which seats declared, so no replay here uses the real order.
:data:`REAL_ORDER_NOTE` says so wherever a replay is reported.

*Realistic order* (:func:`realistic_order`): a documented heuristic for which seats count fast.
Each seat gets an expected declaration score, lower meaning earlier:

* ``+1.0 x z(log valid votes at the base)``: fewer ballots to count, an earlier result (each
  z-score is cut at +-2, so the island seats' tiny counts do not put them first);
* ``-0.5 x z(log population density)`` where the census gives it: compact urban seats gather
  their ballot boxes fast, large rural seats late;
* ``-0.8`` for a seat Labour won at the base by more than 20 points: the safe Labour seats of the
  North East and the big cities race to declare first (Sunderland, Newcastle, Blyth);
* region offsets: North East ``-1.5`` (it declares first at every election since 1992),
  Northern Ireland ``+1.5`` (counts start next morning in some years), Scotland ``+0.5`` (island and
  highland seats), South West and Wales ``+0.3``.

It is deterministic and uses only what is known before the night (the base election and the
census). It front-loads safe Labour seats, which is what makes early-night projection hard.

*Random orders* (:func:`random_order`): uniform permutations from a seeded Generator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from seatcast.data.schema import Election
from seatcast.night.features import _FILES, _read

IntArray = npt.NDArray[np.intp]

REAL_ORDER_NOTE = ("no declaration times in the bundled data (House of Commons Library results): "
                   "replays use a realistic heuristic order and seeded random orders, not the real order")

ORDERS = ("realistic", "random")

REGION_OFFSET = {"North East": -1.5, "Northern Ireland": 1.5, "Scotland": 0.5, "South West": 0.3, "Wales": 0.3}
SAFE_LABOUR_MARGIN = 0.20
SAFE_LABOUR_OFFSET = -0.8
DENSITY_WEIGHT = -0.5


def _z(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    finite = np.isfinite(values)
    out = np.zeros_like(values)
    if finite.sum() > 1:
        m, s = values[finite].mean(), values[finite].std()
        out[finite] = (values[finite] - m) / (s if s > 0 else 1.0)
    return np.clip(out, -2.0, 2.0)  # the island seats' tiny counts must not dominate


def _density(seat_ids: Sequence[str]) -> npt.NDArray[np.float64]:
    best = max(_FILES.values(), key=lambda files: sum(1 for s in seat_ids if s in _read(files[1])))
    table = _read(best[1])
    out = np.full(len(seat_ids), np.nan)
    for i, sid in enumerate(seat_ids):
        text = table.get(sid, {}).get("pop_density_per_hectare", "")
        if text and float(text) > 0:
            out[i] = np.log(float(text))
    return out


def declaration_scores(base: Election, seat_ids: Sequence[str]) -> npt.NDArray[np.float64]:
    """The realistic order's score per seat (lower declares earlier; see the module docstring)."""
    seats = [base.seat(s) for s in seat_ids]
    votes = np.array([np.log(max(c.valid_votes, 1)) for c in seats])
    score = _z(votes) + DENSITY_WEIGHT * _z(_density(seat_ids))
    for i, c in enumerate(seats):
        score[i] += REGION_OFFSET.get(c.region, REGION_OFFSET.get(c.nation, 0.0))
        if c.winner.party_code == "lab" and c.majority_share > SAFE_LABOUR_MARGIN:
            score[i] += SAFE_LABOUR_OFFSET
    return score


def realistic_order(base: Election, seat_ids: Sequence[str]) -> IntArray:
    """Seat indices in the realistic declaration order (ties broken by seat id)."""
    score = declaration_scores(base, seat_ids)
    return np.asarray(np.lexsort((np.asarray(seat_ids), score)), dtype=np.intp)


def random_order(n_seats: int, rng: np.random.Generator | int | None) -> IntArray:
    """A uniformly random declaration order from a seeded Generator (or seed)."""
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return np.asarray(gen.permutation(n_seats), dtype=np.intp)
