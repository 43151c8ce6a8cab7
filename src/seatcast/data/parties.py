"""Party codes, names, colours and lineage.

Codes are the lower-case House of Commons Library abbreviations (``con``, ``lab``, ``ld``,
``snp``, ``pc``, ``green``, ``ukip``, ``brx``, ``ruk``, ``spk``, ``dup``, ...). Two codes are
seatcast's own: ``ind`` in a seat's share vector is the seat's leading independent candidate
(every independent keeps their own candidacy in the store), and ``oth`` pools the remaining
minor candidates of a seat, which never win it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # schema imports this module
    from seatcast.data.schema import Election

IND = "ind"
OTHER = "oth"
SPEAKER = "spk"

#: Display names of the parties seatcast shows by name; any other code shows as itself.
NAMES: dict[str, str] = {
    "con": "Conservative",
    "lab": "Labour",
    "ld": "Liberal Democrat",
    "snp": "SNP",
    "pc": "Plaid Cymru",
    "green": "Green",
    "ukip": "UKIP",
    "brx": "Brexit Party",
    "ruk": "Reform UK",
    "spk": "Speaker",
    "dup": "DUP",
    "sf": "Sinn Féin",
    "sdlp": "SDLP",
    "uup": "UUP",
    "apni": "Alliance",
    "tuv": "TUV",
    "ind": "Independent",
    "oth": "Other",
    "wpb": "Workers Party",
    "bnp": "BNP",
}

#: Conventional colours, used by plots and the web page.
COLOURS: dict[str, str] = {
    "con": "#0087DC",
    "lab": "#E4003B",
    "ld": "#FAA61A",
    "snp": "#FDF38E",
    "pc": "#005B54",
    "green": "#02A95B",
    "ukip": "#6D3177",
    "brx": "#12B6CF",
    "ruk": "#12B6CF",
    "spk": "#909090",
    "dup": "#D46A4C",
    "sf": "#326760",
    "sdlp": "#2AA82C",
    "uup": "#48A5EE",
    "apni": "#F6CB2F",
    "tuv": "#0C3A6A",
    "ind": "#DDDDDD",
    "oth": "#AAAAAA",
    "wpb": "#A50000",
}

#: Which code continues which: a successor takes its predecessor's base votes when the base
#: election predates it (UKIP -> Brexit Party -> Reform UK).
LINEAGE: dict[str, str] = {"ukip": "brx", "brx": "ruk"}

#: Parties that stand in one nation only; a GB share given for them is converted to that nation.
REGIONAL: dict[str, str] = {"snp": "Scotland", "pc": "Wales"}

#: The nations whose party systems are separate from Great Britain's.
SEPARATE_NATIONS: frozenset[str] = frozenset({"Northern Ireland"})

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def code_from_label(label: str) -> str:
    """Make a party code from a published label, for imports with no ``party_code`` column.

    >>> code_from_label("Labour & Co-operative")
    'labour_co_operative'
    """
    return _NON_ALNUM.sub("_", label.strip().lower()).strip("_")


def normalise_code(code: str) -> str:
    """A House of Commons Library abbreviation as a seatcast code (``Con`` -> ``con``)."""
    return code.strip().lower()


def successors(code: str) -> list[str]:
    """Every code that continues ``code``, nearest first (``ukip`` -> ``['brx', 'ruk']``)."""
    out: list[str] = []
    seen = {code}
    while code in LINEAGE and LINEAGE[code] not in seen:
        code = LINEAGE[code]
        seen.add(code)
        out.append(code)
    return out


def name(code: str, names: Mapping[str, str] | None = None) -> str:
    """A party's display name: ``names`` (an election's own, see :func:`election_names`) first."""
    if names and code in names:
        return names[code]
    return NAMES.get(code, code.upper())


def label_names(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Code -> the label published most often with it (the first seen on a tie).

    ``ind`` and ``oth`` are left out: they pool candidates of many labels, so no one label
    names them; :data:`NAMES` does ("Independent", "Other").
    """
    counts: dict[str, Counter[str]] = {}
    for code, label in pairs:
        if code in (IND, OTHER) or not label.strip():
            continue
        counts.setdefault(code, Counter())[label.strip()] += 1
    return {code: c.most_common(1)[0][0] for code, c in counts.items()}


def election_names(election: Election) -> dict[str, str]:
    """Display names an election brings with it: the labels of an imported file, by code.

    The store keeps every candidacy's published label next to its code, so an imported
    election's parties show as "Alpha Party" rather than the code "A" the file chose. Bundled
    UK elections return nothing: their labels are abbreviations and :data:`NAMES` already
    names their parties.
    """
    if election.kind != "imported":
        return {}
    return label_names((k.party_code, k.party_label) for c in election.constituencies for k in c.candidacies)


def colour(code: str) -> str:
    """A party's display colour (grey when it has none of its own)."""
    return COLOURS.get(code, "#BBBBBB")
