"""A huge simulation count is refused at once, naming the limit and how to raise it; work is listed lazily."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.errors import InputError
from seatcast.simulate import engine
from seatcast.simulate.limits import DEFAULT_MAX_SIMS, check_sims, max_sims


def test_huge_sims_are_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import seatcast.projection

    monkeypatch.delenv("SEATCAST_MAX_SIMS", raising=False)

    def no_setup(*_a: object, **_k: object) -> None:
        raise AssertionError("the set-up work ran before the limit was checked")

    monkeypatch.setattr(seatcast.projection, "prepare", no_setup)
    with pytest.raises(InputError, match=r"over the limit of 10,000,000 .*SEATCAST_MAX_SIMS"):
        seatcast.forecast("ge2019", polls="ge2024", sims=10**15, seed=0)


def test_the_limit_is_raised_or_lowered_by_one_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEATCAST_MAX_SIMS", "500")
    assert max_sims() == 500
    with pytest.raises(InputError, match="501 is over the limit of 500"):
        check_sims(501)
    check_sims(500)
    monkeypatch.setenv("SEATCAST_MAX_SIMS", "lots")
    with pytest.raises(InputError, match="not an integer"):
        max_sims()
    monkeypatch.setenv("SEATCAST_MAX_SIMS", str(DEFAULT_MAX_SIMS * 10))
    check_sims(DEFAULT_MAX_SIMS * 2)


@pytest.mark.parametrize("args", [
    ["forecast", "--base", "ge2019", "--polls", "ge2024", "--sims", "100000000000"],
    ["backtest", "ge2019", "--probabilistic", "--sims", "100000000000"],
    ["night", "--base", "ge2017", "--results", "-", "--sims", "100000000000"],
])
def test_cli_refuses_huge_sims_naming_the_variable(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEATCAST_MAX_SIMS", raising=False)
    res = CliRunner().invoke(app, args, input="")
    assert isinstance(res.exception, InputError), res.output
    assert "SEATCAST_MAX_SIMS" in str(res.exception)


def test_scenario_file_sims_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEATCAST_MAX_SIMS", raising=False)
    f = tmp_path / "s.toml"
    f.write_text("sims = 100000000000\n" + Path("examples/derby-north-2019.toml").read_text(encoding="utf-8"))
    res = CliRunner().invoke(app, ["scenario", str(f)])
    assert isinstance(res.exception, InputError) and "SEATCAST_MAX_SIMS" in str(res.exception), res.output


def test_block_indices_are_produced_lazily() -> None:
    tasks = engine._tasks(10**12, 10)  # a list of 10^12 block indices would exhaust memory
    assert next(tasks) == range(0, 10) and next(tasks) == range(10, 20)


def test_bounded_submission_keeps_a_window_of_tasks() -> None:
    rounds = list(engine._bounded(iter([range(i, i + 1) for i in range(7)]), 3, lambda t: t[0]))
    assert rounds == [[0, 1, 2], [3, 4, 5], [6]]
    assert np.array_equal(np.concatenate(rounds), np.arange(7))


def test_sliding_submission_refills_as_each_task_finishes() -> None:
    """Task 0 can only finish once task 2 has started: a window refilled per round would never start it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    started_2 = threading.Event()
    in_flight: list[int] = []
    most = 0

    def work(t: range) -> int:
        nonlocal most
        in_flight.append(t[0])
        most = max(most, len(in_flight))
        if t[0] == 2:
            started_2.set()
        if t[0] == 0:
            assert started_2.wait(10), "task 2 was not started while task 0 ran"
        in_flight.remove(t[0])
        return t[0]

    with ThreadPoolExecutor(max_workers=3) as pool:
        done = list(engine._sliding(iter([range(i, i + 1) for i in range(6)]), 2, lambda t: pool.submit(work, t)))
    assert sorted(done) == list(range(6))
    assert most <= 2
