"""Review checks across the CLI: the issues' JSON contracts, and bad input as a one-line error.

Bad input is run through :func:`seatcast.cli.main` (the console script), which must print one
``error: ...`` line naming the problem and exit with status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import need
from seatcast.cli import main

HEADER = "district_id,district_name,region,party,candidate,votes\n"
STREAM = (HEADER + ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n"
          + ",Derby South,EM,Labour,C,25000\n,Derby South,EM,Conservative,D,15000\n")


def cli(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run the console script in-process: exit status, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["seatcast", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *words: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], lines[0]


# ---- contracts: the keys the issues name --------------------------------------------------------

def test_contract_project_and_backtest(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli(["project", "--base", "ge2017", "-s", "con=43.6", "-s", "lab=32.1", "-s", "ld=11.6",
                        "--model", "uns", "-f", "json"], capsys, monkeypatch)
    d = json.loads(out)
    assert code == 0 and {"base", "model", "seats_predicted", "seats"} <= set(d)
    assert {"id", "name", "region", "winner", "shares"} <= set(d["seats"][0])
    code, out, _ = cli(["backtest", "ge2017", "--model", "uns", "--probabilistic", "--sims", "200", "--seed", "1",
                        "-f", "json"], capsys, monkeypatch)
    d = json.loads(out)
    assert code == 0 and {"election", "base", "model", "inputs", "n_seats", "seats_predicted", "seats_actual",
                          "seat_total_error", "seats_correct", "seats_correct_gb", "share_mae", "brier", "log_loss",
                          "calibration", "seats_interval", "in_interval"} <= set(d)
    assert set(d["in_interval"]) <= set(d["seats_interval"])


def test_contract_forecast(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli(["forecast", "--base", "ge2019n24", "--polls", "ge2024", "--model", "uns", "--sims", "200",
                        "--seed", "7", "-f", "json"], capsys, monkeypatch)
    d = json.loads(out)
    assert code == 0 and {"n_sims", "seed", "parties", "seats", "p_hung"} <= set(d)
    keys = {"seats_mean", "seats_median", "seats_p05", "seats_p95", "p_majority", "p_largest"}
    assert keys <= set(d["parties"]["lab"])
    assert {"id", "name", "p_win", "shares"} <= set(d["seats"][0])


def test_contract_split(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli(["split", "Derby North", "--election", "ge2019", "-f", "json"], capsys, monkeypatch)
    d = json.loads(out)
    assert code == 0 and {"seat", "winner", "candidates"} <= set(d)
    assert {"name", "party", "votes", "winner_without"} <= set(d["candidates"][0])
    code, out, _ = cli(["split", "--election", "ge2019", "--all", "-f", "json"], capsys, monkeypatch)
    d = json.loads(out)
    assert code == 0 and {"seats", "spoilers_by_party"} <= set(d)


def test_contract_night_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "stream.csv"
    f.write_text(STREAM)
    code, out, _ = cli(["night", "--base", "ge2017", "--results", str(f), "--sims", "100", "-f", "json"],
                       capsys, monkeypatch)
    lines = [json.loads(ln) for ln in out.splitlines()]
    assert code == 0 and len(lines) == 2
    assert {"declared", "last_seat", "seats_projected", "seats_interval"} <= set(lines[-1])
    code, out, _ = cli(["night", "--replay", "ge2017", "--order", "realistic", "--sims", "100", "-f", "json"],
                       capsys, monkeypatch)
    lines = [json.loads(ln) for ln in out.splitlines()]
    assert code == 0 and "seat_total_error" in lines[0] and "summary" in lines[-1]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_plot_commands_offer_format(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    need("matplotlib")
    png = tmp_path / "cal.png"
    code, out, _ = cli(["plot", "calibration", "ge2017", "--model", "uns", "--sims", "200", "-o", str(png),
                        "-f", fmt], capsys, monkeypatch)
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    if fmt == "json":
        d = json.loads(out)
        assert d["output"] == str(png) and 0 < d["brier"] < 1
    else:
        assert out.splitlines()[0].startswith("output,") and str(png) in out


# ---- bad input: one line, exit 2 ----------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["forecast", "--base", "ge2019n24", "-s", "lab=40", "--model", "uns", "--sims", "10", "--seed", "-1"],
     ["seed", "-1"]),
    (["backtest", "ge2017", "--model", "uns", "--probabilistic", "--sims", "10", "--seed", "-3"], ["seed"]),
    (["night", "--replay", "ge2017", "--order", "random", "--runs", "1", "--seed", "-1"], ["seed"]),
    (["night", "--replay", "ge2017", "--order", "random", "--runs", "1", "--sims", "-4"], ["simulations", "-4"]),
    (["night", "--replay", "ge2017", "--runs", "-1"], ["runs", "-1"]),
    (["night", "--base", "ge2017", "--results", "-", "--top", "-2"], ["--top"]),
    (["plot", "calibration", "ge2017", "-o", "/nonexistent-folder/x.png"], ["folder"]),
    (["plot", "backtest", "ge2017", "-o", "out.xyz"], [".xyz"]),
    (["project", "--base", "ge2017", "-s", "con=abc"], ["abc"]),
    (["project", "--base", "ge2017", "-s", "con=150"], ["150"]),
    (["project", "--base", "ge2099", "-s", "con=40"], ["ge2099"]),
    (["project", "--base", "ge2017", "-s", "con=40", "--model", "nope"], ["nope"]),
    (["results", "ge2019", "Derby Nort"], ["Derby North"]),
    (["split", "Derby North", "--election", "ge2099"], ["ge2099"]),
    (["forecast", "--base", "ge2019n24", "-s", "lab=40", "--model", "uns", "--sims", "-5"], ["-5"]),
    (["incumbency", "--election", "ge2099"], ["ge2099"]),
])
def test_bad_input_is_one_line(args: list[str], words: list[str], capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = cli(args, capsys, monkeypatch)
    one_line_error(code, err, *words)


def test_scenario_negative_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "s.toml"
    f.write_text('base = "ge2017"\npolls = "final"\nmodel = "uns"\n')
    code, _, err = cli(["scenario", str(f), "--sims", "10", "--seed", "-1"], capsys, monkeypatch)
    one_line_error(code, err, "seed")


@pytest.mark.parametrize("body, words", [
    ("pollster,fieldwork_end,con,lab,ld\nA,2024-07-01,20,40,11\nB,2024-07-02,abc,41,12\n", ["row 3", "'con'", "abc"]),
    ("pollster,fieldwork_end,con,lab,ld\nA,2024-07-01,20,40,11\nB,2024-07-02,-5,41,12\n", ["row 3", "'con'", "-5"]),
    ("pollster,fieldwork_end,con,lab,ld\nA,2024-07-01,20,40,11\nB,2024-07-02,20,41\n", ["row 3", "4 fields"]),
    ("pollster,fieldwork_end,con,lab,ld\nA,2024-07-01,20,40,11,5,6\n", ["row 2", "7 fields"]),
    ("", ["empty"]),
])
def test_bad_polls_file_names_the_row(body: str, words: list[str], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "polls.csv"
    f.write_text(body)
    code, _, err = cli(["forecast", "--base", "ge2019n24", "--polls", str(f), "--model", "uns", "--sims", "10"],
                       capsys, monkeypatch)
    one_line_error(code, err, "polls.csv", *words)


def test_polls_file_blank_cells_are_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "polls.csv"
    f.write_text("pollster,fieldwork_end,con,lab,ld,green\nA,2024-07-01,20,40,11,\nB,2024-07-02,22,38,12,7\n")
    code, out, err = cli(["forecast", "--base", "ge2019n24", "--polls", str(f), "--model", "uns", "--sims", "10",
                          "--seed", "1", "-f", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert json.loads(out)["n_sims"] == 10
