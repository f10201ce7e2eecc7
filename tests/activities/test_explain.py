"""Tests for explain() and label_jsonl(), the views behind `copbot activity explain|label`."""

from __future__ import annotations

import io
import json

import pytest

from copbot.activities.labelling import ActivityLabeller
from copbot.activities.recognition.explain import explain, label_jsonl
from copbot.activities.recognition.recogniser import Recogniser


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


@pytest.fixture(scope="module")
def labeller(recogniser: Recogniser) -> ActivityLabeller:
    return ActivityLabeller(recogniser, 0.5)


def test_explain_shows_activity_confidence_and_cue(recogniser: Recogniser) -> None:
    text = explain(recogniser.label_message("Can we come and see your programme?"))
    lines = text.splitlines()
    assert lines[0] == "activity:   visits"
    assert lines[1].startswith("confidence: 0.")
    assert float(lines[1].split()[1]) > 0.5
    assert lines[2].startswith('because:    cue "can we come') and lines[2].endswith("(visits)")


def test_explain_without_a_cue_says_so(recogniser: Recogniser) -> None:
    assert "no cue matched" in explain(recogniser.label_message("lovely sunset tonight"))


async def test_label_jsonl_labels_every_good_line_and_reports_bad_ones(labeller: ActivityLabeller) -> None:
    lines = [
        json.dumps({"id": "t1", "messages": ["Where can I find the rota template?", "on the drive"]}) + "\n",
        "{not json\n",
        "\n",
        json.dumps({"id": "t2", "messages": ["Has anyone dealt with slugs eating seedlings?"]}) + "\n",
        json.dumps({"id": "t3", "messages": "just one string"}) + "\n",
        json.dumps(["a", "list"]) + "\n",
        json.dumps({"messages": ["no id"]}) + "\n",
        json.dumps({"id": "t4", "messages": []}) + "\n",
    ]
    out = io.StringIO()
    errors = await label_jsonl(labeller.label_thread, lines, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in records] == ["t1", "t2", "t4"]
    assert [r["activity"] for r in records] == ["request_for_information", "seeking_experience", "other"]
    for record in records:
        assert set(record) == {"id", "activity", "confidence", "reason"}
        assert 0.0 <= record["confidence"] <= 1.0
    assert records[0]["reason"].startswith('cue "where can i find"')
    assert len(errors) == 4
    assert errors[0].startswith("line 2: not valid JSON")
    assert errors[1].startswith("line 5:") and "messages" in errors[1]
    assert errors[2].startswith("line 6:") and "object" in errors[2]
    assert errors[3].startswith("line 7:") and "id" in errors[3]


async def test_label_jsonl_keeps_unicode_and_numeric_ids(labeller: ActivityLabeller) -> None:
    out = io.StringIO()
    line = json.dumps({"id": 7, "messages": ["Where can I find la guía? café"]}, ensure_ascii=False)
    assert await label_jsonl(labeller.label_thread, [line], out) == []
    record = json.loads(out.getvalue())
    assert record["id"] == "7"
    assert record["activity"] == "request_for_information"


async def test_label_jsonl_empty_input_writes_nothing(labeller: ActivityLabeller) -> None:
    out = io.StringIO()
    assert await label_jsonl(labeller.label_thread, [], out) == []
    assert out.getvalue() == ""
