"""The command line as a shell runs it: no --config, pipes that close early, missing folders, missing secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def copbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m copbot ARGS`` from ``cwd`` (this checkout's code), capturing output."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "copbot", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def piped(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a shell pipeline whose first command is ``copbot`` (this checkout's code)."""
    line = command.replace("copbot ", f"{sys.executable} -m copbot ", 1)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        ["sh", "-c", line], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error a failed command printed: exactly one line, no traceback."""
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with a config.toml (as ``dev.py run`` leaves) whose database has 40 entries."""
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite+aiosqlite:///kb.sqlite3"\n')
    lines = [
        json.dumps({"id": f"e{n}", "title": f"Pruning tomatoes, part {n}", "question": "How far back to prune?"})
        for n in range(40)
    ]
    (tmp_path / "entries.jsonl").write_text("\n".join(lines) + "\n")
    result = copbot("kb", "import", "entries.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_without_config_the_folder_config_is_used_and_named(folder: Path) -> None:
    result = copbot("kb", "search", "tomatoes", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 10
    assert f"database: SQLite file {folder / 'kb.sqlite3'}" in result.stderr
    assert "INFO" not in result.stderr, "log lines stay out of a command's output"


def test_reading_commands_never_create_an_empty_database(tmp_path: Path) -> None:
    line = one_line_error(copbot("kb", "search", "tomato", cwd=tmp_path))
    assert "no database at" in line and "--config" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    ["copbot kb export | head -1", "copbot kb search tomatoes --json | head -1", "copbot activity explain x | head -1"],
)
def test_a_pipe_closed_early_is_not_an_error(folder: Path, command: str) -> None:
    result = piped(command, folder)
    assert result.stdout.strip(), "the first line came through"
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


def test_export_into_a_missing_folder_is_one_line(folder: Path) -> None:
    line = one_line_error(copbot("kb", "export", "missing-dir/x.jsonl", cwd=folder))
    assert line == "copbot: missing-dir/x.jsonl: No such file or directory"


def test_check_config_and_run_need_the_secrets_before_touching_the_database(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(
        '[database]\nurl = "sqlite+aiosqlite:///bot.sqlite3"\n'
        '[discord]\nenabled = true\ntoken = { env = "COPBOT_TEST_UNSET_TOKEN" }\n'
    )
    env = {"COPBOT_TEST_UNSET_TOKEN": ""}
    check = one_line_error(copbot("check-config", str(config), cwd=tmp_path, env=env))
    assert "discord.token" in check and "COPBOT_TEST_UNSET_TOKEN" in check
    run = one_line_error(copbot("run", "--config", str(config), cwd=tmp_path, env=env))
    assert "COPBOT_TEST_UNSET_TOKEN" in run
    assert not (tmp_path / "bot.sqlite3").exists(), "run stopped before migrating a database"


def test_a_prompt_on_a_platform_that_is_not_enabled_is_caught(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(
        '[[prompts]]\nname = "qotw"\nplatform = "matrix"\nchannel = "!room:example.org"\n'
        'texts = ["What did you learn?"]\nweekly = { day = "mon", time = "09:00" }\n'
    )
    line = one_line_error(copbot("check-config", str(config), cwd=tmp_path))
    assert "prompts[0] (qotw)" in line and "'matrix' is not enabled" in line


def test_version_imports_no_subcommand() -> None:
    code = (
        "import sys; from copbot.cli.main import build_parser; build_parser(None); "
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'copbot.cli.kb', 'pydantic'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_config_may_come_before_the_command(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    for written in (["--config", str(folder / "config.toml")], ["-c", str(folder / "config.toml")]):
        result = copbot(*written, "kb", "search", "tomatoes", "--json", cwd=elsewhere)
        assert result.returncode == 0, result.stderr
        assert len(json.loads(result.stdout)) == 10
    line = one_line_error(copbot("--config", "missing.toml", "kb", "search", "x", cwd=elsewhere))
    assert "missing.toml" in line and "no such config file" in line


def test_import_reads_standard_input(folder: Path) -> None:
    line = json.dumps({"id": "piped", "title": "Staking runner beans", "question": "How tall a cane?"})
    result = piped(f"printf '%s\\n%s\\n' '{line}' '{{not json' | copbot kb import -", folder)
    assert result.returncode == 1, "a malformed line is reported in the exit code"
    assert "imported <stdin>: 1 new, 0 updated, 0 unchanged, 1 malformed lines skipped" in result.stdout
    problems = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(problems) == 1 and problems[0].startswith("<stdin>:2: skipped:"), result.stderr
    found = copbot("kb", "search", "runner beans", "--json", cwd=folder)
    assert [hit["id"] for hit in json.loads(found.stdout)] == ["piped"]


def test_label_given_a_sentence_instead_of_a_file_points_to_explain(folder: Path) -> None:
    line = one_line_error(copbot("activity", "label", "Has anyone tried fermenting with honey?", cwd=folder))
    assert "No such file or directory" in line and "copbot activity explain TEXT" in line


def test_kb_show_prints_one_entry_or_one_line(folder: Path) -> None:
    result = copbot("kb", "show", "e3", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[e3] Pruning tomatoes, part 3\n") and "How far back to prune?" in result.stdout
    record = json.loads(copbot("kb", "show", "e3", "--json", cwd=folder).stdout)
    assert record["id"] == "e3" and record["question"] == "How far back to prune?"
    missing = copbot("kb", "show", "e99", cwd=folder)
    assert missing.returncode == 1 and missing.stdout == "" and "Traceback" not in missing.stderr
    assert missing.stderr.splitlines()[-1] == "copbot kb show: there is no entry 'e99' (or everything in it is hidden)"
