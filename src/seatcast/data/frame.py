"""The labelled array layer: an election as a ``seats x parties`` share matrix.

Models work on bare numpy arrays; this layer attaches seat ids, names, regions and party codes
to them. Building a frame decides which candidacies get a column of their own: every party
that won a seat or reached ``min_share`` of the vote in some nation, the Speaker, ``ind`` (the
seat's leading independent) and ``oth`` (every other minor candidate of the seat, pooled).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from seatcast.data.parties import IND, OTHER, SPEAKER
from seatcast.data.schema import Election

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ShareFrame:
    """Shares of the vote per seat (rows) and party (columns); rows sum to 1."""

    election_id: str
    seat_ids: tuple[str, ...]
    names: tuple[str, ...]
    regions: tuple[str, ...]
    nations: tuple[str, ...]
    parties: tuple[str, ...]
    shares: FloatArray
    weights: FloatArray  # valid votes per seat

    @classmethod
    def from_election(cls, election: Election, *, min_share: float = 0.005,
                      keep: tuple[str, ...] = ()) -> ShareFrame:
        """Build the frame of an election (see the module docstring for the column rule)."""
        nation_votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        nation_total: Counter[str] = Counter()
        winners = set()
        for c in election.constituencies:
            winners.add(c.winner.party_code)
            nation_total[c.nation] += c.valid_votes
            for k in c.candidacies:
                nation_votes[c.nation][k.party_code] += k.share * c.valid_votes
        major: set[str] = set(winners) | set(keep) | {SPEAKER}
        for nation, votes in nation_votes.items():
            total = nation_total[nation] or 1
            major |= {p for p, v in votes.items() if v / total >= min_share}
        major.discard(IND)
        major.discard(OTHER)
        order = sorted(major, key=lambda p: -sum(v[p] for v in nation_votes.values()))
        parties = (*order, IND, OTHER)
        col = {p: i for i, p in enumerate(parties)}
        shares = np.zeros((len(election), len(parties)))
        for i, c in enumerate(election.constituencies):
            best_ind = True
            for k in c.candidacies:  # candidacies are ordered largest first
                if k.party_code == IND and best_ind:
                    shares[i, col[IND]] += k.share
                    best_ind = False
                elif k.party_code in col and k.party_code != IND:
                    shares[i, col[k.party_code]] += k.share
                else:
                    shares[i, col[OTHER]] += k.share
        sums = shares.sum(axis=1, keepdims=True)
        shares = np.divide(shares, sums, out=np.zeros_like(shares), where=sums > 0)
        seats = election.constituencies
        return cls(
            election_id=election.id,
            seat_ids=tuple(c.id for c in seats),
            names=tuple(c.name for c in seats),
            regions=tuple(c.region for c in seats),
            nations=tuple(c.nation for c in seats),
            parties=parties,
            shares=shares,
            weights=np.array([float(c.valid_votes) for c in seats]),
        )

    @property
    def n_seats(self) -> int:
        """Number of seats (rows)."""
        return len(self.seat_ids)

    def index(self, party: str) -> int:
        """Column of ``party``."""
        return self.parties.index(party)

    def with_parties(self, parties: tuple[str, ...]) -> ShareFrame:
        """The same frame with columns reordered to ``parties``; absent parties get zeros.

        A party of this frame that is not in ``parties`` is folded into ``oth``.
        """
        out = np.zeros((self.n_seats, len(parties)))
        target = {p: i for i, p in enumerate(parties)}
        for j, p in enumerate(self.parties):
            k = target.get(p, target.get(OTHER))
            if k is None:
                raise ValueError(f"party {p!r} has no column in {parties}")
            out[:, k] += self.shares[:, j]
        return replace(self, parties=parties, shares=out)

    def renamed(self, mapping: dict[str, str]) -> ShareFrame:
        """Rename party columns (lineage: ``ukip`` -> ``brx``); merges columns that meet."""
        names = tuple(dict.fromkeys(mapping.get(p, p) for p in self.parties))
        out = np.zeros((self.n_seats, len(names)))
        for j, p in enumerate(self.parties):
            out[:, names.index(mapping.get(p, p))] += self.shares[:, j]
        return replace(self, parties=names, shares=out)

    def winners(self) -> npt.NDArray[np.str_]:
        """Winning party per seat (``oth`` never wins: it is many candidates)."""
        return winners_of(self.shares, self.parties)

    def national(self, mask: npt.NDArray[np.bool_] | None = None) -> FloatArray:
        """Vote-weighted party shares over the seats in ``mask`` (all seats by default)."""
        w = self.weights if mask is None else self.weights * mask
        return np.asarray(w @ self.shares / max(w.sum(), 1e-12))


def winners_of(shares: npt.NDArray[np.floating], parties: tuple[str, ...]) -> npt.NDArray[np.str_]:
    """Winning party code per row of ``shares`` (``[..., seats, parties]``), ``oth`` excluded."""
    masked = np.array(shares, copy=True)
    if OTHER in parties:
        masked[..., parties.index(OTHER)] = -1.0
    out: npt.NDArray[np.str_] = np.asarray(parties, dtype=object)[masked.argmax(axis=-1)].astype(str)
    return out


def seat_counts(winners: npt.NDArray[np.str_]) -> dict[str, int]:
    """Seats per party from a vector of winners, most first (ties alphabetical)."""
    names, counts = np.unique(winners, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return {str(names[i]): int(counts[i]) for i in order}
