"""The core commands end to end through the CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from seatcast.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    from seatcast.cli import main  # noqa: F401  (registers every command module)

    r = runner.invoke(app, list(args))
    return r.exit_code, r.output


def test_elections_json() -> None:
    code, out = run("elections", "--format", "json")
    assert code == 0
    assert {e["id"] for e in json.loads(out)["elections"]} >= {"ge2010", "ge2019n24", "ge2024"}


def test_results_json() -> None:
    code, out = run("results", "ge2019", "derby north", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["winner"] == {"name": "Amanda Solloway", "party": "con"}
    assert {"name": "Chris Williamson", "votes": 635} .items() <= next(
        c for c in d["candidates"] if c["name"] == "Chris Williamson").items()


def test_results_by_ons_id_and_table() -> None:
    code, out = run("results", "ge2017", "E14000662")
    assert code == 0 and "Williamson" in out and "23,622" in out


def test_project_json_contract() -> None:
    code, out = run("project", "--base", "ge2017", "--share", "con=43.6", "--share", "lab=32.1", "--share",
                    "ld=11.6", "--model", "uns", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert {"base", "model", "seats_predicted", "seats"} <= set(d)
    assert d["base"] == "ge2017" and d["model"] == "uns"
    seat = d["seats"][0]
    assert {"id", "name", "region", "winner", "shares"} <= set(seat)
    assert sum(d["seats_predicted"].values()) == 650


def test_project_one_seat_csv() -> None:
    code, out = run("project", "--base", "ge2017", "--share", "con=43.6", "--share", "lab=32.1", "--seat",
                    "Derby North", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "party,base,projected"


def test_backtest_json() -> None:
    code, out = run("backtest", "ge2019", "--model", "transition", "--inputs", "actual", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["election"] == "ge2019" and d["base"] == "ge2017" and d["inputs"] == "actual"
    assert d["seats_correct_gb"] > 550


def test_errors_are_one_line() -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "seatcast", "results", "ge2019", "Derby Nort"], capture_output=True,
                       text=True, check=False)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: unknown seat 'Derby Nort'; did you mean 'Derby North'")
    code, _ = run("project", "--base", "ge2017", "--share", "con=abc")
    assert code != 0


def test_backtest_json_gives_every_seats_call() -> None:
    code, out = run("backtest", "ge2019", "--model", "uns", "--format", "json")
    assert code == 0
    d = json.loads(out)
    seats = d["seats"]
    assert len(seats) == d["n_seats"] == 650
    assert sum(s["correct"] for s in seats if s["gb"]) == d["seats_correct_gb"]
    derby = next(s for s in seats if s["name"] == "Derby North")
    assert derby["actual"] == "con" and derby["actual_shares"]["con"] > derby["actual_shares"]["lab"]
    assert abs(sum(derby["projected"].values()) - 1) < 1e-3
    assert derby["predicted"] == max(derby["projected"], key=derby["projected"].get)


def test_backtest_csv_per_seat_and_summary() -> None:
    import csv
    import io

    code, out = run("backtest", "ge2019", "--model", "uns", "--format", "csv", "--per-seat")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 650 and {"id", "predicted", "actual", "projected_con", "actual_con"} <= set(rows[0])
    code, summary = run("backtest", "ge2019", "--model", "uns", "--format", "csv")
    header = summary.splitlines()[0].split(",")
    assert code == 0 and len(summary.strip().splitlines()) == 2 and "seats_correct_gb" in header and "id" not in header
