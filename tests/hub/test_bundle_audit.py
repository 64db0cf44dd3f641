"""Bundles carry the audit trail (issue 17 a): a laptop that syncs only by USB stick
delivers its chain through the laptop it hands its bundle to, which passes it on to
the hub; the coordinator's ``db check`` then verifies it like any other."""

from __future__ import annotations

import base64
import json
import sqlite3
import zlib

import psycopg
import pytest
from nacl import bindings

from docassist.domain.model import Role
from docassist.domain.sync import canonical_json
from docassist.services import scopes, sync
from docassist.services.sync import bundle
from docassist.services.sync import hub as hub_io
from docassist.services.users import create_user
from docassist.store import audit, outbox
from docassist.store.audit import ChainBreak, RemoteStart
from docassist.store.db import check_register
from tests.hub.support import Laptop, dump, others, own_chain

NONCE = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES


def on_hub(hub: str) -> dict[str, tuple]:
    with psycopg.connect(hub) as conn:
        rows = conn.execute("SELECT hash, device_id, id, action, pushed_by FROM docassist.audit")
        return {r[0]: tuple(r[1:]) for r in rows}


def to_relay(laptop: Laptop) -> int:
    return laptop.db.execute("SELECT count(*) FROM audit_relay").fetchone()[0]


def organisation(hub, laptops):
    """A coordinator's laptop ``k`` and two facilitators' ``a`` and ``b``, in Niš, each
    connected once (so each holds the organisation's key)."""
    k, a, b = laptops("k"), laptops("a"), laptops("b")
    coordinator = k.coordinator()
    fikret = create_user(k.ctx, "Fikret", Role.FACILITATOR).id
    vesna = create_user(k.ctx, "Vesna", Role.FACILITATOR).id
    for user in (fikret, vesna):
        scopes.set_scopes(k.ctx, user, ["Niš"])
    k.connect(hub)
    a.connect(hub, fikret)
    b.connect(hub, vesna)
    return k, a, b, coordinator


def test_a_laptop_without_network_delivers_its_trail_by_bundle(hub, laptops, tmp_path):
    k, a, b, _ = organisation(hub, laptops)
    # a works offline from here on, and its work is audited
    a.household("Ramić", "Sabit", municipality="Niš")
    a.household("Kurtić", "Alija", municipality="Niš")
    path = tmp_path / "stick" / "a.bundle"
    path.parent.mkdir()  # the stick is plugged in
    bundle.export_bundle(a.ctx, path)
    carried = dict(own_chain(a))
    (export,) = [h for h, v in carried.items() if v[2] == "export"]
    del carried[export]  # the export's own entry is written after the file

    first = bundle.import_bundle(b.ctx, path)
    assert first.audit == len(carried)
    assert others(b) == carried  # a facilitator's laptop: only the trail it carries
    assert to_relay(b) == len(carried)
    before = dump(b)
    again = bundle.import_bundle(b.ctx, path)
    assert (again.new, again.audit) == (0, 0)
    assert dump(b) == before  # importing twice changes nothing
    checked = check_register(b.path)  # a's chain verifies where it arrived
    assert checked.findings == [] and checked.remote is not None
    assert (checked.remote.devices, checked.remote.count) == (1, len(carried))

    b.sync()  # passes a's trail on
    assert to_relay(b) == 0
    held = on_hub(hub)
    assert set(carried) <= set(held)
    relayed = {h for h in carried if held[h][3] == b.ctx.device_id}
    assert relayed and all(held[h][3] == a.ctx.device_id for h in set(carried) - relayed)
    b.sync()  # nothing doubled, nothing sent again (but b's own new entries)
    assert set(on_hub(hub)) - set(own_chain(b)) == set(held) - set(own_chain(b))

    k.sync()
    assert set(carried) <= set(others(k))
    result = check_register(k.path)
    assert result.findings == []
    assert result.remote is not None and result.remote.partial == ()
    assert result.remote.devices == 2  # a's and b's

    # a reaches the hub at last: the hub skips what b relayed, takes the rest
    a.sync()
    k.sync()
    assert set(own_chain(a)) <= set(others(k))
    assert check_register(k.path).findings == []


def test_a_facilitator_keeps_only_the_trail_of_the_laptop_that_made_the_bundle(
    hub, laptops, tmp_path
):
    k, a, b, coordinator = organisation(hub, laptops)
    m = laptops("m")
    m.connect(hub, coordinator)  # another coordinator's laptop, offline from here on
    a.household("Ramić", "Sabit", municipality="Niš")
    a.sync()
    k.sync()  # the coordinator's laptop holds a's and b's trails (and m's)
    assert {a.ctx.device_id, b.ctx.device_id} <= {v[0] for v in others(k).values()}
    path = tmp_path / "k.bundle"
    bundle.export_bundle(k.ctx, path)

    # b (a facilitator's) keeps k's own trail, to carry to the hub, and no other's
    assert others(b) == {}
    bundle.import_bundle(b.ctx, path)
    assert {v[0] for v in others(b).values()} == {k.ctx.device_id}
    # m (a coordinator's) keeps every other laptop's entry k held, not its own
    newer = set(own_chain(a)) - set(others(m))
    assert newer
    assert bundle.import_bundle(m.ctx, path).audit >= len(newer)
    assert set(others(k)) - set(own_chain(m)) <= set(others(m))
    assert not set(others(m)) & set(own_chain(m))
    assert check_register(m.path).findings == []


def _open(path, key: bytes) -> tuple[bytes, bytes, dict]:
    data = path.read_bytes()
    end = data.index(b"\n", len(bundle.MAGIC)) + 1
    head, nonce, sealed = data[:end], data[end : end + NONCE], data[end + NONCE :]
    body = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, head, nonce, key)
    return head, nonce, json.loads(zlib.decompress(body))


def _seal(path, head: bytes, nonce: bytes, contents: dict, key: bytes) -> None:
    body = zlib.compress(canonical_json(contents).encode())
    sealed = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(body, head, nonce, key)
    path.write_bytes(head + nonce + sealed)


def _org_key(laptop: Laptop) -> bytes:
    return base64.b64decode(outbox.state(laptop.db)["org_key"])


def test_an_audit_entry_altered_in_a_bundle_is_refused_or_found(hub, laptops, tmp_path):
    k, a, b, _ = organisation(hub, laptops)
    a.household("Ramić", "Sabit", municipality="Niš")
    path = tmp_path / "a.bundle"
    bundle.export_bundle(a.ctx, path)
    made = path.read_bytes()
    head, nonce, contents = _open(path, _org_key(a))
    assert b'"audit":' in head and contents["audit"]
    target = [e for e in contents["audit"] if e["hash"] not in on_hub(hub)][0]
    target["action"] = "nothing happened"

    # sealed again by someone without the organisation's key: refused whole
    _seal(path, head, nonce, contents, b"x" * 32)
    before = dump(b)
    with pytest.raises(bundle.BundleError, match="damaged or was altered"):
        bundle.import_bundle(b.ctx, path)
    # the header's count of entries is sealed with the contents too
    altered = bytearray(made)
    where = made.index(b'"audit":') + len(b'"audit":')
    altered[where] = ord("9") if altered[where] != ord("9") else ord("8")
    path.write_bytes(bytes(altered))
    with pytest.raises(bundle.BundleError, match="damaged or was altered"):
        bundle.import_bundle(b.ctx, path)
    # sealed with the key but not as docassist seals (no trail of others): refused
    _seal(path, head, nonce, {"versions": [], "audit": contents["audit"]}, _org_key(a))
    with pytest.raises(bundle.BundleError, match="damaged or was altered"):
        bundle.import_bundle(b.ctx, path)
    assert dump(b) == before

    # sealed by a laptop of the organisation (it holds the key): it opens, and the
    # entry that is not what its hash says is named by db check where it arrived
    _seal(path, head, nonce, contents, _org_key(a))
    assert bundle.import_bundle(b.ctx, path).audit > 0
    (finding,) = check_register(b.path).findings
    assert isinstance(finding, ChainBreak) and finding.entry_id == target["id"]
    assert a.ctx.device_id[:8] in finding.render() and "changed" in finding.render()
    # and the hub does not keep it: the real entry, arriving later, is not shut out
    b.sync()
    assert target["hash"] not in on_hub(hub)
    a.sync()
    assert on_hub(hub)[target["hash"]][2] != "nothing happened"


def test_db_check_takes_a_chain_held_from_some_entry_on_but_finds_edits(laptops):
    a, k = laptops("a"), laptops("k")
    a.coordinator()
    for family in ("Ramić", "Kurtić", "Jašarević", "Bajramović", "Osmani"):
        a.household(family, "Ana")
    chain = audit.entries_after(a.db, 0, -1)
    assert len(chain) >= 6
    with k.ctx.use_case():  # received only from its 4th entry on (a bundle relayed so)
        audit.add_remote_entries(k.db, chain[3:], relay=True)
    k.close()
    result = check_register(k.path)
    assert result.findings == []
    assert result.remote is not None and result.remote.count == len(chain) - 3
    assert result.remote.partial == (RemoteStart(a.ctx.device_id, chain[3]["id"], chain[3]["at"]),)

    raw = sqlite3.connect(k.path)
    raw.execute("DROP TRIGGER audit_remote_no_update")
    raw.execute("DROP TRIGGER audit_remote_no_delete")
    raw.commit()
    # the oldest entry held, edited: still found
    raw.execute("UPDATE audit_remote SET action = 'x' WHERE hash = ?", [chain[3]["hash"]])
    raw.commit()
    (finding,) = check_register(k.path).findings
    assert isinstance(finding, ChainBreak) and finding.entry_id == chain[3]["id"]
    assert "changed" in finding.render()
    raw.execute(
        "UPDATE audit_remote SET action = ? WHERE hash = ?", [chain[3]["action"], chain[3]["hash"]]
    )
    raw.commit()
    assert check_register(k.path).findings == []
    # an entry removed after the first held: a break, not a later start
    raw.execute("DELETE FROM audit_relay WHERE hash = ?", [chain[4]["hash"]])
    raw.execute("DELETE FROM audit_remote WHERE hash = ?", [chain[4]["hash"]])
    raw.commit()
    raw.close()
    (finding,) = check_register(k.path).findings
    assert isinstance(finding, ChainBreak) and finding.entry_id == chain[5]["id"]
    assert "missing" in finding.render()


def test_a_relaying_laptop_cannot_change_what_the_hub_holds(hub, laptops, tmp_path):
    k, a, b, _ = organisation(hub, laptops)
    a.household("Ramić", "Sabit", municipality="Niš")
    a.sync()
    held = on_hub(hub)
    (entry,) = [e for e in audit.entries_after(a.db, 0, -1) if e["action"] == "create"][:1]
    dsn = outbox.state(b.db)["hub_dsn"]  # b's own login on the hub
    with hub_io.connect(dsn, device=True) as conn:
        # the same hash with other content: not what its hash says, nothing changes
        forged = {**entry, "action": "nothing happened"}
        assert hub_io.push_audit(conn, dsn, [forged], b.ctx.device_id) == 0
        # the same entry again: already there, kept as it was (pushed by a)
        assert hub_io.push_audit(conn, dsn, [entry], b.ctx.device_id) == 0
        # nor may a device write the table itself
        for statement in (
            "UPDATE docassist.audit SET action = 'x'",
            "DELETE FROM docassist.audit",
            "INSERT INTO docassist.audit SELECT * FROM docassist.audit LIMIT 1",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
    assert on_hub(hub) == held
    assert held[entry["hash"]] == (a.ctx.device_id, entry["id"], "create", a.ctx.device_id)


def test_a_revoked_laptop_relays_nothing(hub, laptops, tmp_path):
    k, a, b, _ = organisation(hub, laptops)
    a.household("Ramić", "Sabit", municipality="Niš")
    path = tmp_path / "a.bundle"
    bundle.export_bundle(a.ctx, path)
    bundle.import_bundle(b.ctx, path)
    waiting = audit.entries_to_relay(b.db, 100)
    assert waiting
    before = on_hub(hub)
    dsn = outbox.state(b.db)["hub_dsn"]
    with hub_io.connect(dsn, device=True) as conn:
        # marked revoked while its session is open: push_audit itself refuses it
        with psycopg.connect(hub, autocommit=True) as owner:
            owner.execute(
                "UPDATE docassist.devices SET revoked_at = now() WHERE device_id = %s",
                [b.ctx.device_id],
            )
        with pytest.raises(sync.DeviceRefusedError):
            hub_io.push_audit(conn, dsn, waiting, b.ctx.device_id)
    with psycopg.connect(hub, autocommit=True) as owner:
        owner.execute(
            "UPDATE docassist.devices SET revoked_at = NULL WHERE device_id = %s",
            [b.ctx.device_id],
        )
    # revoked as a coordinator does it: its login stops, its sync is refused
    sync.revoke_device(k.ctx, b.ctx.device_id)
    with pytest.raises(sync.DeviceRefusedError):
        b.sync()
    assert to_relay(b) == len(waiting)  # kept: nothing was sent
    assert on_hub(hub) == before


TRICKY = [
    'quote " and backslash \\ and slash /',
    "controls \n\r\t\b\f \x01\x1f\x7f",
    "Петровић Šćepanović",
    "emoji 😀 and \u2028 line separator",
]


def test_the_hub_hashes_an_entry_as_the_laptop_does(hub):
    """The hub keeps an entry only when its own hash of it matches (push_audit): it
    must compute exactly store/audit.py's hash, whatever the text holds."""
    entries = []
    prev = audit.GENESIS
    for number, text in enumerate(TRICKY, start=1):
        row = {
            "id": number,
            "at": "2026-11-23T09:00:00+00:00",
            "user_id": None if number % 2 else text,
            "device_id": "device-1",
            "action": "update",
            "entity": "household",
            "entity_id": text,
            "details_sha256": None,
            "redacts": json.dumps({"1": text}) if number == 3 else None,
            "prev_hash": prev,
        }
        row["hash"] = prev = audit.entry_hash(row)
        entries.append(row)
    with hub_io.connect(hub) as conn:
        assert hub_io.push_audit(conn, hub, entries, "device-1") == len(entries)


def test_hub_upgrade_gives_an_older_hub_the_check_of_relayed_entries(hub):
    """A hub laid out before relaying kept any entry pushed to it; ``hub upgrade`` lays
    push_audit out again (CREATE OR REPLACE), with the hash check."""
    from docassist.services.sync import hub_sql
    from docassist.services.sync.hub import schema_fingerprint
    from docassist.store.migrations import KNOWN

    start = hub_sql.CREATE.index("CREATE OR REPLACE FUNCTION docassist.push_audit")
    end = hub_sql.CREATE.index("END\n$$;", start) + len("END\n$$;")
    before = hub_sql.CREATE[start:end].replace(f"WHERE x.hash = {hub_sql.AUDIT_HASH}", "")
    with psycopg.connect(hub) as conn:
        conn.execute(before)
        conn.execute(
            "UPDATE docassist.meta SET value = %s WHERE key = 'schema'",
            [schema_fingerprint(KNOWN[:-1])],
        )
    row = {c: None for c in audit.CHAINED} | {
        "id": 1,
        "at": "2026-11-23T09:00:00+00:00",
        "device_id": "device-1",
        "action": "create",
        "entity": "household",
        "entity_id": "h1",
        "prev_hash": audit.GENESIS,
    }
    wrong = [{**row, "hash": "f" * 64}, {**row, "id": 2, "hash": "e" * 64}]
    with hub_io.connect(hub) as conn:
        assert hub_io.push_audit(conn, hub, wrong[:1], "device-1") == 1  # as it was
    sync.upgrade_hub(hub)
    with hub_io.connect(hub) as conn:
        assert hub_io.push_audit(conn, hub, wrong[1:], "device-1") == 0
        right = {**row, "id": 2, "hash": audit.entry_hash({**row, "id": 2})}
        assert hub_io.push_audit(conn, hub, [right], "device-1") == 1
