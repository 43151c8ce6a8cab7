"""The same votes counted by other electoral systems, counterfactually.

Not a scenario (no step, no projection): a part of its own, above ``scenarios`` because it moves
votes with the scenarios' transfer matrices, beside ``diagnostics`` and below ``api``.

* **FPTP**: the actual winners.
* **AV / instant runoff**: in each seat, the candidate with fewest votes is eliminated and their
  current pile moves by the transfer matrix (their party's row) to those still standing, until
  one candidate holds a majority of the votes still in play. Simplification: a transferred pile
  follows the row of the candidate it leaves, not its voters' own later preferences (the
  matrix is a second-preference assumption, not a ballot file); abstaining parts are exhausted.
  With no matrix given, an election of non-British parties uses the neutral proportional rule
  (:func:`~seatcast.scenarios.transfers.matrix_for`), under which AV keeps every FPTP winner.
* **D'Hondt per region**: each region (the nine English regions, Scotland, Wales, Northern
  Ireland) elects as many members as it has constituencies from party lists in proportion to
  the party's votes there; each independent is a list of their own.
* **Gallagher index**: ``sqrt(sum((votes% - seats%)^2) / 2)`` over parties (independents pooled
  as ``ind``), the usual measure of disproportionality.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from seatcast.data.parties import IND
from seatcast.data.schema import Constituency, Election
from seatcast.scenarios.split import transfer_votes
from seatcast.scenarios.transfers import TransferMatrix, matrix_for


def gallagher(votes: dict[str, float], seats: dict[str, int]) -> float:
    """The Gallagher least-squares index in points (0 = perfectly proportional).

    >>> round(gallagher({"a": 0.5, "b": 0.5}, {"a": 2, "b": 0}), 1)
    50.0
    """
    tv = sum(votes.values()) or 1.0
    ts = sum(seats.values()) or 1
    parties = set(votes) | set(seats)
    return float(np.sqrt(0.5 * sum((100 * votes.get(p, 0) / tv - 100 * seats.get(p, 0) / ts) ** 2 for p in parties)))


def irv_winner(c: Constituency, matrix: TransferMatrix) -> tuple[int, int]:
    """Index of the AV winner of a seat and the number of counting rounds."""
    parties = [k.party_code for k in c.candidacies]
    votes = [float(k.votes) if k.votes is not None else k.share * max(c.valid_votes, 1) for k in c.candidacies]
    alive = list(range(len(parties)))
    rounds = 1
    while len(alive) > 1:
        total = sum(votes[n] for n in alive)
        top = max(alive, key=lambda n: votes[n])
        if votes[top] * 2 > total or len(alive) == 2:
            return top, rounds
        low = min(alive, key=lambda n: votes[n])
        after = transfer_votes([parties[n] for n in alive], [votes[n] for n in alive], alive.index(low), matrix)
        for m, n in enumerate(alive):
            votes[n] = after[m]
        alive.remove(low)
        rounds += 1
    return alive[0], rounds


def dhondt(votes: dict[str, float], n_seats: int) -> dict[str, int]:
    """D'Hondt allocation of ``n_seats`` (ties go to the larger vote, then by name).

    >>> dhondt({"a": 100, "b": 80, "c": 30}, 5)
    {'a': 3, 'b': 2}
    """
    seats: Counter[str] = Counter()
    for _ in range(n_seats):
        best = max(votes, key=lambda p: (votes[p] / (seats[p] + 1), votes[p], p))
        seats[best] += 1
    return dict(seats.most_common())


@dataclass(frozen=True)
class SystemsResult:
    """Seats per party under each system, with their Gallagher index."""

    election: str
    votes: dict[str, float]
    seats: dict[str, dict[str, int]]
    gallagher: dict[str, float]
    changed_av: int
    transfers: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``election``, ``vote_share``, ``systems`` ({name: {seats, gallagher}})."""
        tv = sum(self.votes.values()) or 1.0
        return {"election": self.election, "transfers": self.transfers,
                "vote_share": {p: round(v / tv, 6) for p, v in sorted(self.votes.items(), key=lambda x: -x[1])},
                "systems": {k: {"seats": self.seats[k], "gallagher": round(self.gallagher[k], 2)} for k in self.seats},
                "seats_changed_by_av": self.changed_av}


def compare_systems(election: Election, transfers: TransferMatrix | None = None) -> SystemsResult:
    """Count ``election`` by FPTP, AV and regional D'Hondt (module docstring)."""
    matrix = transfers or matrix_for(election.vote_shares())
    votes: defaultdict[str, float] = defaultdict(float)
    region_votes: dict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    region_seats: Counter[str] = Counter()
    fptp: Counter[str] = Counter()
    av: Counter[str] = Counter()
    changed = 0
    for c in election.constituencies:
        region_seats[c.region] += 1
        for k in c.candidacies:
            v = float(k.votes) if k.votes is not None else k.share * c.valid_votes
            votes[k.party_code] += v
            key = f"ind:{k.name}:{c.id}" if k.party_code == IND else k.party_code
            region_votes[c.region][key] += v
        w = c.winner.party_code
        fptp[w] += 1
        idx, _ = irv_winner(c, matrix)
        a = c.candidacies[idx].party_code
        av[a] += 1
        changed += a != w
    dh: Counter[str] = Counter()
    for region, n in region_seats.items():
        for p, s in dhondt(dict(region_votes[region]), n).items():
            dh[IND if p.startswith("ind:") else p] += s
    systems = {"fptp": dict(fptp.most_common()), "av": dict(av.most_common()), "dhondt": dict(dh.most_common())}
    g = {k: gallagher(dict(votes), v) for k, v in systems.items()}
    return SystemsResult(election.id, dict(votes), systems, g, changed, matrix.source)
