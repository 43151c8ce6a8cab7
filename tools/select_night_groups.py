"""Recompute the night model's group scores (seatcast.fit.night_tables.GROUP_SCORES) and the choices.

Usage: python tools/select_night_groups.py [--check]
``--check`` exits 1 when the frozen table differs from the recomputation.
"""

from __future__ import annotations

import sys
from datetime import date

from seatcast.diagnostics.night_calibration import score_table
from seatcast.fit.night_tables import GROUP_SCORES, GROUPS, groups_for


def main(check: bool) -> int:
    """Print the scores, each replay's groups and the live choice; compare with the frozen table."""
    rows = score_table()
    print("| election | without | " + " | ".join(f"+ {g}" for g in GROUPS) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in GROUPS) + " |")
    for r in rows:
        cells = [f"{v:.3f}" if (v := r.with_group[g]) is not None else "no data" for g in GROUPS]
        print(f"| {r.election} | {r.without:.3f} | " + " | ".join(cells) + " |")
    for r in rows:
        print(f"replay of {r.election}: groups {groups_for(r.held, rows) or '(none)'}")
    print(f"live: groups {groups_for(None, rows) or '(none)'}")
    print("\nGROUP_SCORES = (")
    for r in rows:
        d = r.held
        print(f"    GroupScores({r.election!r}, date({d.year}, {d.month}, {d.day}), {r.without!r}, "
              f"{dict(r.with_group)!r}),")
    print(")")
    if check and tuple(rows) != GROUP_SCORES:
        print("frozen GROUP_SCORES is stale", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    _ = date  # printed tables use date(...) literals
    sys.exit(main("--check" in sys.argv[1:]))
