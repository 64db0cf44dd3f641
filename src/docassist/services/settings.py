"""The few settings a person can change by hand: ``settings.toml`` in docassist's folder.

One file beside the register's default home (``locations.data_dir()``), read when the
app starts. Today it holds one setting::

    [lock]
    # Minutes without a key before the screen covers itself (1 to 60).
    idle_minutes = 5

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


@dataclass(frozen=True)
class Settings:
    idle_minutes: int = DEFAULT_IDLE_MINUTES
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
    lock = data.get("lock", {})
    minutes = lock.get("idle_minutes", DEFAULT_IDLE_MINUTES) if isinstance(lock, dict) else None
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES
    ):
        return Settings(
            problems=(
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
                ),
            )
        )
    return Settings(idle_minutes=minutes)
