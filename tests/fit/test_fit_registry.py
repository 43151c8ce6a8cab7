"""load_or_fit: fit once, store, load after; refit only when the data, the version or the as-of date differ."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from seatcast.data.store import Store
from seatcast.errors import UnknownNameError
from seatcast.fit import registry
from seatcast.fit.registry import load_or_fit, stored

#: The covariate fit as of the 2015 election: trained on 2010 alone (no pair yet), so it is quick.
EARLY = date(2015, 5, 7)


@pytest.fixture()
def copy(store: Store, tmp_path: Path) -> Store:
    s = store.backup(tmp_path / "copy.db")
    yield s
    s.close()


def test_fits_once_then_loads_the_stored_value(copy: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_or_fit(copy, "covariate", EARLY)
    assert first.trained_on == ("ge2010",) and first.as_of == EARLY
    assert [m.id for m in stored(copy)].count(first.id) == 1
    again = Store(copy.path, fill=False)  # a worker or the web server opening the same database

    def no_fit(*_: object) -> None:
        raise AssertionError("refitted although a stored fit matched")

    monkeypatch.setattr(registry, "FITTERS", {k: replace(f, fit=no_fit) for k, f in registry.FITTERS.items()})
    try:
        assert load_or_fit(again, "covariate", EARLY) == first
    finally:
        again.close()


def test_changed_training_data_gives_a_new_fit(copy: Store) -> None:
    first = load_or_fit(copy, "covariate", EARLY)
    el = copy.load("ge2010")
    seat = el.constituencies[0]
    edited = replace(el, constituencies=(replace(seat, name=seat.name + " (edited)"), *el.constituencies[1:]))
    copy.save(edited)
    second = load_or_fit(copy, "covariate", EARLY)
    assert second.fingerprint != first.fingerprint and second.id != first.id
    assert {first.id, second.id} <= {m.id for m in stored(copy)}


def test_later_elections_do_not_touch_an_earlier_fit(copy: Store) -> None:
    first = load_or_fit(copy, "covariate", EARLY)
    copy.delete("ge2024")  # held after the as-of date: not part of what the fit saw
    assert load_or_fit(copy, "covariate", EARLY).id == first.id


def test_unknown_kind_and_id_name_the_known_ones(copy: Store) -> None:
    with pytest.raises(UnknownNameError, match="covariate"):
        load_or_fit(copy, "nonsense")
    with pytest.raises(UnknownNameError):
        registry.show(copy, "not-an-id")
