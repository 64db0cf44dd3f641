"""The few settings a person can change by hand: ``settings.toml`` in docassist's folder.

One file beside the register's default home (``locations.data_dir()``), read when the
app starts (and by ``docassist report``). It holds two settings::

    [lock]
    # Minutes without a key before the screen covers itself (1 to 60).
    idle_minutes = 5

    [reports]
    # With one municipality chosen, counts below this in the sex x age tables show
    # as "<3" (0 or 1: every count shown; at most 10).
    small_counts_below = 3

A missing file is no problem: every setting has its default. A file that cannot be
read, or a value out of range, is said once (``Settings.problems``) and the default is
used: a typing mistake in a settings file must not leave a laptop unlocked, nor stop
docassist from starting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docassist import locations
from docassist.domain.text import N_, Problem

FILE_NAME = "settings.toml"

# Five minutes: short enough that a laptop left on a workshop table covers itself
# before someone else sits down, long enough not to lock while a family is talked to.
# At most an hour: a longer "idle lock" is no lock.
DEFAULT_IDLE_MINUTES = 5
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 60

# Statistical offices hide counts of 1 and 2 in small areas: in one municipality a row
# "age 60+, women: 1" can point at one family. 10 at most: beyond that the tables of a
# small municipality would hide everything.
DEFAULT_SMALL_COUNTS_BELOW = 3
MAX_SMALL_COUNTS_BELOW = 10


@dataclass(frozen=True)
class Settings:
    idle_minutes: int = DEFAULT_IDLE_MINUTES
    small_counts_below: int = DEFAULT_SMALL_COUNTS_BELOW
    # What was wrong with the file (the defaults were used instead): said once.
    problems: tuple[Problem, ...] = ()

    @property
    def idle_seconds(self) -> float:
        return self.idle_minutes * 60.0


def settings_path(folder: Path | None = None) -> Path:
    return (folder or locations.data_dir()) / FILE_NAME


def load_settings(folder: Path | None = None) -> Settings:
    """The settings in ``folder`` (docassist's own folder by default)."""
    # tomllib only when there is a file: most laptops have none, and the start pays
    # for every import (tests/test_lazy_imports.py).
    path = settings_path(folder)
    if not path.exists():
        return Settings()
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        return Settings(
            problems=(
                Problem(
                    "settings-unreadable",
                    N_(
                        "The settings file {path} could not be read ({detail}): the "
                        "defaults are used."
                    ),
                    {"path": str(path), "detail": str(err)},
                ),
            )
        )
    problems: list[Problem] = []
    minutes = _whole_number(data, "lock", "idle_minutes", DEFAULT_IDLE_MINUTES)
    if minutes is None or not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
        problems.append(
            Problem(
                "settings-idle-minutes",
                N_(
                    "In {path}, idle_minutes must be a whole number from {low} to {high}: "
                    "the screen locks after {default} minutes."
                ),
                {
                    "path": str(path),
                    "low": MIN_IDLE_MINUTES,
                    "high": MAX_IDLE_MINUTES,
                    "default": DEFAULT_IDLE_MINUTES,
                },
            )
        )
        minutes = DEFAULT_IDLE_MINUTES
    below = _whole_number(data, "reports", "small_counts_below", DEFAULT_SMALL_COUNTS_BELOW)
    if below is None or not 0 <= below <= MAX_SMALL_COUNTS_BELOW:
        problems.append(
            Problem(
                "settings-small-counts",
                N_(
                    "In {path}, small_counts_below must be a whole number from 0 to {high}: "
                    "counts below {default} are hidden."
                ),
                {
                    "path": str(path),
                    "high": MAX_SMALL_COUNTS_BELOW,
                    "default": DEFAULT_SMALL_COUNTS_BELOW,
                },
            )
        )
        below = DEFAULT_SMALL_COUNTS_BELOW
    return Settings(idle_minutes=minutes, small_counts_below=below, problems=tuple(problems))


def _whole_number(data: dict[str, object], table: str, key: str, default: int) -> int | None:
    """``data[table][key]``, ``default`` when absent, None when it is not a whole number."""
    section = data.get(table, {})
    if not isinstance(section, dict):
        return None
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value
