"""Erasure on request and sync: the erased person travels as a tombstone, and no copy
of their data is left in a conflict, an outbox or the hub (issue 17)."""

from __future__ import annotations

import psycopg

from docassist.services import erasure, sync
from docassist.services import households as hh
from tests.hub.support import Laptop


def copies(laptop: Laptop, word: str) -> list[str]:
    """Where this laptop's sync tables still hold ``word``."""
    found = []
    for table, columns in (
        ("sync_conflicts", "winner || loser"),
        ("sync_outbox", "data"),
        ("persons", "given_name || family_name"),
    ):
        n = laptop.db.execute(
            f"SELECT count(*) FROM {table} WHERE instr({columns}, ?)", [word]
        ).fetchone()[0]
        if n:
            found.append(table)
    return found


def on_hub(hub: str, word: str) -> list[str]:
    with psycopg.connect(hub) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT tbl FROM docassist.rows WHERE strpos(data::text, %s) > 0", [word]
            )
        ]


def rename(laptop: Laptop, person: str, given: str) -> None:
    hh.update_person(laptop.ctx, person, hh.PersonInput(given, "Petrović"))


def test_an_erasure_blanks_the_conflicts_copies_on_the_hub_and_every_laptop(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović", "Ana")
    person = hh.get_household(a.ctx, household).members[0].id
    a.connect(hub)
    b.connect(hub, coordinator)
    # the same person renamed on both laptops: an identity conflict copying both names
    rename(b, person, "Anica")
    rename(a, person, "Anka")
    b.sync()
    a.sync()
    b.sync()
    assert len(sync.list_conflicts(a.ctx)) == len(sync.list_conflicts(b.ctx)) == 1
    assert "sync_conflicts" in on_hub(hub, "Anica")
    # b renames her once more, not having seen the erasure: a delete beats that edit,
    # and the conflict it makes on the hub would copy the new name
    rename(b, person, "Anita")

    erasure.erase_person(a.ctx, person, "asked by the family")
    assert copies(a, "Anica") == copies(a, "Anka") == []
    a.sync()
    b.sync()
    a.sync()

    for word in ("Anica", "Anka", "Anita"):
        assert on_hub(hub, word) == [], word
        assert copies(a, word) == [], word
        assert copies(b, word) == [], word
    erased = b.db.execute("SELECT erased_at FROM persons WHERE id = ?", [person]).fetchone()
    assert erased[0] is not None  # the tombstone reached b
    # nothing left to settle about her; the blanked conflicts still say who and when
    assert sync.list_conflicts(a.ctx) == sync.list_conflicts(b.ctx) == []
    kept = sync.list_conflicts(b.ctx, unresolved_only=False)
    assert kept and all(v.erased and v.winner.device and v.loser.at for v in kept)
    assert b.pending() == 0  # nothing of the blanking was sent back and forth


def test_older_copies_waiting_in_the_outbox_go_with_the_erasure(hub, laptops):
    a = laptops("a")
    a.coordinator()
    a.connect(hub)
    household = a.household("Petrović", "Zorana")
    person = hh.get_household(a.ctx, household).members[0].id
    rename(a, person, "Zorica")
    assert copies(a, "Zorana") == ["sync_outbox"]  # her first version waits to be sent
    erasure.erase_person(a.ctx, person, "asked by the family")
    assert copies(a, "Zorana") == copies(a, "Zorica") == []
    a.sync()
    assert on_hub(hub, "Zorana") == on_hub(hub, "Zorica") == []
    with psycopg.connect(hub) as conn:
        (erased,) = conn.execute(
            "SELECT data ->> 'erased_at' FROM docassist.rows "
            "WHERE tbl = 'persons' AND row_key = %s",
            [person],
        ).fetchone()
    assert erased is not None


def test_a_household_erasure_blanks_the_households_conflicts_on_the_hub_too(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović", "Ana")
    a.connect(hub)
    b.connect(hub, coordinator)
    # the household's address changed on both laptops: a conflict copying both
    for laptop, street in ((b, "Bulevar Zmaja 12"), (a, "Ulica Vranjska 7")):
        hh.update_household(
            laptop.ctx, household, hh.HouseholdInput("Petrović", municipality="Niš", address=street)
        )
    b.sync()
    a.sync()
    b.sync()
    assert len(sync.list_conflicts(a.ctx)) == len(sync.list_conflicts(b.ctx)) == 1
    assert "sync_conflicts" in on_hub(hub, "Zmaja")
    # b's phone call, not having seen the erasure: the delete beats it, and the conflict
    # the hub keeps of it would copy the household's data
    hh.update_household(
        b.ctx,
        household,
        hh.HouseholdInput("Petrović", municipality="Niš", address="Nova adresa 3", phone="064123"),
    )

    erasure.erase_household(a.ctx, household, "asked by the family")
    a.sync()
    b.sync()
    a.sync()
    for word in ("Zmaja", "Vranjska", "Nova adresa", "064123"):
        assert on_hub(hub, word) == [], word
        for laptop in (a, b):
            held = laptop.db.execute(
                "SELECT count(*) FROM sync_conflicts WHERE instr(winner || loser, ?)", [word]
            ).fetchone()[0]
            assert held == 0, (word, laptop.path)
    with psycopg.connect(hub) as conn:
        kept = conn.execute(
            "SELECT data FROM docassist.rows WHERE tbl = 'sync_conflicts' "
            "AND data ->> 'tbl' = 'households'"
        ).fetchall()
    assert len(kept) >= 2  # the first conflict and the one b's late edit made
    assert all('"erased": true' in data["loser"] for (data,) in kept)
    assert sync.list_conflicts(a.ctx) == sync.list_conflicts(b.ctx) == []
