"""The audit trail travels (issue 13 item 7 with issue 17): each laptop's chain reaches
the hub as it was written, a coordinator's laptop holds every laptop's, and ``db check``
verifies each chain on its own, so an entry edited on the way or afterwards is found."""

from __future__ import annotations

import sqlite3

import psycopg

from docassist.domain.model import Role
from docassist.services import scopes
from docassist.services.users import create_user
from docassist.store.audit import ChainBreak
from docassist.store.db import check_register
from tests.hub.support import others, own_chain


def test_the_coordinators_laptop_holds_every_laptops_chain_and_checks_each(hub, laptops):
    a, b, c = laptops("a"), laptops("b"), laptops("c")
    coordinator = a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    scopes.set_scopes(a.ctx, fikret, ["Niš"])
    a.household("Petrović", "Ana", municipality="Niš")
    a.connect(hub)
    b.connect(hub, coordinator)  # a second coordinator's laptop
    b.household("Jovanović", "Mira", municipality="Niš")
    c.connect(hub, fikret)  # a facilitator's
    c.household("Ramić", "Sabit", municipality="Niš")
    for laptop in (b, c, a, b, c, a):
        laptop.sync()

    # the union: the coordinators' laptops hold the others' chains entry for entry, each
    # entry with the laptop that wrote it and its number there (up to what the others
    # had sent: each sync sends the entry it writes itself)
    assert others(a) == {**own_chain(b), **own_chain(c)}
    assert set(others(b)) < set(own_chain(a)) | set(own_chain(c))
    assert {d for d, _, _ in others(b).values()} == {a.ctx.device_id, c.ctx.device_id}
    assert {d for d, _, _ in others(a).values()} == {b.ctx.device_id, c.ctx.device_id}
    # a facilitator's laptop reads no other laptop's trail (row-level security on the hub)
    assert others(c) == {}
    with psycopg.connect(hub) as conn:
        (on_hub,) = conn.execute("SELECT count(*) FROM docassist.audit").fetchone()
    assert on_hub == len(own_chain(a)) + len(own_chain(b)) + len(own_chain(c))
    # syncing again brings nothing twice
    before = others(a)
    a.sync()
    assert others(a) == before

    result = check_register(a.path)
    assert result.findings == []
    assert result.remote is not None and result.remote.devices == 2
    assert result.remote.count == len(before)
    assert result.audit is not None and result.audit.count == len(own_chain(a))

    # an entry of b's chain edited in a's register (by a SQLite tool) is found, named
    a.close()
    target = sorted((v[1], h) for h, v in own_chain(b).items())[2]
    raw = sqlite3.connect(a.path)
    raw.execute("DROP TRIGGER audit_remote_no_update")
    raw.execute("UPDATE audit_remote SET action = 'nothing happened' WHERE hash = ?", [target[1]])
    raw.commit()
    raw.close()
    (finding,) = check_register(a.path).findings
    assert isinstance(finding, ChainBreak) and finding.entry_id == target[0]
    assert b.ctx.device_id[:8] in finding.render() and "changed" in finding.render()


def test_an_entry_removed_from_another_laptops_chain_is_found(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    a.connect(hub)
    b.connect(hub, coordinator)
    b.household("Jovanović", "Mira")
    b.household("Nikolić", "Vera")
    b.sync()
    a.sync()
    assert check_register(a.path).findings == []
    a.close()
    middle = sorted((v[1], h) for h, v in own_chain(b).items())[1]
    raw = sqlite3.connect(a.path)
    raw.execute("DROP TRIGGER audit_remote_no_delete")
    raw.execute("DELETE FROM audit_remote WHERE hash = ?", [middle[1]])
    raw.commit()
    raw.close()
    (finding,) = check_register(a.path).findings
    assert isinstance(finding, ChainBreak) and finding.entry_id == middle[0] + 1
    assert "missing" in finding.render()
