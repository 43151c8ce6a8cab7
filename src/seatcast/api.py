"""The public Python API: thin functions over the store, the projection layer and backtests.

>>> import seatcast
>>> seatcast.results("ge2019", "Derby North").winner.name   # doctest: +SKIP
'Amanda Solloway'
>>> p = seatcast.project("ge2017", {"con": 43.6, "lab": 32.1, "ld": 11.6}, model="uns")  # doctest: +SKIP
>>> p.seats_predicted["con"]  # doctest: +SKIP
348
>>> f = seatcast.forecast("ge2019n24", polls="ge2024", sims=10_000, seed=0)  # doctest: +SKIP
>>> f.to_frame()  # doctest: +SKIP

Every result object has ``to_dict()`` (what the CLI prints as JSON) and ``to_frame()`` (pandas).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from seatcast.backtest.runner import BacktestResult, run_backtest
from seatcast.data.importer import ImportReport
from seatcast.data.importer import import_file as _import_file
from seatcast.data.schema import Constituency, Election
from seatcast.data.store import ElectionInfo, Store, default_path
from seatcast.errors import InputError
from seatcast.fit import registry
from seatcast.fit.fitted import FittedModel
from seatcast.models import FitSource
from seatcast.projection import Projection
from seatcast.projection import project as _project

if TYPE_CHECKING:
    from seatcast.simulate.result import ForecastResult

_STORES: dict[str, Store] = {}
#: Guards :data:`_STORES`: the web server's threads may open the store at the same time.
_STORES_LOCK = threading.Lock()


def open_store(db: str | Path | None = None) -> Store:
    """The store at ``db`` (default: ``$SEATCAST_DB`` or the per-user path), opened once per process.

    Every cache of derived values (decoded fitted models included) lives on the store, so one
    handle per database is also one cache per database.
    """
    path = Path(db).expanduser() if db is not None else default_path()
    key = str(path.resolve())
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = Store(path)
        return _STORES[key]


def fit_source(store: Store) -> FitSource:
    """Where every caller of the API gets fitted models: the store's saved fit, fitted once if missing.

    This is what ``auto`` rests on: the covariate model's parameters are never refitted per
    call, only loaded (a fit is made and saved the first time, or when the data, the code
    version or the as-of date change).
    """
    return registry.source(store)


def fitted_models(*, db: str | Path | None = None) -> list[FittedModel]:
    """Every fitted model saved in the store (what ``seatcast models`` lists)."""
    return registry.stored(open_store(db))


def fitted_model(fitted_id: str, *, db: str | Path | None = None) -> FittedModel:
    """One saved fitted model by id (or a unique prefix of it)."""
    return registry.show(open_store(db), fitted_id)


def fit_all(*, db: str | Path | None = None) -> list[FittedModel]:
    """Fit (or load) every model the bundled elections need, so later calls only load them.

    The covariate fit as of each bundled general election (what its backtest and replay use)
    and on everything (what a forecast from today uses); and the forecast error model of
    ``auto`` (the covariate model) as of the same dates.
    """
    from seatcast.data.bundled import BUNDLED

    store = open_store(db)
    dates = sorted({datetime.date.fromisoformat(b.date) for b in BUNDLED if b.date and b.kind == "general"})
    return [*(registry.load_or_fit(store, "covariate", d) for d in (*dates, None)),
            *(registry.load_or_fit(store, "error-model", d, model="covariate") for d in (*dates, None))]


def elections(*, db: str | Path | None = None) -> list[ElectionInfo]:
    """Every election in the store."""
    return open_store(db).elections()


def election(election_id: str, *, db: str | Path | None = None) -> Election:
    """One whole election."""
    return open_store(db).load(election_id)


def results(election_id: str, seat: str, *, db: str | Path | None = None) -> Constituency:
    """One seat's result (by name or ONS id, case-insensitive)."""
    return open_store(db).load(election_id).seat(seat)


def project(
    base: str,
    shares: Mapping[str, float] | None = None,
    *,
    model: str = "auto",
    nations: Mapping[str, Mapping[str, float]] | None = None,
    standing: Mapping[str, Iterable[str]] | None = None,
    db: str | Path | None = None,
) -> Projection:
    """Project every seat of ``base`` from national shares in percent (``{"con": 43.6, ...}``)."""
    store = open_store(db)
    return _project(store.load(base), shares, model=model, nations=nations, standing=standing, store=store,
                    fits=fit_source(store))


def import_file(
    path: str | Path,
    election_id: str,
    *,
    fmt: str | None = None,
    name: str | None = None,
    date: str | None = None,
    db: str | Path | None = None,
) -> ImportReport:
    """Import a results file (House of Commons Library or generic CSV/XLSX) as ``election_id``."""
    return _import_file(Path(path), election_id, store=open_store(db), fmt=fmt, name=name, date=date)


def backtest(
    election_id: str,
    *,
    model: str = "auto",
    inputs: str = "polls",
    by_nation: bool = True,
    db: str | Path | None = None,
) -> BacktestResult:
    """Backtest a model on a past election, using only what was known before it."""
    store = open_store(db)
    return run_backtest(election_id, model=model, inputs=inputs, by_nation=by_nation, store=store,
                        fits=fit_source(store))


def forecast(
    base: str,
    shares: Mapping[str, float] | None = None,
    *,
    polls: str | None = None,
    nations: Mapping[str, Mapping[str, float]] | None = None,
    model: str = "auto",
    sims: int = 100_000,
    seed: int | None = None,
    workers: int = 1,
    dask: str | None = None,
    accel: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    db: str | Path | None = None,
) -> ForecastResult:
    """Simulate ``sims`` elections from ``base``: what ``seatcast forecast`` runs (it calls this).

    National shares are percentages: ``polls`` (a polls CSV file, or an election id such as
    ``"ge2024"`` for its bundled final polls) averaged, then ``shares`` on top (overriding or
    adding parties); ``nations`` gives one nation's shares. Forecasting a past election from its
    own final polls, the error model uses only elections before it. ``seed=None`` draws fresh
    entropy (recorded in the result). The result has ``to_dict()`` and ``to_frame()``.
    """
    from seatcast.data.polls import ELECTION_DATES
    from seatcast.projection import prepare
    from seatcast.simulate import simulate

    given: dict[str, float] = {}
    if polls:
        from seatcast.data.polls_file import read_polls

        given = read_polls(polls)
    given.update({p.strip().lower(): float(v) for p, v in (shares or {}).items()})
    if not given and not nations:
        raise InputError("give national shares with --polls FILE|ELECTION or --share PARTY=PERCENT "
                         "(Python: polls=, shares= or nations=)")
    store = open_store(db)
    # Forecasting a past election from its polls: the error model may only use earlier elections.
    as_of = ELECTION_DATES.get((polls or "").lower())
    setup = prepare(store.load(base), given, model=model, nations=nations, store=store, as_of=as_of,
                    fits=fit_source(store))
    return simulate(setup, n_sims=sims, seed=seed, workers=workers, dask_address=dask, progress=progress,
                    accel=accel)
