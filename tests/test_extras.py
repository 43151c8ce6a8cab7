"""On a plain install every feature that needs an optional extra says which one, in one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from seatcast.cli import main
from seatcast.models.mrp import synthetic


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` look uninstalled (a ``None`` entry in sys.modules fails both import and find_spec)."""
    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[object, str]:
    monkeypatch.setattr(sys, "argv", ["seatcast", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code, capsys.readouterr().err


def _one_line_naming(err: str, extra: str) -> None:
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and f"pip install 'seatcast[{extra}]'" in err
    assert "Traceback" not in err


def test_serve_without_the_web_extra_names_it(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _hide(monkeypatch, "uvicorn", "fastapi")
    code, err = _main(monkeypatch, capsys, "serve", "--port", "8765")
    assert code == 2
    _one_line_naming(err, "web")


def test_plot_without_matplotlib_names_the_plot_extra(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _hide(monkeypatch, "matplotlib", "matplotlib.pyplot")
    code, err = _main(monkeypatch, capsys, "plot", "backtest", "ge2024", "-o", str(tmp_path / "x.png"))
    assert code == 2
    _one_line_naming(err, "plot")
    assert not (tmp_path / "x.png").exists()


def test_dask_without_distributed_names_the_dask_extra(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _hide(monkeypatch, "distributed", "dask")
    code, err = _main(monkeypatch, capsys, "forecast", "--base", "ge2019", "--polls", "ge2024", "--sims", "100",
                      "--dask", "tcp://127.0.0.1:1")
    assert code == 2
    _one_line_naming(err, "dask")


def test_accel_numba_without_numba_names_the_accel_extra(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _hide(monkeypatch, "numba", "seatcast.simulate.accel")
    code, err = _main(monkeypatch, capsys, "forecast", "--base", "ge2019", "--polls", "ge2024", "--sims", "100",
                      "--accel", "numba")
    assert code == 2
    _one_line_naming(err, "accel")


def test_mrp_pymc_engine_without_pymc_names_the_mrp_extra(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    survey, frame, _ = synthetic(5, n_seats=4, n_respondents=200)
    s, f = tmp_path / "survey.csv", tmp_path / "frame.csv"
    survey.to_csv(s, index=False)
    frame.to_csv(f, index=False)
    _hide(monkeypatch, "pymc")
    code, err = _main(monkeypatch, capsys, "mrp", "fit", "--survey", str(s), "--frame", str(f), "--engine", "pymc")
    assert code == 2
    _one_line_naming(err, "mrp")


def test_missing_extra_skip_reason_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import conftest

    _hide(monkeypatch, "fastapi")
    monkeypatch.setattr(conftest, "REQUIRE_ALL", False)
    with pytest.raises(pytest.skip.Exception, match=r"pip install 'seatcast\[web\]'"):
        conftest.need("fastapi")
    monkeypatch.setattr(conftest, "REQUIRE_ALL", True)
    with pytest.raises(pytest.fail.Exception, match="SEATCAST_REQUIRE_ALL"):
        conftest.need("fastapi")
