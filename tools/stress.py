"""``make stress``: does the register keep every acknowledged write, and does bad input
ever stop docassist with an internal error?

The figures issue 14 asks to keep, measured again on demand:

1. kill -9: a child runs real use cases in a loop and acknowledges each one after it
   returned; the parent SIGKILLs it at a random moment and checks every acknowledged id
   is in the register, and that SQLite's integrity and foreign-key checks are clean.
   The same again on an encrypted register (SQLCipher), where every page's
   authentication code must check too (``cipher_integrity_check``).
2. two writers + a CLI loop: two children write at once while ``db backup`` and
   ``report`` run in a loop; no "database is locked" failure, nothing lost. On an
   encrypted register made as ``docassist init`` makes it (the commands sign in; the
   children get its key), as real users' registers are.
3. restore under load: a child writes while ``db restore`` replaces the register;
   every acknowledged write is in the register or in a kept copy, and a refused write
   was refused with the "being restored" message. Encrypted too: the restore signs in,
   the backup and the kept copies are encrypted with the register's key.
4. fuzz: mutated CSV/XLSX files (``import households``, check only), checklist TOML
   (``checklists validate``) and Unicode dates (``report --from``); no stderr says
   "internal error" or shows a traceback.

Prints one table; exits 0 when every "must be 0" holds, 1 otherwise. Every process runs
with DOCASSIST_HOME in a temporary folder, so nothing touches the user's register.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKLISTS = ROOT / "checklists"
CSV_SEED = ROOT / "tests" / "fixtures" / "import" / "households.csv"
RESTORING_MESSAGE = "being restored"
# What a "wait for the lock" failure looks like, from a service or on a CLI's stderr.
BUSY_WORDS = ("database is locked", "locked", "busy")


@dataclass
class Row:
    """One line of the final table: a figure, and whether it must be 0."""

    part: str
    measure: str
    value: int
    must_be_zero: bool = False

    @property
    def ok(self) -> bool:
        return not self.must_be_zero or self.value == 0


@dataclass
class Acks:
    """What a writer child printed: ids it acknowledged, and the errors it reported."""

    ids: dict[str, list[str]] = field(default_factory=lambda: {"H": [], "P": [], "C": []})
    errors: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)  # edits of the shared household
    prompts: int = 0  # conflicts shown instead of a silent overwrite
    lost_updates: list[str] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(v) for v in self.ids.values())

    def add(self, other: Acks) -> None:
        for kind, ids in other.ids.items():
            self.ids[kind].extend(ids)
        self.errors.extend(other.errors)
        self.updates.extend(other.updates)
        self.prompts += other.prompts
        self.lost_updates.extend(other.lost_updates)


# --- the writer child -----------------------------------------------------------------
# Runs in its own process (``stress.py _writer DB MODE SEED``). It prints "READY" once
# imported, then one line per use case *after* the service returned: "H <id>", "P <id>",
# "C <id>". An acknowledged line is a promise the write is durable, which the parent
# checks. A failure prints "ERR <exception type>: <message>" and the loop goes on, as a
# user would try again. An encrypted register's key comes in KEY_ENV (hex).

KEY_ENV = "DOCASSIST_STRESS_KEY"
# "household id,field": the two-writers part's children also edit one shared household,
# as two app instances' forms would: each its own field (and now and then the notes,
# which both edit). A save based on a stale row must merge or prompt (EditConflict),
# never drop the other's change: a child finding its own last saved value gone says
# "LOST", and "PROMPT" for each conflict it was shown.
SHARED_ENV = "DOCASSIST_STRESS_SHARED"
HOUSEHOLD_FORM = (
    "family_name, settlement, address, municipality, phone, notes, language, "
    "consent_date, consent_scope"
)


def _key() -> bytes | None:
    text = os.environ.get(KEY_ENV)
    return bytes.fromhex(text) if text else None


def writer_main(db_path: str, mode: str, seed: int) -> None:
    from docassist.services import cases
    from docassist.services import households as hh
    from docassist.services.context import Context
    from docassist.store.db import open_database

    rng = random.Random(seed)

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def household() -> hh.HouseholdInput:
        return hh.HouseholdInput(
            family_name=rng.choice(["Petrović", "Јовановић", "Bajramović", "Ćurić"]),
            settlement=rng.choice(["Mali Leskovac", "Bubanj", "Čukarica"]),
            municipality="Čukarica",
        )

    def person(family: str) -> hh.PersonInput:
        return hh.PersonInput(
            given_name=rng.choice(["Marija", "Марко", "Senad", "Milica"]),
            family_name=family,
            birth_date=str(rng.randint(1950, 2020)),
        )

    shared = os.environ.get(SHARED_ENV, "")
    shared_id, _, own_field = shared.partition(",")
    edits = {"n": 0, "last": None}

    def edit_round(ctx: Context) -> None:
        """Open the shared household's form, type a moment, save (issue 14 §5)."""
        from docassist.services.edits import EditConflict

        row = ctx.db.execute(
            f"SELECT {HOUSEHOLD_FORM} FROM households WHERE id = ?", [shared_id]
        ).fetchone()
        base = hh.HouseholdInput(*row)
        if edits["last"] is not None and getattr(base, own_field) != edits["last"]:
            say(f"LOST {own_field}: saved {edits['last']!r}, now {getattr(base, own_field)!r}")
        time.sleep(rng.uniform(0, 0.02))  # typing, while the other may save
        edits["n"] += 1
        value = f"{own_field} {seed} {edits['n']}"
        changes = {own_field: value}
        if rng.random() < 0.2:
            changes["notes"] = f"notes {seed} {edits['n']}"  # both edit this one
        try:
            hh.update_household(ctx, shared_id, replace(base, **changes), base=base)
        except EditConflict:
            say("PROMPT")  # the form would show both values; the user tries again
            return
        edits["last"] = value
        say(f"U {value}")

    def one_round(ctx: Context) -> None:
        if shared_id:
            edit_round(ctx)
        h_in = household()
        h_id = hh.register_household(ctx, h_in, [person(h_in.family_name)])
        say(f"H {h_id}")
        if mode == "reopen":
            return  # a restore may replace the register between two use cases
        p_id = hh.add_person(ctx, h_id, person(h_in.family_name))
        say(f"P {p_id}")
        c_id = cases.open_case(ctx, p_id, "id-card", 1, [cases.StepPlan("gather", 3)])
        say(f"C {c_id}")

    say("READY")
    key = _key()
    db = open_database(db_path, key=key) if mode == "keep" else None
    while True:
        try:
            if db is not None:
                one_round(Context(db))
            else:
                # Open per use case, as separate CLI runs or app starts would: a
                # restore is refused while the register is held open.
                fresh = open_database(db_path, create=False, key=key)
                try:
                    one_round(Context(fresh))
                finally:
                    fresh.close()
        except Exception as err:  # reported to the parent, which judges it
            if RESTORING_MESSAGE not in str(err):
                traceback.print_exc()  # where an unexpected error came from, for the report
            say(f"ERR {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
            time.sleep(0.01)


def start_writer(db: Path, mode: str, seed: int, env: dict[str, str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "_writer", str(db), mode, str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # blocks until imports are done
    if first.strip() != "READY":
        proc.kill()
        raise RuntimeError(f"writer did not start: {first!r} {proc.stderr.read()}")  # type: ignore[union-attr]
    return proc


def stop_writer(proc: subprocess.Popen[str]) -> Acks:
    """SIGKILL (no chance to flush anything but what was acknowledged) and parse."""
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate()
    proc.stderr_text = err  # type: ignore[attr-defined]
    return parse_acks(out)


def parse_acks(out: str) -> Acks:
    acks = Acks()
    # Only lines ended by a newline count: a line the kill cut short was never printed
    # in full, so its use case was not acknowledged.
    for line in out.split("\n")[:-1]:
        kind, _, rest = line.partition(" ")
        if kind in acks.ids:
            acks.ids[kind].append(rest.strip())
        elif kind == "ERR":
            acks.errors.append(rest)
        elif kind == "U":
            acks.updates.append(rest)
        elif kind == "PROMPT":
            acks.prompts += 1
        elif kind == "LOST":
            acks.lost_updates.append(rest)
    return acks


# --- checking a register ----------------------------------------------------------------

TABLES = {"H": "households", "P": "persons", "C": "cases"}


def _connect(db: Path, key: bytes | None) -> sqlite3.Connection:
    from docassist.store.db import connect

    return connect(db, key)


def present_ids(db: Path, key: bytes | None = None) -> dict[str, set[str]]:
    conn = _connect(db, key)
    try:
        return {k: {r[0] for r in conn.execute(f"SELECT id FROM {t}")} for k, t in TABLES.items()}
    finally:
        conn.close()


def lost_writes(acks: Acks, registers: list[Path], key: bytes | None = None) -> list[str]:
    """Acknowledged ids found in none of ``registers`` (the register and kept copies)."""
    found: dict[str, set[str]] = {k: set() for k in TABLES}
    for reg in registers:
        for k, ids in present_ids(reg, key).items():
            found[k] |= ids
    return [f"{k} {i}" for k, ids in acks.ids.items() for i in ids if i not in found[k]]


def integrity_errors(db: Path, key: bytes | None = None) -> list[str]:
    conn = _connect(db, key)
    try:
        problems = []
        if key is not None:  # every page's authentication code
            problems += [f"cipher: {r[0]}" for r in conn.execute("PRAGMA cipher_integrity_check")]
        problems += [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [repr(r) for r in conn.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        conn.close()


# The coordinator every command of the stress run signs in as (through the environment,
# as a script would).
STRESS_USER = "Stress Coordinator"
STRESS_PASSPHRASE = "stress run words"


def signed_in_register(path: Path) -> bytes:
    """An encrypted register as ``docassist init`` makes it, with the stress coordinator
    (whose passphrase every command of the run signs in with); returns its key, for the
    writer children, which work below sign-in."""
    from docassist.services import accounts

    made = accounts.create_register(path, STRESS_USER, STRESS_PASSPHRASE, encrypt=True)
    key = made.context.db_key
    made.context.db.close()
    if key is None:
        raise RuntimeError("create_register(encrypt=True) made a plaintext register")
    return key


def new_register(path: Path, key: bytes | None = None) -> Path:
    """A register with the stress coordinator; with ``key``, an encrypted one opened
    by the key alone (the kill runs write through the store, below sign-in)."""
    if key is not None:
        from docassist.store.db import open_database

        open_database(path, key=key).close()
        return path
    from docassist.services import accounts

    # Plaintext, for the parts whose children write below sign-in without a key; the
    # kill part runs again on an encrypted register (``key``).
    made = accounts.create_register(path, STRESS_USER, STRESS_PASSPHRASE, encrypt=False)
    made.context.db.close()
    return path


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docassist", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def is_busy(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in BUSY_WORDS)


# --- 1. kill -9 -------------------------------------------------------------------------


def part_kill(
    work: Path, env: dict[str, str], runs: int, rng: random.Random, key: bytes | None = None
) -> list[Row]:
    """``key``: the same on a register encrypted with it (the children get it in
    KEY_ENV), where every page's authentication code is checked too."""
    db = new_register(work / "kill.db", key)
    if key is not None:
        env = {**env, KEY_ENV: key.hex()}
    part = "kill -9" if key is None else "kill -9, encrypted"
    acked = lost = integrity = 0
    for run in range(runs):
        proc = start_writer(db, "keep", rng.randrange(1 << 30), env)
        time.sleep(rng.uniform(0.02, 0.6))  # a random moment, mid-transaction or not
        acks = stop_writer(proc)
        acked += acks.count()
        missing = lost_writes(acks, [db], key)
        problems = integrity_errors(db, key)
        lost += len(missing)
        integrity += len(problems)
        for item in missing[:3] + problems[:3]:
            print(f"  {part} run {run}: {item}", file=sys.stderr)
    return [
        Row(part, "runs", runs),
        Row(part, "acknowledged writes", acked),
        Row(part, "lost", lost, True),
        Row(part, "integrity / foreign-key errors", integrity, True),
    ]


# --- 2. two writers and a CLI loop ------------------------------------------------------


def part_concurrent(
    work: Path, env: dict[str, str], seconds: float, rng: random.Random
) -> list[Row]:
    db = work / "two.db"
    key = signed_in_register(db)
    env = {**env, KEY_ENV: key.hex()}
    out_dir = work / "two-backups"
    out_dir.mkdir()
    shared = _shared_household(db, key)
    writers = [
        start_writer(db, "keep", rng.randrange(1 << 30), {**env, SHARED_ENV: f"{shared},{f}"})
        for f in ("address", "phone")
    ]
    cli_runs = cli_busy = cli_other = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # Alternate a writer-like command (a backup) and a reader (a report).
        args = ["db", "backup", "--output", str(out_dir)] if cli_runs % 2 == 0 else ["report"]
        done = cli(env, "--db", str(db), *args)
        cli_runs += 1
        if done.returncode != 0:
            if is_busy(done.stderr):
                cli_busy += 1
            else:
                cli_other += 1
                print(f"  CLI {args[0]} failed: {done.stderr.strip()[:200]}", file=sys.stderr)
    acks = Acks()
    for w in writers:
        acks.add(stop_writer(w))
    busy = [e for e in acks.errors if is_busy(e)]
    lost_updates = list(acks.lost_updates)
    # The last edit each child acknowledged must still be in the household (or a newer
    # one of its own: the kill may land after a save committed, before it was printed).
    check = _connect(db, key)
    try:
        final = check.execute(
            "SELECT address, phone FROM households WHERE id = ?", [shared]
        ).fetchone()
    finally:
        check.close()
    for column, value in zip(("address", "phone"), final, strict=True):
        mine = [int(u.rsplit(" ", 1)[1]) for u in acks.updates if u.startswith(column + " ")]
        held = value.rsplit(" ", 1)[1] if value.startswith(column + " ") else ""
        if mine and not (held.isascii() and held.isdigit() and int(held) >= max(mine)):
            lost_updates.append(f"{column}: acknowledged edit {max(mine)}, holds {value!r}")
    for item in lost_updates[:5]:
        print(f"  lost update: {item}", file=sys.stderr)
    for e in acks.errors[:5]:
        print(f"  writer error: {e}", file=sys.stderr)
    return [
        Row("two writers + CLI", "acknowledged writes", acks.count()),
        Row("two writers + CLI", "CLI runs (backup, report)", cli_runs),
        Row("two writers + CLI", "locked/busy failures", len(busy) + cli_busy, True),
        Row("two writers + CLI", "other failures", len(acks.errors) - len(busy) + cli_other, True),
        Row("two writers + CLI", "lost", len(lost_writes(acks, [db], key)), True),
        Row("two writers + CLI", "edits of one household saved", len(acks.updates)),
        Row("two writers + CLI", "edits refused with a prompt (conflict shown)", acks.prompts),
        Row("two writers + CLI", "lost updates without a prompt", len(lost_updates), True),
        Row(
            "two writers + CLI",
            "integrity / page-code / foreign-key errors",
            len(integrity_errors(db, key)),
            True,
        ),
    ]


def _shared_household(db: Path, key: bytes | None) -> str:
    """The household both children's forms edit."""
    from docassist.services import households as hh
    from docassist.services.context import Context
    from docassist.store.db import open_database

    opened = open_database(db, create=False, key=key)
    try:
        return hh.register_household(Context(opened), hh.HouseholdInput("Zajednički"))
    finally:
        opened.close()


# --- 3. restore under load --------------------------------------------------------------


def part_restore(work: Path, env: dict[str, str], restores: int, rng: random.Random) -> list[Row]:
    db = work / "restore.db"
    key = signed_in_register(db)
    env = {**env, KEY_ENV: key.hex()}
    backup = work / "restore-backup.db"
    done = cli(env, "--db", str(db), "db", "backup", "--output", str(backup))
    if done.returncode != 0:
        raise RuntimeError(f"could not make a backup: {done.stderr}")
    writer = start_writer(db, "reopen", rng.randrange(1 << 30), env)
    ok = refused = 0
    for _ in range(restores):
        time.sleep(rng.uniform(0.1, 0.5))
        done = cli(env, "--db", str(db), "db", "restore", str(backup))
        if done.returncode == 0:
            ok += 1
        else:
            refused += 1  # e.g. "in use": refusing is safe, losing is not
            print(f"  restore refused: {done.stderr.strip()[:200]}", file=sys.stderr)
    time.sleep(0.3)
    acks = stop_writer(writer)
    tb = getattr(writer, "stderr_text", "")
    if tb:
        print("  writer traceback:\n" + tb[-2500:], file=sys.stderr)
    # The kept copies: every .db docassist wrote under its home (the backups folder).
    kept = [p for p in Path(env["DOCASSIST_HOME"]).rglob("*.db") if p.is_file()]
    # The backup and every kept copy are this register's: its key opens them all.
    lost = lost_writes(acks, [db, *kept], key)
    for item in lost[:5]:
        print(f"  restore lost: {item}", file=sys.stderr)
    wrong = [e for e in acks.errors if RESTORING_MESSAGE not in e]
    for e in wrong[:5]:
        print(f"  writer refused without the restore message: {e}", file=sys.stderr)
    return [
        Row("restore under load", "restores done", ok),
        Row("restore under load", "restores refused (register in use)", refused),
        Row("restore under load", "acknowledged writes", acks.count()),
        Row("restore under load", "writes refused (being restored)", len(acks.errors) - len(wrong)),
        Row("restore under load", "refused with another message", len(wrong), True),
        Row("restore under load", "lost", len(lost), True),
    ]


# --- 4. fuzz ----------------------------------------------------------------------------


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """A few random byte-level damages: flips, cuts, insertions, repeats."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not buf:
            break
        i = rng.randrange(len(buf))
        op = rng.randrange(5)
        if op == 0:
            buf[i] = rng.randrange(256)
        elif op == 1:
            del buf[i : i + rng.randint(1, 64)]
        elif op == 2:
            buf[i:i] = os.urandom(rng.randint(1, 16))
        elif op == 3:
            buf[i:i] = buf[i : i + rng.randint(1, 200)] * rng.randint(2, 20)
        else:
            del buf[i:]  # a truncated download
    return bytes(buf)


def mutate_text(text: str, rng: random.Random) -> str:
    """Damage a text at the character level, with characters that trip parsers."""
    nasty = ["\x00", "²", "٣", "\ufeff", '"', ";", "\n", "[", "]", "=", "{", "}", "\\", "𝟙", "ǅ"]
    chars = list(text)
    for _ in range(rng.randint(1, 10)):
        i = rng.randrange(len(chars) + 1)
        op = rng.randrange(3)
        if op == 0 and chars:
            del chars[i : i + rng.randint(1, 20)]
        elif op == 1:
            chars[i:i] = [rng.choice(nasty) for _ in range(rng.randint(1, 5))]
        else:
            chars[i:i] = [chr(rng.randrange(0x20, 0x3000))]
    return "".join(chars)


def seed_xlsx() -> bytes:
    """A good spreadsheet made from the CSV fixture, for the XLSX mutations to damage."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in CSV_SEED.read_text(encoding="utf-8-sig").splitlines():
        ws.append(line.split(";"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def mutate_xlsx(seed: bytes, rng: random.Random) -> bytes:
    """Half the time damage the zip itself; otherwise one XML part inside a valid zip,
    so the XML parsers (not just the unzip) see broken input."""
    if rng.random() < 0.5:
        return mutate_bytes(seed, rng)
    src = zipfile.ZipFile(io.BytesIO(seed))
    names = src.namelist()
    victim = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            data = src.read(name)
            if name == victim:
                if rng.random() < 0.2:
                    continue  # a missing part
                data = mutate_text(data.decode("utf-8", "replace"), rng).encode(
                    "utf-8", "surrogatepass"
                )
            dst.writestr(name, data)
    return out.getvalue()


def mutate_toml(seeds: list[str], rng: random.Random) -> str:
    text = mutate_text(rng.choice(seeds), rng)
    extra = rng.randrange(10)
    if extra == 0:
        text += "\nx = " + "[" * rng.randint(100, 4000) + "]" * rng.randint(0, 4000)
    elif extra == 1:
        text += "\nx = " + "9" * rng.randint(100, 6000)
    return text


def random_date(rng: random.Random) -> str:
    pieces = [
        "1",
        "2",
        "12",
        "2026",
        ".",
        "-",
        "/",
        " ",
        "²",
        "٣",
        "߃",
        "𝟚",
        "Ⅻ",
        "½",
        "oko",
        "\u200b",
    ]
    n = rng.randint(1, 8)
    if rng.random() < 0.3:
        return "".join(_any_char(rng) for _ in range(n))
    return "".join(rng.choice(pieces) for _ in range(n)).strip() or "1"


def _any_char(rng: random.Random) -> str:
    """A character a command line can carry. A command line is bytes: a lone surrogate
    cannot be one (the run itself would fail to start), except U+DC80-U+DCFF, which
    Python turns into the single invalid byte 0x80-0xFF (an argument that is not UTF-8,
    as a broken terminal may send)."""
    code = rng.randrange(0x21, 0x2FFFF)
    if 0xD800 <= code < 0xDC80 or 0xDD00 <= code < 0xE000:
        code = 0xDC80 + code % 0x80
    return chr(code)


def is_internal_error(done: subprocess.CompletedProcess[str]) -> bool:
    return "internal error" in done.stderr or "Traceback" in done.stderr


def part_fuzz(
    work: Path, env: dict[str, str], count: int, rng: random.Random, jobs: int
) -> list[Row]:
    db = new_register(work / "fuzz.db")
    csv_seed = CSV_SEED.read_bytes()
    xlsx_seed = seed_xlsx()
    toml_seeds = [p.read_text(encoding="utf-8") for p in sorted(CHECKLISTS.glob("*.toml"))]
    cases_dir = work / "fuzz-inputs"
    cases_dir.mkdir()

    # Inputs are made here, in order, so a seed reproduces them; only the runs are parallel.
    runs: list[tuple[str, list[str], Path | None]] = []
    for i in range(count):
        f = cases_dir / f"{i}.csv"
        f.write_bytes(mutate_bytes(csv_seed, rng))
        runs.append(("csv", ["--db", str(db), "import", "households", str(f)], f))
        f = cases_dir / f"{i}.xlsx"
        f.write_bytes(mutate_xlsx(xlsx_seed, rng))
        runs.append(("xlsx", ["--db", str(db), "import", "households", str(f)], f))
        f = cases_dir / f"{i}.toml"
        f.write_text(mutate_toml(toml_seeds, rng), encoding="utf-8", errors="surrogatepass")
        runs.append(("toml", ["checklists", "validate", str(f)], f))
        date = random_date(rng)
        runs.append(("date", ["--db", str(db), "report", "--from", date], None))

    def one(run: tuple[str, list[str], Path | None]) -> tuple[str, bool, str]:
        kind, args, _ = run
        try:
            done = cli(env, *args, timeout=120)
        except subprocess.TimeoutExpired:
            return kind, True, f"timeout: docassist {' '.join(args)}"
        except (OSError, ValueError) as err:  # could not even start it: counted, not hidden
            return kind, True, f"could not run docassist {args!r}: {err}"
        bad = is_internal_error(done)
        return (
            kind,
            bad,
            f"docassist {' '.join(args)!r}\n    {done.stderr.strip()[-300:]}" if bad else "",
        )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, runs))
    rows = []
    for kind, label in [
        ("csv", "CSV import"),
        ("xlsx", "XLSX import"),
        ("toml", "checklist TOML"),
        ("date", "report --from date"),
    ]:
        mine = [r for r in results if r[0] == kind]
        bad = [r for r in mine if r[1]]
        for _, _, detail in bad[:5]:
            print(f"  fuzz {kind}: {detail}", file=sys.stderr)
        rows.append(Row("fuzz", f"{label}: runs", len(mine)))
        rows.append(Row("fuzz", f"{label}: internal errors / tracebacks", len(bad), True))
    return rows


# --- the table --------------------------------------------------------------------------


def print_table(rows: list[Row], elapsed: float) -> None:
    width = max(len(f"{r.part}: {r.measure}") for r in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>9}  check")
    for r in rows:
        value = f"{r.value:,}"
        check = ("ok" if r.ok else "FAIL") if r.must_be_zero else ""
        print(f"{r.part + ': ' + r.measure:<{width}}  {value:>9}  {check}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    loads = " ".join(f"{x:.2f}" for x in load)
    print(f"\n{elapsed:.0f} s; load average {loads}; {os.cpu_count()} cores")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--runs", type=int, default=60, help="kill -9 runs (default 60)")
    p.add_argument("--seconds", type=float, default=20, help="two writers + CLI loop, seconds")
    p.add_argument("--restores", type=int, default=8, help="restores under load")
    p.add_argument("--fuzz", type=int, default=60, help="fuzzed inputs of each kind (default 60)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel fuzz runs")
    p.add_argument("--seed", type=int, default=None, help="random seed (printed)")
    p.add_argument(
        "--only",
        choices=["kill", "kill-encrypted", "concurrent", "restore", "fuzz"],
        action="append",
        help="run only these parts",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}")
    parts: dict[str, Callable[[Path, dict[str, str], random.Random], list[Row]]] = {
        "kill": lambda w, e, r: part_kill(w, e, args.runs, r),
        # A fixed key: the stress run checks SQLCipher's pages, not key handling.
        "kill-encrypted": lambda w, e, r: part_kill(w, e, args.runs, r, key=bytes(range(32))),
        "concurrent": lambda w, e, r: part_concurrent(w, e, args.seconds, r),
        "restore": lambda w, e, r: part_restore(w, e, args.restores, r),
        "fuzz": lambda w, e, r: part_fuzz(w, e, args.fuzz, r, args.jobs),
    }
    rows: list[Row] = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="docassist-stress-") as tmp:
        for name, part in parts.items():
            if args.only and name not in args.only:
                continue
            # Each part gets its own home, so kept copies of one are not counted in another.
            work = Path(tmp) / name
            (work / "home").mkdir(parents=True)
            env = {
                **os.environ,
                "DOCASSIST_HOME": str(work / "home"),
                "DOCASSIST_USER": STRESS_USER,
                "DOCASSIST_PASSPHRASE": STRESS_PASSPHRASE,
            }
            os.environ["DOCASSIST_HOME"] = env["DOCASSIST_HOME"]  # for new_register here
            print(f"{name} ...", flush=True)
            try:
                rows += part(work, env, random.Random(f"{seed}-{name}"))
            except Exception:
                traceback.print_exc()
                rows.append(Row(name, "the part itself crashed", 1, True))
    print_table(rows, time.monotonic() - start)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_writer":
        writer_main(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())
