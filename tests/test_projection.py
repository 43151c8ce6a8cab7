"""The projection layer on the real data: targets, held seats, lineage, standing."""

from __future__ import annotations

import numpy as np
import pytest

from seatcast.backtest.runner import actual_gb_shares
from seatcast.data.store import Store
from seatcast.errors import InputError, UnknownNameError
from seatcast.fit.registry import source
from seatcast.models import MODELS
from seatcast.projection import project

# The three swing models return the base for zero change; the covariate model moves seats even
# then (an MP retiring, tactical advice), so it is not held to that property.
SWING_MODELS = ["uns", "proportional", "transition"]


@pytest.mark.parametrize("model", SWING_MODELS)
@pytest.mark.parametrize("base", ["ge2010", "ge2017", "ge2019", "ge2019n24", "ge2024"])
def test_own_shares_return_base_winners(store: Store, base: str, model: str) -> None:
    el = store.load(base)
    shares = actual_gb_shares(el) if not el.is_notional else None
    proj = project(el, shares, model=model)
    moved = np.flatnonzero(proj.winners != proj.setup.base_winners)
    # Only a dead heat may flip on rounding (North East Fife 2017 was won by 2 votes).
    top2 = np.sort(proj.frame.shares[moved], axis=1)[:, -2:]
    assert (top2[:, 1] - top2[:, 0] < 1e-4).all()


@pytest.mark.parametrize("model", list(MODELS))
def test_shares_valid_everywhere(store: Store, model: str) -> None:
    proj = project(store.load("ge2019n24"), {"lab": 40, "con": 22, "ruk": 15, "ld": 11, "green": 6}, model=model,
                   store=store, fits=source(store))
    assert (proj.shares >= 0).all()
    np.testing.assert_allclose(proj.shares.sum(axis=1), 1.0, atol=1e-9)
    assert sum(proj.seats_predicted.values()) == 650


def test_ni_held_unless_given(store: Store) -> None:
    el = store.load("ge2019")
    proj = project(el, {"con": 30, "lab": 45}, store=store, fits=source(store))
    ni = np.array(proj.frame.nations) == "Northern Ireland"
    assert ni.sum() == 18
    np.testing.assert_allclose(proj.shares[ni], proj.frame.shares[ni])
    proj2 = project(el, {"con": 30, "lab": 45}, nations={"Northern Ireland": {"sf": 40, "dup": 20}},
        store=store, fits=source(store))
    assert not np.allclose(proj2.shares[ni], proj.frame.shares[ni])


def test_lineage_and_new_candidates(store: Store) -> None:
    proj = project(store.load("ge2019n24"), {"lab": 34, "con": 24, "ruk": 15, "ld": 12, "green": 7},
        store=store, fits=source(store))
    assert any("brx" in n and "ruk" in n for n in proj.setup.notes)
    ruk = proj.shares[:, proj.parties.index("ruk")]
    gb = np.array(proj.frame.nations) != "Northern Ireland"
    assert (ruk[gb] > 0).mean() > 0.95  # Reform stands nearly everywhere once it has grown


def test_snp_gb_share_converted_to_scotland(store: Store) -> None:
    proj = project(store.load("ge2019"), {"snp": 3.0, "con": 40, "lab": 35}, store=store, fits=source(store))
    scot = np.array(proj.frame.nations) == "Scotland"
    w = proj.frame.weights
    snp = proj.shares[:, proj.parties.index("snp")]
    assert abs((snp[scot] * w[scot]).sum() / w[scot].sum() - 0.45 * 3.0 / 3.98) < 0.05


def test_bad_shares(store: Store) -> None:
    el = store.load("ge2019")
    with pytest.raises(InputError, match="outside"):
        project(el, {"con": -3})
    with pytest.raises(InputError, match="more than 100"):
        project(el, {"con": 60, "lab": 50})
    with pytest.raises(UnknownNameError, match="party"):
        project(el, {"cn": 40})


def test_seat_lookup(store: Store) -> None:
    proj = project(store.load("ge2017"), {"con": 43.6, "lab": 32.1, "ld": 11.6}, store=store, fits=source(store))
    shares = proj.seat_shares("derby north")
    assert abs(sum(shares.values()) - 1) < 1e-9
    with pytest.raises(UnknownNameError, match="Derby North"):
        proj.seat_shares("Derby Nort")
