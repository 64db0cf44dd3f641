"""Other laptops' audit entries, as a pull from the hub leaves them in a register.

Each laptop's chain is built the way store/audit.py chains its own (numbers from 1,
each entry hashed over its columns and the one before), so the register's own check of
other laptops' chains passes on it, and kept through the store's own function, as the
hub sync keeps what it pulls."""

from __future__ import annotations

from typing import Any

from docassist.services.context import Context
from docassist.store.audit import (
    GENESIS,
    RemoteChains,
    add_remote_entries,
    entry_hash,
    verify_remote_chains,
)
from docassist.store.db import new_id

LAPTOP_B = "b7e1c0de-0000-4000-8000-00000000000b"
LAPTOP_C = "c9a5f00d-0000-4000-8000-00000000000c"


def other_laptop(device_id: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` (at, user_id, action, entity, entity_id), oldest first, as the laptop
    ``device_id`` chained them."""
    chain = []
    prev = GENESIS
    for number, given in enumerate(entries, start=1):
        entry = {
            "id": number,
            "device_id": device_id,
            "details_sha256": None,
            "redacts": None,
            "prev_hash": prev,
            **given,
        }
        entry["hash"] = prev = entry_hash(entry)
        chain.append(entry)
    return chain


def receive(ctx: Context, *chains: list[dict[str, Any]]) -> None:
    """What a pull from the hub keeps of other laptops' chains."""
    with ctx.use_case():
        added = add_remote_entries(ctx.db, [e for chain in chains for e in chain])
    assert added == sum(len(c) for c in chains)
    assert isinstance(verify_remote_chains(ctx.db.conn), RemoteChains)


def name_laptop(ctx: Context, device_id: str, name: str, at: str) -> None:
    """The organisation's list of laptops, as a sync brings it from the hub."""
    from docassist.services.sync import laptop

    with ctx.use_case():
        laptop.keep_device_names(ctx.db, [(device_id, name)], from_hub=True)


def case_event(
    ctx: Context,
    device_id: str,
    case_id: str,
    user_id: str,
    at: str,
    kind: str,
    step_key: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
) -> None:
    """A case event another laptop wrote beside its audit entry, as a pull applies it."""
    with ctx.use_case():
        ctx.db.table("case_events").insert(
            {
                "id": new_id(),
                "case_id": case_id,
                "step_key": step_key,
                "kind": kind,
                "from_status": from_status,
                "to_status": to_status,
                "note": note,
                "at": at,
                "user_id": user_id,
                "device_id": device_id,
            }
        )
