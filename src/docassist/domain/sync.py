"""How records made on several laptops merge: which tables travel, what identifies a
row, and the rule that decides between two versions of one row.

Every version of a row carries its clock (:mod:`docassist.domain.hlc`) and a *version
vector*: for each laptop that wrote to the row, the latest clock of that laptop's that
this version has seen. With it, "made on top of" is exact: a version whose vector is
covered by another's is older news, whatever the clocks say, and two versions neither of
which covers the other were made concurrently, without either laptop seeing the other's.
Only those are conflicts; a facilitator editing a row after pulling the coordinator's
edit is not.

The rule (the same in PostgreSQL on the hub, ``services/sync/hub_sql.py``, and here for
pulls and bundles; a property test holds them to the same answers):

- Insert-only tables (conflicts and their resolutions): union; a row already there is
  skipped. Case events, attendance and the audit log are insert-only in use (each laptop
  adds its own; the union is kept) but take a newer version of a row: erasure blanks an
  event's note and an audit entry's copies, and attendance marks can be taken back. Two
  laptops' versions of one such row are not a conflict to review.
- Mutable rows, whole rows (not per field: a person's name, birth date and JMBG go
  together, and a record mixing two laptops' fields is one nobody typed):
  - a version already covered is skipped; one covering the current version replaces it;
  - of two concurrent versions, a soft delete beats an edit, else the later clock wins;
    the result has both vectors joined, and the losing version is kept as a conflict
    with the winning one, who made each, when and on which laptop;
  - a conflict over identity fields (names, JMBG, birth date, sex, mother, father) is
    marked as such: the later value shows, and it waits for a coordinator's review.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from docassist.domain.text import N_

# Columns every synchronisable row carries that say who wrote it last: not content, so
# two laptops making the same edit are not a conflict.
STAMP_COLUMNS = frozenset({"updated_at", "device_id"})


class Merge(StrEnum):
    APPEND = "append"  # insert-only: union, duplicates skipped
    ROW = "row"  # mutable: version vectors, later clock wins, losers kept


class ConflictKind(StrEnum):
    EDIT = "edit"
    IDENTITY = "identity"  # names, JMBG, birth data, parents: never resolved silently
    DELETE = "delete"  # a soft delete beat a concurrent edit


CONFLICT_LABELS = {
    ConflictKind.EDIT: N_("edited on two laptops"),
    ConflictKind.IDENTITY: N_("identity changed on two laptops: review"),
    ConflictKind.DELETE: N_("deleted on one laptop, edited on another"),
}


@dataclass(frozen=True)
class TablePolicy:
    table: str
    merge: Merge
    # the columns whose values identify the row on every laptop: the id, or for a table
    # with a natural key that two laptops may both create (a person's document of one
    # kind), that key, so both laptops' rows are one row
    key: tuple[str, ...] = ("id",)
    # derived from other rows and recomputed by each laptop: never sent
    derived: frozenset[str] = frozenset()
    identity: tuple[str, ...] = ()
    # attendance: marks and unmarks, not worth a coordinator's review
    record_conflicts: bool = True
    # the audit log numbers its entries per register: the key is the laptop + number,
    # and the local number is not sent
    local_numbers: bool = False

    def row_key(self, row: dict[str, Any]) -> str:
        if self.local_numbers:  # an entry pulled from elsewhere keeps the key it came with
            return row.get("sync_key") or f"{row['device_id']}/{row['id']}"
        return "/".join("" if row.get(c) is None else str(row[c]) for c in self.key)

    def payload(self, row: dict[str, Any]) -> dict[str, Any]:
        """What travels of a stored row."""
        skip = self.derived | ({"id", "sync_key"} if self.local_numbers else frozenset())
        return {k: v for k, v in row.items() if k not in skip}


PERSON_IDENTITY = (
    "given_name",
    "family_name",
    "jmbg",
    "birth_date",
    "sex",
    "mother_id",
    "father_id",
)

# In the order a new laptop applies them (a row after those it refers to).
POLICIES: tuple[TablePolicy, ...] = (
    TablePolicy("users", Merge.ROW),
    TablePolicy("user_scopes", Merge.ROW),
    TablePolicy("households", Merge.ROW, derived=frozenset({"search_text"})),
    TablePolicy("persons", Merge.ROW, identity=PERSON_IDENTITY),
    TablePolicy("documents", Merge.ROW, key=("person_id", "kind")),
    TablePolicy("cases", Merge.ROW, derived=frozenset({"municipality", "settlement"})),
    TablePolicy("case_steps", Merge.ROW),
    # Insert-only in use: each laptop adds its own, and everyone's are kept (union). As
    # rows they still take a newer version, for erasure blanks their free text.
    TablePolicy("case_events", Merge.ROW, record_conflicts=False),
    TablePolicy("workshops", Merge.ROW),
    TablePolicy(
        "attendance",
        Merge.ROW,
        key=("workshop_id", "household_id", "person_id"),
        record_conflicts=False,
    ),
    # The audit trail is not a table here: each laptop's is a hash chain of its own
    # (store/audit.py) numbered by that laptop, and it travels as such, beside these
    # (services/sync: the hub's union of chained entries, one chain per laptop).
    TablePolicy("sync_conflicts", Merge.APPEND),
    TablePolicy("sync_resolutions", Merge.APPEND),
)
POLICY = {p.table: p for p in POLICIES}
TABLE_ORDER = {p.table: i for i, p in enumerate(POLICIES)}


@dataclass(frozen=True)
class Version:
    """One version of one row, as it travels."""

    hlc: str
    vv: dict[str, str]
    deleted: bool
    data: dict[str, Any]
    user_id: str | None = None

    @property
    def device(self) -> str:
        return self.hlc.split(".", 2)[2]

    def to_json(self) -> dict[str, Any]:
        return {
            "hlc": self.hlc,
            "device": self.device,
            "user_id": self.user_id,
            "deleted": self.deleted,
            "data": self.data,
        }


def covers(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether vector ``a`` has seen everything ``b`` has."""
    return all(a.get(device, "") >= clock for device, clock in b.items())


def join(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    return {d: max(a.get(d, ""), b.get(d, "")) for d in sorted(a.keys() | b.keys())}


def content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in STAMP_COLUMNS}


def beats(a: Version, b: Version) -> bool:
    """Of two concurrent versions, whether ``a`` wins: a delete first, then the clock."""
    return (a.deleted, a.hlc) > (b.deleted, b.hlc)


@dataclass(frozen=True)
class Conflict:
    table: str
    row_key: str
    kind: ConflictKind
    winner: Version
    loser: Version

    @property
    def id(self) -> str:
        return conflict_id(self.table, self.row_key, self.loser.hlc)


def conflict_id(table: str, row_key: str, loser_hlc: str) -> str:
    """One losing version is one conflict, wherever it was found (the hub computes the
    same id, so the hub's and a laptop's record of it are one record)."""
    text = f"{table}|{row_key}|{loser_hlc}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Outcome:
    """What merging a version into a row does: ``result`` is the row's new version
    (None: nothing changes), ``take_content`` whether the row takes the incoming data
    (else only its vector grows), and the conflict found, if any."""

    result: Version | None
    take_content: bool = False
    conflict: Conflict | None = None


def merge(policy: TablePolicy, row_key: str, current: Version | None, incoming: Version) -> Outcome:
    """Merge ``incoming`` into the row whose version is ``current`` (None: not here)."""
    if current is None:
        return Outcome(incoming, take_content=True)
    if policy.merge == Merge.APPEND or covers(current.vv, incoming.vv):
        return Outcome(None)
    if covers(incoming.vv, current.vv):
        return Outcome(incoming, take_content=True)
    vv = join(current.vv, incoming.vv)
    incoming_wins = beats(incoming, current)
    winner, loser = (incoming, current) if incoming_wins else (current, incoming)
    result = Version(winner.hlc, vv, winner.deleted, winner.data, winner.user_id)
    conflict = None
    if policy.record_conflicts and not (winner.deleted and loser.deleted):
        if winner.deleted != loser.deleted:
            conflict = Conflict(policy.table, row_key, ConflictKind.DELETE, winner, loser)
        elif content(winner.data) != content(loser.data):
            identity = any(winner.data.get(f) != loser.data.get(f) for f in policy.identity)
            kind = ConflictKind.IDENTITY if identity else ConflictKind.EDIT
            conflict = Conflict(policy.table, row_key, kind, winner, loser)
    return Outcome(result, take_content=incoming_wins, conflict=conflict)


def conflict_row(conflict: Conflict, detected_at: str, detected_on: str) -> dict[str, Any]:
    """A conflict as a row of ``sync_conflicts`` (the versions as JSON text)."""
    return {
        "id": conflict.id,
        "tbl": conflict.table,
        "row_key": conflict.row_key,
        "kind": conflict.kind.value,
        "winner": canonical_json(conflict.winner.to_json()),
        "loser": canonical_json(conflict.loser.to_json()),
        "detected_at": detected_at,
        "detected_on": detected_on,
    }


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
