"""kill -9 while writing to an encrypted register: nothing acknowledged is lost.

The loop of tools/stress.py (``make stress`` runs it 60 times and more): a child runs
real use cases on a SQLCipher register and acknowledges each after it returned; it is
SIGKILLed at a random moment; every acknowledged id must be there, and both SQLite's
integrity check and SQLCipher's page codes (``cipher_integrity_check``) must be clean.
"""

from __future__ import annotations

import random

from docassist.store import engine
from tools import stress

KEY = bytes(range(32, 64))


def test_kill_9_loses_no_acknowledged_write_on_an_encrypted_register(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**stress.os.environ, "DOCASSIST_HOME": str(home)}
    rows = stress.part_kill(tmp_path, env, runs=4, rng=random.Random(13), key=KEY)
    figures = {row.measure: row.value for row in rows}
    assert rows[0].part == "kill -9, encrypted"
    assert figures["acknowledged writes"] > 0  # the children did write before dying
    assert figures["lost"] == 0
    assert figures["integrity / foreign-key errors"] == 0
    register = tmp_path / "kill.db"
    assert engine.header(register) is engine.Header.OTHER  # it was encrypted all along
    assert stress.integrity_errors(register, KEY) == []
