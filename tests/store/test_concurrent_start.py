"""Processes started together on one empty database all migrate it without crashing (real subprocesses)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from copbot.store import migrate
from tests.pg_support import SERVER, STORES

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3
"""Each round starts on a new empty database; before the lock, 3 PostgreSQL starts crashed one in 4 of 4 tries and
2 SQLite starts in 6 of 10, so three rounds of three make a missed race unlikely while the test stays ~15 s."""
PROCESSES = 3


def start_together(config: Path) -> list[subprocess.CompletedProcess[str]]:
    """``copbot db upgrade`` in PROCESSES real processes started at once; their results."""
    command = [sys.executable, "-m", "copbot", "db", "upgrade", "--config", str(config)]
    running = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    results = []
    for process in running:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def assert_all_migrated(results: list[subprocess.CompletedProcess[str]]) -> None:
    head = migrate.head_revision()
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"database at revision {head}" in result.stdout
        assert "Traceback" not in result.stderr


@pytest.mark.skipif("sqlite" not in STORES, reason="SQLite is not among COPBOT_TEST_STORES")
def test_simultaneous_starts_on_an_empty_sqlite_file(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        config = tmp_path / f"round{round_}.toml"
        config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / f"kb{round_}.sqlite3"}"\n')
        assert_all_migrated(start_together(config))


@pytest.mark.skipif("postgresql" not in STORES, reason="PostgreSQL is not among COPBOT_TEST_STORES")
def test_simultaneous_starts_on_an_empty_postgresql_database(tmp_path: Path) -> None:
    server = SERVER.rstrip("/")
    for round_ in range(ROUNDS):
        name = f"copbot_test_race_{secrets.token_hex(4)}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            config = tmp_path / f"round{round_}.toml"
            url = "postgresql+asyncpg://" + f"{server}/{name}".split("://", 1)[1]
            config.write_text(f'[database]\nurl = "{url}"\n')
            assert_all_migrated(start_together(config))
            with psycopg.connect(f"{server}/{name}") as connection:
                assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
                    (migrate.head_revision(),)
                ]
        finally:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
