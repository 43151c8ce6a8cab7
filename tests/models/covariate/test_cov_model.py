"""The covariate model: registration, kernel invariants, honest fitting, and its backtest gain."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from seatcast.backtest.runner import run_backtest, standing_of
from seatcast.data.polls import nation_poll_averages, poll_average
from seatcast.data.store import Store
from seatcast.fit.covariate import fit_covariate, training_pairs
from seatcast.fit.registry import load_or_fit, source
from seatcast.models import MODELS
from seatcast.models.covariate.binding import Fitted
from seatcast.projection import prepare, project


def _setup_2024(store: Store) -> object:
    target = store.load("ge2024")
    return prepare(store.load("ge2019n24"), poll_average("ge2024"), model="covariate",
                   nations=nation_poll_averages("ge2024"), standing=standing_of(target), as_of=target.date,
                   store=store, fits=source(store))


def test_cov_registered() -> None:
    assert "covariate" in MODELS and MODELS["covariate"].factory is not None


def test_cov_training_pairs_only_earlier(store: Store) -> None:
    elections = [store.load(i) for i in store.ids()]
    pairs = [(b.id, t.id) for b, t in training_pairs(elections, "2019-12-12")]
    assert pairs == [("ge2010", "ge2015"), ("ge2015", "ge2017")]
    pairs24 = [(b.id, t.id) for b, t in training_pairs(elections, "2024-07-04")]
    assert pairs24 == [("ge2010", "ge2015"), ("ge2015", "ge2017"), ("ge2017", "ge2019")]
    fitted = Fitted.from_params(load_or_fit(store, "covariate", date(2024, 7, 4)).params)
    assert fitted.pairs == tuple(pairs24)


def test_cov_kernel_broadcasts_and_rebases(store: Store) -> None:
    setup = _setup_2024(store)
    rng = np.random.default_rng(7)
    t = setup.target  # type: ignore[attr-defined]
    noise = rng.normal(0, 0.01, (3, *t.shape)) * (t > 0)
    targets = np.maximum(t + noise, 0)
    targets = (targets / targets.sum(axis=-1, keepdims=True)).astype(np.float32)
    out = setup.run(targets)  # type: ignore[attr-defined]
    assert out.shape[0] == 3 and out.dtype == np.float32
    assert np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1, atol=1e-4)
    single = setup.run(targets[1])  # type: ignore[attr-defined]
    assert np.allclose(single, out[1], atol=1e-5)
    # Re-based: each group's vote-weighted shares equal its target (within half a point).
    ctx = setup.ctx  # type: ignore[attr-defined]
    modelled = out[:, setup.modelled]  # type: ignore[attr-defined]
    for g in range(ctx.n_groups):
        m = ctx.group == g
        w = ctx.weights[m] / ctx.weights[m].sum()
        got = np.einsum("s,nsp->np", w, modelled[:, m])
        assert np.abs(got - targets[:, g]).max() < 0.005


def test_cov_guard_removing_the_target_changes_nothing(store: Store, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with sqlite3.connect(store.path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    target = store.load("ge2024")
    standing = standing_of(target)
    before = project(store.load("ge2019n24"), poll_average("ge2024"), model="covariate", standing=standing,
                     as_of=target.date, store=store, fits=source(store)).shares
    other = Store(copy, fill=False)
    try:
        other.delete("ge2024")
        assert not other.has("ge2024")
        after = project(other.load("ge2019n24"), poll_average("ge2024"), model="covariate", standing=standing,
                        as_of=target.date, store=other, fits=source(other)).shares
    finally:
        other.close()
    np.testing.assert_array_equal(before, after)


def test_cov_fit_is_stored_then_loaded_not_refitted(store: Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import seatcast.fit.covariate as covariate_fit

    path = tmp_path / "fits.db"
    first_store = store.backup(path)
    a = load_or_fit(first_store, "covariate", date(2024, 7, 4))
    first_store.close()

    def no_refit(*_a: object, **_k: object) -> None:
        raise AssertionError("the stored fit was refitted")

    monkeypatch.setattr(covariate_fit, "fit_covariate", no_refit)
    again = Store(path, fill=False)  # another process opening the same database
    try:
        b = load_or_fit(again, "covariate", date(2024, 7, 4))
        assert b == a and b.id == a.id and b.params == a.params
        assert load_or_fit(again, "covariate", date(2024, 7, 4)) is b  # the store's cache
    finally:
        again.close()


@pytest.mark.parametrize("inputs", ["polls", "actual"])
def test_cov_beats_uniform_swing_2024(store: Store, inputs: str) -> None:
    cov = run_backtest("ge2024", model="covariate", inputs=inputs, store=store, by_nation=True, fits=source(store))
    uns = run_backtest("ge2024", model="uns", inputs=inputs, store=store, by_nation=True)
    assert cov.seats_correct_gb > uns.seats_correct_gb + 25
    assert cov.share_mae < uns.share_mae


def test_cov_guard_removing_the_2019_result_changes_nothing_for_2019(store: Store, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with sqlite3.connect(store.path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    target = store.load("ge2019")
    standing = standing_of(target)
    before = project(store.load("ge2017"), poll_average("ge2019"), model="covariate", standing=standing,
                     as_of=target.date, store=store, fits=source(store)).shares
    other = Store(copy, fill=False)
    try:
        other.delete("ge2019")
        other.delete("ge2024")
        assert not other.has("ge2019")
        after = project(other.load("ge2017"), poll_average("ge2019"), model="covariate", standing=standing,
                        as_of=target.date, store=other, fits=source(other)).shares
    finally:
        other.close()
    np.testing.assert_array_equal(before, after)


def test_cov_fit_never_reads_a_byelection_held_on_or_after_its_date(store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake by-elections on each forecast date (and after) would move the fit if they were read."""
    from seatcast.data import byelections as data_by
    from seatcast.fit import byelections as fit_by

    honest = fit_covariate(store, date(2024, 7, 4)).to_dict()
    assert honest["byelections"] is not None
    real = data_by.bundled_byelections()
    fakes = tuple(
        data_by.ByElection(day, seat, "fake", "England", 1, ge, (data_by.ByCandidate("green", "x", 99),
                                                                  data_by.ByCandidate("con", "y", 1)))
        for day, seat, ge in (("2017-06-08", "E14000896", "ge2015"), ("2019-12-12", "E14000849", "ge2017"),
                              ("2024-07-04", "E14000849", "ge2019"), ("2024-08-01", "E14000849", "ge2019")))
    monkeypatch.setattr(data_by, "bundled_byelections", lambda: tuple(sorted((*real, *fakes), key=lambda b: b.date)))
    read: list[tuple[str, tuple[str, ...]]] = []

    def recording(date: str, **kw: object) -> tuple[data_by.ByElection, ...]:
        got = data_by.byelections_before(date, **kw)  # type: ignore[arg-type]
        read.append((date, tuple(b.date for b in got)))
        return got

    monkeypatch.setattr(fit_by, "byelections_before", recording)
    assert fit_covariate(store, date(2024, 7, 4)).to_dict() == honest  # the registry's fitter, never cached
    assert {d for d, _ in read} == {"2015-05-07", "2017-06-08", "2019-12-12", "2024-07-04"}
    assert all(got and max(got) < date for date, got in read)
