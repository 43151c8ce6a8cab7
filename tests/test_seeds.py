"""Reproducibility of every random entry point (STYLE.md point 5), in one parametrized test.

Each case maps a seed to the bytes the entry point produces (JSON text, CSV text or raw array
bytes). The same seed must give the same bytes; a different seed must give different bytes.
Cases are kept small (a few hundred simulations, a couple of declarations) so the file runs in
seconds. Where an entry point accepts ``seed=None``, a second test checks that two unseeded runs
differ and that the seed recorded in the output repeats the run.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import need
from seatcast.cli import app
from seatcast.cli.output import to_json
from seatcast.data.store import Store

SHARES_2024 = {"lab": 39.7, "con": 23.7, "ld": 12.2, "ruk": 15.8, "green": 6.8}
HEADER = "district_id,district_name,region,party,candidate,votes\n"
SCENARIO = """
base = "ge2017"
polls = "final"
model = "uns"

[[step]]
kind = "candidate"
seat = "Derby North"
name = "Chris Williamson"
label = "Independent"
incumbent = true
share = { mean = 0.05, sd = 0.04 }
"""


def _cli(args: list[str]) -> bytes:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.stdout.encode()


@pytest.fixture(scope="module")
def uns_setup(store: Store) -> Any:
    from seatcast.projection import prepare

    return prepare(store.load("ge2019n24"), SHARES_2024, model="uns", as_of="2024-07-04", store=store)


@pytest.fixture(scope="module")
def error_2024(store: Store) -> Any:
    from seatcast.simulate import estimate_error

    return estimate_error("2024-07-04", store=store)


@pytest.fixture(scope="module")
def night_parts(store: Store) -> Any:
    from seatcast.night.prior import prior_from_projection
    from seatcast.projection import project

    base = store.load("ge2017")
    return base, prior_from_projection(project(base, model="uns"), base, covariates=False)


def case_simulate(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.simulate import simulate

    setup, error = request.getfixturevalue("uns_setup"), request.getfixturevalue("error_2024")
    return to_json(simulate(setup, n_sims=300, seed=seed, error=error).to_dict()).encode()


def case_simulate_workers(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.simulate import BLOCK, simulate

    setup, error = request.getfixturevalue("uns_setup"), request.getfixturevalue("error_2024")
    res = simulate(setup, n_sims=BLOCK + 20, seed=seed, error=error, chunk_size=BLOCK, workers=2)
    return to_json(res.to_dict()).encode()


def case_reference(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.simulate.reference import reference_simulate

    setup, error = request.getfixturevalue("uns_setup"), request.getfixturevalue("error_2024")
    wins, share_sum = reference_simulate(setup, n_sims=20, seed=seed, error=error)
    return wins.tobytes() + share_sum.tobytes()


def case_forecast_cli(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    return _cli(["forecast", "--base", "ge2019n24", *[a for p, v in SHARES_2024.items() for a in ("-s", f"{p}={v}")],
                 "--model", "uns", "--sims", "300", "--seed", str(seed), "-f", "json"])


def case_probabilistic_backtest(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    return _cli(["backtest", "ge2017", "--model", "uns", "--probabilistic", "--sims", "300", "--seed", str(seed),
                 "-f", "json"])


def case_scenario_distribution(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    path = tmp / "scenario.toml"
    path.write_text(SCENARIO)
    out = _cli(["scenario", str(path), "--sims", "300", "--seed", str(seed), "-f", "json"])
    return out.replace(str(path).encode(), b"SCENARIO")


def case_night_replay_random(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.night.model import NightSettings
    from seatcast.night.replay import replay

    store: Store = request.getfixturevalue("store")
    res = replay(store.load("ge2019"), store.load("ge2017"), orders=("random",), runs=2, seed=seed,
                 checkpoints=(10, 50), settings=NightSettings(n_sims=100))
    return to_json({"summary": res.to_dict(), "checkpoints": [cp.to_dict() for cp in res.checkpoints]}).encode()


def case_night_random_order(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.night.orders import random_order

    return random_order(650, seed).tobytes()


def case_night_live_session(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.night.model import NightSettings
    from seatcast.night.stream import NightSession, declarations, read_rows

    base, prior = request.getfixturevalue("night_parts")
    text = HEADER + ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n"
    session = NightSession(prior, base, settings=NightSettings(n_sims=200), seed=seed)
    errors: list[Exception] = []
    for decl in declarations(read_rows(text.splitlines(), on_error=errors.append)):
        session.apply(decl)
    assert not errors and session.n_declared == 1
    return to_json(session.project(last_seat="Derby North").to_dict()).encode()


def case_night_live_cli(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    path = tmp / "stream.csv"
    path.write_text(HEADER + ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n"
                    + ",Derby South,EM,Labour,C,25000\n,Derby South,EM,Conservative,D,15000\n")
    return _cli(["night", "--base", "ge2017", "--results", str(path), "--sims", "200", "--seed", str(seed),
                 "-f", "json"])


def case_mrp_synthetic(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    from seatcast.models.mrp import synthetic

    survey, frame, truth = synthetic(seed, n_seats=6, n_respondents=300)
    return (survey.to_csv(index=False) + frame.to_csv(index=False) + truth.to_csv()).encode()


def case_web_forecast(request: pytest.FixtureRequest, seed: int, tmp: Path) -> bytes:
    need("fastapi")
    need("httpx")
    with warnings.catch_warnings():  # starlette's notice that it prefers httpx2 to httpx
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from seatcast.web.app import create_app

    body = {"base": "ge2019n24", "model": "uns", "shares": SHARES_2024, "sims": 200, "seed": seed}
    with TestClient(create_app(db=request.getfixturevalue("store_path"), max_sims=1000),
                    base_url="http://localhost") as client:  # the app answers to loopback names only
        r = client.post("/api/forecast", json=body)
    assert r.status_code == 200, r.text
    return r.content


CASES: dict[str, Callable[[pytest.FixtureRequest, int, Path], bytes]] = {
    "simulate": case_simulate,
    "simulate-workers": case_simulate_workers,
    "simulate-reference": case_reference,
    "forecast-cli": case_forecast_cli,
    "backtest-probabilistic": case_probabilistic_backtest,
    "scenario-distribution-step": case_scenario_distribution,
    "night-replay-random-orders": case_night_replay_random,
    "night-random-order": case_night_random_order,
    "night-live-session": case_night_live_session,
    "night-live-cli": case_night_live_cli,
    "mrp-synthetic": case_mrp_synthetic,
    "web-forecast": case_web_forecast,
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_seed_same_bytes_different_seed_different(name: str, request: pytest.FixtureRequest,
                                                       tmp_path: Path) -> None:
    run = CASES[name]
    first = run(request, 11, tmp_path)
    again = run(request, 11, tmp_path)
    other = run(request, 12, tmp_path)
    assert first, "the entry point produced no output"
    assert first == again, f"{name}: the same seed gave different output"
    assert first != other, f"{name}: a different seed gave the same output"


def test_unseeded_forecast_varies_and_its_recorded_seed_repeats_it() -> None:
    args = ["forecast", "--base", "ge2019n24", "-s", "lab=40", "-s", "con=24", "--model", "uns", "--sims", "200",
            "-f", "json"]
    a, b = json.loads(_cli(args)), json.loads(_cli(args))
    assert a["seed"] != b["seed"] and a["seats"] != b["seats"]
    again = json.loads(_cli([*args, "--seed", str(a["seed"])]))
    assert again == a


def test_unseeded_scenario_records_one_seed_that_repeats_it(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO)
    args = ["scenario", str(path), "--sims", "200", "-f", "json"]
    a = json.loads(_cli(args))
    assert isinstance(a["seed"], int)
    assert json.loads(_cli([*args, "--seed", str(a["seed"])])) == a


def test_night_random_orders_differ_by_seed() -> None:
    from seatcast.night.orders import random_order

    a, b = random_order(650, 1), random_order(650, 2)
    assert sorted(a.tolist()) == list(range(650)) and not np.array_equal(a, b)
