"""Probabilistic forecasts: a seeded, chunked Monte Carlo engine over the swing models.

=================================  =================================================================
:func:`simulate`                   run ``n_sims`` simulated elections from a ``ProjectionSetup``
:class:`ForecastResult`            seat win probabilities, seat-total distributions, ``to_dict()``
:class:`ErrorModel`, :func:`estimate_error`  error sizes learned from earlier elections (stored fit)
``simulate.kernels``               numpy-only array layer (draws, perturbation, noise, tallies)
``simulate.engine``                blocks, seeds, local processes and Dask
``simulate.reference``             slow per-simulation reference used by the tests
=================================  =================================================================

Example::

    from seatcast.projection import prepare
    setup = prepare(store.load("ge2019n24"), {"lab": 39.7, "con": 23.7, "ruk": 15.8})
    result = simulate(setup, n_sims=100_000, seed=7)
    result.party_summary()["lab"]["p_majority"]
"""

from seatcast.simulate.engine import BLOCK, Step, simulate
from seatcast.simulate.error_model import ErrorModel
from seatcast.simulate.error_model import estimate as estimate_error
from seatcast.simulate.result import ForecastResult

__all__ = ["BLOCK", "ErrorModel", "ForecastResult", "Step", "estimate_error", "simulate"]
