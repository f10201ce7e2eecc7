"""A database copbot cannot write is found before the banner; a file deleted under a running bot stops it, told once."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.pg_support import SERVER, STORES
from tests.store.console_process import ROOT, console_process, sqlite_config

BANNER = "copbot console"


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's own tmp folders are private to the user running it)."""
    made = Path(tempfile.mkdtemp(prefix="copbot-ro-"))
    made.chmod(0o777)
    try:
        yield made
    finally:
        for path in (made, *made.rglob("*")):
            path.chmod(0o777)
        shutil.rmtree(made)


def unprivileged() -> dict[str, Any]:
    """Popen options that drop root (root writes a read-only file anyway), so permissions mean what they say."""
    return {"user": 65534, "group": 65534, "extra_groups": []} if os.geteuid() == 0 else {}


def copbot(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(folder)}
    command = [sys.executable, "-m", "copbot", *args, "--config", str(folder / "config.toml")]
    return subprocess.run(command, cwd=folder, env=env, input="hello\n", capture_output=True, text=True,
                          timeout=120, **unprivileged())  # fmt: skip


def make_database(folder: Path) -> Path:
    """A migrated database with one message, made by a first run (its -wal and -shm removed at exit)."""
    (folder / "data").mkdir()
    (folder / "data").chmod(0o777)
    database = folder / "data" / "copbot.sqlite3"
    sqlite_config(folder, database)
    first = copbot(folder, "run")
    assert first.returncode == 0 and BANNER in first.stdout, first.stderr
    return database


def one_sentence(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("database: ")]
    assert len(lines) == 1 and lines[0].startswith("copbot: ") and words in lines[0], result.stderr[-2000:]


def test_a_read_only_database_file_is_one_sentence_before_the_banner(folder: Path) -> None:
    database = make_database(folder)
    database.chmod(0o444)
    started = copbot(folder, "run")
    assert BANNER not in started.stdout, "refused before the banner"
    one_sentence(started, "cannot write to the database SQLite file")
    assert "readonly database" in started.stderr and "writable for the user copbot runs as" in started.stderr
    (folder / "entries.jsonl").write_text(json.dumps({"id": "x1", "title": "Pruning", "question": "How?"}) + "\n")
    one_sentence(copbot(folder, "kb", "import", str(folder / "entries.jsonl")), "cannot write to the database")
    searched = copbot(folder, "kb", "search", "pruning")
    assert searched.returncode == 0, "a command that only reads still works on a read-only file"


def test_a_read_only_database_folder_is_one_sentence_before_the_banner(folder: Path) -> None:
    database = make_database(folder)
    database.chmod(0o666)
    database.parent.chmod(0o555)  # SQLite cannot make its -wal file beside the database
    started = copbot(folder, "run")
    assert BANNER not in started.stdout
    one_sentence(started, "readonly database")


def test_a_database_file_deleted_while_running_stops_the_bot_in_one_sentence(folder: Path) -> None:
    (folder / "data").mkdir()
    (folder / "data").chmod(0o777)
    database = folder / "data" / "copbot.sqlite3"
    with console_process(sqlite_config(folder, database), **unprivileged()) as bot:
        bot.send("before: how do I prune tomatoes?", "mark")
        bot.wait_for("you: mark")
        database.unlink()
        deleted = time.monotonic()
        bot.send("after: this would go into the deleted file")
        bot.wait_for("you: after")
        bot.child.wait(timeout=30)  # it stops on its own: its input is still open
        stopped = time.monotonic() - deleted
        code, err = bot.finish()
    assert code == 1 and stopped < 15 and "Traceback" not in err, err[-3000:]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"copbot: the database file {database} was deleted while copbot was running")
    assert not database.exists(), "no new empty file in its place"


@pytest.mark.skipif("postgresql" not in STORES, reason="PostgreSQL is not among COPBOT_TEST_STORES")
def test_a_read_only_postgresql_database_is_one_sentence_before_the_banner(folder: Path) -> None:
    server = SERVER.rstrip("/")
    name = f"copbot_test_ro_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = "postgresql+asyncpg://" + f"{server}/{name}".split("://", 1)[1]
        (folder / "config.toml").write_text(f'[database]\nurl = "{url}"\n')
        assert copbot(folder, "db", "upgrade").returncode == 0
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:  # as a read-only replica would be
            admin.execute(
                sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = on").format(sql.Identifier(name))
            )
        started = copbot(folder, "run")
        assert BANNER not in started.stdout
        one_sentence(started, "cannot write to the database postgresql+asyncpg://")
        assert "read-only transaction" in started.stderr and "not a read-only role, replica" in started.stderr
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
