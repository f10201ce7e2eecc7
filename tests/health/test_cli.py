"""`copbot report`: HTML with inline SVG and no scripts, --json with the same figures, one sentence for bad input."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from copbot.cli.main import build_parser
from copbot.cli.report import run_report
from copbot.config.settings import parse_settings
from copbot.core.clock import ManualClock
from copbot.health.report import as_data, build_report
from copbot.health.window import Window, parse_since
from copbot.prompts.health_page import health_report_text
from copbot.prompts.kinds import health_gaps
from tests.health.history import NOW, SINCE, Community, replayed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def community(database_url: str) -> AsyncIterator[Community]:
    async for stored in replayed(database_url):
        yield stored


def _run(database_url: str, tmp_path: Path, *argv: str) -> int:
    settings = parse_settings(f'[database]\nurl = "{database_url}"\n', base_dir=tmp_path)
    return run_report(build_parser("report").parse_args(["report", *argv]), settings, ManualClock(NOW))


async def test_json_is_the_report_as_data(
    community: Community, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with community.sessions() as session:
        gaps = await health_gaps(session, "memory", NOW)  # the platform's, whatever the channel
        expected = as_data(await build_report(session, Window(SINCE, NOW, "help"), parse_settings("").health, gaps))
    assert expected["repository"]["gaps"] == [{"topic": "kubernetes", "questions": 3, "answerers": 2}]
    out = tmp_path / "report.json"
    # run_report drives its own event loop, as the console script does: run it in a thread of its own.
    code = await asyncio.to_thread(_run, database_url, tmp_path, "--since", "8w", "--channel", "help", "--json",
                                   "--out", str(out))  # fmt: skip
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(expected))


async def test_html_is_self_contained_with_svg_charts(community: Community, database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert await asyncio.to_thread(_run, database_url, tmp_path, "--since", "8w", "--out", str(out)) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 4
    assert "<script" not in page.lower() and "<link" not in page.lower() and 'src="' not in page
    assert "Community health, 02 Feb 2026 to 30 Mar 2026" in page
    assert "Alice" in page and "Bob" not in page  # only the opted-in sole answerer is named
    assert "@media print" in page


def test_bad_input_is_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/empty.sqlite3"\n', encoding="utf-8")
    for argv, said in (
        (["--since", "soon", "--json"], "--since 'soon': give days (90d), weeks (12w) or a date (2026-01-31)"),
        ([], "give --out report.html (or --json for the figures as data)"),
        (["--json"], "the database is at revision none; run: copbot db upgrade"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "copbot", "report", "--config", str(config), *argv],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == f"copbot report: {said}"


async def test_the_console_script_writes_json(community: Community, database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "copbot", "report", "--config", str(config), "--since", "2026-01-01", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["help"]["requests"] == 7  # T0 joins the six of the 8-week window; Erin's T6 never counts
    assert data["window"]["since"] == "2026-01-01T00:00:00+00:00"


async def test_one_function_renders_the_page_for_the_cli_and_the_web(community: Community) -> None:
    window = Window(SINCE, NOW)
    async with community.sessions() as session:
        page = await health_report_text(session, window, parse_settings("").health, NOW)
        data = json.loads(await health_report_text(session, window, parse_settings("").health, NOW, as_json=True))
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 4 and page.endswith("</html>\n")
    assert "kubernetes" in page  # the gap list of the platform is in the page
    assert data["help"]["requests"] == 6 and data["repository"]["gaps"][0]["topic"] == "kubernetes"


def test_the_period_is_parsed_where_the_web_can_reach_it() -> None:
    assert parse_since("12w", NOW) == NOW - timedelta(weeks=12)
    assert parse_since(" 30D ", NOW) == NOW - timedelta(days=30)
    assert parse_since("2026-01-31", NOW) == datetime(2026, 1, 31, tzinfo=UTC)
    for bad in ("0d", "soon", "2027-01-01"):
        with pytest.raises(ValueError, match="--since"):
            parse_since(bad, NOW)
