"""settings.toml: the idle lock's minutes, with a default for every mistake."""

from __future__ import annotations

import pytest

from docassist.services.settings import (
    DEFAULT_IDLE_MINUTES,
    DEFAULT_SMALL_COUNTS_BELOW,
    load_settings,
    settings_path,
)


def test_no_file_means_the_defaults(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.idle_minutes == DEFAULT_IDLE_MINUTES == 5
    assert settings.idle_seconds == 300 and settings.problems == ()


def test_the_default_folder_is_docassists_own(_isolated_home):
    assert settings_path() == _isolated_home / "settings.toml"
    (_isolated_home / "settings.toml").write_text("[lock]\nidle_minutes = 12\n")
    assert load_settings().idle_minutes == 12


@pytest.mark.parametrize("minutes", [1, 5, 60])
def test_minutes_in_range_are_used(tmp_path, minutes):
    settings_path(tmp_path).write_text(f"[lock]\nidle_minutes = {minutes}\n")
    assert load_settings(tmp_path).idle_minutes == minutes


@pytest.mark.parametrize(
    "text",
    [
        "[lock]\nidle_minutes = 0\n",
        "[lock]\nidle_minutes = 61\n",
        "[lock]\nidle_minutes = 2.5\n",
        '[lock]\nidle_minutes = "5"\n',
        "[lock]\nidle_minutes = true\n",
        "lock = 3\n",
    ],
)
def test_a_wrong_value_gives_the_default_and_says_so(tmp_path, text):
    settings_path(tmp_path).write_text(text)
    settings = load_settings(tmp_path)
    assert settings.idle_minutes == DEFAULT_IDLE_MINUTES
    [problem] = settings.problems
    assert "idle_minutes must be a whole number from 1 to 60" in problem.render()


@pytest.mark.parametrize("raw", [b"[lock\nidle_minutes = 5\n", b"\xff\xfe[lock]"])
def test_an_unreadable_file_gives_the_defaults_and_says_so(tmp_path, raw):
    settings_path(tmp_path).write_bytes(raw)
    settings = load_settings(tmp_path)
    assert settings.idle_minutes == DEFAULT_IDLE_MINUTES
    [problem] = settings.problems
    assert "could not be read" in problem.render() and str(tmp_path) in problem.render()


def test_other_tables_and_keys_are_left_alone(tmp_path):
    settings_path(tmp_path).write_text("[lock]\nidle_minutes = 9\nsomething = 1\n[other]\nx = 2\n")
    assert load_settings(tmp_path) == load_settings(tmp_path)
    assert load_settings(tmp_path).idle_minutes == 9


def test_small_counts_default_to_three(tmp_path):
    assert load_settings(tmp_path).small_counts_below == DEFAULT_SMALL_COUNTS_BELOW == 3
    settings_path(tmp_path).write_text("[lock]\nidle_minutes = 9\n")
    assert load_settings(tmp_path).small_counts_below == 3


@pytest.mark.parametrize("below", [0, 1, 5, 10])
def test_small_counts_in_range_are_used(tmp_path, below):
    settings_path(tmp_path).write_text(f"[reports]\nsmall_counts_below = {below}\n")
    settings = load_settings(tmp_path)
    assert settings.small_counts_below == below and settings.problems == ()


@pytest.mark.parametrize("value", ["-1", "11", "2.5", '"3"', "false"])
def test_a_wrong_small_counts_value_hides_below_three_and_says_so(tmp_path, value):
    # a mistake in the file must not show the counts it meant to hide
    settings_path(tmp_path).write_text(
        f"[lock]\nidle_minutes = 7\n[reports]\nsmall_counts_below = {value}\n"
    )
    settings = load_settings(tmp_path)
    assert settings.small_counts_below == 3
    assert settings.idle_minutes == 7  # the other setting is still read
    [problem] = settings.problems
    assert "small_counts_below must be a whole number from 0 to 10" in problem.render()


def test_both_settings_wrong_say_both(tmp_path):
    settings_path(tmp_path).write_text(
        "[lock]\nidle_minutes = 0\n[reports]\nsmall_counts_below = 99\n"
    )
    settings = load_settings(tmp_path)
    assert (settings.idle_minutes, settings.small_counts_below) == (5, 3)
    assert [p.code for p in settings.problems] == ["settings-idle-minutes", "settings-small-counts"]
