"""The domain's core records: elections, constituencies and candidacies.

Records are frozen and validated once, when built; an edit (a scenario, an import) makes new
records and never mutates old ones. Votes may be missing only for notional results, which are
published as shares.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from seatcast.data.parties import IND, SEPARATE_NATIONS
from seatcast.errors import DataError, UnknownNameError


@dataclass(frozen=True, slots=True)
class Candidacy:
    """One candidate's result in one seat (or one party's notional share)."""

    name: str
    party_code: str
    party_label: str
    votes: int | None
    share: float
    sitting_mp: bool | None = None
    former_mp: bool | None = None

    def __post_init__(self) -> None:
        if self.votes is not None and self.votes < 0:
            raise DataError(f"negative votes ({self.votes}) for {self.name or self.party_label}", field="votes")
        if not 0.0 <= self.share <= 1.0 + 1e-9:
            raise DataError(f"share {self.share} outside [0, 1] for {self.name or self.party_label}", field="share")
        if not self.party_code:
            raise DataError(f"empty party code for {self.name!r}", field="party_code")


@dataclass(frozen=True, slots=True)
class Constituency:
    """A single-member district and its candidacies, largest first."""

    id: str
    name: str
    region: str
    nation: str
    electorate: int | None
    valid_votes: int
    candidacies: tuple[Candidacy, ...]

    def __post_init__(self) -> None:
        if not self.candidacies:
            raise DataError(f"constituency {self.name!r} ({self.id}) has no candidates")
        if self.valid_votes < 0:
            raise DataError(f"negative valid votes in {self.name!r}", field="valid_votes")

    @property
    def winner(self) -> Candidacy:
        """The candidacy with the most votes (or the largest notional share)."""
        return max(self.candidacies, key=lambda c: (c.share, c.votes or 0))

    @property
    def runner_up(self) -> Candidacy | None:
        """The second-placed candidacy, if any."""
        ranked = sorted(self.candidacies, key=lambda c: (c.share, c.votes or 0), reverse=True)
        return ranked[1] if len(ranked) > 1 else None

    @property
    def majority_share(self) -> float:
        """Winner's share minus the runner-up's (the whole share when unopposed)."""
        second = self.runner_up
        return self.winner.share - (second.share if second else 0.0)

    @property
    def turnout(self) -> float | None:
        """Valid votes over electorate, where the electorate is known."""
        return self.valid_votes / self.electorate if self.electorate else None

    def candidate_records(self) -> list[dict[str, Any]]:
        """One dict per candidacy, largest first (the rows of :meth:`to_dict` and :meth:`to_frame`).

        Keys: ``name``, ``party``, ``label``, ``votes``, ``share``, ``sitting_mp``, ``former_mp``
        and ``winner`` (true for the one :attr:`winner`, so callers need not re-derive it).
        """
        win = self.winner
        return [
            {"name": k.name, "party": k.party_code, "label": k.party_label, "votes": k.votes,
             "share": round(k.share, 6), "sitting_mp": k.sitting_mp, "former_mp": k.former_mp, "winner": k is win}
            for k in self.candidacies
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the keys of ``seatcast results --format json``, less ``election``.

        A seat does not know which election it belongs to; each candidate also has a ``winner`` flag.
        """
        win, second = self.winner, self.runner_up
        return {
            "id": self.id, "name": self.name, "region": self.region, "nation": self.nation,
            "electorate": self.electorate, "valid_votes": self.valid_votes, "turnout": self.turnout,
            "winner": {"name": win.name, "party": win.party_code},
            "majority": (win.votes - second.votes)
            if (second and win.votes is not None and second.votes is not None) else None,
            "majority_share": round(self.majority_share, 6),
            "candidates": self.candidate_records(),
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per candidacy (largest first).

        Columns: ``seat_id``, then those of :meth:`candidate_records`. ``votes`` is a nullable
        integer column (notional results have shares only); ``seat_id`` lets frames of several
        seats be stacked with ``pd.concat``.
        """
        import pandas as pd

        df = pd.DataFrame(self.candidate_records(),
                          columns=["name", "party", "label", "votes", "share", "sitting_mp", "former_mp", "winner"])
        df["votes"] = df["votes"].astype("Int64")
        df.insert(0, "seat_id", self.id)
        return df


@dataclass(frozen=True)
class Election:
    """A whole FPTP election: its seats, and where the data came from."""

    id: str
    name: str
    constituencies: tuple[Constituency, ...]
    #: Polling day. Files and the store hold ISO text; it is parsed where it enters (loaders,
    #: store, bundled data), and written back as ISO text, so JSON output is unchanged.
    date: datetime.date | None = None
    kind: str = "general"  # general | notional | imported
    boundaries: str = ""
    source: str = ""
    licence: str = ""
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: Values derived from this election and cached with it (its share frame, projection
    #: structures): they live and die with the record, which never changes.
    derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.date is not None and not isinstance(self.date, datetime.date):
            raise DataError(f"election {self.id}: date must be a datetime.date, not {self.date!r}")
        seen: set[str] = set()
        for i, c in enumerate(self.constituencies):
            if c.id in seen:
                raise DataError(f"election {self.id}: duplicated constituency id {c.id}")
            seen.add(c.id)
            self._index[c.id.lower()] = i
            self._index.setdefault(c.name.lower(), i)

    def __len__(self) -> int:
        return len(self.constituencies)

    @property
    def is_notional(self) -> bool:
        """True when the election holds estimated shares, not counted votes."""
        return self.kind == "notional"

    def seat(self, key: str) -> Constituency:
        """Look a seat up by id or name, case-insensitively; suggest near names on a miss."""
        i = self._index.get(key.strip().lower())
        if i is None:
            raise UnknownNameError("seat", key, [c.name for c in self.constituencies])
        return self.constituencies[i]

    def has_seat(self, key: str) -> bool:
        """Whether ``key`` names a seat of this election."""
        return key.strip().lower() in self._index

    @cached_property
    def nations(self) -> tuple[str, ...]:
        """Nations (or, for imported elections, top-level regions) in first-seen order."""
        return tuple(dict.fromkeys(c.nation for c in self.constituencies))

    def seats_won(self, *, gb_only: bool = False) -> dict[str, int]:
        """Seats won per party code, most first."""
        counts = Counter(
            c.winner.party_code
            for c in self.constituencies
            if not (gb_only and c.nation in SEPARATE_NATIONS)
        )
        return dict(counts.most_common())

    def vote_shares(self, *, nations: set[str] | None = None) -> dict[str, float]:
        """Vote shares per party over the chosen nations (all seats when ``None``)."""
        totals: dict[str, float] = {}
        for c in self.constituencies:
            if nations is not None and c.nation not in nations:
                continue
            for cand in c.candidacies:
                totals[cand.party_code] = totals.get(cand.party_code, 0.0) + cand.share * c.valid_votes
        whole = sum(totals.values()) or 1.0
        return {p: v / whole for p, v in sorted(totals.items(), key=lambda kv: -kv[1])}

    def independents(self) -> list[tuple[Constituency, Candidacy]]:
        """Every independent candidacy, each on its own."""
        return [(c, k) for c in self.constituencies for k in c.candidacies if k.party_code == IND]
