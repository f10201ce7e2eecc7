"""Start-up work: ``--version`` loads no database or platform library; ``copbot run`` greets once, then answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "discord", "nio", "pydantic", "apscheduler", "copbot.app")
PROBE = """
import runpy, sys
sys.argv = ["copbot", *sys.argv[1:]]
try:
    runpy.run_module("copbot", run_name="__main__")
except SystemExit:
    pass
print("loaded:", " ".join(sorted({name for name in sys.modules if name.split(".")[0] in HEAVY or name in HEAVY})))
"""


def _loaded(*args: str) -> tuple[str, list[str]]:
    """(stdout before the probe line, the heavy modules imported) of ``python -m copbot ARGS``."""
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    before, _, loaded = result.stdout.rpartition("loaded:")
    return before, loaded.split()


def test_version_imports_no_database_or_platform_library() -> None:
    printed, loaded = _loaded("--version")
    assert printed.strip().startswith("copbot ")
    assert loaded == []


def test_help_of_one_subcommand_loads_no_platform_library() -> None:
    printed, loaded = _loaded("kb", "--help")
    assert "import" in printed
    assert not {"discord", "nio", "alembic"} & set(loaded)


def test_console_greets_once_before_loading_and_still_answers(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/c.sqlite3"\n')
    result = subprocess.run(
        [sys.executable, "-m", "copbot", "run", "--config", str(tmp_path / "config.toml")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        input="/help\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("copbot console, room #general. You are you.")
    assert sum("copbot console, room" in line for line in lines) == 1
    assert "search" in result.stdout.split("\n", 1)[1]  # the help typed before the bot had loaded was answered
