"""Election night: project the undeclared seats as results are declared, and replay past nights.

Contents:

* :mod:`~seatcast.night.model`: the pure-numpy model (declared seats' departure from the prior,
  a per-party hierarchical ridge regression on national, regional and contest-type effects,
  seat features and the party's own base standing, fading into the data as seats declare) and
  its vectorised, seeded simulator of the undeclared seats (:func:`simulate_night`);
* :mod:`~seatcast.night.features`: the seat features (base shares, turnout, nation/region,
  bundled Leave share and census covariates);
* :mod:`~seatcast.night.prior`: the prior (a projection, a forecast JSON, or a replay's honest
  pre-election projection) and the conversion of declared candidates to share rows;
* :mod:`~seatcast.night.stream`: reading results as they arrive (CSV or JSON lines, a growing
  file or stdin) into a :class:`NightSession` that handles repeats and corrections;
* :mod:`~seatcast.night.orders`: declaration orders (the real one from the bundled times,
  seeded random, a made-up stress order);
* :mod:`~seatcast.night.exit_poll`: the exit poll as the prior (the prior's shares moved until
  its seat totals match it);
* :mod:`~seatcast.night.replay`: replays of past elections scored at checkpoints.

Layer rule: this package may import ``seatcast.data``, ``seatcast.projection``,
``seatcast.backtest`` and NumPy/SciPy, never the learning layer (``seatcast.fit``), the CLI or
the API: learned values (interval factor, trust, own-standing groups) are passed in as arguments.
"""

from seatcast.night.model import NightPrior, NightProjection, NightSettings, fit_night, simulate_night
from seatcast.night.replay import ReplayResult, replay
from seatcast.night.stream import NightSession

__all__ = ["NightPrior", "NightProjection", "NightSession", "NightSettings", "ReplayResult", "fit_night", "replay",
           "simulate_night"]
