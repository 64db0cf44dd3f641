"""``make bench``: is docassist fast enough on a large register?

Builds (once, then reuses) a demo register of 50,000 households, then measures
what users wait for: opening the file, name search across scripts, the
coordinator dashboard counts, the first screen and two quick commands. Search and
dashboard are set beside their SQL floor (the same queries run bare), the first
screen beside a bare Textual app, each pair measured in the same run, so a busy
machine slows both sides of a ratio alike. Beside them, not judged: the household
list's widgets in a plain Textual app (Textual's own share of that screen) and a
first start with nothing cached. Prints a table with the targets.

Sign-in (``accounts.open_signed_in``: the passphrase's Argon2id at its real figures
unwrapping the database key, opening the encrypted register, the audit entry) is
measured on a small encrypted register of its own;
``--only sign-in`` measures just that, without building the large register.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import docassist as docassist_package
from docassist.domain import script
from docassist.domain.model import Role
from docassist.services import dashboard, users
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.demo import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, generate
from docassist.store import keys
from docassist.store.db import open_database

TARGETS = {
    "open": 0.2,
    "search_p95": 0.010,
    "search_vs_floor": 2.0,
    "dashboard": 0.100,
    "first_screen_vs_bare": 1.5,
    "command_cpu": 0.2,
    "sign_in": 0.5,
}
FIRST_SCREEN = Path(__file__).with_name("first_screen.py")
BENCH_COORDINATOR = "Bench Coordinator"

# --- SQL floors ---------------------------------------------------------------
# The queries a service runs, run bare on the same connection: what SQLite alone
# needs, so the report can tell the database's time from ours. Each mirrors the
# service function named beside it, for the case the bench measures (a search
# with no filters, the whole register's dashboard); tests/test_bench.py checks
# they still return what the service returns, so they cannot drift silently.

# services/register_search.py _fts_matches (count_households, and find_households'
# choice of plan): live households matching, from the full-text index alone.
SEARCH_COUNT_SQL = (
    "SELECT count(*) FROM households_fts WHERE households_fts MATCH ? "
    "AND rowid NOT IN (SELECT rowid FROM households WHERE deleted_at IS NOT NULL)"
)
# services/register_search.py find_households: the page's ids, in Latin alphabetical order,
# walking the sort index (WALK) when the search matches many households.
SEARCH_PAGE_SQL = """
    SELECT h.rowid, h.id FROM households h {walk}
    WHERE h.deleted_at IS NULL
      AND h.rowid IN (SELECT rowid FROM households_fts WHERE households_fts MATCH ?)
    ORDER BY h.sort_latn, h.id
    LIMIT ? OFFSET ?
"""
SEARCH_WALK = "INDEXED BY households_live_latn"
# register_search._WALK_ABOVE_MATCHES (private there: copied, not imported). Either plan
# returns the same page; only its speed depends on the choice.
WALK_ABOVE_MATCHES = 3000
# services/register_search.py find_households, after the ids: the page's names, then
# member and case counts for just those households.
SEARCH_NAMES_SQL = (
    "SELECT id, family_name, settlement, municipality FROM households "
    "WHERE rowid IN (SELECT value FROM json_each(?))"
)
SEARCH_MEMBERS_SQL = (
    "SELECT household_id, count(*) FROM persons "
    "WHERE household_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL "
    "GROUP BY household_id"
)
SEARCH_CASES_SQL = """
    SELECT household_id,
      sum(status IN ('open','blocked')),
      sum(status = 'blocked'),
      sum(status IN ('open','blocked') AND next_due < ?)
    FROM cases
    WHERE household_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL
    GROUP BY household_id
"""
# services/dashboard.py _active_by_municipality (behind counts and
# counts_by_municipality): one pass over the active cases' index, by place; "open"
# is the active ones less the blocked ones.
DASHBOARD_ACTIVE_SQL = """
    SELECT c.municipality, c.settlement,
      count(*), sum(c.status = 'blocked'), sum(c.next_due < ?)
    FROM cases c INDEXED BY cases_active_place
    WHERE c.deleted_at IS NULL AND c.status IN ('open','blocked')
    GROUP BY c.municipality, c.settlement
    ORDER BY c.municipality, c.settlement
"""
# services/dashboard.py counts: cases done since the first of the month.
DASHBOARD_DONE_SQL = (
    "SELECT count(*) FROM cases c "
    "WHERE c.deleted_at IS NULL AND c.status = 'done' AND c.outcome_date >= ?"
)


def search_floor(
    conn: sqlite3.Connection, match: str, walk: bool | None = None
) -> tuple[int, list[tuple]]:
    """The full-text index's work for one keystroke: the match count, then the
    first page's (rowid, id). ``match`` is ``households.fts_query``'s; ``walk``
    forces a plan (None: the service's choice)."""
    total = conn.execute(SEARCH_COUNT_SQL, [match]).fetchone()[0]
    if walk is None:
        walk = total > WALK_ABOVE_MATCHES
    sql = SEARCH_PAGE_SQL.format(walk=SEARCH_WALK if walk else "")
    return total, conn.execute(sql, [match, hh.PAGE_SIZE, 0]).fetchall()


def search_sql(conn: sqlite3.Connection, match: str, today: str) -> tuple[int, list[tuple]]:
    """Every statement the service runs for one keystroke, without its Python:
    the floor, then the page's names and counts. Returns the count and the names."""
    total, page = search_floor(conn, match)
    if not page:
        return total, []
    ids = json.dumps([r[1] for r in page])
    names = conn.execute(SEARCH_NAMES_SQL, [json.dumps([r[0] for r in page])]).fetchall()
    conn.execute(SEARCH_MEMBERS_SQL, [ids]).fetchall()
    conn.execute(SEARCH_CASES_SQL, [today, ids]).fetchall()
    return total, names


def dashboard_floor(conn: sqlite3.Connection, today: date) -> tuple[list[tuple], int]:
    """One dashboard refresh's SQL: active cases by municipality, and done this month."""
    by_place = conn.execute(DASHBOARD_ACTIVE_SQL, [today.isoformat()]).fetchall()
    done = conn.execute(DASHBOARD_DONE_SQL, [today.replace(day=1).isoformat()]).fetchone()[0]
    return by_place, done


def queries(n: int, seed: int = 7) -> list[str]:
    """What people type: prefixes, whole names, either script, with or without diacritics."""
    rng = random.Random(seed)
    names = list(FAMILY_NAMES) + list(MALE_NAMES) + list(FEMALE_NAMES)
    out: list[str] = []
    while len(out) < n:
        name = rng.choice(names)
        form = rng.randrange(5)
        if form == 0:
            q = name[: rng.randint(2, max(2, len(name) - 1))]
        elif form == 1:
            q = script.lat_to_cyr(name)
        elif form == 2:
            q = script.search_key(name).upper()
        elif form == 3:
            q = f"{rng.choice(MALE_NAMES + FEMALE_NAMES)} {name[:4]}"
        else:
            q = name
        if q not in out:
            out.append(q)
    return out


def build(path: Path, households: int, rebuild: bool) -> float:
    """Build the register unless one is already there; returns seconds spent."""
    started = time.perf_counter()
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(path)  # also applies any new migration, outside the timing
    if db.execute("SELECT count(*) FROM households").fetchone()[0] == 0:
        print(f"building {households:,} households in {path} (once; minutes) ...", flush=True)
        generate(
            Context(db),
            households=households,
            seed=42,
            progress=lambda n: print(f"  {n:,} households", flush=True),
        )
    else:
        print(f"reusing {path} (--rebuild to build it again)", flush=True)
    db.close()
    return time.perf_counter() - started


SIGN_IN_USER = "Bench Coordinator"
SIGN_IN_PASSPHRASE = "bench: four calm words"


def measure_sign_in(samples: int, households: int = 200) -> tuple[list[Lap], list[Lap]]:
    """What a sign-in waits for, ``samples`` times: ``accounts.open_signed_in`` on an
    encrypted register made as ``docassist init`` makes it, with the real Argon2id
    figures (keys.KDF): the key file unwrapping the database key (the passphrase check),
    opening the register with it (header, key, checks, migrations), finding the account
    and writing the sign-in's audit entry. On a small register made for it: opening a
    large one reads no more pages (its check is skipped above QUICK_CHECK_MAX_BYTES), so
    the size does not change the figure. Returns the sign-ins and, measured apart, the
    unlocking alone (derivation and unwrapping)."""
    from docassist.services import accounts

    laps: list[Lap] = []
    unlocking: list[Lap] = []
    with tempfile.TemporaryDirectory(prefix="docassist-sign-in-") as folder:
        path = Path(folder) / "docassist.db"
        made = accounts.create_register(path, SIGN_IN_USER, SIGN_IN_PASSPHRASE)
        generate(made.context, households=households, seed=42)
        made.context.db.close()
        for _ in range(samples + 1):  # the first, unrecorded, fills the file cache
            clock = Clock()
            ctx, _session = accounts.open_signed_in(path, SIGN_IN_USER, SIGN_IN_PASSPHRASE)
            laps.append(clock.lap())
            ctx.db.close()
            clock = Clock()
            keys.unlock(path, SIGN_IN_USER, SIGN_IN_PASSPHRASE, now=datetime.now(UTC))
            unlocking.append(clock.lap())
    return laps[1:], unlocking[1:]


def sign_in_rows(laps: list[Lap], unlocking: list[Lap]) -> list[Row]:
    """Judged on CPU time, as start-up is: the derivation's two lanes run on two cores,
    so on an idle laptop the wait is at most the CPU time; on a busy one the wall
    time mostly measures the other programs."""
    kdf = keys.KDF
    label = f"sign-in: Argon2id {kdf.memory_kib // 1024} MiB t={kdf.time_cost} p={kdf.parallelism}"
    slowest = (max(w for w, _ in laps), max(c for _, c in laps))
    return [
        timed(f"{label} + open, median", median(laps), TARGETS["sign_in"], on_cpu=True),
        timed("  slowest of the samples", slowest, TARGETS["sign_in"], on_cpu=True),
        timed("  of it, unlocking the key (median)", median(unlocking)),
    ]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


class Clock:
    """Wall time (what the user waits) and this process's CPU time (what the
    wall time would be on an idle machine, roughly: the two differ when other
    programs compete for the cores)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        lap = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return lap


def bench_coordinator(path: Path) -> str:
    """The coordinator the first-screen samples sign in as (made once, then reused)."""
    db = open_database(path)
    try:
        ctx = Context(db)
        for user in users.list_users(ctx):
            if user.name == BENCH_COORDINATOR and user.role is Role.COORDINATOR:
                return user.id
        return users.create_user(ctx, BENCH_COORDINATOR, Role.COORDINATOR).id
    finally:
        db.close()


Lap = tuple[float, float]  # (wall, CPU) seconds


def first_screen_sample(args: list[str], env: dict[str, str]) -> tuple[Lap, Lap, str]:
    """One fresh process of tools/first_screen.py: its (wall, CPU) until the first
    screen's data is in place, then until that screen is painted and idle, and the
    class of the screen it reached."""
    started = time.monotonic_ns()
    done = subprocess.run(
        [sys.executable, str(FIRST_SCREEN), args[0], str(started), *args[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,  # a screen never ready would otherwise hang the report
    )
    if done.returncode != 0:
        raise SystemExit(f"first-screen sample {args[0]} failed:\n{done.stderr}")
    cpu, wall, cpu_idle, wall_idle, screen = done.stdout.split()
    return (float(wall), float(cpu)), (float(wall_idle), float(cpu_idle)), screen


def command_sample(command: list[str], env: dict[str, str]) -> Lap:
    """One run of a command: wall time, and its CPU time (user + system) from the
    children's rusage, which grows by exactly this child's once it is reaped."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure_starts(
    path: Path, user_id: str, samples: int
) -> tuple[dict[str, list[Lap]], dict[str, set[str]]]:
    """Every program's start, ``samples`` times each, taking turns, after one
    unrecorded round (it compiles bytecode and fills the file cache)."""
    docassist = Path(sys.executable).with_name("docassist")
    programs: dict[str, list[str]] = {
        "bare": ["bare"],
        # The household list's widgets without docassist: Textual's own share.
        "widgets": ["widgets"],
        "households": ["households", str(path), user_id],
        # The same with nothing remembered (the first start after an install or
        # an upgrade): the CSS is parsed and the checklists checked once more.
        "households cold": ["households", str(path), user_id],
        "start": ["start", str(path)],
    }
    commands = {"help": [str(docassist), "--help"], "locate": [str(docassist), "locate"]}
    # Each program twice: "NAME" its data in place, "NAME idle" painted and idle.
    idle = [f"{name} idle" for name in programs]
    laps: dict[str, list[Lap]] = {name: [] for name in [*programs, *idle, *commands]}
    screens: dict[str, set[str]] = {name: set() for name in programs}
    # An installed wheel has its bytecode compiled by pip; a source checkout run
    # with PYTHONDONTWRITEBYTECODE (as some shells and CI set it) would compile
    # every docassist module again in every sample, about 0.1-0.2 s of CPU that
    # no user pays. Compile once here, as an install does.
    compileall.compile_dir(Path(docassist_package.__file__).parent, quiet=1)
    with (
        tempfile.TemporaryDirectory(prefix="docassist-bench-") as home,
        tempfile.TemporaryDirectory(prefix="docassist-bench-cold-") as cold_home,
    ):
        # A home of its own: no user checklists or settings from this machine's
        # user, and nothing written into them. The cold start has another, emptied
        # before each of its samples: emptying the one the others share made the
        # start screen, which ran right after it every round, parse its CSS again
        # (its figure was half a cold start's).
        env = {**os.environ, "DOCASSIST_HOME": home}
        cold_env = {**os.environ, "DOCASSIST_HOME": cold_home}
        names = [*programs, *commands]
        for round_ in range(samples + 1):
            # Taking turns, each round starting one further along, so no program
            # always runs first (or right after the same neighbour).
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                if name in programs:
                    cold = name.endswith(" cold")
                    if cold:
                        shutil.rmtree(Path(cold_home, "cache"), ignore_errors=True)
                    lap, settled, screen = first_screen_sample(
                        programs[name], cold_env if cold else env
                    )
                    screens[name].add(screen)
                    if round_:
                        laps[f"{name} idle"].append(settled)
                else:
                    lap = command_sample(commands[name], env)
                if round_:
                    laps[name].append(lap)
            done = f"round {round_} of {samples}" if round_ else "warm-up round (not counted)"
            print(f"  start-up: {done} done", flush=True)
    return laps, screens


@dataclass(frozen=True)
class Row:
    label: str
    wall: str
    cpu: str
    target: str = ""
    verdict: str = ""


def timed(label: str, lap: Lap, target: float | None = None, on_cpu: bool = False) -> Row:
    """A time against its target, judged on wall time (what the user waits) unless
    ``on_cpu``: start-up is judged on CPU time, steadier on a busy machine."""
    wall, cpu = lap
    if target is None:
        return Row(label, _ms(wall), _ms(cpu))
    judged = cpu if on_cpu else wall
    shown = f"{_ms(target)}{' CPU' if on_cpu else ''}"
    return Row(label, _ms(wall), _ms(cpu), shown, _ok(judged <= target))


def ratio(
    label: str, lap: Lap, base: Lap, target: float | None = None, on_cpu: bool = False
) -> Row:
    """How many times ``base`` ``lap`` took, on each clock."""
    wall, cpu = lap[0] / base[0], lap[1] / base[1]
    if target is None:
        return Row(label, f"{wall:.2f}x", f"{cpu:.2f}x")
    judged = cpu if on_cpu else wall
    shown = f"≤ {target:g}x{' CPU' if on_cpu else ''}"
    return Row(label, f"{wall:.2f}x", f"{cpu:.2f}x", shown, _ok(judged <= target))


def _ok(met: bool) -> str:
    return "ok" if met else "FAIL"


def median(laps: list[Lap]) -> Lap:
    return statistics.median(w for w, _ in laps), statistics.median(c for _, c in laps)


def pct95(laps: list[Lap]) -> Lap:
    return p95([w for w, _ in laps]), p95([c for _, c in laps])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="default: bench-HOUSEHOLDS.db here")
    parser.add_argument("--rebuild", action="store_true", help="build the register again")
    parser.add_argument(
        "--samples", type=int, default=7, help="fresh processes per program started (default 7)"
    )
    parser.add_argument(
        "--only",
        choices=["sign-in", "start-up"],
        help=(
            "measure only this (sign-in: no large register is built; start-up: the first "
            "screens and commands, on the --households register, which hardly matters)"
        ),
    )
    args = parser.parse_args()
    if args.only == "sign-in":
        return print_sign_in(args.samples)
    path = args.db or Path(f"bench-{args.households}.db")
    build_s = build(path, args.households, args.rebuild)
    user_id = bench_coordinator(path)
    if args.only == "start-up":
        return print_start_up(path, user_id, args.samples)
    load = [os.getloadavg()[0]]

    clock = Clock()
    db = open_database(path)
    opened = clock.lap()
    ctx = Context(db)
    conn = db.conn
    today = ctx.today()
    sizes = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("households", "persons", "cases", "case_steps")
    }

    # What the register screen does on each keystroke: the first page and the
    # total; beside it the same SQL run bare. Each query runs all three, in turn
    # first, so neither side always finds the pages the other just read.
    search: list[Lap] = []
    floor: list[Lap] = []
    all_sql: list[Lap] = []
    for i, q in enumerate(queries(200)):  # 200 different queries: no remembered answers
        match = hh.fts_query(q)
        assert match is not None, q  # every query has a word to search for

        def service(q: str = q) -> None:
            hh.find_households(ctx, q, limit=hh.PAGE_SIZE)
            hh.count_households(ctx, q)

        runs = [
            (search, service),
            (floor, lambda m=match: search_floor(conn, m)),
            (all_sql, lambda m=match: search_sql(conn, m, today.isoformat())),
        ]
        for laps, run in runs[i % 3 :] + runs[: i % 3]:
            clock.lap()
            run()
            laps.append(clock.lap())

    # One dashboard refresh: counts, then the same by municipality. The services
    # keep an answer until the next write, so each round first writes (a no-op
    # update) to time a refresh after a change, never a remembered answer.
    everything: list[Lap] = []
    by_place: list[Lap] = []
    both: list[Lap] = []
    dash_floor: list[Lap] = []
    for round_ in range(7):
        db.execute("UPDATE meta SET value = value WHERE key = 'device_id'")
        if round_ % 2:  # the floor first every other round, as for search
            clock.lap()
            dashboard_floor(conn, today)
            dash_floor.append(clock.lap())
        clock.lap()
        dashboard.counts(ctx)
        a = clock.lap()
        dashboard.counts_by_municipality(ctx)
        b = clock.lap()
        everything.append(a)
        by_place.append(b)
        both.append((a[0] + b[0], a[1] + b[1]))
        if not round_ % 2:
            clock.lap()
            dashboard_floor(conn, today)
            dash_floor.append(clock.lap())
    db.close()
    load.append(os.getloadavg()[0])

    print(f"starting each program {args.samples} times (fresh processes, taking turns) ...")
    starts, screens = measure_starts(path, user_id, args.samples)
    load.append(os.getloadavg()[0])
    signing_in, unlocking = measure_sign_in(args.samples)
    rows = [
        *sign_in_rows(signing_in, unlocking),
        timed("open the register (checks + migrations)", opened, TARGETS["open"]),
        timed("name search, median of 200 queries", median(search)),
        timed("name search, p95 of 200 queries", pct95(search), TARGETS["search_p95"]),
        timed("  its floor: FTS count + page ids, p95", pct95(floor)),
        timed("  all its SQL, no Python, p95", pct95(all_sql)),
        ratio("  search / floor, p95", pct95(search), pct95(floor), TARGETS["search_vs_floor"]),
        timed("dashboard: open/blocked/overdue/done counts", median(everything)),
        timed("dashboard: the same by municipality", median(by_place)),
        timed("dashboard counts, both (median of 7)", median(both), TARGETS["dashboard"]),
        timed("  its floor: the two queries (median of 7)", median(dash_floor)),
        ratio("  dashboard / floor", median(both), median(dash_floor)),
        *start_up_rows(starts, args.samples),
    ]
    print()
    print(f"register {path}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}; "
        f"build/reuse took {build_s:.0f} s"
    )
    # Other work on the machine slows every figure: say how busy it was.
    print(
        "load average (1 min) at the start, after the register measures, after the "
        "start-up measures: " + ", ".join(f"{x:.1f}" for x in load)
    )
    print_start_up_notes(starts, screens)
    print_table(rows)
    # A report, not a gate: timings depend on the machine and its load.
    return 0


def print_table(rows: list[Row]) -> None:
    width = max(44, *(len(r.label) for r in rows))
    print()
    print(f"| {'measure':<{width}} | {'wall':>11} | {'CPU time':>11} | {'target':>12} | ok   |")
    print(f"|{'-' * (width + 2)}|{'-' * 13}|{'-' * 13}|{'-' * 14}|------|")
    for r in rows:
        print(
            f"| {r.label:<{width}} | {r.wall:>11} | {r.cpu:>11} | {r.target:>12} | {r.verdict:<4} |"
        )
    print()
    missed = sum(row.verdict == "FAIL" for row in rows)
    print(f"{missed} target(s) missed." if missed else "All targets met.")


def start_up_rows(starts: dict[str, list[Lap]], samples: int) -> list[Row]:
    """The first screens against the bare Textual app, and the two quick commands."""
    first = {name: median(laps) for name, laps in starts.items()}
    bare, bare_idle = first["bare"], first["bare idle"]
    at_most = TARGETS["first_screen_vs_bare"]
    return [
        timed(f"bare Textual app: in place (median of {samples})", bare),
        timed("  painted and idle", bare_idle),
        timed("same widgets, no docassist: in place", first["widgets"]),
        ratio("  / bare app", first["widgets"], bare),
        timed("  painted and idle", first["widgets idle"]),
        ratio("  / bare app", first["widgets idle"], bare_idle),
        timed("coordinator's household list: rows in place", first["households"]),
        ratio("  / bare app", first["households"], bare, at_most, on_cpu=True),
        timed("  painted and idle", first["households idle"]),
        ratio("  / bare app", first["households idle"], bare_idle, at_most, on_cpu=True),
        # docassist's own share: the list beside its widgets in a plain Textual app
        # (which parses app.tcss at every start, as docassist's cache spares it).
        ratio("  / same widgets, no docassist", first["households idle"], first["widgets idle"]),
        timed("  first start (nothing cached): in place", first["households cold"]),
        ratio("  / bare app", first["households cold"], bare),
        timed("start screen, nobody signed in: in place", first["start"]),
        ratio("  / bare app", first["start"], bare, at_most, on_cpu=True),
        timed("  painted and idle", first["start idle"]),
        ratio("  / bare app", first["start idle"], bare_idle, at_most, on_cpu=True),
        timed("docassist --help", first["help"], TARGETS["command_cpu"], on_cpu=True),
        timed("docassist locate", first["locate"], TARGETS["command_cpu"], on_cpu=True),
    ]


def print_start_up_notes(starts: dict[str, list[Lap]], screens: dict[str, set[str]]) -> None:
    reached = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in screens.items())
    print(f"first screens reached: {reached}")
    # How noisy the start-ups were: a median of 7 on a busy machine hides a wide spread.
    spread = ", ".join(
        f"{name} {min(c for _, c in laps):.2f}-{max(c for _, c in laps):.2f}"
        for name, laps in starts.items()
    )
    print(f"start-up CPU, fastest-slowest sample (s): {spread}")


def print_start_up(path: Path, user_id: str, samples: int) -> int:
    load = os.getloadavg()[0]
    print(f"starting each program {samples} times (fresh processes, taking turns) ...")
    starts, screens = measure_starts(path, user_id, samples)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"(1 min) {load:.1f} -> {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
    )
    print_start_up_notes(starts, screens)
    print_table(start_up_rows(starts, samples))
    return 0


def print_sign_in(samples: int) -> int:
    load = os.getloadavg()[0]
    laps, unlocking = measure_sign_in(samples)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"(1 min) {load:.1f} -> {os.getloadavg()[0]:.1f}, Python {platform.python_version()}; "
        f"{samples} sign-ins"
    )
    print_table(sign_in_rows(laps, unlocking))
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
