"""Split-vote (spoiler) analysis: whether the winner changes if one candidate had not stood.

For each candidate of a seat, remove them and move their votes by the transfer matrix (their
party's row; an independent's or minor party's by the ``ind``/``other`` row) to the candidates
still standing: a flow to a party is shared among that party's candidates by votes, a flow to
``other`` among the candidates of parties the matrix does not name. The part of the row that
names nobody **abstains**: those votes are simply lost, which is why removing a candidate can
never help a party the matrix sends nothing to. ``winner_without`` is the party (and name) of
the candidate with the most votes after the transfer.

With no matrix given, the election picks one (:func:`~seatcast.scenarios.transfers.matrix_for`):
the default UK matrix for British parties, else the neutral proportional rule, under which no
candidate is ever a spoiler (moving votes in proportion to votes keeps the order).

A *spoiler* is a non-winning candidate whose removal changes the winner: removing the winner
always does, so the winner is never counted as a spoiler.

Worked example (the toy seat of the tests): A (con) 400, B (lab) 380, C (green) 100. The default
green row sends 0.40 to Labour and 0.04 to the Conservatives; its 0.41 to parties not standing
follows those two in proportion (x 0.85 / 0.44) and 0.15 abstains. Without C, B has
380 + 77.3 = 457.3 and A 400 + 7.7 = 407.7: the Greens were spoilers and Labour would have won.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from seatcast.data.parties import IND, OTHER
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.scenarios.transfers import TransferMatrix, flows, matrix_for


@dataclass(frozen=True)
class CandidateSplit:
    """One candidate of a seat and what their absence would do."""

    name: str
    party: str
    votes: float
    winner_without: str
    winner_without_name: str
    votes_without: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (contract keys: ``name``, ``party``, ``votes``, ``winner_without``)."""
        return {"name": self.name, "party": self.party, "votes": round(self.votes, 3),
                "winner_without": self.winner_without, "winner_without_name": self.winner_without_name,
                "votes_without": {k: round(v, 1) for k, v in self.votes_without.items()}}


@dataclass(frozen=True)
class SplitResult:
    """A seat's split-vote analysis."""

    seat: str
    seat_id: str
    winner: str
    winner_name: str
    margin: float
    total: float
    candidates: tuple[CandidateSplit, ...]
    transfers: str = "default"

    @property
    def spoilers(self) -> list[CandidateSplit]:
        """Non-winning candidates whose absence would change the winning party."""
        return [c for c in self.candidates if c.winner_without != self.winner and
                not (c.party == self.winner and c.name == self.winner_name)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (contract keys: ``seat``, ``winner``, ``candidates``)."""
        return {"seat": self.seat, "id": self.seat_id, "winner": self.winner, "winner_name": self.winner_name,
                "margin": round(self.margin, 3),
                "margin_share": round(self.margin / self.total, 6) if self.total else 0.0,
                "transfers": self.transfers, "candidates": [c.to_dict() for c in self.candidates]}


def _key(k: Candidacy, n: int) -> str:
    return f"{n}:{k.name or k.party_label}"


def _votes(c: Constituency) -> list[float]:
    return [float(k.votes) if k.votes is not None else k.share * max(c.valid_votes, 1) for k in c.candidacies]


def votes_without(c: Constituency, drop: int, matrix: TransferMatrix) -> list[float]:
    """Each candidate's votes after removing candidate ``drop`` (its own entry becomes 0)."""
    return transfer_votes([k.party_code for k in c.candidacies], _votes(c), drop, matrix)


def transfer_votes(parties: list[str], votes: list[float], drop: int, matrix: TransferMatrix) -> list[float]:
    """Remove candidate ``drop`` of a seat (parties and votes per candidate) and transfer their votes."""
    rest = [n for n in range(len(parties)) if n != drop]
    party_votes: dict[str, float] = {}
    for n in rest:
        party_votes[parties[n]] = party_votes.get(parties[n], 0.0) + votes[n]
    named = set(matrix.rows)
    for row in matrix.rows.values():
        named |= set(row)
    others = [p for p in party_votes if p not in named or p in (IND, OTHER)]
    f = flows(matrix.row(parties[drop]), list(party_votes), dict(party_votes), other_codes=others)
    out = list(votes)
    out[drop] = 0.0
    for n in rest:
        pv = party_votes[parties[n]]
        out[n] += votes[drop] * f.get(parties[n], 0.0) * (votes[n] / pv if pv > 0 else 0.0)
    return out


def split_seat(election: Election, seat: str, transfers: TransferMatrix | None = None) -> SplitResult:
    """The split-vote analysis of one seat (see the module docstring)."""
    matrix = transfers or matrix_for(election.vote_shares())
    c = election.seat(seat)
    return _split(c, matrix)


def _split(c: Constituency, matrix: TransferMatrix) -> SplitResult:
    votes = _votes(c)
    order = sorted(range(len(votes)), key=lambda n: -votes[n])
    w = order[0]
    margin = votes[w] - (votes[order[1]] if len(order) > 1 else 0.0)
    cands = []
    for n, k in enumerate(c.candidacies):
        if len(votes) == 1:
            cands.append(CandidateSplit(k.name, k.party_code, votes[n], "", ""))
            continue
        after = votes_without(c, n, matrix)
        best = max(range(len(after)), key=lambda m: after[m])
        by_party: dict[str, float] = {}
        for m, v in enumerate(after):
            if m != n:
                q = c.candidacies[m].party_code
                by_party[q] = by_party.get(q, 0.0) + v
        cands.append(CandidateSplit(k.name, k.party_code, votes[n], c.candidacies[best].party_code,
                                    c.candidacies[best].name, dict(by_party)))
    return SplitResult(c.name, c.id, c.candidacies[w].party_code, c.candidacies[w].name, margin, float(sum(votes)),
                       tuple(cands), matrix.source)


def split_all(election: Election, transfers: TransferMatrix | None = None) -> dict[str, Any]:
    """Every seat where removing one (non-winning) candidate changes the winner, and totals.

    Keys: ``election``, ``transfers``, ``n_seats`` (seats with at least one spoiler), ``seats``
    (one entry per seat and spoiler: ``seat``, ``id``, ``winner``, ``margin``, ``margin_share``,
    ``candidate``, ``party``, ``votes``, ``winner_without``), ``spoilers_by_party`` (seats each
    party's candidates decided) and ``losers_by_party`` (seats each party would have won).
    """
    matrix = transfers or matrix_for(election.vote_shares())
    rows: list[dict[str, Any]] = []
    by_party: Counter[str] = Counter()
    losers: Counter[str] = Counter()
    seats = set()
    for c in election.constituencies:
        if len(c.candidacies) < 3:
            continue
        r = _split(c, matrix)
        for s in r.spoilers:
            seats.add(c.id)
            by_party[s.party] += 1
            losers[s.winner_without] += 1
            rows.append({"seat": c.name, "id": c.id, "winner": r.winner, "margin": round(r.margin, 1),
                         "margin_share": round(r.margin / r.total, 6) if r.total else 0.0, "candidate": s.name,
                         "party": s.party, "votes": round(s.votes, 1), "winner_without": s.winner_without})
    return {"election": election.id, "transfers": matrix.source, "n_seats": len(seats), "seats": rows,
            "spoilers_by_party": dict(by_party.most_common()), "losers_by_party": dict(losers.most_common())}
