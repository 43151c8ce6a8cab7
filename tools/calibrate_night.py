"""Recompute the night model's rolling-origin interval calibration and print it.

Run by a developer when the night model, its prior or the bundled data change
(``python tools/calibrate_night.py``): it replays each calibration election with the rule's
settings (:mod:`seatcast.diagnostics.night_calibration`), prints the coverage of every candidate interval
factor, the factor each replay and live use get, and the ``INTERVAL_SCALES`` literal to paste into
``src/seatcast/fit/night_tables.py``. ``--trust`` does the same for the trust table (H18: real-order
replays at every trust factor, ``TRUST_SCORES``) and prints what each night then uses. ``--check``
exits with status 1 when the frozen table differs from the recomputation. Why a frozen table: the
replays take minutes, while choosing a factor at run time must cost nothing.
"""

from __future__ import annotations

import argparse
import sys
import time

from seatcast.diagnostics.night_calibration import calibration_table, trust_table
from seatcast.fit.night_tables import (
    CANDIDATE_SCALES,
    INTERVAL_SCALES,
    TRUST_FACTORS,
    TRUST_SCORES,
    CalibrationRow,
    TrustRow,
    calibration_set,
    interval_scale_for,
    night_fitted,
)


def literal(table: tuple[CalibrationRow, ...]) -> str:
    """The Python source of the ``INTERVAL_SCALES`` constant."""
    lines = ["INTERVAL_SCALES: tuple[CalibrationRow, ...] = ("]
    for r in table:
        cov = ", ".join(repr(c) for c in r.coverage)
        lines.append(f'    CalibrationRow("{r.election}", date({r.held.year}, {r.held.month}, {r.held.day}), ({cov})),')
    lines.append(")")
    return "\n".join(lines)


def report(table: tuple[CalibrationRow, ...]) -> str:
    """A readable table: coverage by factor per election, and the factor each replay gets."""
    head = "election    " + "  ".join(f"{s:>5}" for s in CANDIDATE_SCALES) + "   replay uses (from)"
    out = [head]
    for r in table:
        earlier = [e.election for e in calibration_set(r.held, table)]
        used = interval_scale_for(r.held, table)
        cov = "  ".join(f"{c:5.3f}" for c in r.coverage)
        out.append(f"{r.election:<10}  {cov}   {used} ({', '.join(earlier) or 'none: largest'})")
    out.append(f"live (all elections): {interval_scale_for(None, table)}")
    return "\n".join(out)


def trust_literal(table: tuple[TrustRow, ...]) -> str:
    """The Python source of the ``TRUST_SCORES`` constant."""
    lines = ["TRUST_SCORES: tuple[TrustRow, ...] = ("]
    for r in table:
        d = r.held
        lines.append(f"    TrustRow(\"{r.election}\", date({d.year}, {d.month}, {d.day}), \"{r.prior}\", {r.error!r},")
        lines.append(f"             {r.coverage!r}),")
    lines.append(")")
    return "\n".join(lines)


def trust_main(check: bool) -> int:
    """Recompute the trust table, print it and what each night uses; compare with the frozen one."""
    table = trust_table()
    print("election  prior      error at trust " + " / ".join(str(f) for f in TRUST_FACTORS))
    for r in table:
        print(f"{r.election:<9} {r.prior:<10} " + " / ".join(f"{e:.2f}" for e in r.error))
    print()
    print(trust_literal(table))
    if table != TRUST_SCORES:
        print("\nfrozen TRUST_SCORES differs from this recomputation", file=sys.stderr)
        return 1 if check else 0
    for r in table:
        if r.prior == "polls":
            for kind in ("polls", "exit poll"):
                f = night_fitted(r.held, kind)
                print(f"replay of {r.election} ({kind} prior): trust {f.trust}, interval scale {f.interval_scale}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Recompute, print, and with ``--check`` compare with the frozen table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the frozen INTERVAL_SCALES differs")
    ap.add_argument("--trust", action="store_true", help="recompute the trust table (TRUST_SCORES) instead")
    args = ap.parse_args(argv)
    if args.trust:
        return trust_main(args.check)
    t0 = time.perf_counter()
    table = calibration_table()
    print(report(table))
    print(f"\n# {time.perf_counter() - t0:.0f} s\n")
    print(literal(table))
    if table != INTERVAL_SCALES:
        print("\nfrozen INTERVAL_SCALES differs from this recomputation", file=sys.stderr)
        return 1 if args.check else 0
    print("\nfrozen INTERVAL_SCALES matches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
