"""The derived columns that find and order households: search keys and sort keys.

``persons.name_key``, ``households.search_text`` (indexed by ``households_fts``) and
``households.sort_latn``/``sort_cyrl`` are computed from the names by
``domain.script``. They are derived data, never typed: when the folding or the
collation changes, a migration recomputes them all with ``rebuild_search_keys``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from docassist.domain import script
from docassist.store.database import Database

__all__ = ["household_search_text", "person_name_key", "rebuild_search_keys"]


def person_name_key(given_name: str, family_name: str) -> str:
    """What a person's name is found and compared by (``persons.name_key``)."""
    return script.search_key(f"{given_name} {family_name}")


def household_search_text(family_name: str, members: Iterable[Mapping[str, Any]]) -> str:
    """Every word someone might type to find the household, as search keys: the
    family name, each live member's name key and JMBG."""
    parts = [script.search_key(family_name)]
    for m in members:
        parts.append(m["name_key"])
        if m.get("jmbg"):
            parts.append(m["jmbg"])
    return " ".join(dict.fromkeys(p for p in parts if p))


def rebuild_search_keys(db: Database) -> int:
    """Recompute every name key, search text and sort key; returns how many rows
    changed. Only changed rows are written (the search index follows by trigger), and
    ``updated_at`` is left alone: the keys are not an edit anyone made."""
    changed = 0
    for rowid, given, family, key in db.execute(
        "SELECT rowid, given_name, family_name, name_key FROM persons"
    ).fetchall():
        new = person_name_key(given, family)
        if new != key:
            db.execute("UPDATE persons SET name_key = ? WHERE rowid = ?", [new, rowid])
            changed += 1
    members: dict[str, list[dict[str, Any]]] = {}
    for household_id, name_key, jmbg in db.execute(
        "SELECT household_id, name_key, jmbg FROM persons WHERE deleted_at IS NULL "
        "ORDER BY household_id, rowid"
    ).fetchall():
        members.setdefault(household_id, []).append({"name_key": name_key, "jmbg": jmbg})
    for rowid, id_, family, search_text, latn, cyrl in db.execute(
        "SELECT rowid, id, family_name, search_text, sort_latn, sort_cyrl FROM households"
    ).fetchall():
        new_row = (
            household_search_text(family, members.get(id_, ())),
            script.collation_string(family, "latn"),
            script.collation_string(family, "cyrl"),
        )
        if new_row != (search_text, latn, cyrl):
            db.execute(
                "UPDATE households SET search_text = ?, sort_latn = ?, sort_cyrl = ? "
                "WHERE rowid = ?",
                [*new_row, rowid],
            )
            changed += 1
    return changed
