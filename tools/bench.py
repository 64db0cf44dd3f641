"""``make bench``: is docassist fast enough on a large register?

Builds (once, then reuses) a demo register of 50,000 households, then measures
what users wait for: opening the file, name search across scripts, and the
coordinator dashboard counts. Prints a table with the targets.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
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


def build(path: Path, households: int) -> float:
    started = time.perf_counter()
    db = open_database(path)
    if db.execute("SELECT count(*) FROM households").fetchone()[0] == 0:
        print(f"building {households:,} households in {path} (once) ...", flush=True)
        generate(
            Context(db),
            households=households,
            seed=42,
            progress=lambda n: print(f"  {n:,}", flush=True),
        )
    db.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    path = args.db or Path(f"bench-{args.households}.db")
    build(path, args.households)

    t = time.perf_counter()
    db = open_database(path)
    open_s = time.perf_counter() - t
    ctx = Context(db)
    sizes = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("households", "persons", "cases", "case_steps")
    }

    timings = []
    for q in queries(200):
        t = time.perf_counter()
        hh.find_households(ctx, q, limit=100)
        hh.count_households(ctx, q)
        timings.append(time.perf_counter() - t)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]

    dash = []
    for _ in range(5):
        t = time.perf_counter()
        dashboard.counts(ctx)
        dashboard.counts_by_municipality(ctx)
        dash.append(time.perf_counter() - t)
    dash_s = statistics.median(dash)
    db.close()

    print()
    print(f"register: {', '.join(f'{v:,} {k}' for k, v in sizes.items())}")
    print(f"{'measure':<44} {'result':>10} {'target':>10}  ok")
    rows = [
        ("open the database (checks + migrations)", open_s, TARGETS["open"]),
        ("name search, median of 200 queries", median, None),
        ("name search, p95 of 200 queries", p95, TARGETS["search_p95"]),
        ("dashboard counts (all + by municipality)", dash_s, TARGETS["dashboard"]),
    ]
    failed = False
    for label, value, target in rows:
        ok = "" if target is None else ("yes" if value <= target else "NO")
        failed |= ok == "NO"
        tgt = "" if target is None else f"{target * 1000:.0f} ms"
        print(f"{label:<44} {value * 1000:>7.1f} ms {tgt:>10}  {ok}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
