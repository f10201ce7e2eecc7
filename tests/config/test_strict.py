"""Config is strict: no loose coercion, bounded numbers, a cron that never fires warns, the database password hidden,
an unusable database one sentence (real subprocesses for ``run`` and the CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copbot.cli.main import main
from copbot.config.errors import ConfigError
from copbot.config.settings import parse_settings

ROOT = Path(__file__).resolve().parents[2]
PROMPT = '[[prompts]]\nname = "p"\nchannel = "c"\ntexts = ["x"]\n'


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="bad.toml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[permissions]\nrate_limit_per_minute = true\n", "bad.toml:2: permissions.rate_limit_per_minute"),
        ("[permissions]\n\nmatrix_moderator_power_level = true\n", "bad.toml:3: permissions.matrix_moderator_power"),
        ("[activity]\nmin_confidence = true\n", "bad.toml:2: activity.min_confidence"),
        ('[activity]\nenabled = "no"\n', "bad.toml:2: activity.enabled"),
        ('[discord]\nenabled = "yes"\ntoken = { env = "X" }\n', "bad.toml:2: discord.enabled"),
        ("[console]\nroom = 5\n", "bad.toml:2: console.room"),
        ("[scheduler]\nmisfire_grace_minutes = inf\n", "bad.toml:2: scheduler.misfire_grace_minutes"),
        ("[scheduler]\nmisfire_grace_minutes = 1e12\n", "bad.toml:2: scheduler.misfire_grace_minutes"),
        ("[activity]\ncooldown_minutes = nan\n", "bad.toml:2: activity.cooldown_minutes"),
    ],
)
def test_loose_values_are_errors_naming_key_and_line(text: str, where: str) -> None:
    assert where in error_of(text)


def test_whole_numbers_still_do_for_decimal_settings() -> None:
    settings = parse_settings("[activity]\ncooldown_minutes = 5\nmin_confidence = 1\n")
    assert settings.activity.cooldown_minutes == 5.0 and settings.activity.min_confidence == 1.0


def test_a_cron_that_never_fires_warns_in_check_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text(PROMPT + 'cron = "0 9 30 2 *"\n' + PROMPT.replace('"p"', '"q"') + 'cron = "0 9 * * 1"\n')
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert 'warning: prompt "p": cron "0 9 30 2 *" never fires' in out
    assert 'prompt "q"' not in out
    assert "invalid" in error_of(PROMPT + 'cron = "0 9 31 13 *"\n')


def test_check_config_hides_the_database_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[database]\nurl = "postgresql+asyncpg://copbot:s3cr%40t@db.example:5432/copbot"\n')
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "s3cr" not in out and "postgresql+asyncpg://copbot:***@db.example:5432/copbot" in out


def run_copbot(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    command = [sys.executable, "-m", "copbot", *args, "--config", str(config)]
    return subprocess.run(command, cwd=ROOT, input="", capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("run",), ("db", "upgrade"), ("kb", "search", "pip")])
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://copbot:hunter2@127.0.0.1:1/copbot",
        "sqlite+aiosqlite:///{file}/inside-a-file/copbot.sqlite3",
    ],
    ids=["unreachable", "unwritable"],
)
def test_an_unusable_database_is_one_sentence(tmp_path: Path, url: str, args: tuple[str, ...]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_copbot(tmp_path, url.format(file=blocker), *args)
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("copbot:")]
    if args[0] == "kb" and url.startswith("sqlite"):  # a reading command finds no file to read and creates none
        assert result.returncode == 2 and len(lines) == 1 and "no database at" in lines[0], result.stderr
        return
    assert result.returncode == 1
    assert len(lines) == 1 and "cannot use the database" in lines[0], result.stderr
