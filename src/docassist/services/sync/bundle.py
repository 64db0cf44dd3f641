"""Sync by file: a bundle of this laptop's records for a laptop without network.

A bundle holds every version of every synced row this register has (and its outbox:
versions it made that lost a merge but the hub has not seen), so the receiving laptop
lacks nothing this one has; importing merges each version by the same rule as the hub
(domain/sync.py) and passes them on to the hub at its next sync. Importing a bundle
twice changes nothing: every version in it is then already covered.

**The audit trail goes with it** (format 2): this laptop's own chain and the other
laptops' entries it holds (``audit_remote``), all of them, as the rows are all of
them: the receiver may lack any. They travel as they travel to the hub (the chained
columns; the values before and after stay where they were written), arrive in the
receiver's ``audit_remote`` (one of each, by hash; its own skipped), are checked there
by ``db check`` like those from the hub, and go on to the hub at its next sync, which
is how a laptop that only ever syncs by USB stick delivers its trail. Who may read
whose trail follows the hub: a coordinator's laptop keeps every entry a bundle
carries; any other keeps only the trail of the laptop that made the bundle (it carries
it to the hub for that laptop, as the hub lets a laptop read what it sent), never the
third laptops' entries that one holds. The laptops' names go too (format 3): the
organisation's list as this laptop last read it from the hub (id and name only), so a
history on a laptop that syncs only by USB stick names the laptops too.

**Encrypted and signed for the organisation** with its key (32 random bytes made by
``hub init``, kept in the hub and, encrypted with the register, on every laptop that has
connected): XChaCha20-Poly1305 from libsodium (PyNaCl). That is authenticated
encryption: a bundle opens only with the organisation's key, and one changed by a
single bit does not open at all; the header (organisation, schema version, laptop,
time) is in clear so that a bundle of another organisation or docassist version is
refused with its reason, but it is authenticated with the contents, so it cannot be
altered either. age (pyrage) would encrypt as well, but proves nothing about who made
a file (anyone may encrypt to a public recipient) and would need a second signing
scheme: one symmetric key the organisation already holds does both, with one
dependency that ships its own libsodium.
"""

from __future__ import annotations

import base64
import json
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl import bindings
from nacl.exceptions import CryptoError

from docassist.domain.sync import POLICY, TABLE_ORDER, Version, canonical_json
from docassist.domain.text import N_
from docassist.services.context import Context
from docassist.services.files import write_bytes
from docassist.services.households import refresh_search_text
from docassist.services.sync import is_coordinator, laptop, refuse_made_up
from docassist.services.sync.hub import HubError, schema_fingerprint, schema_name
from docassist.store import audit, outbox

MAGIC = b"docassist-bundle\n"
FORMAT = 3  # 2: with the audit trail; 3: with the laptops' names


class BundleError(HubError):
    pass


@dataclass(frozen=True)
class Imported:
    versions: int  # in the bundle
    new: int  # that changed something here
    conflicts: int
    audit: int = 0  # other laptops' audit entries new here


def _org(ctx: Context) -> tuple[str, bytes]:
    state = outbox.state(ctx.db)
    if not state["org_id"] or not state["org_key"]:
        raise BundleError(
            N_(
                "This register does not belong to an organisation yet: connect it to the "
                "hub once (`docassist hub connect`) to receive the organisation's key."
            )
        )
    return state["org_id"], base64.b64decode(state["org_key"])


def _versions(ctx: Context) -> list[dict[str, Any]]:
    db = ctx.db
    out = []
    for table, row_key, hlc_, user_id, vv, deleted in db.execute(
        "SELECT tbl, row_key, hlc, user_id, vv, deleted FROM sync_versions"
    ).fetchall():
        policy = POLICY.get(table)
        row = outbox.read_row(db, policy, row_key) if policy else None
        if row is None or policy is None:
            continue
        out.append(
            {
                "tbl": table,
                "row_key": row_key,
                "hlc": hlc_,
                "user_id": user_id,
                "vv": json.loads(vv),
                "deleted": bool(deleted),
                "data": policy.payload(row),
            }
        )
    # a row after those it refers to (a case's trigger reads its household)
    out.sort(key=lambda v: (TABLE_ORDER.get(v["tbl"], len(TABLE_ORDER)), v["row_key"]))
    for entry in outbox.pending(db):
        v = entry.version
        out.append(
            {
                "tbl": entry.table,
                "row_key": entry.row_key,
                "hlc": v.hlc,
                "user_id": v.user_id,
                "vv": v.vv,
                "deleted": v.deleted,
                "data": v.data,
            }
        )
    return out


def export_bundle(ctx: Context, path: Path) -> int:
    """Write the bundle to ``path`` (whole, or not at all); returns how many versions."""
    refuse_made_up(ctx)
    org_id, key = _org(ctx)
    with ctx.use_case():  # seals what was written outside a use case first
        pass
    versions = _versions(ctx)
    own, held = audit.held_entries(ctx.db)
    header = {
        "format": FORMAT,
        "org_id": org_id,
        "schema": schema_fingerprint(),
        "device": ctx.device_id,
        "made_at": ctx.now(),
        "versions": len(versions),
        "audit": len(own) + len(held),
    }
    head = MAGIC + canonical_json(header).encode() + b"\n"
    nonce = secrets.token_bytes(bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    contents = {
        "versions": versions,
        "audit": own,
        "audit_held": held,
        "laptops": laptop.device_names(ctx.db),
    }
    body = zlib.compress(canonical_json(contents).encode(), 6)
    sealed = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(body, head, nonce, key)
    write_bytes(path, head + nonce + sealed)
    with ctx.use_case():
        ctx.audit(
            "export",
            "bundle",
            ctx.device_id,
            after={"versions": len(versions), "audit": len(own) + len(held)},
        )
    return len(versions)


def _read(path: Path, org_id: str, key: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    data = Path(path).read_bytes()
    name = str(path)
    if not data.startswith(MAGIC) or b"\n" not in data[len(MAGIC) :]:
        raise BundleError(N_("{path} is not a docassist bundle."), path=name)
    end = data.index(b"\n", len(MAGIC)) + 1
    head, rest = data[:end], data[end:]
    try:
        header = json.loads(head[len(MAGIC) :])
    except ValueError as err:
        raise _damaged(name) from err
    if header.get("org_id") != org_id:
        raise BundleError(
            N_(
                "{path} was made for another organisation: it cannot be opened here, and "
                "nothing was changed."
            ),
            path=name,
        )
    if header.get("schema") != schema_fingerprint() or header.get("format") != FORMAT:
        raise BundleError(
            N_(
                "{path} was made by another docassist version (schema {theirs}; here: "
                "{ours}): install the same version on both laptops. Nothing was changed."
            ),
            path=name,
            theirs=schema_name(str(header.get("schema") or "")),
            ours=schema_name(schema_fingerprint()),
        )
    size = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    try:
        body = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            rest[size:], head, rest[:size], key
        )
        contents = json.loads(zlib.decompress(body))
    except (CryptoError, ValueError, zlib.error) as err:
        raise _damaged(name) from err
    if not _well_formed(contents):  # sealed with the key, but not as this code seals
        raise _damaged(name)
    return header, contents


def _well_formed(contents: Any) -> bool:
    if not isinstance(contents, dict):
        return False
    parts = [contents.get(k) for k in ("versions", "audit", "audit_held")]
    trails: list[list[Any]] = [p for p in parts if isinstance(p, list)]
    if len(trails) != len(parts):
        return False
    laptops = contents.get("laptops")
    if not isinstance(laptops, list) or not all(
        isinstance(n, list) and len(n) == 2 and all(isinstance(x, str) for x in n) for n in laptops
    ):
        return False
    return all(
        isinstance(e, dict) and all(c in e for c in audit.TRAVELS)
        for trail in trails[1:]
        for e in trail
    )


def _damaged(name: str) -> BundleError:
    return BundleError(
        N_(
            "{path} is damaged or was altered after it was made: it was refused, and "
            "nothing was changed. Ask for a new copy."
        ),
        path=name,
    )


def import_bundle(ctx: Context, path: Path) -> Imported:
    """Merge the bundle at ``path`` into this register (and pass it on to the hub at
    the next sync). Refused whole if it is not this organisation's, of this schema, and
    exactly as it was made."""
    refuse_made_up(ctx)
    org_id, key = _org(ctx)
    header, contents = _read(path, org_id, key)
    versions = contents["versions"]
    trail = contents["audit"] + (contents["audit_held"] if is_coordinator(ctx) else [])
    applied = laptop.Applied()
    db = ctx.db
    now = ctx.now()
    with outbox.foreign_rows_allowed(db), ctx.use_case():
        with outbox.applying(db):
            for item in versions:
                table, row_key = item["tbl"], item["row_key"]
                if table not in POLICY:
                    continue
                version = Version(
                    item["hlc"], item["vv"], bool(item["deleted"]), item["data"], item["user_id"]
                )
                written = applied.written
                laptop.apply_version(db, table, row_key, version, applied, from_hub=False)
                if applied.written > written:
                    outbox.add_to_outbox(db, table, row_key, version, now, relayed=True)
            outbox.observe(db, [item["hlc"] for item in versions])
            conflicts = laptop.record_conflicts(
                db, applied.conflicts, now, f"bundle:{header.get('device', '?')}", now
            )
            for household_id in applied.households:
                refresh_search_text(ctx, household_id)
            laptop.scrub_erased_conflicts(db)
            named = laptop.keep_device_names(db, contents["laptops"], from_hub=False)
        # the other laptops' entries: kept, and passed on to the hub at the next sync
        added = audit.add_remote_entries(db, trail, relay=True)
        if applied.written or added or named:
            ctx.audit(
                "import",
                "bundle",
                str(header.get("device", "?")),
                after={
                    "versions": len(versions),
                    "new": applied.written,
                    "conflicts": conflicts,
                    "audit": added,
                    "laptops": named,
                },
            )
    return Imported(len(versions), applied.written, conflicts, added)
