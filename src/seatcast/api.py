"""The public Python API: thin functions over the store, the projection layer and backtests.

>>> import seatcast
>>> seatcast.results("ge2019", "Derby North").winner.name   # doctest: +SKIP
'Amanda Solloway'
>>> p = seatcast.project("ge2017", {"con": 43.6, "lab": 32.1, "ld": 11.6}, model="uns")  # doctest: +SKIP
>>> p.seats_predicted["con"]  # doctest: +SKIP
348
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from seatcast.backtest.runner import BacktestResult, run_backtest
from seatcast.data.importer import ImportReport
from seatcast.data.importer import import_file as _import_file
from seatcast.data.schema import Constituency, Election
from seatcast.data.store import ElectionInfo, Store, default_path
from seatcast.projection import Projection
from seatcast.projection import project as _project

_STORES: dict[str, Store] = {}


def open_store(db: str | Path | None = None) -> Store:
    """The store at ``db`` (default: ``$SEATCAST_DB`` or the per-user path), opened once per process."""
    path = Path(db).expanduser() if db is not None else default_path()
    key = str(path.resolve())
    if key not in _STORES:
        _STORES[key] = Store(path)
    return _STORES[key]


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
    return _project(open_store(db).load(base), shares, model=model, nations=nations, standing=standing)


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
    return run_backtest(election_id, model=model, inputs=inputs, by_nation=by_nation, store=open_store(db))
