"""What a parliament's by-elections say: the squeeze and each party's performance against the polls."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from seatcast.data.byelections import ByCandidate, ByElection, ParliamentEvidence, seat_terms
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.fit import byelections as fb
from seatcast.fit.fitted import canonical_json
from seatcast.models.covariate.binding import Fitted


def _seat(sid: str, votes: dict[str, int]) -> Constituency:
    total = sum(votes.values())
    cands = tuple(Candidacy(p, p, p, v, v / total) for p, v in sorted(votes.items(), key=lambda kv: -kv[1]))
    return Constituency(sid, sid, "South East", "England", None, total, cands)


def _by(date: str, sid: str, votes: dict[str, int], ge: str = "ge2015") -> ByElection:
    return ByElection(date, sid, sid, "England", 1, ge, tuple(ByCandidate(p, p, v) for p, v in votes.items()))


GE = Election(id="ge2015", name="GE", date=date(2015, 5, 7),
              constituencies=(_seat("E1", {"con": 50, "lab": 30, "ld": 15, "green": 5}),))
POLLS = {"con": 0.45, "lab": 0.30, "ld": 0.15, "green": 0.05, "right": 0.0}


@pytest.fixture
def flat_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fb, "polls_at", lambda *a, **k: dict(POLLS))


def test_squeeze_and_performance_against_the_polls(flat_polls: Any) -> None:
    source = [_by("2016-01-01", "E1", {"con": 40, "lab": 50, "ld": 8, "green": 2})]
    ev = fb.measure(GE, "2017-06-08", source=source)
    assert ev.n == 1 and ev.n_squeeze == 1
    # Lab best placed against the Conservatives; LD and Green expected 20% on the polls, got 10%.
    assert ev.squeeze == pytest.approx(0.5)
    # (by-election change) - (poll change since the general election): Con -10 - (-5), Lab +20, LD -7, Green -3.
    assert ev.over == pytest.approx({"con": -0.05, "lab": 0.20, "ld": -0.07, "green": -0.03})


def test_only_the_parliaments_own_byelections_before_the_date_count(flat_polls: Any) -> None:
    source = [
        _by("2014-01-01", "E1", {"con": 10, "lab": 90}, ge="ge2010"),  # an earlier parliament
        _by("2016-01-01", "E1", {"con": 40, "lab": 50, "ld": 8, "green": 2}),
        _by("2017-06-08", "E1", {"con": 1, "ld": 99}),  # on the forecast date: not yet known
    ]
    ev = fb.measure(GE, "2017-06-08", source=source)
    assert ev.seats == (("2016-01-01", "E1"),) and ev.squeeze == pytest.approx(0.5)


def test_squeeze_is_only_measured_where_the_conservatives_were_top_two(flat_polls: Any) -> None:
    ge = Election(id="ge2015", name="GE", date=date(2015, 5, 7),
                  constituencies=(_seat("E2", {"lab": 50, "ld": 30, "green": 15, "con": 5}),))
    ev = fb.measure(ge, "2017-06-08", source=[_by("2016-01-01", "E2", {"lab": 60, "ld": 30, "con": 10})])
    assert ev.n == 1 and ev.n_squeeze == 0 and ev.squeeze == 0.0


def test_polling_after_pollbase_is_interpolated_towards_the_final_polls() -> None:
    start = fb.polls_at("2021-01-01", None, None)
    final = {r: 0.2 for r in start}
    mid = fb.polls_at("2022-10-01", final, "2024-07-04")
    end = fb.polls_at("2024-07-04", final, "2024-07-04")
    assert end == pytest.approx(final)
    for r in start:
        assert min(start[r], 0.2) <= mid[r] <= max(start[r], 0.2)
    in_2019 = fb.polls_at("2019-06-06", final, "2024-07-04")
    assert 0.15 < in_2019["con"] < 0.3 and in_2019["right"] > 0.15  # the Brexit Party's spring


def test_the_2019_parliament_is_read_from_the_bundled_byelections(store: Any) -> None:
    ev = fb.evidence_for([store.load(i) for i in store.ids()], "2024-07-04")
    assert ev is not None and ev.previous == "ge2019" and ev.n == 23  # all GB, none in Northern Ireland
    assert 0 < ev.n_squeeze < ev.n and 0 < ev.squeeze < 1
    assert ev.over["ld"] > 0  # four Lib Dem gains from the Conservatives


def test_a_seat_is_matched_by_code_or_by_its_unchanged_name(flat_polls: Any) -> None:
    ev = fb.measure(GE, "2017-06-08", source=[_by("2016-01-01", "E1", {"con": 40, "lab": 50, "ld": 8, "green": 2})])
    got = seat_terms(ev, ["E1", "E99", "E7"], ["E1", "e 1", "Elsewhere"])
    assert got[0] == got[1] and got[2] is None
    assert got[0] is not None and got[0][1] == "lab" and got[0][0]["lab"] == pytest.approx(0.20)
    assert seat_terms(None, ["E1"], ["E1"]) == [None]


def test_the_evidence_round_trips_through_the_stored_fit_parameters(flat_polls: Any) -> None:
    """The kernel reads the by-elections from the stored fit only: every number must come back."""
    import json

    ev = fb.measure(GE, "2017-06-08", source=[_by("2016-01-01", "E1", {"con": 40, "lab": 50, "ld": 8, "green": 2})])
    fitted = Fitted(coef={}, alpha={}, pairs=(("ge2010", "ge2015"),), groups=("byelections",), byelections=ev,
                    squeeze_source="byelections")
    back = Fitted.from_params(json.loads(canonical_json(fitted.to_params())))
    assert back.byelections == ev and back.squeeze_source == "byelections"
    assert seat_terms(back.byelections, ["E1"], ["E1"]) == seat_terms(ev, ["E1"], ["E1"])
    assert ParliamentEvidence.from_params(ev.to_params()) == ev
    assert Fitted.from_params(Fitted(coef={}, alpha={}, pairs=(), groups=()).to_params()).byelections is None
