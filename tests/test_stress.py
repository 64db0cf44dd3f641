"""tools/stress.py still runs: every part once, with tiny numbers (10-20 s).

The figures themselves come from ``make stress`` (see the README); this only keeps the
script from rotting as the services it calls change.
"""

from __future__ import annotations

from tools import stress


def test_every_part_runs_and_holds(monkeypatch, capsys):
    # main() points DOCASSIST_HOME at its temporary folders; monkeypatch puts it back.
    monkeypatch.setenv("DOCASSIST_HOME", "")
    args = ["--runs", "1", "--seconds", "1", "--restores", "1", "--fuzz", "1", "--seed", "14"]
    code = stress.main(args)
    out = capsys.readouterr()
    assert "crashed" not in out.out, out.err
    for part in ("kill -9", "two writers + CLI", "restore under load", "fuzz"):
        assert f"{part}: " in out.out
    assert code == 0, out.out + out.err


def test_only_complete_lines_are_acknowledged():
    # A line the kill cut short was never acknowledged, so it is not checked either.
    acks = stress.parse_acks("READY\nH 01AAA\nP 01BBB\nERR BusyDatabaseError: x\nC 01CC")
    assert acks.ids == {"H": ["01AAA"], "P": ["01BBB"], "C": []}
    assert acks.errors == ["BusyDatabaseError: x"]


def test_fuzzed_dates_can_always_be_given_on_a_command_line():
    # A command line is bytes: a lone surrogate cannot be one, and such a date once
    # crashed the fuzz part itself instead of testing docassist.
    import os
    import random

    rng = random.Random(5)
    for _ in range(20_000):
        os.fsencode(stress.random_date(rng))


def test_the_two_writers_and_restore_parts_work_on_an_encrypted_register(tmp_path, monkeypatch):
    from docassist.store import engine

    monkeypatch.setenv("DOCASSIST_HOME", str(tmp_path / "home"))
    key = stress.signed_in_register(tmp_path / "r.db")
    assert engine.header(tmp_path / "r.db") is not engine.Header.PLAINTEXT
    assert stress.present_ids(tmp_path / "r.db", key) == {"H": set(), "P": set(), "C": set()}
