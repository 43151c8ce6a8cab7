"""Load a fitted model from the store, or fit and store it: the one way to get learned values.

:func:`load_or_fit` computes the fingerprint of what a fit of ``kind`` would read (the training
elections as stored, the bundled inputs it names) and looks for a stored fit with the same
kind, as-of date, fingerprint, code version and options; only when there is none does it fit
(and store the result). Decoded fits are kept in the store's own cache (:meth:`Store.memo`),
so a process fits or decodes each one once, and a worker or the web server that opens the
same database loads what the CLI stored.

:data:`FITTERS` is built once at import and never changed afterwards (a read-only mapping):
to add a kind, add its :class:`Fitter` to the tuple below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from seatcast.data.bundled import folder_digest
from seatcast.data.store import Store
from seatcast.errors import UnknownNameError
from seatcast.fit import covariate, error_model
from seatcast.fit.fitted import SEATCAST_VERSION, FittedModel, canonical_json, now_utc
from seatcast.models import FitSource
from seatcast.models.covariate.features import GROUPS


@dataclass(frozen=True)
class Fitter:
    """How to fit one kind of model, and what its fit reads.

    ``training(store, as_of, options)`` names the elections a fit may learn from;
    ``fit(store, as_of, options, fits)`` returns the JSON parameters (``fits`` supplies any
    other fitted model it needs, e.g. the covariate fit behind the error model's backtests).
    ``code_version`` is bumped by hand when the fitting code changes what it produces;
    ``bundled_inputs`` are the bundled folders it reads (their bytes join the fingerprint).
    """

    kind: str
    code_version: str
    training: Callable[[Store, date | None, Mapping[str, Any]], Sequence[str]]
    fit: Callable[[Store, date | None, Mapping[str, Any], FitSource], Mapping[str, Any]]
    bundled_inputs: tuple[str, ...] = ()
    default_options: Mapping[str, Any] = field(default_factory=dict)


def _covariate_fit(store: Store, as_of: date | None, options: Mapping[str, Any], _fits: FitSource
                   ) -> Mapping[str, Any]:
    return covariate.fit_covariate(store, as_of, tuple(options.get("groups", GROUPS))).to_params()


def _error_model_fit(store: Store, as_of: date | None, options: Mapping[str, Any], fits: FitSource
                     ) -> Mapping[str, Any]:
    return error_model.estimate_params(as_of, model=str(options["model"]), store=store, fits=fits)


FITTERS: Mapping[str, Fitter] = MappingProxyType({f.kind: f for f in (
    Fitter("covariate", covariate.CODE_VERSION, lambda s, d, _o: covariate.training_elections(s, d), _covariate_fit,
           covariate.BUNDLED_INPUTS, MappingProxyType({"groups": list(GROUPS)})),
    # The error model's backtests run the covariate model when asked to: its code version and
    # bundled inputs are part of the error model's, so a changed covariate fit refits it too.
    Fitter("error-model", f"{error_model.CODE_VERSION}+covariate.{covariate.CODE_VERSION}",
           lambda s, d, _o: error_model.training_elections(s, d), _error_model_fit,
           tuple(dict.fromkeys((*error_model.BUNDLED_INPUTS, *covariate.BUNDLED_INPUTS))),
           MappingProxyType({"model": "uns"})),
)})


def fitter(kind: str) -> Fitter:
    """The fitter of ``kind`` (an unknown kind names the known ones)."""
    try:
        return FITTERS[kind]
    except KeyError:
        raise UnknownNameError("fitted model kind", kind, FITTERS) from None


def _options(f: Fitter, options: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(f.default_options)
    out.update({k: list(v) if isinstance(v, tuple) else v for k, v in options.items()})
    return out


def fingerprint(store: Store, f: Fitter, trained_on: Sequence[str]) -> str:
    """Digest of the training elections as stored and of the bundled inputs the fit reads."""
    h = hashlib.sha256(store.fingerprint(trained_on).encode())
    for folder in f.bundled_inputs:
        h.update(f"{folder}:{folder_digest(folder)}".encode())
    return h.hexdigest()


def load_or_fit(store: Store, kind: str, as_of: date | None = None, **options: Any) -> FittedModel:
    """The fit of ``kind`` on what was known before ``as_of``: stored if it exists, else fitted now."""
    f = fitter(kind)
    opts = _options(f, options)
    key = ("fitted-model", kind, as_of, canonical_json(opts))
    return store.memo(key, lambda: _load_or_fit(store, f, as_of, opts))


def _load_or_fit(store: Store, f: Fitter, as_of: date | None, opts: dict[str, Any]) -> FittedModel:
    trained_on = tuple(f.training(store, as_of, opts))
    version = f"{SEATCAST_VERSION}+{f.kind}.{f.code_version}"
    fp = fingerprint(store, f, trained_on)
    row = store.find_fitted(f.kind, as_of.isoformat() if as_of else None, fp, version, canonical_json(opts))
    if row is not None:
        return FittedModel.from_row(row)
    params = f.fit(store, as_of, opts, source(store))
    model = FittedModel(kind=f.kind, params=params, as_of=as_of, trained_on=trained_on, fingerprint=fp,
                        version=version, options=opts, created_at=now_utc())
    store.save_fitted(model.to_row())
    return model


def stored(store: Store) -> list[FittedModel]:
    """Every fitted model in the store."""
    return [FittedModel.from_row(r) for r in store.fitted_models()]


def show(store: Store, fitted_id: str) -> FittedModel:
    """One stored fit by id (or a unique prefix of it)."""
    row = store.load_fitted(fitted_id)
    if row is None:
        raise UnknownNameError("fitted model", fitted_id, [m.id for m in stored(store)])
    return FittedModel.from_row(row)


def source(store: Store | None = None) -> FitSource:
    """A :data:`~seatcast.models.FitSource` loading (or fitting once) from ``store`` (default store if None)."""
    st = store if store is not None else Store()

    def get(kind: str, as_of: date | None, options: Mapping[str, Any]) -> FittedModel:
        return load_or_fit(st, kind, as_of, **options)

    return get
