"""Declaration orders for replaying a past election seat by seat.

*Real order* (:func:`real_order`, the default of ``night --replay``): the seats in the order they
actually declared, from the bundled declaration times (:mod:`seatcast.data.declarations`,
2015-2024; ties within a minute by ONS id). The real night is the test that matters: its first
hour is the North East and safe Labour seats, with a few marginals among them.

*Stress order* (``stress``, :func:`realistic_order`; once called "realistic"): a made-up heuristic
for which seats count fast, kept as a stress test because it is more extreme than any real night.
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

from seatcast.data.declarations import DECLARATION_ELECTIONS, declaration_order
from seatcast.data.schema import Election
from seatcast.errors import InputError
from seatcast.night.features import _FILES, _read

IntArray = npt.NDArray[np.intp]

#: Declaration orders a replay can use: the real one, seeded random ones, the made-up stress test.
ORDERS = ("real", "random", "stress")
#: Old names still accepted on the command line.
ORDER_ALIASES = {"realistic": "stress"}

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


def has_real_order(election_id: str) -> bool:
    """True when the declaration times of ``election_id`` are bundled."""
    return election_id.lower() in DECLARATION_ELECTIONS


def real_order(election_id: str, seat_ids: Sequence[str]) -> IntArray:
    """Seat indices (into ``seat_ids``) in the order ``election_id``'s seats really declared.

    Every seat must have a declaration time and every declaration a seat: a replay in the real
    order on boundaries that differ from the bundled times is refused, not patched.
    """
    if not has_real_order(election_id):
        raise InputError(f"no bundled declaration times for {election_id} (bundled: "
                         f"{', '.join(DECLARATION_ELECTIONS)}); use --order random")
    pos = {sid: i for i, sid in enumerate(seat_ids)}
    order = declaration_order(election_id)
    missing = [s for s in order if s not in pos]
    if missing or len(order) != len(seat_ids):
        raise InputError(f"{election_id}: the declaration times do not match the replay's seats "
                         f"({len(order)} declarations for {len(seat_ids)} seats"
                         + (f", e.g. {missing[0]} unknown)" if missing else ")"))
    return np.asarray([pos[s] for s in order], dtype=np.intp)
