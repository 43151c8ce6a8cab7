"""The compiled point projection of the covariate kernel: the numpy kernel's numbers, one target at a time.

The web server's swingometer projects one target per request with the compiled point path
(:meth:`CovariateKernel.compiled_point`, through ``ProjectionSetup.run(compiled=True)``); the
command line keeps the numpy kernel. Both must give the same seat shares (to float64 rounding),
whatever the mechanisms the fitted kernel carries on the base.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import need
from seatcast.data.polls import poll_average
from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.models.covariate.kernel import CovariateKernel
from seatcast.projection import ProjectionSetup, prepare

#: Equal to float64 rounding: a seat is renormalised by one reciprocal, sums are added in another order.
ATOL = 1e-12

#: (base, GB shares, as_of): what each case brings to the kernel.
CASES = {
    "ge2024 unchanged": ("ge2024", None, None),
    "ge2024, the Greens grow": ("ge2024", {"green": 20.0, "lab": 30.0}, None),
    "ge2024, Reform first": ("ge2024", {"ruk": 35.0, "con": 15.0, "lab": 22.0, "ld": 11.0}, None),
    "ge2019n24, Reform grows to stand everywhere (right base)": ("ge2019n24", {"con": 24.0, "lab": 40.0,
                                                                              "ruk": 15.0}, None),
    # Tactical advice and a recipient that does not stand where it is advised (the bench's setup).
    "ge2019n24 at the 2024 polls, tactical squeeze": ("ge2019n24", "polls", "2024-07-04"),
}


@pytest.fixture(scope="module", params=list(CASES))
def setup(request: pytest.FixtureRequest, store: Store) -> ProjectionSetup:
    base, shares, as_of = CASES[request.param]
    given = poll_average("ge2024") if shares == "polls" else shares
    return prepare(store.load(base), given, model="auto", as_of=as_of, store=store, fits=source(store))


def _kernel(setup: ProjectionSetup) -> CovariateKernel:
    k = setup.kernel
    assert isinstance(k, CovariateKernel)
    return k


def _targets(setup: ProjectionSetup, n: int, seed: int) -> list[np.ndarray]:
    """The setup's own target and ``n`` random ones around it (each group's shares still add up to 1)."""
    rng = np.random.default_rng(seed)
    out = [setup.target]
    for _ in range(n):
        t = np.maximum(setup.target + rng.normal(0, 0.03, setup.target.shape) * (setup.target > 0), 0)
        out.append(t / t.sum(axis=1, keepdims=True))
    return out


def test_compiled_point_equals_numpy_kernel(setup: ProjectionSetup) -> None:
    need("numba")
    k = _kernel(setup)
    for t in _targets(setup, 6, 1):
        got = k.compiled_point(setup.ctx, t)
        assert got is not None  # the pairs carry these kernels: no fallback hides a difference
        assert got.dtype == np.float64 and got.shape == setup.ctx.base.shape
        np.testing.assert_allclose(got, k(setup.ctx, t.astype(np.float64)), rtol=0, atol=ATOL)


def test_the_cases_reach_every_mechanism(store: Store) -> None:
    need("numba")
    growing = [prepare(store.load(b), s if s != "polls" else poll_average("ge2024"), model="auto", as_of=a,
                       store=store, fits=source(store)) for b, s, a in CASES.values()]
    maps = [_kernel(st)._point_maps(st.ctx) for st in growing]
    assert all(m is not None for m in maps)
    tables = [m[0] for m in maps if m is not None]
    assert any(t.donor.shape[0] > 0 for t in tables)  # tactical squeeze
    assert any((t.extra >= 0).any() for t in tables)  # a squeeze recipient that does not stand
    assert any(t.right_col >= 0 for t in tables)  # the populist right blending to its predecessor's map
    # Reform UK, given more than twice the Brexit Party's 2019 share, stands in the ~300 seats it left.
    right = growing[3]
    assert right.ctx.stands[:, right.parties.index("ruk")].all()
    assert "newcomers given a base share in 295 seat-party pairs" in right.notes


@pytest.mark.parametrize("variant", ["no squeeze, no right base, no re-basing", "general drivers"])
def test_compiled_point_equals_numpy_kernel_for_every_coefficient_shape(setup: ProjectionSetup, variant: str) -> None:
    need("numba")
    k = _kernel(setup)
    if variant == "general drivers":  # cross-party drivers and a "freed" term: M off its diagonal, M_down
        rng = np.random.default_rng(0)
        m = k.m + rng.normal(0, 0.05, k.m.shape) * (rng.random(k.m.shape) < 0.1)
        k = replace(k, m=m, m_down=rng.normal(0, 0.05, k.m.shape) * (rng.random(k.m.shape) < 0.1))
    else:
        k = replace(k, squeeze=(), right_delta=None, rebase=False)
    for t in _targets(setup, 3, 2):
        got = k.compiled_point(setup.ctx, t)
        assert got is not None
        np.testing.assert_allclose(got, k(setup.ctx, t), rtol=0, atol=ATOL)


def test_run_compiled_equals_run(setup: ProjectionSetup) -> None:
    need("numba")
    np.testing.assert_allclose(setup.run(compiled=True), setup.run(), rtol=0, atol=ATOL)
    t = _targets(setup, 1, 3)[1]
    np.testing.assert_allclose(setup.run(t, compiled=True), setup.run(t), rtol=0, atol=ATOL)


def test_run_compiled_keeps_numpy_for_many_targets(setup: ProjectionSetup) -> None:
    # Stacked targets (the simulator's shape) are not a point projection: the numpy kernel, bit for bit.
    many = np.stack(_targets(setup, 2, 4))
    np.testing.assert_array_equal(setup.run(many, compiled=True), setup.run(many))


def test_run_compiled_without_a_compiled_kernel_is_the_kernel(store: Store) -> None:
    uns = prepare(store.load("ge2024"), {"lab": 30.0, "con": 25.0}, model="uns", store=store)
    np.testing.assert_array_equal(uns.run(compiled=True), uns.run())


def test_point_tables_are_made_once_per_context(setup: ProjectionSetup) -> None:
    need("numba")
    k = _kernel(setup)
    first = k._point_maps(setup.ctx)
    assert k._point_maps(setup.ctx) is first
    other = replace(setup.ctx)  # an equal but distinct context gets tables of its own
    assert k._point_maps(other) is not first
