"""End-to-end through the CLI: split, systems, scenario (point and simulated), incumbency."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.data.store import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "derby-north-2019.toml"
runner = CliRunner()


def run_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_split_seat_and_all(store: Store) -> None:
    d = run_json("split", "Derby North", "--election", "ge2019")
    assert d["seat"] == "Derby North" and d["winner"] == "con"
    assert {c["name"] for c in d["candidates"]} >= {"Chris Williamson", "Amanda Solloway"}
    a = run_json("split", "--election", "ge2019", "--all")
    assert set(a) >= {"seats", "spoilers_by_party"} and a["n_seats"] == len({s["id"] for s in a["seats"]})
    assert sum(a["spoilers_by_party"].values()) == len(a["seats"])
    assert all(s["winner_without"] != s["winner"] for s in a["seats"])
    table = runner.invoke(app, ["split", "Derby North", "--election", "ge2019"])
    assert table.exit_code == 0 and "Williamson" in table.stdout


def test_systems(store: Store) -> None:
    d = run_json("systems", "--election", "ge2019")
    assert set(d["systems"]) == {"fptp", "av", "dhondt"}
    assert all(v["gallagher"] >= 0 for v in d["systems"].values())


def test_scenario_point_and_simulated(store: Store) -> None:
    d = run_json("scenario", str(EXAMPLE))
    (seat,) = d["seats"]
    assert seat["seat"] == "Derby North" and len(seat["stages"]) == 2
    without, with_ = seat["stages"]
    assert "ind" not in without["shares"] and with_["shares"]["ind"] > 0
    assert with_["shares"]["lab"] < without["shares"]["lab"]
    assert seat["actual_for_comparison_only"]["election"] == "ge2019"
    assert d["steps"][0]["records"][0]["seat"] == "Derby North"
    s1 = run_json("scenario", str(EXAMPLE), "--sims", "1000", "--seed", "3")
    s2 = run_json("scenario", str(EXAMPLE), "--sims", "1000", "--seed", "3")
    assert s1 == s2
    p0, p1 = (st["p_win"] for st in s1["seats"][0]["stages"])
    assert abs(sum(p0.values()) - 1) < 1e-3 and p1.get("ind", 0) > 0
    assert s1["seats"][0]["p_win_change"]["con"] == round(p1.get("con", 0) - p0.get("con", 0), 4)
    table = runner.invoke(app, ["scenario", str(EXAMPLE)])
    assert table.exit_code == 0 and "for comparison only" in table.stdout


def test_incumbency_command(store: Store) -> None:
    d = run_json("incumbency", "--election", "ge2019")
    names = {c["name"] for c in d["independent"]["cases"]}
    assert "Sylvia Hermon" in names and "Chris Williamson" not in names  # only elections before 2019
    assert d["retire"] < 0 < d["stand"]
