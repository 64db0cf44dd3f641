"""The schema, as numbered forward-only migrations.

Each function is one step; names sort in the order they were written and are
recorded in ``_sqlite_migrations``. A database that has applied a migration this
code does not know was written by a newer docassist and is refused.

sqlite-utils' ``Migrations`` keeps that record (its table, its transactions), as
it always has; it is imported only when a step is pending. Which steps a register
has applied is read here with one query, as every start needs to know.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from docassist.store.database import Database

MIGRATION_SET = "docassist"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' name for its record
Step = Callable[[Database], None]
_STEPS: list[tuple[str, Step]] = []
KNOWN: list[str] = []  # every migration this code knows, in order


def _migration(name: str) -> Callable[[Step], Step]:
    def register(step: Step) -> Step:
        KNOWN.append(name)
        _STEPS.append((name, step))
        return step

    return register


def applied(db: Database) -> list[str]:
    """The migrations ``db`` has applied, in the order it applied them."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if not exists:
        return []
    rows = db.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        [MIGRATION_SET],
    )
    return [name for (name,) in rows]


def apply(db: Database, *, stop_before: str | None = None) -> None:
    """Apply every pending migration in order (up to ``stop_before``, for tests
    that build an older register), each in a transaction with its record."""
    done = set(applied(db))
    if all(name in done for name in KNOWN):
        return
    from sqlite_utils import Database as SqliteUtilsDatabase
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, step in _STEPS:
        migrations(name=name)(_on(db, step, name))
    # The same connection: its transactions are the ones each step runs in.
    migrations.apply(SqliteUtilsDatabase(db.conn, execute_plugins=False), stop_before=stop_before)


def _on(db: Database, step: Step, name: str) -> Callable[[object], None]:
    """``step`` as sqlite-utils calls it (with its own Database), run on ``db``."""

    def run(_tables: object) -> None:
        step(db)

    run.__name__ = name
    return run


def _run_script(db: Database, script: str) -> None:
    """Run several statements inside the migration's transaction.

    ``executescript`` would COMMIT first and break the transaction the
    migration runs in, so statements are split and executed one by one.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending[:60]!r}")


# Columns every synchronisable row carries, so records made on two laptops can
# later be merged: who wrote it last, when, and a soft-delete marker.
_SYNC = """
    updated_at TEXT NOT NULL,
    device_id TEXT NOT NULL,
    deleted_at TEXT
"""


@_migration("0001_initial")
def m0001_initial(db: Database) -> None:
    _run_script(
        db,
        f"""
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('facilitator','coordinator','trainee','admin')),
        language TEXT,
        created_at TEXT NOT NULL,
        {_SYNC}
    );

    CREATE TABLE households (
        id TEXT PRIMARY KEY,
        family_name TEXT NOT NULL,
        settlement TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        municipality TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        language TEXT,
        consent_date TEXT,
        consent_scope TEXT,
        consent_recorded_by TEXT REFERENCES users(id),
        -- search keys of the family name and every member, maintained by the services
        search_text TEXT NOT NULL DEFAULT '',
        sort_latn TEXT NOT NULL DEFAULT '',  -- family name collated by the abeceda
        sort_cyrl TEXT NOT NULL DEFAULT '',  -- ... and by the azbuka
        created_at TEXT NOT NULL,
        {_SYNC}
    );
    CREATE INDEX households_municipality ON households(municipality, settlement);
    CREATE INDEX households_sort_latn ON households(sort_latn);
    CREATE INDEX households_sort_cyrl ON households(sort_cyrl);

    CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES households(id),
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        relation TEXT NOT NULL DEFAULT 'other',
        sex TEXT NOT NULL DEFAULT 'u' CHECK (sex IN ('f','m','u')),
        birth_date TEXT,            -- partial date: '1987', '1987-05', '1987-05-12', '~1990'
        birth_year INTEGER,         -- for filters and reports without parsing
        birth_precision TEXT,       -- 'year' | 'month' | 'day'
        birth_approximate INTEGER NOT NULL DEFAULT 0,
        place_of_birth TEXT NOT NULL DEFAULT '',
        jmbg TEXT,
        mother_id TEXT REFERENCES persons(id),
        father_id TEXT REFERENCES persons(id),
        is_idp INTEGER NOT NULL DEFAULT 0,
        is_refugee INTEGER NOT NULL DEFAULT 0,
        is_returnee INTEGER NOT NULL DEFAULT 0,
        is_domicile INTEGER NOT NULL DEFAULT 0,
        -- ethnicity is sensitive: only with consent recorded on the person
        ethnicity TEXT,
        ethnicity_consent_at TEXT,
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        {_SYNC},
        CHECK (ethnicity IS NULL OR ethnicity_consent_at IS NOT NULL)
    );
    CREATE INDEX persons_household ON persons(household_id);
    CREATE INDEX persons_name_key ON persons(name_key);
    CREATE INDEX persons_jmbg ON persons(jmbg) WHERE jmbg IS NOT NULL;

    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id),
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('have','in_progress','missing','unknown')),
        obtained_on TEXT,
        case_id TEXT,
        {_SYNC},
        UNIQUE (person_id, kind)
    );

    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id),
        household_id TEXT NOT NULL REFERENCES households(id),
        checklist_id TEXT NOT NULL,
        checklist_version INTEGER NOT NULL,
        produces TEXT,              -- document kind the person holds once obtained
        status TEXT NOT NULL CHECK (status IN ('open','blocked','done','closed')),
        outcome TEXT CHECK (outcome IN ('obtained','refused','abandoned')),
        outcome_date TEXT,
        outcome_reason TEXT,
        blocked_reason TEXT,
        opened_at TEXT NOT NULL,
        opened_by TEXT REFERENCES users(id),
        closed_at TEXT,
        next_due TEXT,              -- earliest due date of an unfinished step
        {_SYNC}
    );
    CREATE INDEX cases_person ON cases(person_id);
    CREATE INDEX cases_household ON cases(household_id);
    CREATE INDEX cases_status ON cases(status, next_due);

    CREATE TABLE case_steps (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id),
        step_key TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('todo','in_progress','done','skipped','blocked')),
        typical_days INTEGER,       -- from the checklist, to propose due dates
        due_date TEXT,
        done_date TEXT,
        blocked_reason TEXT,
        note TEXT NOT NULL DEFAULT '',
        {_SYNC},
        UNIQUE (case_id, step_key)
    );
    CREATE INDEX case_steps_due ON case_steps(status, due_date);

    -- append-only: every step change, so two laptops' histories can be merged
    CREATE TABLE case_events (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id),
        step_key TEXT,
        kind TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT,
        note TEXT,
        at TEXT NOT NULL,
        user_id TEXT REFERENCES users(id),
        device_id TEXT NOT NULL
    );
    CREATE INDEX case_events_case ON case_events(case_id, at);

    CREATE TABLE workshops (
        id TEXT PRIMARY KEY,
        held_on TEXT NOT NULL,
        place TEXT NOT NULL DEFAULT '',
        municipality TEXT NOT NULL DEFAULT '',
        settlement TEXT NOT NULL DEFAULT '',
        facilitator_id TEXT REFERENCES users(id),
        checklists TEXT NOT NULL DEFAULT '[]',   -- JSON list of checklist ids
        languages TEXT NOT NULL DEFAULT '[]',    -- JSON list of language codes
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        {_SYNC}
    );

    CREATE TABLE attendance (
        id TEXT PRIMARY KEY,
        workshop_id TEXT NOT NULL REFERENCES workshops(id),
        household_id TEXT NOT NULL REFERENCES households(id),
        person_id TEXT REFERENCES persons(id),
        {_SYNC},
        UNIQUE (workshop_id, household_id, person_id)
    );
    CREATE INDEX attendance_household ON attendance(household_id);

    -- append-only: who changed what, with the values before and after
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_id TEXT,
        device_id TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        before TEXT,
        after TEXT
    );
    CREATE INDEX audit_entity ON audit_log(entity, entity_id);
    """,
    )
    # Search is by word prefix over our own search keys (script- and
    # diacritic-free), so the default tokenizer is enough.
    db.execute(
        "CREATE VIRTUAL TABLE households_fts USING fts5("
        "search_text, content='households', content_rowid='rowid', "
        "tokenize='unicode61', prefix='2 3')"
    )
    _run_script(
        db,
        """
    CREATE TRIGGER households_fts_ai AFTER INSERT ON households BEGIN
        INSERT INTO households_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
    END;
    CREATE TRIGGER households_fts_ad AFTER DELETE ON households BEGIN
        INSERT INTO households_fts(households_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    END;
    CREATE TRIGGER households_fts_au AFTER UPDATE OF search_text ON households BEGIN
        INSERT INTO households_fts(households_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO households_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
    END;
    """,
    )


@_migration("0002_practice_attempts")
def m0002_practice_attempts(db: Database) -> None:
    # Written only in the practice database (locations.practice_database()); the real
    # register gets the empty table too, because there is one schema for every file.
    # ``answers`` is a JSON list of {"question", "choice", "correct", "at"}, in the
    # order given; ``score`` counts the correct ones once the attempt is finished.
    _run_script(
        db,
        f"""
    CREATE TABLE practice_attempts (
        id TEXT PRIMARY KEY,
        trainee TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        scenario_version INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        score INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL,
        answers TEXT NOT NULL DEFAULT '[]',
        {_SYNC}
    );
    CREATE INDEX practice_attempts_trainee ON practice_attempts(trainee, scenario_id, started_at);
    """,
    )


@_migration("0003_fast_lists_and_dashboard")
def m0003_fast_lists_and_dashboard(db: Database) -> None:
    # Measured on the 50,000-household benchmark register (make bench).
    #
    # Register list: the page is read in sort order from an index that holds
    # only live households, so the first page and count(*) need no table scan.
    # These replace the plain sort indexes.
    #
    # Dashboard: counting cases by municipality joined every open case to its
    # household (one index seek per case: ~0.5 s). Cases now carry their
    # household's municipality and settlement, kept by triggers whatever code
    # writes cases or households, so the counts read one small index in order.
    # The copies are derived data (like search_text): each laptop recomputes
    # them, they are not merged.
    _run_script(
        db,
        """
    DROP INDEX households_sort_latn;
    DROP INDEX households_sort_cyrl;
    CREATE INDEX households_live_latn ON households(sort_latn, id, deleted_at)
        WHERE deleted_at IS NULL;
    CREATE INDEX households_live_cyrl ON households(sort_cyrl, id, deleted_at)
        WHERE deleted_at IS NULL;
    -- usually empty: lets a search count its matches without reading households
    CREATE INDEX households_deleted ON households(deleted_at) WHERE deleted_at IS NOT NULL;

    ALTER TABLE cases ADD COLUMN municipality TEXT NOT NULL DEFAULT '';
    ALTER TABLE cases ADD COLUMN settlement TEXT NOT NULL DEFAULT '';
    UPDATE cases SET (municipality, settlement) =
        (SELECT h.municipality, h.settlement FROM households h WHERE h.id = cases.household_id);

    CREATE TRIGGER cases_place_ai AFTER INSERT ON cases BEGIN
        UPDATE cases SET (municipality, settlement) =
            (SELECT h.municipality, h.settlement FROM households h WHERE h.id = new.household_id)
        WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER cases_place_au AFTER UPDATE OF household_id ON cases BEGIN
        UPDATE cases SET (municipality, settlement) =
            (SELECT h.municipality, h.settlement FROM households h WHERE h.id = new.household_id)
        WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER households_place_au AFTER UPDATE OF municipality, settlement ON households
    WHEN old.municipality IS NOT new.municipality OR old.settlement IS NOT new.settlement
    BEGIN
        UPDATE cases SET municipality = new.municipality, settlement = new.settlement
        WHERE household_id = new.id;
    END;

    -- deleted_at is listed although the WHERE fixes it: SQLite still reads the
    -- column to test it, and from the index is much cheaper than from the row
    CREATE INDEX cases_active_place
        ON cases(municipality, settlement, status, next_due, deleted_at)
        WHERE status IN ('open','blocked') AND deleted_at IS NULL;
    CREATE INDEX cases_active_due ON cases(status, next_due, deleted_at)
        WHERE status IN ('open','blocked') AND deleted_at IS NULL;
    CREATE INDEX cases_done_on ON cases(status, outcome_date, municipality, settlement, deleted_at)
        WHERE status = 'done' AND deleted_at IS NULL;
    """,
    )


@_migration("0004_household_page_counts")
def m0004_household_page_counts(db: Database) -> None:
    # The register list counts members and open/blocked/overdue cases for the
    # 50-100 households on screen. Through the plain household_id indexes each
    # person and case row was read just to test deleted_at and status: half of
    # a search's time on the benchmark register. These indexes hold all of it.
    _run_script(
        db,
        """
    CREATE INDEX persons_household_live ON persons(household_id, deleted_at)
        WHERE deleted_at IS NULL;
    CREATE INDEX cases_household_live ON cases(household_id, status, next_due, deleted_at)
        WHERE deleted_at IS NULL;
    """,
    )


@_migration("0005_whole_household_attendance_once")
def m0005_whole_household_attendance_once(db: Database) -> None:
    # UNIQUE (workshop_id, household_id, person_id) never catches two
    # whole-household rows: SQLite treats NULLs as distinct. The service checks
    # before it writes, but the app and the command line can write at once.
    # A duplicate says nothing the first row does not, so duplicates left by
    # such a race are merged into one, keeping a live row where there is one.
    _run_script(
        db,
        """
    DELETE FROM attendance WHERE rowid IN (
        SELECT rowid FROM (
            SELECT rowid, row_number() OVER (
                PARTITION BY workshop_id, household_id
                ORDER BY deleted_at IS NOT NULL, rowid
            ) AS n
            FROM attendance WHERE person_id IS NULL
        ) WHERE n > 1
    );
    CREATE UNIQUE INDEX attendance_whole_household
        ON attendance(workshop_id, household_id) WHERE person_id IS NULL;
    """,
    )


@_migration("0006_erased_persons")
def m0006_erased_persons(db: Database) -> None:
    # A person erased on request (services/erasure.py) stays as a tombstone: the
    # row keeps its id so cases, attendance and the trail still add up, but holds
    # no personal data; erased_at says when, and that Undo must never bring it back.
    _run_script(
        db,
        """
    ALTER TABLE persons ADD COLUMN erased_at TEXT;
    """,
    )


@_migration("0007_audit_chain")
def m0007_audit_chain(db: Database) -> None:
    # The audit trail becomes a hash chain that shows tampering (store/audit.py says
    # how). Entries move to ``audit_entries``, append-only by trigger; the values
    # before and after move to ``audit_details``, which erasure on request may still
    # rewrite, the chain holding only their salted digest. ``audit_log`` stays, as a
    # view, for everything that reads the trail. Existing entries are chained in the
    # order of their ids, with the ids they had.
    from docassist.store.audit import append_entries

    _run_script(
        db,
        """
    CREATE TABLE audit_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_id TEXT,
        device_id TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        details_sha256 TEXT,        -- of audit_details' salt, before and after
        redacts TEXT,               -- erasure: {entry id: new details digest}, JSON
        prev_hash TEXT NOT NULL UNIQUE,  -- unique: two entries never follow the same one
        hash TEXT NOT NULL
    );
    CREATE TABLE audit_details (
        entry_id INTEGER PRIMARY KEY REFERENCES audit_entries(id),
        salt BLOB NOT NULL,
        before TEXT,
        after TEXT
    );
    """,
    )
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    cursor = db.execute(
        "SELECT id, at, user_id, device_id, action, entity, entity_id, before, after "
        "FROM audit_log ORDER BY id"
    )
    columns = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(10_000):
        append_entries(db, [dict(zip(columns, r, strict=True)) for r in batch])
    db.execute("DROP TABLE audit_log")
    if seq is not None:
        db.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'audit_entries'", [seq[0]]
        )
    _run_script(
        db,
        """
    CREATE INDEX audit_entity ON audit_entries(entity, entity_id);
    CREATE VIEW audit_log AS
        SELECT e.id, e.at, e.user_id, e.device_id, e.action, e.entity, e.entity_id,
               d.before, d.after
        FROM audit_entries e LEFT JOIN audit_details d ON d.entry_id = e.id;
    CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only: an entry cannot be changed');
    END;
    CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only: an entry cannot be deleted');
    END;
    CREATE TRIGGER audit_details_no_delete BEFORE DELETE ON audit_details BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only: details cannot be deleted');
    END;
    """,
    )


@_migration("0008_accounts")
def m0008_accounts(db: Database) -> None:
    # Every user signs in with a passphrase (services/accounts.py), kept only as an
    # Argon2id hash in PHC form ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"), which
    # carries its own parameters: hashes made under older parameters still verify.
    # Users from before accounts have none (NULL) and choose one at their next sign-in.
    # must_change_passphrase: a coordinator reset it, so the user picks their own next.
    #
    # sign_in_failures: failed sign-ins per name as typed (its search key, so "Milica"
    # and "милица" count together), known to the register or not, so the delay after
    # repeated failures is the same for every name and tells nobody which exist. It is
    # this laptop's own state, not a record to merge with other laptops: no sync columns.
    _run_script(
        db,
        """
    ALTER TABLE users ADD COLUMN passphrase_hash TEXT;
    ALTER TABLE users ADD COLUMN must_change_passphrase INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE sign_in_failures (
        name_key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_failure_at TEXT NOT NULL
    );
    """,
    )


@_migration("0009_search_keys_read_more_spellings")
def m0009_search_keys_read_more_spellings(db: Database) -> None:
    # The search keys learnt Romani ʒ/ǯ (dž), Albanian spellings (q, xh, gj, sh, zh),
    # the eth (Ð as Đ), Greek, and letters of scripts they cannot read; the sort keys
    # learnt the same table of letters. Keys written before would miss those names,
    # so every derived key is computed again. (Imported here: opening a register that
    # has this migration, every start, needs neither the search keys nor the scripts.)
    from docassist.store.search_index import rebuild_search_keys

    rebuild_search_keys(db)


# The tables that travel between laptops and the hub, with the expression (over ``new``
# or ``old``) that names a row the same way on every laptop (domain/sync.py, POLICIES;
# a test holds the two lists together). Written out here, not imported, so that this
# migration stays what it was when later code changes.
_SYNCED_KEYS_0011 = {
    "users": "{r}.id",
    "devices": "{r}.id",
    "user_scopes": "{r}.id",
    "households": "{r}.id",
    "persons": "{r}.id",
    "documents": "coalesce({r}.person_id, '') || '/' || coalesce({r}.kind, '')",
    "cases": "{r}.id",
    "case_steps": "{r}.id",
    "case_events": "{r}.id",
    "workshops": "{r}.id",
    "attendance": (
        "coalesce({r}.workshop_id, '') || '/' || coalesce({r}.household_id, '') || '/' "
        "|| coalesce({r}.person_id, '')"
    ),
    "sync_conflicts": "{r}.id",
    "sync_resolutions": "{r}.id",
}


@_migration("0011_sync")
def m0011_sync(db: Database) -> None:
    # Several laptops, one organisation (issue 17): services/sync.
    #
    # Each use case's changes are marked by triggers in sync_dirty (the single place
    # every write passes: whatever service or script wrote the row), and sealed into
    # sync_outbox before the use case commits (Context.use_case -> store/outbox.py):
    # a copy of the row as it travels, its hybrid logical clock and version vector.
    # Nothing is marked until the register is attached to an organisation (hub connect,
    # hub join): a register on its own pays one trigger test per write.
    # sync_versions holds each synced row's current version; pulls and bundles are
    # applied with sync_state.applying set, so what arrives is not sent back out.
    _run_script(
        db,
        f"""
    CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        attached INTEGER NOT NULL DEFAULT 0,
        applying INTEGER NOT NULL DEFAULT 0,
        clock TEXT NOT NULL DEFAULT '',      -- the latest clock made or seen here
        org_id TEXT,
        org_key TEXT,                        -- the organisation's bundle key (base64)
        hub_id TEXT,
        hub_dsn TEXT,                        -- this laptop's own hub credential
        schema TEXT                          -- the hub's schema when last reached
    );
    INSERT INTO sync_state(id) VALUES (1);

    CREATE TABLE sync_dirty (
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        PRIMARY KEY (tbl, row_key)
    ) WITHOUT ROWID;

    CREATE TABLE sync_versions (
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        hlc TEXT NOT NULL,
        user_id TEXT,
        vv TEXT NOT NULL,                    -- JSON: device id -> latest clock seen
        deleted INTEGER NOT NULL DEFAULT 0,
        digest TEXT NOT NULL,                -- of the data sent: an update changing
                                             -- only derived columns is no change
        PRIMARY KEY (tbl, row_key)
    ) WITHOUT ROWID;

    CREATE TABLE sync_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        hlc TEXT NOT NULL,
        user_id TEXT,
        vv TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL,                  -- JSON: the row as it travels
        relayed INTEGER NOT NULL DEFAULT 0,  -- from a bundle: passed on to the hub
        made_at TEXT NOT NULL
    );

    -- what a pull has fetched from the hub and not yet applied: fetching commits page by
    -- page (a dropped connection loses nothing), applying is one transaction at the end
    -- (a row may arrive before the row it refers to)
    CREATE TABLE sync_inbox (
        seq INTEGER PRIMARY KEY,             -- the hub's commit order
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        hlc TEXT NOT NULL,
        user_id TEXT,
        vv TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        data TEXT NOT NULL
    );

    CREATE INDEX sync_inbox_table ON sync_inbox(tbl, seq);

    -- A case copies its household's place (0003). A case may arrive before its
    -- household, or without it (a facilitator's laptop does not hold every household):
    -- then it has no place yet rather than fail NOT NULL, and gets it with the household.
    DROP TRIGGER cases_place_ai;
    DROP TRIGGER cases_place_au;
    CREATE TRIGGER cases_place_ai AFTER INSERT ON cases BEGIN
        UPDATE cases SET (municipality, settlement) = (
            SELECT coalesce(max(h.municipality), ''), coalesce(max(h.settlement), '')
            FROM households h WHERE h.id = new.household_id
        ) WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER cases_place_au AFTER UPDATE OF household_id ON cases BEGIN
        UPDATE cases SET (municipality, settlement) = (
            SELECT coalesce(max(h.municipality), ''), coalesce(max(h.settlement), '')
            FROM households h WHERE h.id = new.household_id
        ) WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER households_place_ai AFTER INSERT ON households BEGIN
        UPDATE cases SET municipality = new.municipality, settlement = new.settlement
        WHERE household_id = new.id;
    END;

    -- how far this laptop has read each source of changes (the hub's commit log)
    CREATE TABLE sync_cursors (
        source TEXT PRIMARY KEY,
        position INTEGER NOT NULL DEFAULT 0,
        last_push_at TEXT,
        last_pull_at TEXT
    );

    -- losing versions, with the winner, found on the hub or while importing a bundle;
    -- insert-only, like their resolutions, so both merge by union
    CREATE TABLE sync_conflicts (
        id TEXT PRIMARY KEY,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('edit','identity','delete')),
        winner TEXT NOT NULL,
        loser TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        detected_on TEXT NOT NULL
    );
    CREATE INDEX sync_conflicts_row ON sync_conflicts(tbl, row_key);

    CREATE TABLE sync_resolutions (
        id TEXT PRIMARY KEY,
        conflict_id TEXT NOT NULL,
        choice TEXT NOT NULL CHECK (choice IN ('winner','loser')),
        user_id TEXT,
        at TEXT NOT NULL,
        device_id TEXT NOT NULL
    );
    CREATE INDEX sync_resolutions_conflict ON sync_resolutions(conflict_id);

    -- the organisation's laptops, each with its own hub credential
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,                 -- meta.device_id of that laptop
        name TEXT NOT NULL DEFAULT '',
        user_id TEXT REFERENCES users(id),
        registered_at TEXT NOT NULL,
        last_sync_at TEXT,
        revoked_at TEXT,
        {_SYNC}
    );

    -- where a facilitator works: their laptop holds these municipalities (a settlement
    -- of '' is the whole municipality) and the cases assigned to them
    CREATE TABLE user_scopes (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        municipality TEXT NOT NULL,
        settlement TEXT NOT NULL DEFAULT '',
        {_SYNC}
    );
    CREATE INDEX user_scopes_user ON user_scopes(user_id);

    -- a case is followed by someone: set when opened, changed by a coordinator
    ALTER TABLE cases ADD COLUMN assignee_id TEXT REFERENCES users(id);
    UPDATE cases SET assignee_id = opened_by;
    CREATE INDEX cases_assignee ON cases(assignee_id, status) WHERE deleted_at IS NULL;
    """,
    )
    marking = "(SELECT attached AND NOT applying FROM sync_state)"
    for table, key in _SYNCED_KEYS_0011.items():
        new, old = key.format(r="new"), key.format(r="old")
        mark = "INSERT OR IGNORE INTO sync_dirty(tbl, row_key) VALUES"
        _run_script(
            db,
            f"""
    CREATE TRIGGER sync_{table}_ai AFTER INSERT ON {table} WHEN {marking} BEGIN
        {mark} ('{table}', {new});
    END;
    CREATE TRIGGER sync_{table}_au AFTER UPDATE ON {table} WHEN {marking} BEGIN
        {mark} ('{table}', {new});
        {mark} ('{table}', {old});
    END;
    CREATE TRIGGER sync_{table}_ad AFTER DELETE ON {table} WHEN {marking} BEGIN
        {mark} ('{table}', {old});
    END;
    """,
        )


@_migration("0012_erased_households")
def m0012_erased_households(db: Database) -> None:
    # A household erased on request (services/erasure.py, each member erased first)
    # stays as a tombstone too: its id and place keep the anonymous counts right, its
    # family name, address, phone and notes are gone. erased_at also tells a restore of
    # an older backup to erase the household there again. Synced like every household
    # column (the hub keeps rows as JSON; the schema fingerprint follows the migrations).
    _run_script(
        db,
        """
    ALTER TABLE households ADD COLUMN erased_at TEXT;
    """,
    )


@_migration("0014_document_valid_until")
def m0014_document_valid_until(db: Database) -> None:
    # Documents that run out (issue 15 item 8): the last day a document held is valid,
    # proposed from its kind (domain/validity.py) and editable. From the day after, it
    # counts as not held. The dashboard lists what has run out or soon will, by date.
    # The column travels with the row (documents are synced whole, as JSON).
    _run_script(
        db,
        """
    ALTER TABLE documents ADD COLUMN valid_until TEXT;
    CREATE INDEX documents_valid_until ON documents(valid_until)
        WHERE valid_until IS NOT NULL AND deleted_at IS NULL AND state = 'have';
    """,
    )


@_migration("0015_case_opened_on")
def m0015_case_opened_on(db: Database) -> None:
    # Issue 15 item 10: a step is not done before its case was opened. The day a case
    # was opened, as the coordinator's calendar had it (the context's today), beside
    # opened_at (a UTC timestamp, whose date may be the day before in Serbia after
    # midnight). Cases from before have none and are read by their timestamp's day
    # (services/cases.Case.opened_day): filling it in here would make every laptop of
    # an organisation send every case again, each as its own edit. A synced column: the
    # row travels whole, as JSON, and the hub's schema fingerprint follows the migrations.
    db.execute("ALTER TABLE cases ADD COLUMN opened_on TEXT")


@_migration("0016_case_voided")
def m0016_case_voided(db: Database) -> None:
    # Issue 15 item 11: a case opened by mistake is voided the same day by whoever
    # opened it (services/cases.void_case), instead of "abandoned" for ever. It is
    # closed with no outcome, so the status keeps it out of every active count and
    # partial index; voided_at keeps it out of the reports, the plans and the lists of
    # cases, while its steps, events and audit entries stay. Synced columns: the row
    # travels whole, as JSON, and the hub's schema fingerprint follows the migrations.
    _run_script(
        db,
        """
    ALTER TABLE cases ADD COLUMN voided_at TEXT;
    ALTER TABLE cases ADD COLUMN voided_by TEXT REFERENCES users(id);
    """,
    )


@_migration("0017_workshop_close_and_progress")
def m0017_workshop_close_and_progress(db: Database) -> None:
    # Issue 16 §4. closed_at: "Close the workshop" records that it ended (a synced
    # column: the hub keeps rows as JSON, so it travels with no change there).
    # workshop_progress: where the presenter was left (the slide and the "what to bring"
    # ticks), so continuing after a flat battery resumes there. It is this laptop's
    # projector, not a record of anyone: no sync columns, nothing personal in it.
    _run_script(
        db,
        """
    ALTER TABLE workshops ADD COLUMN closed_at TEXT;
    CREATE TABLE workshop_progress (
        workshop_id TEXT PRIMARY KEY REFERENCES workshops(id),
        position INTEGER NOT NULL DEFAULT 0,
        ticks TEXT NOT NULL DEFAULT '[]',    -- JSON: [[checklist id, step key, [items]]]
        updated_at TEXT NOT NULL
    );
    """,
    )


@_migration("0018_audit_of_other_laptops")
def m0018_audit_of_other_laptops(db: Database) -> None:
    # The audit trail travels through the hub (services/sync): each laptop's own chain
    # stays in audit_entries, numbered here; the entries other laptops wrote arrive as
    # they were chained there, with their own numbers and hashes, and are kept apart in
    # audit_remote, one row per entry (its hash: the same entry arriving twice is one
    # row). Only the chained columns travel, not the values before and after (personal
    # data, which erasure rewrites where they were written): the chain holds their
    # digest, so each laptop's chain still verifies here (store/audit.py).
    _run_script(
        db,
        """
    CREATE TABLE audit_remote (
        hash TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        at TEXT NOT NULL,
        user_id TEXT,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        details_sha256 TEXT,
        redacts TEXT,
        prev_hash TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX audit_remote_device ON audit_remote(device_id, id);
    -- an entry coming back (this laptop's own, pushed under an id it had before a
    -- restore) is found by its hash
    CREATE INDEX audit_entries_hash ON audit_entries(hash);
    CREATE INDEX audit_remote_entity ON audit_remote(entity, entity_id);
    CREATE TRIGGER audit_remote_no_update BEFORE UPDATE ON audit_remote BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only: an entry cannot be changed');
    END;
    CREATE TRIGGER audit_remote_no_delete BEFORE DELETE ON audit_remote BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only: an entry cannot be deleted');
    END;
    """,
    )


@_migration("0019_outbox_by_row")
def m0019_outbox_by_row(db: Database) -> None:
    # Applying a pull asks, for every row that arrives, whether this laptop still has
    # changes of its own to it waiting (outbox.pending_for): without an index that was
    # a scan of the whole outbox per row, so a laptop that had been offline for a while
    # (a large outbox) took quadratic time to take in a large pull.
    db.execute("CREATE INDEX sync_outbox_row ON sync_outbox(tbl, row_key)")


@_migration("0020_renewed_device")
def m0020_renewed_device(db: Database) -> None:
    # A register put back from a backup (or found at a sync to be an older copy of
    # itself) takes a new device id (outbox.renew_device): under the old one its new
    # changes would pass for ones made after the changes it lost, and the hub would not
    # send back what the old id pushed after the backup. The hub's login stays the old
    # id's until the next sync moves it to the new one; this column holds the old id
    # until then.
    db.execute("ALTER TABLE sync_state ADD COLUMN previous_device TEXT")
    # A coordinator may also settle a conflict by hand, field by field (the conflicts
    # screen): a resolution's choice may be 'merged'. SQLite cannot change a CHECK in
    # place, so the table is made again, with its index and its three sync triggers.
    marking = "(SELECT attached AND NOT applying FROM sync_state)"
    mark = "INSERT OR IGNORE INTO sync_dirty(tbl, row_key) VALUES"
    _run_script(
        db,
        f"""
    CREATE TABLE sync_resolutions_new (
        id TEXT PRIMARY KEY,
        conflict_id TEXT NOT NULL,
        choice TEXT NOT NULL CHECK (choice IN ('winner','loser','merged')),
        user_id TEXT,
        at TEXT NOT NULL,
        device_id TEXT NOT NULL
    );
    INSERT INTO sync_resolutions_new SELECT id, conflict_id, choice, user_id, at, device_id
        FROM sync_resolutions;
    DROP TABLE sync_resolutions;
    ALTER TABLE sync_resolutions_new RENAME TO sync_resolutions;
    CREATE INDEX sync_resolutions_conflict ON sync_resolutions(conflict_id);
    CREATE TRIGGER sync_sync_resolutions_ai AFTER INSERT ON sync_resolutions
    WHEN {marking} BEGIN
        {mark} ('sync_resolutions', new.id);
    END;
    CREATE TRIGGER sync_sync_resolutions_au AFTER UPDATE ON sync_resolutions
    WHEN {marking} BEGIN
        {mark} ('sync_resolutions', new.id);
        {mark} ('sync_resolutions', old.id);
    END;
    CREATE TRIGGER sync_sync_resolutions_ad AFTER DELETE ON sync_resolutions
    WHEN {marking} BEGIN
        {mark} ('sync_resolutions', old.id);
    END;
    """,
    )


@_migration("0022_drafts")
def m0022_drafts(db: Database) -> None:
    # Issue 16 §1: a terminal closed (SIGHUP) while a form or dialog held typing. Nobody
    # can be asked then, so what was typed is kept here, for the user who typed it, and
    # offered back the next time that user opens the same form (services/drafts.py).
    # In the register, so it is as encrypted as the families' records. This laptop's
    # unfinished typing, not a record: no sync columns, no sync triggers (it never
    # leaves the laptop). household_id / person_id: whom it is about, so an erasure
    # removes it too.
    _run_script(
        db,
        """
    CREATE TABLE drafts (
        user_id TEXT NOT NULL,
        form_key TEXT NOT NULL,        -- which form: 'household:new', 'person:<id>', ...
        form TEXT NOT NULL,            -- what it is, as an English msgid ('New household')
        household_id TEXT,
        person_id TEXT,
        fields TEXT NOT NULL,          -- JSON: the form's values as typed
        saved_at TEXT NOT NULL,
        PRIMARY KEY (user_id, form_key)
    );
    CREATE INDEX drafts_household ON drafts(household_id) WHERE household_id IS NOT NULL;
    CREATE INDEX drafts_person ON drafts(person_id) WHERE person_id IS NOT NULL;
    """,
    )


@_migration("0023_audit_relay")
def m0023_audit_relay(db: Database) -> None:
    # Issue 17 (a): bundles carry the audit trail. Other laptops' entries that arrive by
    # bundle are kept in audit_remote like those from the hub, and this laptop passes
    # them on to the hub at its next sync (a laptop that only ever syncs by USB stick
    # would otherwise never deliver its trail). audit_relay lists those still to send,
    # by hash; a sync removes each once the hub has committed it. Entries that came from
    # the hub are not listed: the hub has them.
    _run_script(
        db,
        """
    CREATE TABLE audit_relay (
        hash TEXT PRIMARY KEY REFERENCES audit_remote(hash)
    ) WITHOUT ROWID;
    """,
    )


@_migration("0025_draft_base")
def m0025_draft_base(db: Database) -> None:
    # A draft restored after its record was saved again (by someone else, or a sync)
    # put the typing over the newer values without a word. The form's fields as it
    # loaded them, before the typing (JSON, as ``fields``): restoring compares them with
    # the record now, brings back only what was typed, and a save merges against them,
    # so a field changed both ways is asked about (services/drafts.py). NULL: a new
    # record's form, a dialog, or a draft kept before this.
    db.execute("ALTER TABLE drafts ADD COLUMN base TEXT")


@_migration("0026_laptop_names")
def m0026_laptop_names(db: Database) -> None:
    # Issue 17: a case's history names another laptop by the name the organisation gave
    # it (`hub connect/join --name`). The hub's docassist.devices is where that name is
    # kept (and moved on when a restored laptop takes a new id); this table is each
    # laptop's copy of it, refreshed by every sync and carried by bundles. Only the id
    # and the name: whose laptop it is, when it synced and whether it was revoked stay
    # on the hub (`hub devices` reads them there), not copied to every laptop, where
    # they would go stale. Made in 0011 as a synced table that nothing ever wrote; not
    # synced now (its copy comes from docassist.devices, not from other laptops' rows),
    # so it is made again without sync columns or triggers. Nothing was ever in it.
    _run_script(
        db,
        """
    DROP TABLE devices;
    DELETE FROM sync_versions WHERE tbl = 'devices';
    DELETE FROM sync_outbox WHERE tbl = 'devices';
    DELETE FROM sync_dirty WHERE tbl = 'devices';
    DELETE FROM sync_inbox WHERE tbl = 'devices';
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,                 -- meta.device_id of that laptop
        name TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    """,
    )
