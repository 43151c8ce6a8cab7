"""Incumbency and independents, estimated from the bundled candidate files (2010-2024).

**Personal vote.** For each pair of consecutive elections on the same boundaries (2010-2015,
2015-2017, 2017-2019, and the 2019 notional result to 2024), take every GB seat a party held at
the first. Its *excess change* is the party's change in share there minus its GB change
(a difference in differences against the national swing). Seats split by what the holding
party's candidate was at the second election: the sitting MP standing again (``sitting_mp``) or
not (the MP retired, was deselected or defected). The estimates are each group's mean excess
change minus the mean over all held seats, because a swing model already projects the typical
held seat: ``stand`` (small, positive) and ``retire`` (larger, negative), in share fractions,
with standard errors. Forecasting election *E* uses only pairs whose second election precedes *E*.

**Former MPs standing as independents.** Every independent candidacy flagged ``sitting_mp`` or
``former_mp``, except a sitting *independent* MP defending the seat (Sylvia Hermon 2015 and
2017). Their shares range from 0.4% (Harold Elletson, 2015) to winning the seat (Hermon 2010),
so the prior is a **logit-normal** distribution fitted to the logit of those shares: simulations
draw from it, and the central value (``rng=None``) is its median.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seatcast.data.parties import IND, SEPARATE_NATIONS, SPEAKER
from seatcast.data.schema import Election
from seatcast.errors import InputError

#: Consecutive elections on the same boundaries: (earlier, later).
PAIRS: tuple[tuple[str, str], ...] = (("ge2010", "ge2015"), ("ge2015", "ge2017"), ("ge2017", "ge2019"),
                                      ("ge2019n24", "ge2024"))
#: Elections whose candidate files hold MP flags, in order.
CANDIDATE_ELECTIONS = ("ge2010", "ge2015", "ge2017", "ge2019", "ge2024")
#: Parties whose held seats enter the personal-vote estimate.
PARTIES = ("con", "lab", "ld", "snp", "pc")
#: Fallback prior (logit scale) if no earlier case exists: median about 4%, wide.
FALLBACK_LOGIT = (-3.2, 1.3)


@dataclass(frozen=True)
class IndependentCase:
    """One former or sitting party MP standing as an independent."""

    election: str
    seat: str
    name: str
    share: float
    votes: int | None
    sitting: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"election": self.election, "seat": self.seat, "name": self.name, "share": round(self.share, 4),
                "votes": self.votes, "sitting_mp": self.sitting}


@dataclass(frozen=True)
class IndependentPrior:
    """Logit-normal prior for a former party MP's share as an independent."""

    mu: float
    sigma: float
    cases: tuple[IndependentCase, ...] = ()

    @property
    def median(self) -> float:
        """The central value used without an rng."""
        return float(1.0 / (1.0 + np.exp(-self.mu)))

    def quantiles(self, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> dict[str, float]:
        """Share quantiles (for the docs and the CLI)."""
        from scipy.stats import norm

        return {f"q{int(q * 100):02d}": float(1.0 / (1.0 + np.exp(-(self.mu + self.sigma * norm.ppf(q)))))
                for q in qs}

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Draw shares (capped at 0.95)."""
        z = rng.normal(self.mu, self.sigma, size=shape)
        return np.minimum(1.0 / (1.0 + np.exp(-z)), 0.95)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the cases it rests on."""
        return {"mu_logit": round(self.mu, 4), "sigma_logit": round(self.sigma, 4), "median": round(self.median, 4),
                **{k: round(v, 4) for k, v in self.quantiles().items()}, "n_cases": len(self.cases),
                "cases": [c.to_dict() for c in self.cases]}


@dataclass(frozen=True)
class PairEffect:
    """Excess changes of one election pair."""

    pair: tuple[str, str]
    n_stand: int
    n_retire: int
    stand: float
    retire: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"pair": "-".join(self.pair), "n_stand": self.n_stand, "n_retire": self.n_retire,
                "stand": round(self.stand, 4), "retire": round(self.retire, 4)}


@dataclass(frozen=True)
class IncumbencyEstimate:
    """Personal-vote effects (share fractions, relative to the typical held seat) and the prior."""

    stand: float
    stand_se: float
    retire: float
    retire_se: float
    independent: IndependentPrior
    pairs: tuple[PairEffect, ...] = field(default=())
    before: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"before": self.before, "stand": round(self.stand, 4), "stand_se": round(self.stand_se, 4),
                "retire": round(self.retire, 4), "retire_se": round(self.retire_se, 4),
                "pairs": [p.to_dict() for p in self.pairs], "independent": self.independent.to_dict()}


def _gb_shares(el: Election) -> dict[str, float]:
    gb = {n for n in el.nations if n not in SEPARATE_NATIONS}
    return el.vote_shares(nations=gb)


def _party_share(c: Any, party: str) -> float:
    return float(sum(k.share for k in c.candidacies if k.party_code == party))


def pair_excess(prev: Election, nxt: Election) -> list[tuple[str, bool, float]]:
    """``(party, stood_again, excess change)`` for every GB seat held by a main party at ``prev``."""
    nat_prev, nat_next = _gb_shares(prev), _gb_shares(nxt)
    out = []
    for c in prev.constituencies:
        if c.nation in SEPARATE_NATIONS or not nxt.has_seat(c.id):
            continue
        p = c.winner.party_code
        if p not in PARTIES:
            continue
        d = nxt.seat(c.id)
        mine = [k for k in d.candidacies if k.party_code == p]
        if not mine:
            continue
        stood = bool(mine[0].sitting_mp)
        excess = (_party_share(d, p) - _party_share(c, p)) - (nat_next.get(p, 0.0) - nat_prev.get(p, 0.0))
        out.append((p, stood, excess))
    return out


def estimate_incumbency(store: Any, before: str | None = None) -> IncumbencyEstimate:
    """Estimate the effects from pairs (and independent cases) dated strictly before ``before``."""
    effects: list[PairEffect] = []
    stand_all: list[float] = []
    retire_all: list[float] = []
    loaded: dict[str, Election] = {}

    def load(eid: str) -> Election:
        if eid not in loaded:
            loaded[eid] = store.load(eid)
        return loaded[eid]

    for a, b in PAIRS:
        if not (store.has(a) and store.has(b)):
            continue
        nb = load(b)
        if before is not None and (nb.date.isoformat() if nb.date else "9999") >= before:
            continue
        rows = pair_excess(load(a), nb)
        if not rows:
            continue
        ex = np.array([r[2] for r in rows])
        st = np.array([r[1] for r in rows])
        mean_all = float(ex.mean())
        s = ex[st] - mean_all
        r = ex[~st] - mean_all
        effects.append(PairEffect((a, b), int(st.sum()), int((~st).sum()),
                                  float(s.mean()) if s.size else 0.0, float(r.mean()) if r.size else 0.0))
        stand_all.extend(s.tolist())
        retire_all.extend(r.tolist())
    prior = independent_prior(store, before=before, loaded=loaded)
    if not stand_all or not retire_all:
        return IncumbencyEstimate(0.0, 0.01, 0.0, 0.01, prior, tuple(effects), before)
    sa, ra = np.array(stand_all), np.array(retire_all)
    return IncumbencyEstimate(
        stand=float(sa.mean()), stand_se=float(sa.std(ddof=1) / np.sqrt(sa.size)),
        retire=float(ra.mean()), retire_se=float(ra.std(ddof=1) / np.sqrt(ra.size)),
        independent=prior, pairs=tuple(effects), before=before)


def independent_cases(store: Any, before: str | None = None,
                      loaded: dict[str, Election] | None = None) -> list[IndependentCase]:
    """Former or sitting party MPs standing as independents, in elections before ``before``."""
    loaded = {} if loaded is None else loaded
    out: list[IndependentCase] = []
    prev: Election | None = None
    for eid in CANDIDATE_ELECTIONS:
        if not store.has(eid):
            continue
        el = loaded.get(eid) or store.load(eid)
        loaded[eid] = el
        if before is not None and (el.date.isoformat() if el.date else "9999") >= before:
            break
        for c in el.constituencies:
            for k in c.candidacies:
                if k.party_code != IND or not (k.sitting_mp or k.former_mp):
                    continue
                if prev is not None and prev.has_seat(c.id):
                    w = prev.seat(c.id).winner
                    if w.party_code == IND and w.name == k.name:
                        continue  # a sitting independent defending: not a party MP going it alone
                out.append(IndependentCase(eid, c.name, k.name, k.share, k.votes, bool(k.sitting_mp)))
        prev = el
    return out


def independent_prior(store: Any, before: str | None = None,
                      loaded: dict[str, Election] | None = None) -> IndependentPrior:
    """Fit the logit-normal prior to :func:`independent_cases` (fallback when fewer than 3)."""
    cases = independent_cases(store, before=before, loaded=loaded)
    if len(cases) < 3:
        return IndependentPrior(*FALLBACK_LOGIT, cases=tuple(cases))
    x = np.clip(np.array([c.share for c in cases]), 1e-3, 1 - 1e-3)
    z = np.log(x / (1 - x))
    return IndependentPrior(float(z.mean()), float(z.std(ddof=1)), tuple(cases))


def incumbency_steps(target: Election, setup: Any, est: IncumbencyEstimate) -> list[dict[str, Any]]:
    """Step dicts for a backtest: what the nominations of ``target`` say about each seat's MP.

    Uses only what was public before polling day: who stands, and whether each candidate is the
    sitting MP. For each modelled seat held (at the base) by a main party: ``stand`` if the
    party's candidate is the sitting MP, ``retire`` otherwise; and a ``candidate`` step (share
    from the prior) for each sitting or former MP standing as an independent.
    """
    if est is None:
        raise InputError("no incumbency estimate")
    steps: list[dict[str, Any]] = []
    frame = setup.frame
    for i, sid in enumerate(frame.seat_ids):
        if not setup.modelled[i] or not target.has_seat(sid):
            continue
        c = target.seat(sid)
        held = str(setup.base_winners[i])
        if held in PARTIES:
            mine = [k for k in c.candidacies if k.party_code == held]
            if mine:
                steps.append({"kind": "incumbent", "seat": sid, "party": held,
                              "action": "stand" if mine[0].sitting_mp else "retire"})
        for k in c.candidacies:
            if k.party_code == IND and (k.sitting_mp or k.former_mp) and held != IND and held != SPEAKER:
                steps.append({"kind": "candidate", "seat": sid, "name": k.name, "label": "Independent",
                              "incumbent": False, "share": "prior"})
                break
    return steps
