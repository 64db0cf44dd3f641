"""``make bench-sync``: how long the hub takes, against a local PostgreSQL.

Measures issue 17's three figures: the first push of a register of N households
(default 5,000), an incremental sync after 100 cases changed, and a new laptop's
first pull of the whole organisation (a coordinator's: everything). The hub is a
PostgreSQL server this script starts itself (tests/pg_server.py: the pgserver wheel's
binaries, or the machine's), or ``--dsn`` names one.

    python tools/bench_sync.py [--households 5000] [--dsn DSN]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docassist.domain.model import Role  # noqa: E402
from docassist.services import cases, sync, users  # noqa: E402
from docassist.services.context import Context  # noqa: E402
from docassist.services.demo import generate  # noqa: E402
from docassist.store.db import open_database  # noqa: E402

TODAY = date(2026, 11, 23)


def timed(label: str, run) -> float:
    started = time.perf_counter()
    result = run()
    took = time.perf_counter() - started
    print(f"{label:<48} {took:8.2f} s   {result}", flush=True)
    return took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--dsn")
    args = parser.parse_args()
    server = None
    dsn = args.dsn
    if dsn is None:
        from tests import pg_server

        server = pg_server.start()
        dsn = server.dsn()
    try:
        with tempfile.TemporaryDirectory() as folder:
            run(Path(folder), dsn, args.households)
    finally:
        if server is not None:
            server.stop()
    return 0


def run(folder: Path, dsn: str, households: int) -> None:
    db = open_database(folder / "office.db")
    ctx = Context(db, today=lambda: TODAY)
    timed(
        f"build a demo register of {households:,} households",
        lambda: generate(ctx, households=households, seed=7),
    )
    ctx.user_id = users.create_user(ctx, "Bench Coordinator", Role.COORDINATOR).id
    rows = sum(
        db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("households", "persons", "cases", "case_steps", "case_events", "audit_log")
    )
    print(f"  ({rows:,} rows in the synced tables)")
    timed("hub init", lambda: sync.init_hub(dsn))
    timed("first push (hub connect)", lambda: sync.connect_hub(ctx, dsn))
    open_cases = [
        r[0]
        for r in db.execute(
            "SELECT id FROM cases WHERE status = 'open' AND deleted_at IS NULL LIMIT 100"
        ).fetchall()
    ]

    def change_cases() -> int:
        for case_id in open_cases:
            step = cases.get_case(ctx, case_id).current_step()
            if step is not None:
                cases.set_step_due(ctx, case_id, step.key, TODAY)
        return len(open_cases)

    change_cases()
    timed("incremental sync, 100 cases changed", lambda: sync.sync(ctx))
    db.close()

    other = open_database(folder / "new.db")
    octx = Context(other, today=lambda: TODAY)
    timed(
        "a coordinator's first pull (hub join)",
        lambda: sync.join_hub(octx, dsn, "Bench Coordinator"),
    )
    other.close()


if __name__ == "__main__":
    raise SystemExit(main())
