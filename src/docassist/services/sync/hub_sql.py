"""The hub's side, in PostgreSQL: its tables, the merge rule and who may read what.

The hub keeps each synced row once, as JSON with its clock, version vector and
deletion mark (``docassist.rows``): the laptops' SQLite schema stays the one typed
schema, and the hub refuses a push from another schema version instead of silently
dropping columns it does not know.

``docassist.push`` applies a batch of versions. The merge rule runs here, per row, under
``FOR UPDATE``: the same rule as ``domain/sync.py`` (a property test holds the two
together). A conflict found is written as a ``sync_conflicts`` row, which travels to the
laptops like any other row.

**Commit order.** Pulls read ``seq > cursor``. A sequence alone does not give commit
order: two pushes drawing numbers at once commit in either order, and a pull between the
two commits would move its cursor past numbers still to be committed and skip them for
ever. So every writer of ``rows`` first takes one transaction-level advisory lock: pushes
apply one after the other, each one's numbers are above all numbers committed before it,
and PostgreSQL lets go of the lock only after the commit is visible. Any snapshot then
sees a prefix of the numbers; a cursor never passes a change it has not read. Pushes are
short (one laptop's outbox), so serialising them costs little at an organisation's scale.

Text comparisons of clocks use ``COLLATE "C"`` (byte order, as Python and SQLite
compare): a hub database with a linguistic collation would otherwise order clock
readings differently from the laptops.
"""

from __future__ import annotations

from docassist.store.audit import CHAINED, SCHEME


def _audit_hash_sql() -> str:
    """An audit entry's hash computed by the hub, as store/audit.py ``entry_hash`` makes
    it: SHA-256 over the compact JSON array of the scheme and the chained columns
    (PostgreSQL's to_json escapes text as Python's json does without ensure_ascii)."""
    parts = [f"to_json('{SCHEME}'::text)::text"]
    for column in CHAINED:
        text = f"x.{column}::text" if column == "id" else f"to_json(x.{column})::text"
        parts.append(f"coalesce({text}, 'null')")
    array = "'[' || concat_ws(',', " + ", ".join(parts) + ") || ']'"
    return f"encode(sha256(convert_to({array}, 'UTF8')), 'hex')"


AUDIT_HASH = _audit_hash_sql()

# The hub's own layout, apart from the register schema it holds: a change to the hub's
# tables, functions or row-level security that needs no migration on the laptops moves
# it, so that ``hub upgrade`` lays an older hub out again (hub.upgrade_hub). Laptops do
# not check it: a hub of either layout serves the same register schema.
# 2: laptops read only their own row of ``devices`` (a coordinator's: all), and a
#    facilitator's laptop only its own user's ``user_scopes``.
HUB_FORMAT = "2"

# pg_advisory_xact_lock key: "docassist" in hex digits, for anyone reading pg_locks
WRITE_LOCK = 0x0D0CA5515

SCHEMA = "docassist"
DEVICE_GROUP = "docassist_device"

CREATE = f"""
CREATE SCHEMA IF NOT EXISTS docassist;

CREATE TABLE IF NOT EXISTS docassist.meta (
    key text PRIMARY KEY,
    value text NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS docassist.change_seq;

CREATE TABLE IF NOT EXISTS docassist.rows (
    tbl text COLLATE "C" NOT NULL,
    row_key text COLLATE "C" NOT NULL,
    hlc text COLLATE "C" NOT NULL,
    user_id text,
    vv jsonb NOT NULL,
    deleted boolean NOT NULL,
    data jsonb NOT NULL,
    -- who may read it: '*' everyone; else the place key of its municipality
    scope text COLLATE "C" NOT NULL DEFAULT '*',
    -- the user a case (and its steps and events) is assigned to
    owner text,
    -- the household the row belongs to: a facilitator also reads the households of
    -- the cases assigned to them
    household text,
    seq bigint NOT NULL,
    PRIMARY KEY (tbl, row_key)
);
CREATE INDEX IF NOT EXISTS rows_seq ON docassist.rows (seq);

-- Every laptop's audit trail (store/audit.py): the entries as each laptop chained them,
-- insert-only, one row per entry (its hash: an entry pushed twice, or again by a laptop
-- restored from a backup, is skipped). Only the chained columns: the values before and
-- after stay on the laptop that wrote them. ``seq`` is drawn under the push lock, so it
-- is in commit order and a pull by it skips nothing.
CREATE SEQUENCE IF NOT EXISTS docassist.audit_seq;
CREATE TABLE IF NOT EXISTS docassist.audit (
    hash text COLLATE "C" PRIMARY KEY,
    device_id text NOT NULL,
    id bigint NOT NULL,
    at text NOT NULL,
    user_id text,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    details_sha256 text,
    redacts text,
    prev_hash text NOT NULL,
    pushed_by text NOT NULL,
    seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_seq ON docassist.audit (seq);

CREATE TABLE IF NOT EXISTS docassist.policies (
    tbl text PRIMARY KEY,
    merge text NOT NULL,
    record_conflicts boolean NOT NULL,
    identity_fields text[] NOT NULL
);

CREATE TABLE IF NOT EXISTS docassist.devices (
    device_id text PRIMARY KEY,
    role_name text UNIQUE,
    user_id text,
    name text NOT NULL DEFAULT '',
    registered_at timestamptz NOT NULL DEFAULT now(),
    last_push_at timestamptz,
    last_pull_at timestamptz,
    revoked_at timestamptz,
    -- the latest clock reading this device pushed of its own: a register whose clock is
    -- behind it is an older copy (a restored backup) and takes a new device id
    last_hlc text COLLATE "C",
    -- a restored register's new id, which took over this one's login
    replaced_by text
);

CREATE TABLE IF NOT EXISTS docassist.pushes (
    id bigserial PRIMARY KEY,
    device_id text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    received integer NOT NULL,
    applied integer NOT NULL,
    conflicts integer NOT NULL
);

CREATE OR REPLACE FUNCTION docassist.covers(a jsonb, b jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM jsonb_each_text(b) e
        WHERE e.value COLLATE "C" > coalesce(a ->> e.key, '') COLLATE "C"
    )
$$;

CREATE OR REPLACE FUNCTION docassist.vv_join(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_object_agg(key, value), '{{}}'::jsonb) FROM (
        SELECT key, max(value COLLATE "C") AS value
        FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) v
        GROUP BY key
    ) j
$$;

CREATE OR REPLACE FUNCTION docassist.version_json(
    hlc text, user_id text, deleted boolean, data jsonb
) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'hlc', hlc, 'device', split_part(hlc, '.', 3), 'user_id', user_id,
        'deleted', deleted, 'data', data)
$$;

-- The person (or household) whose data a conflict row copies (laptop.conflict_subject
-- says the same): the person's own row, their documents (keyed person/kind), cases and
-- case steps; a household's own row.
CREATE OR REPLACE FUNCTION docassist.conflict_subject(k jsonb) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, docassist AS $$
    SELECT CASE k ->> 'tbl'
        WHEN 'households' THEN k ->> 'row_key'
        WHEN 'persons' THEN k ->> 'row_key'
        WHEN 'documents' THEN split_part(k ->> 'row_key', '/', 1)
        WHEN 'cases' THEN (k ->> 'winner')::jsonb -> 'data' ->> 'person_id'
        WHEN 'case_steps' THEN (
            SELECT c.data ->> 'person_id' FROM docassist.rows c
            WHERE c.tbl = 'cases' AND c.row_key = (k ->> 'winner')::jsonb -> 'data' ->> 'case_id')
    END
$$;

CREATE OR REPLACE FUNCTION docassist.erased_side(side text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_set(side::jsonb, '{{data}}', '{{"erased": true}}'::jsonb)::text
$$;

-- Erasure on request reaches the hub as the person's (or household's) erased row (a
-- tombstone that beats any edit); the conflicts kept here still copy the data as it
-- was. Blank them (who, when and which laptop stay), with the erasure's clock and a
-- new place in the commit log, so every laptop takes the blanked row in its next pull.
-- Run at the end of every push: a conflict made by an edit that arrives after the
-- erasure is blanked as well.
CREATE OR REPLACE FUNCTION docassist.scrub_erased() RETURNS integer
LANGUAGE sql SET search_path = pg_catalog, docassist AS $$
    WITH done AS (
        UPDATE docassist.rows k SET
            data = k.data || jsonb_build_object(
                'winner', docassist.erased_side(k.data ->> 'winner'),
                'loser', docassist.erased_side(k.data ->> 'loser')),
            hlc = p.hlc,
            seq = nextval('docassist.change_seq')
        FROM docassist.rows p
        WHERE k.tbl = 'sync_conflicts'
          AND p.tbl = CASE WHEN k.data ->> 'tbl' = 'households' THEN 'households'
                           ELSE 'persons' END
          AND p.row_key = docassist.conflict_subject(k.data)
          AND p.data ->> 'erased_at' IS NOT NULL
          AND ((k.data ->> 'loser')::jsonb -> 'data') IS DISTINCT FROM '{{"erased": true}}'::jsonb
        RETURNING 1
    )
    SELECT count(*)::integer FROM done
$$;

-- Which device is calling: its own login role (each laptop has one).
CREATE OR REPLACE FUNCTION docassist.my_device() RETURNS docassist.devices
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
    SELECT * FROM docassist.devices WHERE role_name = session_user
$$;

CREATE OR REPLACE FUNCTION docassist.my_user() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
    SELECT user_id FROM docassist.devices
    WHERE role_name = session_user AND revoked_at IS NULL
$$;

CREATE OR REPLACE FUNCTION docassist.i_see_everything() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
    SELECT coalesce((
        SELECT r.data ->> 'role' IN ('coordinator', 'admin') FROM docassist.rows r
        WHERE r.tbl = 'users' AND r.row_key = docassist.my_user() AND NOT r.deleted
    ), false)
$$;

CREATE OR REPLACE FUNCTION docassist.my_places() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
    SELECT coalesce(array_agg(r.scope), '{{}}') FROM docassist.rows r
    WHERE r.tbl = 'user_scopes' AND NOT r.deleted AND r.data ->> 'user_id' = docassist.my_user()
$$;

CREATE OR REPLACE FUNCTION docassist.my_households() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
    SELECT coalesce(array_agg(DISTINCT r.household), '{{}}') FROM docassist.rows r
    WHERE r.tbl = 'cases' AND NOT r.deleted AND r.owner = docassist.my_user()
$$;

CREATE OR REPLACE FUNCTION docassist.push(
    changes jsonb, laptop_schema text, from_device text
) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
DECLARE
    c record;
    cur docassist.rows%ROWTYPE;
    pol docassist.policies%ROWTYPE;
    hub_schema text;
    received integer := 0;
    applied integer := 0;
    found_conflicts integer := 0;
    joined jsonb;
    incoming_wins boolean;
    kind text;
    winner jsonb;
    loser jsonb;
    loser_hlc text;
    cid text;
    me docassist.devices%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock({WRITE_LOCK});
    SELECT value INTO hub_schema FROM docassist.meta WHERE key = 'schema';
    IF hub_schema IS DISTINCT FROM laptop_schema THEN
        RAISE EXCEPTION 'docassist: schema mismatch' USING
            ERRCODE = 'DA001', DETAIL = coalesce(hub_schema, '');
    END IF;
    me := docassist.my_device();
    IF me.device_id IS NOT NULL AND (me.revoked_at IS NOT NULL OR me.device_id <> from_device)
    THEN
        RAISE EXCEPTION 'docassist: device refused' USING ERRCODE = 'DA003';
    END IF;
    FOR c IN SELECT * FROM jsonb_to_recordset(changes) AS x(
        tbl text, row_key text, hlc text, user_id text, vv jsonb, deleted boolean,
        data jsonb, scope text, owner text, household text)
    LOOP
        received := received + 1;
        SELECT * INTO pol FROM docassist.policies p WHERE p.tbl = c.tbl;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'docassist: unknown table %', c.tbl USING ERRCODE = 'DA002';
        END IF;
        SELECT * INTO cur FROM docassist.rows r
        WHERE r.tbl = c.tbl AND r.row_key = c.row_key FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO docassist.rows
            VALUES (c.tbl, c.row_key, c.hlc, c.user_id, c.vv, c.deleted, c.data,
                    coalesce(c.scope, '*'), c.owner, c.household,
                    nextval('docassist.change_seq'));
            applied := applied + 1;
            CONTINUE;
        END IF;
        IF pol.merge = 'append' THEN
            CONTINUE;
        END IF;
        IF docassist.covers(cur.vv, c.vv) THEN
            IF cur.hlc <> c.hlc THEN
                -- old news passed on from a bundle: the laptop that sent it may hold
                -- another winner, so every laptop reads the hub's row again
                UPDATE docassist.rows SET seq = nextval('docassist.change_seq')
                WHERE tbl = c.tbl AND row_key = c.row_key;
            END IF;
            CONTINUE;
        END IF;
        applied := applied + 1;
        IF docassist.covers(c.vv, cur.vv) THEN
            UPDATE docassist.rows SET hlc = c.hlc, user_id = c.user_id, vv = c.vv,
                deleted = c.deleted, data = c.data, scope = coalesce(c.scope, cur.scope),
                owner = c.owner, household = coalesce(c.household, cur.household),
                seq = nextval('docassist.change_seq')
            WHERE tbl = c.tbl AND row_key = c.row_key;
            CONTINUE;
        END IF;
        -- made concurrently: a delete beats an edit, else the later clock wins
        joined := docassist.vv_join(cur.vv, c.vv);
        incoming_wins := (c.deleted, c.hlc COLLATE "C") > (cur.deleted, cur.hlc COLLATE "C");
        IF incoming_wins THEN
            UPDATE docassist.rows SET hlc = c.hlc, user_id = c.user_id, vv = joined,
                deleted = c.deleted, data = c.data, scope = coalesce(c.scope, cur.scope),
                owner = c.owner, household = coalesce(c.household, cur.household),
                seq = nextval('docassist.change_seq')
            WHERE tbl = c.tbl AND row_key = c.row_key;
        ELSE
            UPDATE docassist.rows SET vv = joined, seq = nextval('docassist.change_seq')
            WHERE tbl = c.tbl AND row_key = c.row_key;
        END IF;
        CONTINUE WHEN NOT pol.record_conflicts OR (c.deleted AND cur.deleted);
        kind := NULL;
        IF c.deleted <> cur.deleted THEN
            kind := 'delete';
        ELSIF (c.data - 'updated_at' - 'device_id')
              IS DISTINCT FROM (cur.data - 'updated_at' - 'device_id') THEN
            kind := CASE WHEN EXISTS (
                SELECT 1 FROM unnest(pol.identity_fields) f
                WHERE (c.data -> f) IS DISTINCT FROM (cur.data -> f)
            ) THEN 'identity' ELSE 'edit' END;
        END IF;
        CONTINUE WHEN kind IS NULL;
        IF incoming_wins THEN
            winner := docassist.version_json(c.hlc, c.user_id, c.deleted, c.data);
            loser := docassist.version_json(cur.hlc, cur.user_id, cur.deleted, cur.data);
            loser_hlc := cur.hlc;
        ELSE
            winner := docassist.version_json(cur.hlc, cur.user_id, cur.deleted, cur.data);
            loser := docassist.version_json(c.hlc, c.user_id, c.deleted, c.data);
            loser_hlc := c.hlc;
        END IF;
        cid := left(encode(sha256(convert_to(
            c.tbl || '|' || c.row_key || '|' || loser_hlc, 'UTF8')), 'hex'), 32);
        INSERT INTO docassist.rows VALUES (
            'sync_conflicts', cid, loser_hlc, NULL, '{{}}'::jsonb, false,
            jsonb_build_object(
                'id', cid, 'tbl', c.tbl, 'row_key', c.row_key, 'kind', kind,
                'winner', winner::text, 'loser', loser::text,
                'detected_at', to_char(now() AT TIME ZONE 'UTC',
                                       'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                'detected_on', 'hub'),
            coalesce(c.scope, cur.scope), coalesce(c.owner, cur.owner),
            coalesce(c.household, cur.household), nextval('docassist.change_seq'))
        ON CONFLICT DO NOTHING;
        IF FOUND THEN
            found_conflicts := found_conflicts + 1;
        END IF;
    END LOOP;
    PERFORM docassist.scrub_erased();
    UPDATE docassist.devices SET last_push_at = now(), last_hlc = greatest(last_hlc, (
        SELECT max(x.hlc COLLATE "C") FROM jsonb_to_recordset(changes) AS x(hlc text)
        WHERE split_part(x.hlc, '.', 3) = from_device))
    WHERE device_id = from_device;
    INSERT INTO docassist.pushes(device_id, received, applied, conflicts)
    VALUES (from_device, received, applied, found_conflicts);
    RETURN jsonb_build_object(
        'received', received, 'applied', applied, 'conflicts', found_conflicts);
END
$$;

-- Audit entries added to the union (one already here is skipped, never changed): the
-- caller's own, and other laptops' it received by bundle and relays (a laptop that syncs
-- only by USB stick reaches the hub through the laptops it hands its bundles to).
-- ``pushed_by`` is the device that sent the entry here. Nothing here changes or removes
-- an entry, and devices may not write the table otherwise. An entry is kept only if
-- its hash is the one over its columns (store/audit.py ``entry_hash``, the same JSON
-- array here): else a relaying device could take a real entry's hash for content of
-- its own, and the real entry, arriving later, would be skipped as already here.
CREATE OR REPLACE FUNCTION docassist.push_audit(entries jsonb, from_device text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
DECLARE
    me docassist.devices%ROWTYPE;
    added integer;
BEGIN
    PERFORM pg_advisory_xact_lock({WRITE_LOCK});
    me := docassist.my_device();
    IF me.device_id IS NOT NULL AND (me.revoked_at IS NOT NULL OR me.device_id <> from_device)
    THEN
        RAISE EXCEPTION 'docassist: device refused' USING ERRCODE = 'DA003';
    END IF;
    WITH added_rows AS (
        INSERT INTO docassist.audit
        SELECT x.hash, x.device_id, x.id, x.at, x.user_id, x.action, x.entity, x.entity_id,
               x.details_sha256, x.redacts, x.prev_hash, from_device,
               nextval('docassist.audit_seq')
        FROM jsonb_to_recordset(entries) AS x(
            hash text, device_id text, id bigint, at text, user_id text, action text,
            entity text, entity_id text, details_sha256 text, redacts text, prev_hash text)
        WHERE x.hash = {AUDIT_HASH}
        ON CONFLICT (hash) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer INTO added FROM added_rows;
    RETURN added;
END
$$;

-- when this laptop last read the hub (what a coordinator sees about a lost laptop)
CREATE OR REPLACE FUNCTION docassist.note_pull(from_device text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
    UPDATE docassist.devices SET last_pull_at = now()
    WHERE device_id = from_device AND (
        role_name = session_user
        OR NOT pg_has_role(session_user, '{DEVICE_GROUP}', 'MEMBER'))
$$;

-- A register restored from a backup goes on under a new device id (outbox.renew_device):
-- its login, still the old id's, moves to the new id, and the old id's row stays for
-- the record (what it pushed, when), pointing at the new one. Repeated after a cut
-- connection, it finds the move made and does nothing.
CREATE OR REPLACE FUNCTION docassist.renew_device(previous text, renewed text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
DECLARE
    d docassist.devices%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock({WRITE_LOCK});
    SELECT * INTO d FROM docassist.devices WHERE role_name = session_user;
    IF NOT FOUND OR d.revoked_at IS NOT NULL OR d.device_id NOT IN (previous, renewed) THEN
        RAISE EXCEPTION 'docassist: device refused' USING ERRCODE = 'DA003';
    END IF;
    IF d.device_id = renewed THEN
        RETURN;
    END IF;
    UPDATE docassist.devices SET role_name = NULL, replaced_by = renewed
    WHERE device_id = previous;
    INSERT INTO docassist.devices(device_id, role_name, user_id, name)
    VALUES (renewed, session_user, d.user_id, d.name);
END
$$;

-- A lost laptop: its login stops working at once (and its open sessions end); what it
-- pushed stays. A coordinator's laptop, or the hub's owner, may do it.
CREATE OR REPLACE FUNCTION docassist.revoke_device(which text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docassist AS $$
DECLARE
    d docassist.devices%ROWTYPE;
BEGIN
    IF pg_has_role(session_user, '{DEVICE_GROUP}', 'MEMBER')
       AND NOT docassist.i_see_everything() THEN
        RAISE EXCEPTION 'docassist: only a coordinator' USING ERRCODE = 'DA004';
    END IF;
    SELECT * INTO d FROM docassist.devices WHERE device_id = which;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE docassist.devices SET revoked_at = coalesce(revoked_at, now())
    WHERE device_id = which;
    IF d.role_name IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN PASSWORD NULL', d.role_name);
        PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = d.role_name;
    END IF;
    RETURN d.device_id;
END
$$;

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{DEVICE_GROUP}') THEN
        CREATE ROLE {DEVICE_GROUP} NOLOGIN;
    END IF;
END $$;

ALTER TABLE docassist.rows ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS device_reads ON docassist.rows;
-- A laptop reads the shared rows (users, conflicts' settlements, workshops), its user's
-- municipalities and the cases assigned to its user; a coordinator's laptop reads
-- everything. Where someone works (``user_scopes``) is read only by that user's laptop
-- (and coordinators'): a facilitator's laptop uses none of it (`users works-in` is a
-- coordinator's), and its place key would otherwise give every facilitator of a
-- municipality the list of who else works there; a conflict over one is a
-- coordinator's to settle, so it goes to coordinators' laptops only. The functions are
-- wrapped in sub-selects so they run once per query, not once per row.
CREATE POLICY device_reads ON docassist.rows FOR SELECT TO {DEVICE_GROUP} USING (
    (SELECT docassist.i_see_everything())
    OR CASE WHEN tbl = 'user_scopes' THEN data ->> 'user_id' = (SELECT docassist.my_user())
       WHEN tbl = 'sync_conflicts' AND data ->> 'tbl' = 'user_scopes' THEN false
       ELSE scope = '*'
            OR scope = ANY ((SELECT docassist.my_places())::text[])
            OR owner = (SELECT docassist.my_user())
            OR household = ANY ((SELECT docassist.my_households())::text[])
       END
);

-- The organisation's list of laptops (whose each is, when it synced, whether revoked)
-- is a coordinator's to read (`hub devices`, `hub revoke`); any other laptop reads its
-- own row only, so a lost laptop's login cannot list the organisation's laptops. The
-- hub's own functions (SECURITY DEFINER, the owner's) read it whole as before.
ALTER TABLE docassist.devices ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS device_reads_devices ON docassist.devices;
CREATE POLICY device_reads_devices ON docassist.devices FOR SELECT TO {DEVICE_GROUP} USING (
    role_name = session_user OR (SELECT docassist.i_see_everything())
);

ALTER TABLE docassist.audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS device_reads_audit ON docassist.audit;
-- Every laptop's audit trail is a coordinator's to read; a laptop reads what it sent
-- (its own, and what it relayed from bundles, which it holds already), no other's.
CREATE POLICY device_reads_audit ON docassist.audit FOR SELECT TO {DEVICE_GROUP} USING (
    (SELECT docassist.i_see_everything())
    OR pushed_by = (SELECT (docassist.my_device()).device_id)
);

REVOKE ALL ON SCHEMA docassist FROM PUBLIC;
GRANT USAGE ON SCHEMA docassist TO {DEVICE_GROUP};
GRANT SELECT ON docassist.rows, docassist.meta, docassist.devices, docassist.audit
    TO {DEVICE_GROUP};
REVOKE ALL ON FUNCTION docassist.push_audit(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION docassist.push_audit(jsonb, text) TO {DEVICE_GROUP};
GRANT EXECUTE ON FUNCTION docassist.i_see_everything() TO {DEVICE_GROUP};
REVOKE ALL ON FUNCTION docassist.revoke_device(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION docassist.revoke_device(text) TO {DEVICE_GROUP};
REVOKE ALL ON FUNCTION docassist.push(jsonb, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION docassist.push(jsonb, text, text) TO {DEVICE_GROUP};
REVOKE ALL ON FUNCTION docassist.renew_device(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION docassist.renew_device(text, text) TO {DEVICE_GROUP};
REVOKE ALL ON FUNCTION docassist.note_pull(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION docassist.note_pull(text) TO {DEVICE_GROUP};
"""

# A page of the commit log: where it ends, then its rows, but for those whose version is
# exactly one this laptop made with nothing else in its history (its own push coming
# back: after a first push, that is all of it). Read in two statements: every row at or
# below the end seen first is seen by the second, and a row moved above it meanwhile is
# in the next page.
PULL_END = """
SELECT max(seq) FROM (
    SELECT seq FROM docassist.rows WHERE seq > %s ORDER BY seq LIMIT %s
) page
"""

PULL = """
SELECT tbl, row_key, hlc, user_id, vv, deleted, data, seq
FROM docassist.rows
WHERE seq > %s AND seq <= %s AND vv <> jsonb_build_object(%s::text, hlc)
ORDER BY seq
"""

# Everything the hub holds of some households, whenever it was committed: for a laptop
# that may hold them now but never received them (its user's municipalities grew, a
# case in them was given to its user). Their rows sit below the laptop's pull position,
# so the log read in order would not show them again until someone changed them.
CATCH_UP = """
SELECT tbl, row_key, hlc, user_id, vv, deleted, data, seq
FROM docassist.rows
WHERE household = ANY (%s::text[])
ORDER BY seq
"""

# The audit entries pushed after a position, in commit order (the same two statements as
# PULL_END and PULL), but for this laptop's own.
AUDIT_PULL_END = """
SELECT max(seq) FROM (
    SELECT seq FROM docassist.audit WHERE seq > %s ORDER BY seq LIMIT %s
) page
"""

AUDIT_PULL = """
SELECT hash, device_id, id, at, user_id, action, entity, entity_id, details_sha256,
       redacts, prev_hash
FROM docassist.audit WHERE seq > %s AND seq <= %s AND pushed_by <> %s ORDER BY seq
"""

# The hub's own record of what was done to its layout (``hub upgrade``): when, under
# which account, from which schema to which. The owner's to read; laptops read none of
# it (no grant). Kept apart from ``CREATE`` so that a hub laid out before it gets it
# from the upgrade like anything else new.
UPGRADES = """
CREATE TABLE IF NOT EXISTS docassist.upgrades (
    id bigserial PRIMARY KEY,
    at text NOT NULL,
    by_role text NOT NULL DEFAULT session_user,
    from_schema text NOT NULL,
    to_schema text NOT NULL
);
-- hub format 2: the hub's own layout (HUB_FORMAT) before and after, for an upgrade that
-- changed it with the schema unchanged; none in a record made before
ALTER TABLE docassist.upgrades ADD COLUMN IF NOT EXISTS from_format text;
ALTER TABLE docassist.upgrades ADD COLUMN IF NOT EXISTS to_format text;
"""

# Everything ``hub init`` lays out and ``hub upgrade`` lays out again, in this order:
# each statement leaves a hub that already has it as it was (IF NOT EXISTS, OR REPLACE),
# so the one list is the layout of a new hub and the way an older one catches up. What
# those cannot do on an older hub is written here so that it can, or the upgrade fails
# and changes nothing: a column added to a table of an older layout needs its ALTER TABLE
# ... ADD COLUMN IF NOT EXISTS, a function whose result or arguments change its DROP
# FUNCTION IF EXISTS first.
LAYOUT = (CREATE, UPGRADES)
