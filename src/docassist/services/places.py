"""Municipalities and settlements as people type them: one place, however it is spelled.

"Crvena zvezda", "Црвена звезда" and "crvena Zvezda" are one settlement typed by
three facilitators. A filter offers it once and finds the households of all three
spellings: places are grouped by their search key (script, case and diacritics do
not matter), and a filter is turned back into the spellings stored, so the
queries still read the place indexes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from docassist.domain import script
from docassist.services.context import Context, LastAnswer

Column = Literal["municipality", "settlement"]


@dataclass(frozen=True)
class Place:
    """One place, whichever way it was typed."""

    key: str  # what a filter matches on: see place_key()
    name: str  # the spelling shown
    spellings: tuple[str, ...]  # every spelling stored, the most used first


def place_key(name: str) -> str:
    """What makes two spellings the same place: their search key. A name with no
    letter or digit in it ("?") has an empty search key and is kept as its own place."""
    return script.search_key(name) or " ".join(name.split())


def group_places(counted: Iterable[tuple[str, int]], script_name: str = "latn") -> list[Place]:
    """Names with how many households use each, grouped into places by search key.

    A place is shown in the spelling most used among those in ``script_name``
    (the UI's script), or the most used of all when none is in that script; of
    spellings used as often, the one with diacritics ("Niš", not "Nis"). The places
    are sorted by the Serbian alphabet of ``script_name``. Empty names are left out.
    """
    groups: dict[str, Counter[str]] = {}
    for name, count in counted:
        if name:
            groups.setdefault(place_key(name), Counter())[name] += count
    cyrillic = script_name == "cyrl"
    places = []
    for key, uses in groups.items():
        spellings = sorted(
            uses, key=lambda s: (-uses[s], -_marks(s), script.sort_key(s, script_name))
        )
        in_script = [s for s in spellings if script.is_cyrillic(s) == cyrillic]
        places.append(Place(key, (in_script or spellings)[0], tuple(spellings)))
    return sorted(places, key=lambda p: script.sort_key(p.name, script_name))


def _marks(name: str) -> int:
    """How many letters of ``name`` are beyond ASCII: "Đorđević" is typed with care,
    "Djordjevic" on a keyboard without Serbian letters."""
    return sum(1 for c in name if ord(c) > 127)


def municipalities(ctx: Context, script_name: str = "latn") -> list[Place]:
    """Every municipality of a live household, once each."""
    counted: Counter[str] = Counter()
    for row in _place_rows(ctx):
        counted[row.municipality] += row.households
    return group_places(counted.items(), script_name)


def settlements(
    ctx: Context, municipality: str | None = None, script_name: str = "latn"
) -> list[Place]:
    """Every settlement of a live household, once each; only those of
    ``municipality`` (any spelling, or its key) when one is given."""
    key = place_key(municipality) if municipality else None
    counted: Counter[str] = Counter()
    for row in _place_rows(ctx):
        if key is None or row.municipality_key == key:
            counted[row.settlement] += row.households
    return group_places(counted.items(), script_name)


def where(
    ctx: Context, alias: str, municipality: str | None, settlement: str | None
) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``alias.municipality`` and ``alias.settlement`` that hold
    for every spelling of the places given (any spelling of each, or its key).

    They compare with the spellings stored, so the (municipality, settlement)
    indexes of households and cases still serve them; a settlement alone is also
    held to the municipalities it is in, which lets it use them too (counting one
    settlement's households read the whole table otherwise: ~100 ms on 50,000).
    """
    if not municipality and not settlement:
        return [], []
    mkey = place_key(municipality) if municipality else None
    skey = place_key(settlement) if settlement else None
    rows = [
        row
        for row in _place_rows(ctx)
        if (mkey is None or row.municipality_key == mkey)
        and (skey is None or row.settlement_key == skey)
    ]
    municipalities = sorted({row.municipality for row in rows})
    settlements = sorted({row.settlement for row in rows})
    if not rows:
        # No live household there. An empty IN () would say so, but leaves SQLite
        # no way to use an index it was told to use: the place as given matches
        # nothing just the same.
        municipalities = [municipality or settlement or ""]
        settlements = [settlement or ""]
    clauses = [f"{alias}.municipality IN ({','.join('?' * len(municipalities))})"]
    params: list[Any] = [*municipalities]
    if settlement:
        clauses.append(f"{alias}.settlement IN ({','.join('?' * len(settlements))})")
        params.extend(settlements)
    return clauses, params


def same_place(
    municipality: str, settlement: str, other_municipality: str, other_settlement: str
) -> bool:
    """Whether two households' places, as typed, may be the same place.

    The same settlement (by key) when both have one, unless both municipalities
    are given and differ ("Centar" is in many); the same municipality when either
    has no settlement; and two households with no place at all are alike too.
    """
    m, s = _key_or_empty(municipality), _key_or_empty(settlement)
    om, os = _key_or_empty(other_municipality), _key_or_empty(other_settlement)
    if s and os:
        return s == os and (not m or not om or m == om)
    if m or om:
        return m == om
    return not (s or os)


def places_like(ctx: Context, municipality: str, settlement: str) -> list[tuple[str, str]]:
    """Every (municipality, settlement) stored for live households that
    ``same_place`` says may be the place given."""
    return [
        (row.municipality, row.settlement)
        for row in _place_rows(ctx)
        if same_place(municipality, settlement, row.municipality, row.settlement)
    ]


def _key_or_empty(name: str) -> str:
    return place_key(name) if name.strip() else ""


def raw_names(ctx: Context, column: Column, municipality: str | None = None) -> list[str]:
    """Every spelling in ``column`` as typed (for suggestions while typing), sorted;
    settlements only of ``municipality`` (exactly as stored) when one is given."""
    names = {
        getattr(row, column)
        for row in _place_rows(ctx)
        if getattr(row, column) and (municipality is None or row.municipality == municipality)
    }
    return sorted(names, key=script.sort_key)


@dataclass(frozen=True)
class _PlaceRow:
    municipality: str
    municipality_key: str
    settlement: str
    settlement_key: str
    households: int


EVERY_PLACE = (
    "SELECT municipality, settlement, count(*) FROM households GROUP BY municipality, settlement"
)
REMOVED_PLACES = (
    "SELECT municipality, settlement, count(*) FROM households "
    "INDEXED BY households_deleted WHERE deleted_at IS NOT NULL "
    "GROUP BY municipality, settlement"
)


def _place_rows(ctx: Context) -> list[_PlaceRow]:
    """Each (municipality, settlement) of the live households, with how many there are.

    Read from the covering index households_municipality (about 15 ms on 50,000
    households): every household is counted, then the removed ones, found by their
    own small index, are taken away. Testing deleted_at row by row read the whole
    table instead (about 110 ms). Kept until the next write: a screen asks for its
    filters' options and for every page of a filtered list.
    """

    def compute() -> list[_PlaceRow]:
        counts: Counter[tuple[str, str]] = Counter()
        for municipality, settlement, n in ctx.db.execute(EVERY_PLACE).fetchall():
            counts[(municipality, settlement)] += n
        for municipality, settlement, n in ctx.db.execute(REMOVED_PLACES).fetchall():
            counts[(municipality, settlement)] -= n
        return [
            _PlaceRow(m, place_key(m) if m else "", s, place_key(s) if s else "", n)
            for (m, s), n in counts.items()
            if n > 0
        ]

    return _last_rows.get(ctx, "places", compute)


_last_rows = LastAnswer()
