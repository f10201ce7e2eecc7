"""`copbot activity explain` and `copbot activity label`, run in-process through copbot.cli.main."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.cli.main import main
from copbot.store.models import Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot, settings_text


def test_explain_prints_activity_confidence_and_cue(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["activity", "explain", "Has", "anyone", "dealt", "with", "slugs", "eating", "seedlings?"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "activity:   seeking_experience"
    assert 0.5 < float(out[1].split()[1]) <= 1.0
    assert out[2] == 'because:    cue "has anyone dealt" (seeking_experience)'


def test_explain_uses_the_config_cues(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "the pantry shelves need a deep clean"
    assert main(["activity", "explain", text]) == 0
    assert capsys.readouterr().out.startswith("activity:   other")
    config = tmp_path / "copbot.toml"
    config.write_text('[activity.cues]\nvisits = ["deep clean"]\n', encoding="utf-8")
    assert main(["activity", "explain", "--config", str(config), text]) == 0
    out = capsys.readouterr().out
    assert out.startswith("activity:   visits") and 'cue "deep clean" (visits)' in out


def test_explain_with_an_unknown_language_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "copbot.toml"
    config.write_text('[activity]\nlanguage = "xx"\n', encoding="utf-8")
    assert main(["activity", "explain", "-c", str(config), "hello?"]) == 2
    assert "no activity cues for language 'xx'" in capsys.readouterr().err


def write_input(tmp_path: Path) -> Path:
    lines = [
        json.dumps({"id": "t1", "messages": ["Where can I find the rota template?", "On the shared drive."]}),
        "{not json",
        "",
        json.dumps({"id": 7, "messages": ["Can we come and see your programme?"]}),
        json.dumps({"id": "t3", "messages": "one string"}),
    ]
    path = tmp_path / "threads.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_label_writes_json_lines_to_stdout_and_reports_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_input(tmp_path)
    code = main(["activity", "label", str(path)])
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 1
    assert [(r["id"], r["activity"]) for r in records] == [("t1", "request_for_information"), ("7", "visits")]
    assert all(set(r) == {"id", "activity", "confidence", "reason"} for r in records)
    assert 0.0 <= records[1]["confidence"] <= 1.0 and "can we come" in records[1]["reason"]
    assert f"{path}: line 2: not valid JSON" in captured.err
    assert f'{path}: line 5: "messages" must be a list of strings' in captured.err
    assert "line 3" not in captured.err and "line 1:" not in captured.err


def test_label_to_a_file_with_only_good_lines_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "good.jsonl"
    source.write_text(json.dumps({"id": "a", "messages": ["I'm stuck, the pump keeps failing. Any ideas?"]}) + "\n")
    out = tmp_path / "labels.jsonl"
    assert main(["activity", "label", str(source), "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["id"] == "a" and record["activity"] == "problem_solving"


def test_label_reads_stdin_and_reports_a_missing_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": "s", "messages": ["lovely sunset"]}) + "\n"))
    assert main(["activity", "label", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["activity"] == "other"
    missing = tmp_path / "nope.jsonl"
    assert main(["activity", "label", str(missing)]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


def test_label_reads_a_long_thread_as_far_as_chat_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messages = ["quick one about Monday", "ok", "sure", "fine", "noted", "let's schedule a meeting", "who can take it?"]
    path = tmp_path / "threads.jsonl"
    path.write_text(json.dumps({"id": "long", "messages": messages}) + "\n", encoding="utf-8")
    config = tmp_path / "copbot.toml"
    config.write_text(settings_text(tmp_path, ""), encoding="utf-8")
    assert main(["activity", "label", str(path), "--config", str(config)]) == 0
    record = json.loads(capsys.readouterr().out)

    async def chat() -> Thread | None:
        async with running_bot(tmp_path) as bot:
            first = await bot.mem.post(ALICE, messages[0])
            for number, text in enumerate(messages[1:]):
                await bot.mem.post(BOB if number % 2 else CAROL, text, thread=first.id)
            async with bot.services.sessions() as session:
                return await session.scalar(select(Thread))

    thread = asyncio.run(chat())
    assert thread is not None
    assert record["activity"] != "coordination", "the sixth and seventh messages are past what a thread label reads"
    assert (record["activity"], record["confidence"]) == (thread.activity, thread.activity_confidence)
