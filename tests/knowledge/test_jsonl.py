"""JSON Lines import/export (idempotent, malformed lines reported, round trip) and the ``copbot kb`` CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from copbot.cli.main import main

GOOD: list[dict[str, Any]] = [
    {"id": "q1", "title": "Pip behind a proxy", "question": "How do I use pip behind a proxy?",
     "answers": ["Set HTTPS_PROXY"], "messages": [{"author": "bob", "text": "works for me",
     "created_at": "2024-03-01T10:00:00+02:00"}], "tags": ["python", "#Network"],
     "source": {"platform": "discord", "url": "https://discord.com/channels/1/2/3"},
     "created_at": "2024-03-01T09:00:00Z"},
    {"id": "q2", "title": "Rotate nginx logs", "question": "How to rotate nginx logs?"},
    {"id": "q3", "title": "Proxy for npm", "question": "npm ignores the proxy", "answers": ["npm config set proxy"],
     "tags": ["javascript"], "solved": False},
]  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "copbot.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "kb.sqlite3"}"\n', encoding="utf-8")
    return path


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def export(config: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["kb", "export", "--config", str(config)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_import_twice_changes_nothing_and_export_round_trips(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.jsonl", [json.dumps(record) for record in GOOD])
    assert main(["kb", "import", str(source), "--config", str(config)]) == 0
    assert "3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    first = export(config, capsys)
    assert [record["id"] for record in first] == ["q1", "q2", "q3"]
    assert first[0]["tags"] == ["network", "python"]
    assert first[0]["messages"] == [
        {"author": "bob", "author_id": None, "text": "works for me", "created_at": "2024-03-01T08:00:00Z"}
    ]
    assert first[0]["answers"] == [{"author": "", "author_id": None, "text": "Set HTTPS_PROXY", "created_at": None}]
    assert main(["kb", "import", str(source), "--config", str(config)]) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert export(config, capsys) == first
    exported = write(tmp_path / "out.jsonl", [json.dumps(record) for record in first])
    other = tmp_path / "other.toml"
    other.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "other.sqlite3"}"\n', encoding="utf-8")
    assert main(["kb", "import", str(exported), "--config", str(other)]) == 0
    assert export(other, capsys) == first


def test_changed_line_updates_and_malformed_lines_are_reported(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.jsonl", [json.dumps(record) for record in GOOD])
    assert main(["kb", "import", str(tmp_path / "a.jsonl"), "--config", str(config)]) == 0
    changed = {**GOOD[1], "title": "Rotating nginx logs"}
    lines = [json.dumps(GOOD[0]), "{not json", json.dumps({"id": "q9", "title": "no question"}), json.dumps(changed)]
    code = main(["kb", "import", str(write(tmp_path / "b.jsonl", lines)), "--config", str(config)])
    captured = capsys.readouterr()
    assert code == 1
    assert "b.jsonl:2: skipped" in captured.err and "b.jsonl:3: skipped: question" in captured.err
    assert "0 new, 1 updated, 1 unchanged, 2 malformed" in captured.out
    titles = {record["id"]: record["title"] for record in export(config, capsys)}
    assert titles == {"q1": "Pip behind a proxy", "q2": "Rotating nginx logs", "q3": "Proxy for npm"}


def test_cli_search_json_shape_and_filters(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.jsonl", [json.dumps(record) for record in GOOD])
    assert main(["kb", "import", str(tmp_path / "a.jsonl"), "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["kb", "search", "pip proxy", "--json", "--config", str(config)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [hit["id"] for hit in hits] == ["q1", "q3"]
    assert set(hits[0]) == {"id", "title", "score", "snippet", "url"}
    assert hits[0]["score"] >= hits[1]["score"] and "**" in hits[0]["snippet"]
    assert hits[0]["url"] == "https://discord.com/channels/1/2/3"
    for extra, expected in ((["--solved"], ["q1"]), (["--tag", "javascript"], ["q3"]), (["--limit", "1"], ["q1"])):
        assert main(["kb", "search", "proxy pip", "--json", *extra, "--config", str(config)]) == 0
        assert [hit["id"] for hit in json.loads(capsys.readouterr().out)] == expected
    assert main(["kb", "search", '"NEAR( ^* :', "--json", "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_bad_bytes_bom_and_repeated_ids_skip_only_their_lines(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [json.dumps(record).encode() for record in GOOD]
    bad_byte = json.dumps({"id": "q8", "title": "caf?", "question": "x"}).encode().replace(b"?", b"\xe9")
    repeated = json.dumps({**GOOD[1], "title": "second q2"}).encode()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([b"\xef\xbb\xbf" + good[0], bad_byte, good[1], repeated, good[2]]) + b"\n")
    assert main(["kb", "import", str(path), "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "mixed.jsonl:2: skipped: not UTF-8: byte 0xe9" in captured.err
    assert "mixed.jsonl:4: skipped: id 'q2' repeats line 3" in captured.err
    assert "mixed.jsonl:1:" not in captured.err
    assert "3 new, 0 updated, 0 unchanged, 2 malformed" in captured.out
    assert {record["id"]: record["title"] for record in export(config, capsys)} == {
        "q1": "Pip behind a proxy", "q2": "Rotate nginx logs", "q3": "Proxy for npm"}  # fmt: skip


def test_many_good_lines_around_a_bad_byte_are_all_imported(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps({"id": f"g{n}", "title": f"t{n}", "question": "q"}).encode() for n in range(6_000)]
    lines.insert(3_000, b'{"id": "bad", "title": "\xff", "question": "q"}')
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["kb", "import", str(path), "--config", str(config)]) == 1
    assert "6000 new, 0 updated, 0 unchanged, 1 malformed" in capsys.readouterr().out
