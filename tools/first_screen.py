"""One sample of ``make bench``'s first-screen measure, in a fresh process.

    python tools/first_screen.py bare START_NS
    python tools/first_screen.py widgets START_NS
    python tools/first_screen.py start START_NS DB
    python tools/first_screen.py households START_NS DB USER_ID

Starts the program headless, stops it once its first screen is ready and prints
``cpu wall cpu wall screen``: seconds since the process started when the screen's
data is in place (its widgets mounted and filled), then when the screen has been
painted and is idle, and the class of the screen reached.
tools/bench.py runs it once per sample: what a user waits for at every start is
mostly importing and loading, which a second start in the same process would skip.

``START_NS`` is the parent's ``time.monotonic_ns()`` just before it started this
process (on Linux the monotonic clock is system-wide), so the wall time includes
starting Python. The CPU time is this process's own (``getrusage``: user + system),
imports included, so other work on a busy machine hardly moves it.

Only ``docassist.ui.app.DocAssistApp`` is used from docassist: the code behind it
is being moved around, and how a coordinator signs in (``user_id=``, as the UI
tests do) is the one thing here that may have to follow it.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the imports are part of what is measured: made inside each program
    from textual.app import App

SIZE = (120, 40)  # a projector-sized terminal, the same for every program


def bare_app() -> App:
    """The yardstick: a Textual app with a label and a footer, nothing else."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Label

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Label("docassist")
            yield Footer()

    return Bare()


def widgets_app() -> App:
    """The household list's widgets and stylesheet without docassist: what Textual
    itself needs for that screen (a header, the area line, a search box, three
    drop-downs, a table of 50 households, a status line, a footer of six keys),
    so the report can tell Textual's share of the first screen from docassist's."""
    from pathlib import Path

    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical
    from textual.widgets import DataTable, Footer, Header, Input, Select, Static

    css = Path(__file__).resolve().parent.parent / "src" / "docassist" / "ui" / "app.tcss"

    class Widgets(App):
        CSS_PATH = str(css)
        BINDINGS = [Binding(key, "bell", label) for key, label in KEYS]

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(" F2 Households  F3 Dashboard  F4 Workshop  F6 Reports ")
            with Vertical(classes="toolbar"):
                yield Input(placeholder="Search by name or ID number, in any script")
                with Horizontal(id="register-filters"):
                    for prompt in ("All municipalities", "All settlements", "All households"):
                        options = [(f"{prompt} {n}", n) for n in range(8)]
                        yield Select(options, prompt=prompt, compact=True)
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
            for label in ("Family", "Settlement", "Municipality", "People", "Open", "Blocked"):
                table.add_column(Text(label))
            for n in range(50):
                cells = (f"Family {n}", "Crvena zvezda", "Niš", str(n % 7), str(n % 3), "")
                table.add_row(*map(Text, cells))
            yield table
            yield Static("2,000 households (showing 50)", classes="status-line")
            yield Footer()

    return Widgets()


KEYS = [("ctrl+n", "New household"), ("ctrl+f", "Search"), ("f1", "Help")]
KEYS += [("f8", "Language"), ("ctrl+p", "Commands"), ("ctrl+q", "Quit")]


def _has_table_rows(app: App) -> bool:
    from textual.widgets import DataTable

    return any(table.row_count for table in app.screen.query(DataTable))


def _has_label(app: App) -> bool:
    from textual.widgets import Label

    return bool(app.screen.query(Label))


def _household_rows(app: App) -> bool:
    """The coordinator's household list has its first rows."""
    from textual.widgets import DataTable

    return any(table.row_count for table in app.screen.query(DataTable))


def _start_screen(app: App) -> bool:
    """The sign-in screen is up: it focuses a demo's made-up users (or the name box)
    once it has composed and mounted them (its AUTO_FOCUS)."""
    return type(app.screen).__name__ == "SignInScreen" and app.screen.focused is not None


def program(kind: str, args: list[str]) -> tuple[App, Callable[[App], bool]]:
    if kind == "bare":
        return bare_app(), _has_label
    if kind == "widgets":
        return widgets_app(), _has_table_rows
    from docassist.ui.app import DocAssistApp

    if kind == "start":
        return DocAssistApp(args[0]), _start_screen
    if kind == "households":
        return DocAssistApp(args[0], user_id=args[1]), _household_rows
    raise SystemExit(f"unknown program {kind!r}: bare, widgets, start or households")


def since_start(start_ns: int) -> tuple[float, float]:
    """(CPU, wall) seconds since this process started."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, (time.monotonic_ns() - start_ns) / 1e9


def main(argv: list[str]) -> int:
    kind, start_ns, rest = argv[0], int(argv[1]), argv[2:]
    app, ready = program(kind, rest)
    shown: list[float] = []
    settled: list[float] = []
    reached: list[str] = []

    def stop() -> None:
        settled.extend(since_start(start_ns))
        reached.append(type(app.screen).__name__)
        app.exit()

    async def until_ready(_pilot: object) -> None:
        # Runs once the app has mounted (Textual's ready callback). The first
        # screen may still be mounting: look every millisecond.
        give_up = time.monotonic() + 60
        while not ready(app):
            if time.monotonic() > give_up:  # e.g. sign-in changed: say so, do not hang
                print(f"never ready; on {type(app.screen).__name__}", file=sys.stderr)
                app.exit()
                return
            await asyncio.sleep(0.001)
        shown.extend(since_start(start_ns))
        # Then until the screen is painted and has nothing left to do: Textual runs
        # this once no widget waits to be redrawn. Work the screen starts on its
        # own after its data is in (more pages, say) shows as the gap between the two.
        app.screen.call_after_refresh(stop)

    app.run(headless=True, size=SIZE, auto_pilot=until_ready)
    if not settled:
        print(f"{kind}: the app stopped before its first screen was ready", file=sys.stderr)
        return 1
    # The screen's class too, so the report can show the sample reached the screen meant.
    print(" ".join(f"{x:.4f}" for x in [*shown, *settled]), reached[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
