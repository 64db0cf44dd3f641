"""Pure domain logic: no I/O, no Textual, no SQLite, no Babel."""
