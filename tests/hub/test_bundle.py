"""Sync by file: bundles for a laptop without network."""

from __future__ import annotations

import base64

import pytest

from docassist.domain.sync import ConflictKind
from docassist.services import households as hh
from docassist.services import sync
from docassist.services.sync import bundle
from docassist.store import outbox
from docassist.store.migrations import KNOWN
from tests.hub.support import Laptop, dump

ORG = ("org-1", base64.b64encode(b"k" * 32).decode())


@pytest.fixture
def laptops(tmp_path):
    made = []

    def make(name: str, org=ORG) -> Laptop:
        laptop = Laptop(tmp_path / f"{name}.db")
        with laptop.ctx.use_case():
            # as `hub connect` leaves it: attached, with the organisation's key
            outbox.set_state(laptop.db, attached=1, org_id=org[0], org_key=org[1])
            outbox.mark_everything(laptop.db)
        made.append(laptop)
        return laptop

    yield make
    for laptop in made:
        laptop.close()


def test_a_bundle_carries_the_families_and_importing_twice_changes_nothing(laptops, tmp_path):
    a, c = laptops("a"), laptops("c")
    a.coordinator()
    household = a.household("Petrović", "Ana", "Marko")
    path = tmp_path / "stick" / "a.bundle"
    path.parent.mkdir()  # the stick is plugged in
    assert bundle.export_bundle(a.ctx, path) >= 4  # the user, household, two people
    assert b"Petrovi" not in path.read_bytes()  # encrypted

    first = bundle.import_bundle(c.ctx, path)
    assert first.new >= 4 and first.conflicts == 0
    assert hh.get_household(c.ctx, household).household.family_name == "Petrović"
    assert [h.id for h in hh.find_households(c.ctx, "marko")] == [household]
    before = dump(c)
    again = bundle.import_bundle(c.ctx, path)
    assert (again.new, again.conflicts) == (0, 0)
    assert dump(c) == before


def test_a_tampered_bundle_is_refused_and_changes_nothing(laptops, tmp_path):
    a, c = laptops("a"), laptops("c")
    a.coordinator()
    a.household("Petrović", "Ana")
    path = tmp_path / "a.bundle"
    bundle.export_bundle(a.ctx, path)
    data = bytearray(path.read_bytes())
    before = dump(c)
    for where in (len(data) - 5, data.index(b'"versions"') + 12):  # contents, then header
        altered = bytearray(data)
        altered[where] ^= 0x01
        path.write_bytes(bytes(altered))
        with pytest.raises(bundle.BundleError, match="damaged or was altered"):
            bundle.import_bundle(c.ctx, path)
    path.write_bytes(b"PK\x03\x04 not a bundle")
    with pytest.raises(bundle.BundleError, match="not a docassist bundle"):
        bundle.import_bundle(c.ctx, path)
    assert dump(c) == before


def test_a_bundle_of_another_organisation_is_refused(laptops, tmp_path):
    a = laptops("a")
    other = laptops("other", org=("org-2", base64.b64encode(b"o" * 32).decode()))
    a.coordinator()
    a.household("Petrović")
    path = tmp_path / "a.bundle"
    bundle.export_bundle(a.ctx, path)
    with pytest.raises(bundle.BundleError, match="another organisation"):
        bundle.import_bundle(other.ctx, path)
    assert hh.count_households(other.ctx) == 0


def test_a_bundle_of_another_schema_version_is_refused(laptops, tmp_path, monkeypatch):
    a, c = laptops("a"), laptops("c")
    a.coordinator()
    a.household("Petrović")
    path = tmp_path / "a.bundle"
    monkeypatch.setattr(bundle, "schema_fingerprint", lambda: "12:0012_future:abcdef")
    bundle.export_bundle(a.ctx, path)
    monkeypatch.undo()
    with pytest.raises(bundle.BundleError, match="0012_future") as caught:
        bundle.import_bundle(c.ctx, path)
    assert KNOWN[-1] in str(caught.value)
    assert hh.count_households(c.ctx) == 0


def test_a_register_outside_any_organisation_cannot_import(tmp_path, laptops):
    a = laptops("a")
    a.coordinator()
    path = tmp_path / "a.bundle"
    bundle.export_bundle(a.ctx, path)
    alone = Laptop(tmp_path / "alone.db")
    try:
        with pytest.raises(bundle.BundleError, match="hub connect"):
            bundle.import_bundle(alone.ctx, path)
    finally:
        alone.close()


def test_a_concurrent_edit_in_a_bundle_is_a_conflict_found_once_everywhere(hub_dsn, tmp_path):
    """a and b sync through the hub; c has no network and gets a's bundle, with an edit
    of its own to the same household. Later c reaches the hub: the conflict c found is
    the one the hub finds, one record."""
    sync.init_hub(hub_dsn)
    a, b, c = (Laptop(tmp_path / f"{n}.db") for n in "abc")
    try:
        coordinator = a.coordinator()
        household = a.household("Petrović", "Ana")
        a.connect(hub_dsn)
        c.connect(hub_dsn, coordinator)  # c belongs to the organisation: it has the key
        b.connect(hub_dsn, coordinator)
        detail = hh.HouseholdInput("Petrović", municipality="Novi Sad", notes="from c")
        hh.update_household(c.ctx, household, detail)  # offline, earlier
        detail = hh.HouseholdInput("Petrović", municipality="Novi Sad", notes="from a")
        hh.update_household(a.ctx, household, detail)
        path = tmp_path / "a.bundle"
        bundle.export_bundle(a.ctx, path)
        imported = bundle.import_bundle(c.ctx, path)
        assert imported.conflicts == 1
        assert hh.get_household(c.ctx, household).household.notes == "from a"
        (found,) = sync.list_conflicts(c.ctx)
        assert found.kind == ConflictKind.EDIT and found.loser.data["notes"] == "from c"
        a.sync()
        c.sync()
        b.sync()
        a.sync()
        for laptop in (a, b, c):
            assert [v.id for v in sync.list_conflicts(laptop.ctx)] == [found.id]
            assert hh.get_household(laptop.ctx, household).household.notes == "from a"
    finally:
        for laptop in (a, b, c):
            laptop.close()
