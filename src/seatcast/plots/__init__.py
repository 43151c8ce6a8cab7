"""Plots (matplotlib, an optional extra): thin adaptors over result objects.

=====================================  ===============================================
:func:`.calibration.plot_calibration`  reliability diagram of a probabilistic backtest
:func:`.seats.plot_seat_distributions`  each party's simulated seat-total distribution
=====================================  ===============================================

Every function takes an optional matplotlib ``ax`` and returns the ``ax`` it drew on;
matplotlib is imported inside the functions, so importing this package costs nothing.
"""
