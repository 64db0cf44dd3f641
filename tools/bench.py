"""``make bench``: is docassist fast enough on a large register?

Builds (once, then reuses) a demo register of 50,000 households, then measures
what users wait for: opening the file, name search across scripts, and the
coordinator dashboard counts. Prints a table with the targets.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from docassist.domain import script
from docassist.services import dashboard
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.demo import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, generate
from docassist.store.db import open_database

TARGETS = {"open": 0.2, "search_p95": 0.010, "dashboard": 0.100}


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


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="default: bench-HOUSEHOLDS.db here")
    parser.add_argument("--rebuild", action="store_true", help="build the register again")
    args = parser.parse_args()
    path = args.db or Path(f"bench-{args.households}.db")
    build_s = build(path, args.households, args.rebuild)

    t = time.perf_counter()
    db = open_database(path)
    open_s = time.perf_counter() - t
    ctx = Context(db)
    sizes = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("households", "persons", "cases", "case_steps")
    }

    # What the register screen does on each keystroke: the first page and the total.
    search = []
    for q in queries(200):
        t = time.perf_counter()
        hh.find_households(ctx, q, limit=100)
        hh.count_households(ctx, q)
        search.append(time.perf_counter() - t)

    everything, by_place, both = [], [], []
    for _ in range(7):
        t = time.perf_counter()
        dashboard.counts(ctx)
        mid = time.perf_counter()
        dashboard.counts_by_municipality(ctx)
        end = time.perf_counter()
        everything.append(mid - t)
        by_place.append(end - mid)
        both.append(end - t)
    db.close()

    rows = [
        ("open the register (checks + migrations)", open_s, TARGETS["open"]),
        ("name search, median of 200 queries", statistics.median(search), None),
        ("name search, p95 of 200 queries", p95(search), TARGETS["search_p95"]),
        ("dashboard: open/blocked/overdue/done counts", statistics.median(everything), None),
        ("dashboard: the same by municipality", statistics.median(by_place), None),
        ("dashboard counts, both (median of 7)", statistics.median(both), TARGETS["dashboard"]),
    ]
    print()
    print(f"register {path}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}; "
        f"build/reuse took {build_s:.0f} s"
    )
    # Other work on the machine slows every figure: say how busy it was.
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    print()
    print(f"| {'measure':<44} | {'measured':>10} | {'target':>8} | {'ok':<4} |")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 10}|{'-' * 6}|")
    missed = 0
    for label, value, target in rows:
        verdict = "" if target is None else ("ok" if value <= target else "FAIL")
        missed += verdict == "FAIL"
        shown = "" if target is None else _ms(target)
        print(f"| {label:<44} | {_ms(value):>10} | {shown:>8} | {verdict:<4} |")
    print()
    print(f"{missed} target(s) missed." if missed else "All targets met.")
    # A report, not a gate: timings depend on the machine and its load.
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
