"""Laptops for the hub tests: each a register of its own with its own clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from docassist.domain.model import Role
from docassist.services import households as hh
from docassist.services import sync
from docassist.services.context import Context
from docassist.services.users import create_user
from docassist.store import outbox
from docassist.store.db import open_database

TODAY = date(2026, 11, 23)
START = datetime.fromisoformat("2026-11-23T09:00:00+00:00")


@dataclass
class Laptop:
    """A laptop: its register, its clock (``skew`` moves it), who works on it."""

    path: object
    skew: timedelta = timedelta(0)
    elapsed: timedelta = field(default=timedelta(0))

    def __post_init__(self):
        self.db = open_database(self.path)
        self.ctx = Context(self.db, today=lambda: TODAY, now=self.now)

    def now(self) -> str:
        self.elapsed += timedelta(seconds=1)  # every reading a second later
        return (START + self.elapsed + self.skew).isoformat(timespec="seconds")

    def close(self) -> None:
        self.db.close()

    # -- what a test does on a laptop
    def coordinator(self, name="Milica") -> str:
        self.ctx.user_id = create_user(self.ctx, name, Role.COORDINATOR).id
        return self.ctx.user_id

    def connect(self, dsn: str, user_id: str | None = None) -> sync.Summary:
        if user_id:
            self.ctx.user_id = user_id
        return sync.connect_hub(self.ctx, dsn, device_name=str(self.path))

    def sync(self) -> sync.Summary:
        return sync.sync(self.ctx)

    def household(self, family="Petrović", *members: str, municipality="Novi Sad") -> str:
        return hh.register_household(
            self.ctx,
            hh.HouseholdInput(family, municipality=municipality),
            [hh.PersonInput(m, family) for m in members],
        )

    def rows(self, table: str) -> dict[str, dict]:
        """The synced rows of ``table`` as they travel, by key (what must agree)."""
        from docassist.domain.sync import POLICY

        policy = POLICY[table]
        cur = self.db.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cur.description]
        out = {}
        for values in cur.fetchall():
            row = dict(zip(names, values, strict=True))
            out[policy.row_key(row)] = policy.payload(row)
        return out

    def pending(self) -> int:
        return outbox.count_pending(self.db)


def dump(laptop: Laptop) -> dict:
    """Every table of the laptop's register, row for row (what must not change)."""
    tables = [
        r[0]
        for r in laptop.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
        )
    ]
    return {t: laptop.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def own_chain(laptop: Laptop) -> dict[str, tuple]:
    """The laptop's own audit chain by hash: (device, id, action)."""
    return _entries(laptop, "audit_entries")


def others(laptop: Laptop) -> dict[str, tuple]:
    """The other laptops' audit entries this laptop holds, by hash."""
    return _entries(laptop, "audit_remote")


def _entries(laptop: Laptop, table: str) -> dict[str, tuple]:
    rows = laptop.db.execute(f"SELECT hash, device_id, id, action FROM {table}")
    return {r[0]: tuple(r[1:]) for r in rows}
