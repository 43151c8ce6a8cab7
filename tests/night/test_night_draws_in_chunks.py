"""The night draws its simulations in chunks, and chunking changes no bit of a seeded projection."""

from __future__ import annotations

import numpy as np
import pytest

from seatcast.data.store import Store
from seatcast.night import model
from seatcast.night.model import NightSettings, simulate_night
from seatcast.night.prior import prior_from_projection
from seatcast.projection import project


@pytest.mark.parametrize("noise_df", [0.0, 5.0])
def test_chunked_night_simulation_is_bit_identical(store: Store, noise_df: float,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    base = store.load("ge2017")
    prior = prior_from_projection(project(base, model="transition"), base, covariates=False)
    declared = np.zeros(prior.n_seats, dtype=bool)
    declared[:40] = True
    actual = prior.prior.copy()
    winners = [prior.parties[int(np.argmax(actual[i]))] if declared[i] else None for i in range(prior.n_seats)]
    settings = NightSettings(n_sims=301, noise_df=noise_df)

    def run() -> tuple[object, np.random.Generator]:
        gen = np.random.default_rng(11)
        return simulate_night(prior, declared, actual, winners, settings=settings, rng=gen), gen

    whole, gen_whole = run()
    monkeypatch.setattr(model, "NIGHT_CHUNK_VALUES", 7 * (prior.n_seats - 40) * len(prior.parties))
    chunked, gen_chunked = run()
    assert np.array_equal(whole.totals, chunked.totals)  # type: ignore[attr-defined]
    assert np.array_equal(whole.p_win, chunked.p_win)  # type: ignore[attr-defined]
    assert whole.seats_interval == chunked.seats_interval  # type: ignore[attr-defined]
    assert gen_whole.random() == gen_chunked.random()  # the generator ends in the same place
