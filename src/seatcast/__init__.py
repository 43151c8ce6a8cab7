"""seatcast: first-past-the-post elections, from results and polls to seat projections.

Public surface:

* :func:`elections`, :func:`election`, :func:`results`, :func:`import_file`: the results store;
* :func:`project`: seat-by-seat projection from national shares (``auto``, the default:
  ``covariate`` on bundled UK bases; ``uns``, ``proportional``, ``transition``...);
* :func:`forecast`: Monte Carlo win probabilities and seat ranges (what ``seatcast forecast`` runs);
* :func:`backtest`: how a model would have done at a past election;
* every result object has ``to_dict()`` (the CLI's JSON) and ``to_frame()`` (pandas);
* :class:`DataError`, :class:`ScenarioError`, :class:`InputError`: what bad input raises.

Subpackages: ``data`` (records, loaders, store, polls), ``models`` (swing kernels), ``simulate``
(Monte Carlo), ``scenarios`` (candidates, pacts, split votes), ``backtest``, ``web``, ``cli``.
"""

from seatcast.api import backtest, election, elections, forecast, import_file, open_store, project, results
from seatcast.errors import DataError, InputError, ScenarioError, SeatcastError, UnknownNameError

__all__ = [
    "DataError",
    "InputError",
    "ScenarioError",
    "SeatcastError",
    "UnknownNameError",
    "backtest",
    "election",
    "elections",
    "forecast",
    "import_file",
    "open_store",
    "project",
    "results",
]
__version__ = "0.1.0"
