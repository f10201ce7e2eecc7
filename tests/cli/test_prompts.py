"""``copbot prompts list`` and ``copbot prompts run``: next runs in each prompt's zone, and posting from the shell."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from copbot.cli.main import main
from copbot.cli.prompts import prompt_lines
from copbot.config.settings import parse_settings
from copbot.prompts.triggers import next_fire_time

CONFIG = """
[database]
url = "sqlite+aiosqlite:///t.sqlite3"

[[prompts]]
name = "qotw"
channel = "general"
platform = "console"
weekly = { day = "sun", time = "02:30" }
timezone = "Europe/Berlin"
texts = ["What tool saved you time this week?", "What are you stuck on?"]

[[prompts]]
name = "unanswered"
kind = "unanswered_digest"
channel = "help"
platform = "console"
cron = "0 9 * * 1"
timezone = "America/New_York"

[[prompts]]
name = "off"
kind = "repository_digest"
channel = "general"
cron = "0 9 * * 1"
enabled = false
"""


def test_list_shows_kind_channel_schedule_and_next_run_in_the_prompts_zone(tmp_path: Path) -> None:
    settings = parse_settings(CONFIG, base_dir=tmp_path)
    lines = prompt_lines(settings, datetime(2026, 10, 20, tzinfo=UTC))
    assert lines == [
        "qotw: question_of_the_week in console:general, weekly sun 02:30 Europe/Berlin; "
        "next run 2026-10-25 02:30 CEST (UTC+0200)",
        'unanswered: unanswered_digest in console:help, cron "0 9 * * 1" America/New_York; '
        "next run 2026-10-26 09:00 EDT (UTC-0400)",
        'off: repository_digest in console:general, cron "0 9 * * 1" UTC; next run never (disabled)',
    ]
    after_switch = prompt_lines(settings, datetime(2026, 10, 25, 0, 31, tzinfo=UTC))
    assert after_switch[0].endswith("next run 2026-11-01 02:30 CET (UTC+0100)")


def test_list_command_prints_the_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["prompts", "list", "--config", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[0].startswith("qotw: question_of_the_week in console:general")
    settings = parse_settings(CONFIG, base_dir=tmp_path)
    upcoming = next_fire_time(settings.prompts[0], datetime.now(UTC))
    assert upcoming is not None and upcoming.strftime("%Y-%m-%d 02:30") in out[0]


def test_run_posts_to_the_console_and_records_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text(CONFIG, encoding="utf-8")
    before = datetime.now(UTC)
    assert main(["prompts", "run", "qotw", "--config", str(config)]) == 0
    assert main(["prompts", "run", "qotw", "-c", str(config)]) == 0
    out = capsys.readouterr().out
    assert "copbot: What tool saved you time this week?" in out
    assert "copbot: What are you stuck on?" in out
    with contextlib.closing(sqlite3.connect(tmp_path / "t.sqlite3")) as connection:
        rows = list(connection.execute("SELECT prompt_name, status, text_index, scheduled_for FROM prompt_runs"))
    assert [row[:3] for row in rows] == [("qotw", "posted", 0), ("qotw", "posted", 1)]
    first = datetime.fromisoformat(rows[0][3]).replace(tzinfo=UTC)
    assert before <= first <= datetime.now(UTC)


def test_run_unknown_prompt_fails_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["prompts", "run", "nope", "--config", str(config)]) == 2
    assert "no prompt named 'nope' (configured: qotw, unanswered, off)" in capsys.readouterr().err
