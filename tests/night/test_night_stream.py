from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.data.store import Store
from seatcast.errors import SeatcastError, UnknownNameError
from seatcast.night.model import NightSettings
from seatcast.night.prior import prior_from_projection
from seatcast.night.stream import NightSession, declarations, read_rows
from seatcast.projection import project

HEADER = "district_id,district_name,region,party,candidate,votes\n"


@pytest.fixture(scope="module")
def session_parts(store: Store):
    base = store.load("ge2017")
    prior = prior_from_projection(project(base, model="transition"), base, covariates=False)
    return base, prior


def _decls(text: str) -> tuple[list, list[SeatcastError]]:
    errors: list[SeatcastError] = []
    return list(declarations(read_rows(text.splitlines(), on_error=errors.append))), errors


def test_duplicate_and_corrected_results(session_parts) -> None:
    base, prior = session_parts
    s = NightSession(prior, base, settings=NightSettings(n_sims=200), seed=1)
    text = (HEADER + ",Sunderland Central,NE,Labour,A,20000\n,Sunderland Central,NE,Conservative,B,15000\n\n"
            + ",Sunderland Central,NE,Labour,A,20000\n,Sunderland Central,NE,Conservative,B,15000\n\n"
            + ",Sunderland Central,NE,Labour,A,14000\n,Sunderland Central,NE,Conservative,B,15000\n")
    decls, errors = _decls(text)
    assert not errors and len(decls) == 3
    assert [s.apply(d) for d in decls] == ["new", "duplicate", "corrected"]
    assert s.n_declared == 1  # replaced, not double counted
    i = prior.seat_ids.index(base.seat("Sunderland Central").id)
    assert s.winners[i] == "con"
    assert s.actual[i, prior.parties.index("con")] == pytest.approx(15 / 29)


def test_candidate_listed_twice_keeps_last_row() -> None:
    decls, _ = _decls(HEADER + "X1,Seat,R,Labour,A,10\nX1,Seat,R,Labour,A,30\nX1,Seat,R,Green,B,20\n")
    assert decls[0].votes() == {("lab", "A"): 30, ("green", "B"): 20}


def test_unknown_seat_raises_with_suggestion_and_bad_rows_reported(session_parts) -> None:
    base, prior = session_parts
    s = NightSession(prior, base, settings=NightSettings(n_sims=100))
    decls, errors = _decls(HEADER + ",Sunderland Centrall,NE,Labour,A,100\n,Derby North,EM,Labour,A,ten\n")
    assert len(errors) == 1 and "votes" in str(errors[0])
    with pytest.raises(UnknownNameError, match="Sunderland Central"):
        s.apply(decls[0])


def test_empty_stream_yields_nothing() -> None:
    assert _decls("") == ([], [])
    assert _decls(HEADER) == ([], [])


def test_json_lines_format() -> None:
    rows = [{"district_id": "", "district_name": "Derby North", "region": "EM", "party": "Labour",
             "candidate": "A", "votes": 5, "party_code": "lab"}]
    decls, errors = _decls("\n".join(json.dumps(r) for r in rows))
    assert not errors and decls[0].rows[0].party_code == "lab"


def _run(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, args)
    return res.exit_code, res.stdout, res.stderr


def test_cli_json_lines_contract_and_early_end(tmp_path: Path) -> None:
    f = tmp_path / "res.csv"
    f.write_text(HEADER + ",Sunderland Central,NE,Labour,A,20000\n,Sunderland Central,NE,Conservative,B,15000\n"
                 + ",Nowhere Town,NE,Labour,A,1\n"
                 + ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n"
                 + ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n")
    code, out, err = _run(["night", "--base", "ge2017", "--results", str(f), "--format", "json", "--sims", "200"])
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["declared"] for x in lines] == [1, 2]  # the duplicate is not re-projected
    assert lines[-1]["last_seat"] == "Derby North"
    for x in lines:
        assert set(x) >= {"declared", "last_seat", "seats_projected", "seats_interval"}
        assert sum(x["seats_projected"].values()) == pytest.approx(650, abs=0.5)
        for p, (lo, hi) in x["seats_interval"].items():
            assert lo <= x["seats_projected"][p] + 1e-9 and x["seats_projected"][p] <= hi + 1e-9
    assert "Nowhere Town" in err and "ended with 2 of 650" in err


def test_cli_empty_stream(tmp_path: Path) -> None:
    f = tmp_path / "empty.csv"
    f.write_text("")
    code, out, err = _run(["night", "--base", "ge2017", "--results", str(f), "--format", "json", "--sims", "100"])
    assert code == 0 and out == "" and "no declarations" in err


def test_session_seeded_reproducibility(session_parts) -> None:
    base, prior = session_parts
    decls, _ = _decls(HEADER + ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n")
    outs = []
    for seed in (7, 7, 8):
        s = NightSession(prior, base, settings=NightSettings(n_sims=300), seed=seed)
        s.apply(decls[0])
        outs.append(s.project().totals)
    assert np.array_equal(outs[0], outs[1])
    assert not np.array_equal(outs[0], outs[2])
