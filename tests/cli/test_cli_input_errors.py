"""Review fixes on inputs: shares typed as fractions, polls CSVs for ``project``, MRP tables,
a wrong ``--db``, errors that list the valid names, and CLI help and message nits.

CLI checks go through typer's :class:`CliRunner` (as in ``test_cli_core``): an error seatcast
raises on purpose comes back as ``result.exception``, which :func:`seatcast.cli.main` would print
as one ``error:`` line.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from seatcast.cli.app import app
from seatcast.errors import DataError, InputError, ScenarioError, SeatcastError, UnknownNameError

runner = CliRunner()
POLLS = ("election_date,pollster,fieldwork_end,sample_size,con,lab,ld,snp,pc,grn,ukip_brexit_reform,other\n"
         "2029-05-01,Foo,2029-04-30,1000,25,35,12,3,1,8,14,2\n"
         "2029-05-01,Bar,2029-04-30,1000,23,37,11,3,1,7,16,2\n")


def invoke(*args: str) -> Result:
    from seatcast.cli import main  # noqa: F401  (registers every command module)

    return runner.invoke(app, list(args))


def failure(r: Result) -> str:
    """The message of a command that failed on purpose (a SeatcastError, never a crash)."""
    assert r.exit_code != 0, r.output
    assert isinstance(r.exception, SeatcastError), repr(r.exception)
    return str(r.exception)


def flat(text: str) -> str:
    """Rich wraps lines to the terminal width: compare text with the wrapping undone."""
    return " ".join(text.split())


# ---- 1. shares given as fractions ---------------------------------------------------------------
def test_api_rejects_fraction_shares() -> None:
    import seatcast

    with pytest.raises(InputError, match=r"look like fractions \(they add up to 0\.757\).*con=43\.6"):
        seatcast.project("ge2017", {"con": 0.436, "lab": 0.321})
    with pytest.raises(InputError, match="Scotland shares: shares look like fractions"):
        seatcast.project("ge2017", {"con": 43.6, "lab": 32.1}, nations={"Scotland": {"snp": 0.37}})


def test_cli_rejects_fraction_shares() -> None:
    msg = failure(invoke("project", "--base", "ge2019n24", "--share", "lab=0.34", "--share", "con=0.24",
                         "--share", "ruk=0.14"))
    assert "shares look like fractions (they add up to 0.72): give percentages, e.g. lab=34" in msg


def test_percentages_still_accepted_and_fraction_priors_still_read() -> None:
    import seatcast
    from seatcast.night.prior import prior_from_forecast

    pct = seatcast.project("ge2017", {"con": 43.6, "lab": 32.1}, model="uns")
    assert sum(pct.seats_predicted.values()) == 650
    # A forecast JSON may give national shares as fractions: prior.py converts them itself.
    base = seatcast.election("ge2017")
    prior = prior_from_forecast({"parties": {"con": {"share": 0.436}, "lab": {"share": 0.321}}}, base,
                                covariates=False)
    assert prior.n_seats == 650


def test_scenario_with_fraction_national_table_names_the_file(tmp_path: Path) -> None:
    from seatcast.api import open_store
    from seatcast.scenarios.run import prepare_scenario
    from seatcast.scenarios.scenario_file import load_scenario

    f = tmp_path / "frac.toml"
    f.write_text('base = "ge2017"\n[national]\ncon = 0.4\nlab = 0.35\n')
    with pytest.raises(ScenarioError, match=r"frac\.toml: .*look like fractions"):
        prepare_scenario(load_scenario(f), open_store())


# ---- 2. project --polls FILE.csv ----------------------------------------------------------------
def test_project_accepts_a_polls_csv_like_forecast(tmp_path: Path) -> None:
    from seatcast.data.polls_file import read_polls

    polls = tmp_path / "mypolls.csv"
    polls.write_text(POLLS)
    r = invoke("project", "--base", "ge2019n24", "--polls", str(polls), "--model", "uns", "-f", "json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)["seats_predicted"]
    avg = read_polls(str(polls))
    shares = [arg for p, v in avg.items() for arg in ("--share", f"{p}={v}")]
    same = invoke("project", "--base", "ge2019n24", *shares, "--model", "uns", "-f", "json")
    assert same.exit_code == 0, same.output
    assert got == json.loads(same.output)["seats_predicted"]
    assert avg["lab"] == pytest.approx(36.0)  # the mean of the two pollsters' 35 and 37


def test_project_polls_help_and_missing_file(tmp_path: Path) -> None:
    assert "CSV" in flat(invoke("project", "--help").output)
    msg = failure(invoke("project", "--base", "ge2019n24", "--polls", str(tmp_path / "nope.csv")))
    assert "no such polls file" in msg and "nope.csv" in msg
    # A bare word is still read as an election id and lists the ones with final polls.
    msg = failure(invoke("project", "--base", "ge2019n24", "--polls", "ge2099"))
    assert "ge2024" in msg


def test_polls_csv_unknown_party_names_file_and_column(tmp_path: Path) -> None:
    polls = tmp_path / "p4.csv"
    polls.write_text("pollster,con,lab,green,ruk,foo\nFoo,25,35,8,14,5\n")
    for cmd in (("project",), ("forecast", "--sims", "100")):
        err = invoke(*cmd, "--base", "ge2019n24", "--polls", str(polls))
        msg = failure(err)
        assert isinstance(err.exception, DataError)
        assert "p4.csv" in msg and "field 'foo'" in msg and "unknown party 'foo'" in msg and "con" in msg


# ---- 3. MRP tables ------------------------------------------------------------------------------
def _survey(n: int = 60) -> pd.DataFrame:
    votes = ["con", "lab", "ld"]
    return pd.DataFrame({"seat": [("A", "B")[i % 2] for i in range(n)], "vote": [votes[i % 3] for i in range(n)],
                         "age": [("young", "old")[(i // 2) % 2] for i in range(n)]})


def _frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["seat", "age", "count"])


GOOD_FRAME = [("A", "young", 10.0), ("A", "old", 20.0), ("B", "young", 30.0), ("B", "old", 5.0)]


@pytest.mark.parametrize(("frame", "words"), [
    ([("A", "young", 10.0), ("B", "young", 5.0)], ["frame", "field 'age'", "'old'", "in no row of the frame"]),
    ([("A", "young", -4.0), *GOOD_FRAME[1:]], ["frame", "row 2", "field 'count'", "'-4.0'"]),
    ([*GOOD_FRAME, ("A", "mid", 3.0)], ["frame", "row 6", "field 'age'", "'mid'", "no respondents"]),
    ([("A", "young", 0.0), ("A", "old", 0.0), *GOOD_FRAME[2:]], ["frame", "field 'count'", "seat 'A'"]),
])
def test_mrp_frame_errors(frame: list[tuple[str, str, float]], words: list[str]) -> None:
    from seatcast.models.mrp import fit_mrp

    with pytest.raises(DataError) as info:
        fit_mrp(_survey(), _frame(frame))
    for w in words:
        assert w in str(info.value), str(info.value)


def test_mrp_survey_errors() -> None:
    from seatcast.models.mrp import fit_mrp

    frame = _frame(GOOD_FRAME)
    with pytest.raises(DataError, match=r"survey: no demographic column"):
        fit_mrp(_survey().drop(columns="age"), frame)
    with pytest.raises(DataError, match=r"survey, field 'vote': need at least two parties .*\(4 respondents"):
        fit_mrp(_survey(4), frame)
    with pytest.raises(DataError, match=r"survey: no respondents"):
        fit_mrp(_survey(0), frame)
    blank = _survey()
    blank.loc[2, "vote"] = None
    with pytest.raises(DataError, match=r"survey, row 4, field 'vote': blank cell"):
        fit_mrp(blank, frame)


def test_mrp_cli_errors_name_the_files(tmp_path: Path) -> None:
    s, f = tmp_path / "survey.csv", tmp_path / "fr2.csv"
    _survey().to_csv(s, index=False)
    _frame([("A", "young", 10.0), ("B", "young", 5.0)]).to_csv(f, index=False)
    msg = failure(invoke("mrp", "fit", "--survey", str(s), "--frame", str(f)))
    assert str(f) in msg and "field 'age'" in msg
    few = tmp_path / "few.csv"
    _survey().drop(columns="age").to_csv(few, index=False)
    _frame(GOOD_FRAME).to_csv(f, index=False)
    msg = failure(invoke("mrp", "fit", "--survey", str(few), "--frame", str(f)))
    assert str(few) in msg and "no demographic column" in msg
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty file" in failure(invoke("mrp", "fit", "--survey", str(empty), "--frame", str(f)))


def test_mrp_valid_tables_still_fit() -> None:
    from conftest import need
    from seatcast.models.mrp import fit_mrp

    need("statsmodels")
    res = fit_mrp(_survey(), _frame(GOOD_FRAME))
    assert list(res.shares.index) == ["A", "B"]
    assert (res.shares.sum(axis=1) - 1).abs().max() < 1e-9


# ---- 4. a wrong --db ----------------------------------------------------------------------------
def test_db_that_is_not_sqlite(tmp_path: Path) -> None:
    csv = tmp_path / "mypolls.csv"
    csv.write_text(POLLS)
    msg = failure(invoke("elections", "--db", str(csv)))
    assert msg == f"not a seatcast database (SQLite): {csv}"
    assert csv.read_text() == POLLS  # left untouched
    with pytest.raises(DataError, match="cannot open seatcast database"):
        import seatcast

        seatcast.elections(db=tmp_path)  # a folder


# ---- 5. errors that list the valid names --------------------------------------------------------
def test_unknown_party_and_model_list_the_valid_ones() -> None:
    import seatcast

    with pytest.raises(UnknownNameError, match=r"unknown party 'xyz'; choose one of .*\bcon\b.*\blab\b"):
        seatcast.project("ge2017", {"xyz": 30})
    with pytest.raises(UnknownNameError, match=r"unknown model 'foo'; choose one of .*transition.*uns"):
        seatcast.project("ge2017", {"con": 30}, model="foo")
    # A close name still gets "did you mean", and a long list (650 seats) is never printed.
    assert "did you mean 'lab'" in str(UnknownNameError("party", "labr", ["lab", "con"]))
    assert str(UnknownNameError("seat", "zzz", [f"S{i}" for i in range(650)])) == "unknown seat 'zzz'"


def test_scenario_errors_drop_pydantics_label() -> None:
    from seatcast.scenarios.scenario_file import parse_scenario

    bad = {"base": "ge2017", "national": {"con": 40},
           "step": [{"kind": "candidate", "seat": "Derby North", "from": {"lab": 0.9, "con": 0.55}}]}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad, source="s8.toml")
    assert str(info.value) == "s8.toml: step[1].from: fractions add up to 1.450, more than 1"


# ---- 6. CLI nits --------------------------------------------------------------------------------
def test_version() -> None:
    r = invoke("--version")
    assert r.exit_code == 0 and r.output.strip() == f"seatcast {version('seatcast')}"


def test_help_texts() -> None:
    inc = flat(invoke("incumbency", "--help").output)
    assert "``" not in inc and "--backtest" in inc
    seed_line = next(ln for ln in invoke("incumbency", "--help").output.splitlines() if "--seed" in ln)
    assert "Random seed" in seed_line
    usage = invoke("import", "--help").output
    assert "{file}" not in usage and "import [OPTIONS] FILE" in flat(usage)
    assert "results [OPTIONS] ELECTION SEAT" in flat(invoke("results", "--help").output)


def test_split_all_footer_reads() -> None:
    r = invoke("split", "--all", "--election", "ge2019")
    assert r.exit_code == 0, r.output
    out = flat(r.output)
    assert "names nobody for abstain" not in out and "sends voters nowhere abstains" in out


def test_import_summary_is_singular_for_one(tmp_path: Path) -> None:
    f = tmp_path / "one.csv"
    f.write_text("district_id,district_name,region,party,candidate,votes\n"
                 "A1,Alder,North,Red,Rita,100\nA1,Alder,North,Blue,Bob,50\n")
    r = invoke("import", str(f), "--election", "toy1", "--db", str(tmp_path / "t.db"))
    assert r.exit_code == 0, r.output
    out = flat(r.output)
    assert "1 district, 2 candidacies, 1 region" in out and "1 regions" not in out
