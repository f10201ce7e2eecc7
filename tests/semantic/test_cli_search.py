"""`copbot kb search --queries`: many searches in one run, each optionally within given entries; bad lines named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copbot.cli.main import main

ENTRIES = [
    {"id": "tomato", "title": "Pruning tomatoes", "question": "How far back should I prune tomato plants?"},
    {"id": "roses", "title": "Pruning roses", "question": "When should roses be pruned?"},
    {"id": "wifi", "title": "Office wifi drops", "question": "The wireless network disconnects every hour."},
]


def test_queries_file_searches_each_line_within_its_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "kb.sqlite3"}"\n', encoding="utf-8")
    entries = tmp_path / "entries.jsonl"
    entries.write_text("".join(json.dumps(entry) + "\n" for entry in ENTRIES), encoding="utf-8")
    assert main(["kb", "import", str(entries), "--config", str(config)]) == 0
    queries = tmp_path / "queries.jsonl"
    lines = [
        json.dumps({"id": "q1", "query": "pruning"}),
        json.dumps({"id": "q2", "query": "pruning", "within": ["roses", "wifi"]}),
        "not json",
        json.dumps({"id": "q3", "query": "wifi"}),
    ]
    queries.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["kb", "search", "--queries", str(queries), "--config", str(config)]) == 1, "a bad line is reported"
    captured = capsys.readouterr()
    found = {
        record["id"]: [hit["id"] for hit in record["hits"]] for record in map(json.loads, captured.out.splitlines())
    }
    assert set(found["q1"]) == {"tomato", "roses"}
    assert found["q2"] == ["roses"]
    assert found["q3"] == ["wifi"]
    assert f"{queries}:3: skipped" in captured.err
    assert main(["kb", "search", "pruning", "--queries", str(queries), "--config", str(config)]) == 2
    assert "one of them" in capsys.readouterr().err
