"""Backtests of the projection models on past elections.

* :mod:`~seatcast.backtest.runner`: which base goes with which election, the inputs, the run.
* :mod:`~seatcast.backtest.metrics`: seat-total error, seats correct, share MAE, Brier, log loss,
  calibration bins.
"""

from seatcast.backtest.runner import BACKTESTS, BacktestResult, run_backtest

__all__ = ["BACKTESTS", "BacktestResult", "run_backtest"]
