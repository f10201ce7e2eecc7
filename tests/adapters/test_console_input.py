"""The console as people feed it: overlong lines, bad bytes in a redirected file, tabs, Markdown, confirmations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from copbot.adapters.console import MAX_LINE_BYTES, terminal_text

ROOT = Path(__file__).resolve().parents[2]


def run_console(tmp_path: Path, script: bytes, *, via_pipe: bool) -> tuple[str, str]:
    """Run ``copbot run`` on the console with ``script`` as its input (a pipe, or a redirected file)."""
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite+aiosqlite:///c.sqlite3"\n')
    command = [sys.executable, "-m", "copbot", "run"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if via_pipe:
        done = subprocess.run(command, input=script, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    else:
        (tmp_path / "script.txt").write_bytes(script)
        with (tmp_path / "script.txt").open("rb") as handle:
            done = subprocess.run(command, stdin=handle, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode(), done.stderr.decode()


SHARE = b"/share Tomato pruning guide: cut the side shoots below the first truss #tomato\n"


def test_an_overlong_piped_line_is_skipped_and_input_goes_on(tmp_path: Path) -> None:
    script = SHARE + b"x" * 100_000 + b"\n" + b"y" * (MAX_LINE_BYTES + 10) + b"\n" + b"/search\ttomato\n"
    out, err = run_console(tmp_path, script, via_pipe=True)
    assert "x" * 1000 in out, "a line over 64 KiB is an ordinary message"
    assert "(a line over 1024 KiB was skipped)" in out and "y" * 1000 not in out
    assert "Knowledge base results for “tomato”" in out, "a tab separates a command from its words; input went on"
    assert "Traceback" not in err


@pytest.mark.parametrize("via_pipe", [False, True], ids=["redirected-file", "pipe"])
def test_a_bad_byte_in_a_redirected_file_is_replaced_not_fatal(tmp_path: Path, via_pipe: bool) -> None:
    script = SHARE + b"/ask My caf\xe9 tomato plants need pruning, how far back?\n:edit c1 Tomato pruning guide v2\n"
    out, err = run_console(tmp_path, script, via_pipe=via_pipe)
    assert "caf\ufffd tomato" in out
    assert "so the next person who asks finds it" in out, "/ask with the bad byte was answered"
    assert "(edited c1)" in out, ":edit says what it did"
    assert "Traceback" not in err and "surrogates" not in err


def test_bold_is_bold_on_a_terminal_and_plain_in_a_pipe() -> None:
    assert terminal_text("see **kb1** now", bold=False) == "see kb1 now"
    assert terminal_text("see **kb1** now", bold=True) == "see \033[1mkb1\033[0m now"
