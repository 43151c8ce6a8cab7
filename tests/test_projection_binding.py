"""A fitted model is bound to a prepared base once and shared by every projection of that base."""

from __future__ import annotations

from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.projection import prepare


def test_a_party_doubling_where_it_already_stands_everywhere_reuses_the_bound_model(store: Store) -> None:
    # The SNP stands in every Scottish seat: doubling its share adds no seat to its slate, so the
    # prepared base and the bound kernel (a fifth of a second to bind) are the ones already made.
    el = store.load("ge2024")
    shares = {"lab": 34.0, "con": 24.0, "ruk": 15.0, "ld": 12.0, "green": 7.0}
    small = prepare(el, {**shares, "snp": 2.6}, model="covariate", store=store, fits=source(store))
    doubled = prepare(el, {**shares, "snp": 6.0}, model="covariate", store=store, fits=source(store))
    assert doubled.kernel is small.kernel
    assert (doubled.ctx.stands == small.ctx.stands).all()
    # A party that does gain seats to stand in (Reform, where it had no candidate) gets its own.
    grown = prepare(el, {**shares, "snp": 2.6, "ruk": 35.0, "lab": 20.0, "con": 12.0}, model="covariate", store=store,
                    fits=source(store))
    assert (grown.ctx.stands != small.ctx.stands).any() == (grown.kernel is not small.kernel)
