"""Two console runs on one database: the second run's ids, edits, deletions and captures touch only its own content."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ID = re.compile(r"^\[c(\d+)\]", re.MULTILINE)

FIRST_RUN = """/ask how do I keep sourdough starter alive?
:thread c1
:as bob
feed it daily with rye flour
:as you
/solved c3
:room
:as carol
what time is the bake sale?
"""


def second_run(first: int) -> str:
    """The second run's script; ``first`` is the number its first message must get."""
    ask, answer = first, first + 2
    return f"""# the new member's help request must get a fresh id, and a reply
:as dave
/ask where is the rota kept?
:thread c{ask}
:as erin
the rota is pinned in the office
:as bob
:edit c{answer} bob rewrites erin's answer
:as dave
/solved c{answer}
:room
# earlier runs' messages are not this run's to change
:edit c6 hijacked bake sale
:edit c1 hijacked question
:as bob
:delete c1
:delete c3
"""


def run(tmp_path: Path, script: str) -> str:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "bot.sqlite3"}"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "copbot", "run", "--config", str(config)],
        cwd=REPO,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_a_second_console_run_never_reuses_ids_or_changes_the_first_runs_content(tmp_path: Path) -> None:
    first = run(tmp_path, FIRST_RUN)
    assert "Saved to the knowledge base as kb1" in first
    first_ids = {int(n) for n in ID.findall(first)}

    second = run(tmp_path, second_run(max(first_ids) + 1))

    second_ids = {int(n) for n in ID.findall(second)}
    assert second_ids and min(second_ids) > max(first_ids), "no id of the first run comes back"
    assert f"[c{max(first_ids) + 1}] dave: /ask where is the rota kept?" in second
    assert "Nothing in the knowledge base answers this yet" in second, "the new help request gets its reply"
    assert "Saved to the knowledge base as kb2" in second
    assert "(only erin can edit" in second
    assert "(no message 'c6' here)" in second and "(no message 'c1' here)" in second

    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        texts = dict(db.execute("SELECT external_id, text FROM messages"))
        deleted = [row[0] for row in db.execute("SELECT external_id FROM messages WHERE deleted_at IS NOT NULL")]
        entries = dict(db.execute("SELECT public_id, question FROM knowledge_entries"))
        answers = list(db.execute(
            "SELECT e.public_id, m.text FROM entry_messages m JOIN knowledge_entries e ON e.id = m.entry_id"
            " WHERE m.role = 'answer' ORDER BY e.public_id"
        ))  # fmt: skip
        askers = dict(db.execute(
            "SELECT t.thread_key, m.external_id FROM threads t JOIN members m ON m.id = t.asker_id"
        ))  # fmt: skip
    assert texts["c1"] == "how do I keep sourdough starter alive?"
    assert texts["c3"] == "feed it daily with rye flour"
    assert texts["c6"] == "what time is the bake sale?"
    assert deleted == []
    assert entries == {"kb1": "how do I keep sourdough starter alive?", "kb2": "where is the rota kept?"}
    assert answers == [("kb1", "feed it daily with rye flour"), ("kb2", "the rota is pinned in the office")]
    assert askers["c1"] == "you" and askers[f"c{max(first_ids) + 1}"] == "dave"
