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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="default: bench-HOUSEHOLDS.db here")
    parser.add_argument("--rebuild", action="store_true", help="build the register again")
    args = parser.parse_args()
    path = args.db or Path(f"bench-{args.households}.db")
    build_s = build(path, args.households, args.rebuild)

    clock = Clock()
    db = open_database(path)
    opened = clock.lap()
    ctx = Context(db)
    sizes = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("households", "persons", "cases", "case_steps")
    }

    # What the register screen does on each keystroke: the first page and the total.
    search = []
    for q in queries(200):  # 200 different queries: no remembered answers
        clock.lap()
        hh.find_households(ctx, q, limit=hh.PAGE_SIZE)
        hh.count_households(ctx, q)
        search.append(clock.lap())

    # One dashboard refresh: counts, then the same by municipality. The services
    # keep an answer until the next write, so each round first writes (a no-op
    # update) to time a refresh after a change, never a remembered answer.
    everything, by_place, both = [], [], []
    for _ in range(7):
        db.execute("UPDATE meta SET value = value WHERE key = 'device_id'")
        clock.lap()
        dashboard.counts(ctx)
        a = clock.lap()
        dashboard.counts_by_municipality(ctx)
        b = clock.lap()
        everything.append(a)
        by_place.append(b)
        both.append((a[0] + b[0], a[1] + b[1]))
    db.close()

    def median(laps: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(w for w, _ in laps), statistics.median(c for _, c in laps)

    def pct95(laps: list[tuple[float, float]]) -> tuple[float, float]:
        return p95([w for w, _ in laps]), p95([c for _, c in laps])

    rows = [
        ("open the register (checks + migrations)", opened, TARGETS["open"]),
        ("name search, median of 200 queries", median(search), None),
        ("name search, p95 of 200 queries", pct95(search), TARGETS["search_p95"]),
        ("dashboard: open/blocked/overdue/done counts", median(everything), None),
        ("dashboard: the same by municipality", median(by_place), None),
        ("dashboard counts, both (median of 7)", median(both), TARGETS["dashboard"]),
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
    print(f"| {'measure':<44} | {'measured':>10} | {'CPU time':>10} | {'target':>8} | ok   |")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 12}|{'-' * 10}|------|")
    missed = 0
    for label, (wall, cpu), target in rows:
        # judged on wall time, what the user waits
        verdict = "" if target is None else ("ok" if wall <= target else "FAIL")
        missed += verdict == "FAIL"
        shown = "" if target is None else _ms(target)
        print(f"| {label:<44} | {_ms(wall):>10} | {_ms(cpu):>10} | {shown:>8} | {verdict:<4} |")
    print()
    print(f"{missed} target(s) missed." if missed else "All targets met.")
    # A report, not a gate: timings depend on the machine and its load.
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
