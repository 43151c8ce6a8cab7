"""Review fixes: one default model everywhere, one Brier score per setting, result objects as promised.

1. The web API and the dashboard default to ``auto``, as the CLI and the Python API do.
2. ``seatcast plot calibration`` defaults to by-nation polls, as ``backtest --probabilistic``
   does, so both report the same Brier score; its title names the model that ran.
3. Every result object has ``to_dict()`` and ``to_frame()``; ``seatcast.forecast`` is the
   Monte Carlo forecast the CLI runs.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import seatcast
from conftest import need
from seatcast.cli import main
from seatcast.data.store import Store
from seatcast.errors import InputError
from seatcast.models import MODELS
from seatcast.projection import DEFAULT_MODEL, resolve_model

SHARES = {"lab": 40.0, "con": 22.0, "ruk": 15.0}
BASE = "ge2019n24"


def cli(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the console script in-process with ``-f json`` and return the parsed output."""
    monkeypatch.setattr(sys, "argv", ["seatcast", *args, "-f", "json"])
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


# ---- 1. the web API's default model ------------------------------------------------------------

@pytest.fixture(scope="module")
def client(store_path: Path, store: Store) -> Iterator[Any]:
    need("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from seatcast.web.app import create_app

    with TestClient(create_app(db=store_path, max_sims=5000, warm=False), base_url="http://localhost") as c:
        yield c


def test_project_defaults_to_auto_like_the_cli(client: Any, store_path: Path) -> None:
    plain = client.post("/api/project", json={"base": BASE, "shares": SHARES})
    assert plain.status_code == 200, plain.text
    got = plain.json()
    auto = client.post("/api/project", json={"base": BASE, "model": "auto", "shares": SHARES}).json()
    uns = client.post("/api/project", json={"base": BASE, "model": "uns", "shares": SHARES}).json()
    # The answer names the model that ran: auto resolved on a bundled UK base.
    assert got["model"] == auto["model"] == resolve_model("auto", seatcast.election(BASE, db=store_path))
    assert got["model"] == "covariate"
    assert got["seats_predicted"] == auto["seats_predicted"]
    assert got["seats_predicted"] != uns["seats_predicted"]  # the default really changed
    # The same numbers as the Python API's default (and so the CLI's).
    py = seatcast.project(BASE, SHARES, db=store_path)
    assert got["seats_predicted"] == py.seats_predicted
    assert got["winners"] == [str(w) for w in py.winners]


def test_forecast_defaults_to_auto(client: Any) -> None:
    r = client.post("/api/forecast", json={"base": BASE, "shares": SHARES, "sims": 200, "seed": 1})
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "covariate"


def test_every_model_stays_available_and_the_keys_stay(client: Any) -> None:
    meta = client.get("/api/meta").json()
    assert next(iter(meta["models"])) == DEFAULT_MODEL == meta["default_model"]
    assert set(MODELS) <= set(meta["models"])
    assert {"models", "parties", "default_base", "max_sims", "majority", "features"} <= set(meta)
    for m in MODELS:
        r = client.post("/api/project", json={"base": BASE, "model": m, "shares": SHARES})
        assert r.status_code == 200 and r.json()["model"] == m, r.text
    keys = {"base", "model", "boundaries", "parties", "seats_predicted", "national_target", "notes", "steps",
            "seat_ids", "names", "winners", "shares"}
    assert set(client.post("/api/project", json={"base": BASE}).json()) == keys


def test_seat_result_flags_its_winner(client: Any) -> None:
    r = client.get("/api/results/ge2019/Derby North").json()
    assert {"election", "id", "name", "winner", "majority", "majority_share", "candidates"} <= set(r)
    winners = [c for c in r["candidates"] if c["winner"]]
    assert len(winners) == 1 and winners[0]["party"] == r["winner"]["party"]


def test_warm_up_prepares_the_pages_first_requests(store_path: Path, store: Store) -> None:
    need("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from seatcast.web import schemas as s
    from seatcast.web.app import create_app

    app = create_app(db=store_path, warm=True)
    dash = app.state.dashboard
    first = s.ProjectRequest(base=dash.default_base())
    assert dash._answers.get(first.model_dump_json()) is None
    with TestClient(app, base_url="http://localhost") as c:  # the lifespan warms up before the first request
        assert dash._answers.get(first.model_dump_json()) is not None  # the page's first answer is ready
        assert c.post("/api/project", json={"base": first.base}).json()["model"] == "covariate"


# ---- 2. one Brier score per setting ------------------------------------------------------------

def test_plot_calibration_matches_backtest_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    need("matplotlib")
    common = ["--model", "uns", "--sims", "300", "--seed", "0"]
    plot = cli(["plot", "calibration", "ge2017", "-o", str(tmp_path / "c.png"), *common], capsys, monkeypatch)
    back = cli(["backtest", "ge2017", "--probabilistic", *common], capsys, monkeypatch)
    assert plot["by_nation"] is True
    assert plot["brier"] == back["brier"] and plot["log_loss"] == back["log_loss"]
    gb = cli(["plot", "calibration", "ge2017", "-o", str(tmp_path / "g.png"), "--gb-only", *common], capsys,
             monkeypatch)
    back_gb = cli(["backtest", "ge2017", "--probabilistic", "--gb-only", *common], capsys, monkeypatch)
    assert gb["by_nation"] is False and gb["brier"] == back_gb["brier"]
    assert gb["brier"] != plot["brier"]  # the two settings are different forecasts


def test_plot_calibration_title_names_the_model_that_ran(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    need("matplotlib")
    import seatcast.plots.calibration as cal

    titles: list[str] = []
    real = cal.plot_calibration

    def spy(bins: Any, **kw: Any) -> Any:
        titles.append(str(kw.get("title")))
        return real(bins, **kw)

    monkeypatch.setattr(cal, "plot_calibration", spy)
    out = cli(["plot", "calibration", "ge2017", "-o", str(tmp_path / "c.png"), "--sims", "200"], capsys,
              monkeypatch)
    assert out["model"] == "covariate"
    assert len(titles) == 1 and "covariate" in titles[0] and "auto" not in titles[0]
    assert f"{out['brier']:.3f}" in titles[0] and "Scotland/Wales" in titles[0]


# ---- 3. result objects and the forecast entry point --------------------------------------------

def test_constituency_to_dict_matches_the_cli(store_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seat = seatcast.results("ge2019", "Derby North", db=store_path)
    d = seat.to_dict()
    shown = cli(["results", "ge2019", "Derby North"], capsys, monkeypatch)
    assert shown.pop("election") == "ge2019"
    flags = [c.pop("winner") for c in d["candidates"]]
    assert d == shown
    assert flags.count(True) == 1 and d["candidates"][flags.index(True)]["party"] == seat.winner.party_code


def test_constituency_to_frame(store_path: Path) -> None:
    seat = seatcast.results("ge2019", "Derby North", db=store_path)
    df = seat.to_frame()
    assert len(df) == len(seat.candidacies)
    assert list(df.columns[:5]) == ["seat_id", "name", "party", "label", "votes"]
    assert set(df.seat_id) == {seat.id}
    assert df.winner.sum() == 1 and df.loc[df.winner, "party"].item() == seat.winner.party_code
    assert df.votes.tolist() == [k.votes for k in seat.candidacies]
    assert df.share.sum() == pytest.approx(1.0, abs=1e-3)
    notional = seatcast.results("ge2019n24", "Derby North", db=store_path).to_frame()
    assert str(notional.votes.dtype) == "Int64" and notional.winner.sum() == 1


def test_backtest_to_frame(store_path: Path) -> None:
    bt = seatcast.backtest("ge2019", model="uns", db=store_path)
    df = bt.to_frame()
    assert len(df) == bt.n_seats
    assert {"id", "name", "nation", "base_winner", "predicted", "actual", "correct", "gb"} <= set(df.columns)
    assert int(df.correct.sum()) == bt.seats_correct
    assert int(df[df.gb].correct.sum()) == bt.seats_correct_gb and int(df.gb.sum()) == bt.n_seats_gb
    assert df.predicted.value_counts().to_dict() == bt.seats_predicted
    assert df.actual.value_counts().to_dict() == bt.seats_actual


def test_forecast_entry_point_is_what_the_cli_runs(store_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert "forecast" in seatcast.__all__
    got = seatcast.forecast(BASE, polls="ge2024", shares={"LAB": 35}, model="uns", sims=500, seed=3, db=store_path)
    shown = cli(["forecast", "--base", BASE, "--polls", "ge2024", "-s", "lab=35", "--model", "uns",
                 "--sims", "500", "--seed", "3"], capsys, monkeypatch)
    assert json.loads(json.dumps(got.to_dict())) == shown
    df = got.to_frame()
    assert len(df) == len(got.seat_ids)
    with pytest.raises(InputError, match="give national shares"):
        seatcast.forecast(BASE, sims=10, db=store_path)
