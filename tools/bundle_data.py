"""Copy the UK data the product needs from ``../shared/data/uk`` into the package, compactly.

Run by a developer when the shared data changes (``python tools/bundle_data.py``); the
outputs are committed, so a user's clone never needs ``../shared``. Every file is copied
byte for byte and gzipped, except ``ge2019n24.csv.gz``, which joins the notional shares to
the 2024 boundary metadata (see the bundled README for why and how).
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "uk"
OUT = ROOT / "src" / "seatcast" / "data" / "bundled" / "uk"

COPY = {
    "results": [f"ge{y}_candidates.csv" for y in (2010, 2015, 2017, 2019, 2024)],
    "polls": ["final_polls.csv", "final_polls_scotland_wales.csv", "polls_all_pollbase.csv"],
    "covariates": [
        "demographics_2010boundaries.csv",
        "demographics_2024boundaries.csv",
        "eu_ref_leave_2016_by_constituency_2010boundaries.csv",
        "eu_ref_leave_2016_by_constituency_2024boundaries.csv",
    ],
    "tactical": ["tactical_recommendations_2019.csv", "tactical_recommendations_2024.csv"],
    "flows": ["vote_flows.csv", "vote_flows_partial.csv"],
    "hexmaps": ["constituencies-2010.hexjson", "constituencies-2024.hexjson"],
    "declarations": [f"ge{y}_declarations.csv" for y in (2015, 2017, 2019, 2024)],
    "byelections": ["byelections_2010_2024_candidates.csv"],
}


def _gzip(src: Path, dst: Path) -> None:
    with src.open("rb") as fin, gzip.GzipFile(dst, "wb", mtime=0) as fout:
        shutil.copyfileobj(fin, fout)


def _notional() -> None:
    """Join the 2019 notional shares to the 2024 seats' region, nation and electorate.

    The notional file has shares only. Aggregating them to national shares needs a weight per
    seat; we use the 2024 electorate (published with the register before polling day) times
    the 2019 UK turnout of valid votes, so the weights add up to the notional total vote.
    """
    meta: dict[str, dict[str, str]] = {}
    with (SHARED / "results" / "ge2024_candidates.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            meta.setdefault(row["ons_id"], row)
    total_valid_2019 = 32_014_119  # notional total valid vote (results README)
    total_electorate = sum(int(m["electorate"]) for m in meta.values())
    shares: dict[str, list[tuple[str, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    with (SHARED / "results" / "ge2024_notional2019.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            shares[row["ons_id"]].append((row["party_abbreviation"], row["notional_share"]))
            names[row["ons_id"]] = row["constituency_name"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["ons_id", "constituency_name", "region_name", "country_name", "electorate",
         "valid_votes", "party_abbreviation", "notional_share"]
    )
    for ons_id, rows in shares.items():
        m = meta[ons_id]
        valid = round(int(m["electorate"]) * total_valid_2019 / total_electorate)
        for party, share in rows:
            w.writerow([ons_id, names[ons_id], m["region_name"], m["country_name"],
                        m["electorate"], valid, party, share])
    with gzip.GzipFile(OUT / "results" / "ge2019n24.csv.gz", "wb", mtime=0) as fout:
        fout.write(buf.getvalue().encode("utf-8"))


def main() -> None:
    """Bundle every file listed in ``COPY`` and build the notional base."""
    for folder, files in COPY.items():
        (OUT / folder).mkdir(parents=True, exist_ok=True)
        for name in files:
            _gzip(SHARED / folder / name, OUT / folder / f"{name}.gz")
        shutil.copyfile(SHARED / folder / "README.md", OUT / folder / "SOURCE.md")
    _notional()
    print(f"bundled into {OUT}")


if __name__ == "__main__":
    main()
