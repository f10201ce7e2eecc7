"""The embedding-assisted activity recogniser: the shipped head, its size, and labels combined with cues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copbot.activities.labelling import ActivityLabeller
from copbot.activities.recognition.calibration import CALIBRATION_FILE
from copbot.activities.recognition.recogniser import Recogniser
from copbot.core.labels import Activity, Label
from copbot.semantic.activity import CUE_WEIGHT, OVERRULE, HeadRefiner, combine
from copbot.semantic.classifier import HEAD_FILE, load_default_head
from copbot.semantic.embedder import Embedder
from tests.semantic_support import require_semantic

PROBLEM, INFO = Activity.PROBLEM_SOLVING.value, Activity.REQUEST_FOR_INFORMATION.value


def test_combine_keeps_the_cue_reason_and_lets_a_sure_head_overrule_a_weak_cue() -> None:
    cue = Label(Activity.REQUEST_FOR_INFORMATION, 0.3, "a question with no cue")
    agreed = combine(cue, {PROBLEM: 0.2, INFO: 0.8}, cue_weight=1.0)
    assert agreed.activity is Activity.REQUEST_FOR_INFORMATION and agreed.reason.startswith("a question with no cue")
    overruled = combine(cue, {PROBLEM: 0.9, INFO: 0.1}, cue_weight=1.0)
    assert overruled.activity is Activity.PROBLEM_SOLVING
    assert "a question with no cue" in overruled.reason and "embeddings 0.90" in overruled.reason
    strong = Label(Activity.REQUEST_FOR_INFORMATION, 0.9, 'cue "where can i find"')
    assert combine(strong, {PROBLEM: 0.7, INFO: 0.3}, cue_weight=1.0).activity is Activity.REQUEST_FOR_INFORMATION
    nothing = Label(Activity.OTHER, 0.2, "no cue matched")
    assert combine(nothing, {PROBLEM: 0.4, INFO: 0.35}).activity is Activity.OTHER
    assert combine(nothing, {PROBLEM: 0.8, INFO: 0.1}).activity is Activity.PROBLEM_SOLVING


def test_a_rare_activity_named_by_its_cue_is_kept_unless_the_head_is_very_sure() -> None:
    visit = Label(Activity.VISITS, 0.45, 'cue "visit" (visits)')
    assert combine(visit, {INFO: 0.7, "visits": 0.1}, overrule=0.8).activity is Activity.VISITS
    assert combine(visit, {INFO: 0.7, "visits": 0.1}, overrule=0.6).activity is Activity.REQUEST_FOR_INFORMATION


def test_shipped_head_is_small() -> None:
    path = Path(__file__).resolve().parents[2] / "copbot" / "semantic" / HEAD_FILE
    assert 1_000 < path.stat().st_size < 100_000


def test_the_bot_combines_cues_and_head_by_the_rule_the_fit_chose() -> None:
    path = Path(__file__).resolve().parents[2] / "copbot" / "activities" / "recognition" / CALIBRATION_FILE
    fitted = json.loads(path.read_text(encoding="utf-8"))
    assert (fitted["cue_weight"], fitted["overrule"]) == (CUE_WEIGHT, OVERRULE), "rerun fit_activity.py or update"


@pytest.mark.semantic
def test_shipped_head_matches_the_model() -> None:
    require_semantic()
    head = load_default_head()
    assert head is not None and head.weights.shape == (384, len(head.classes))
    assert {PROBLEM, INFO} <= set(head.classes) and head.model == "all-MiniLM-L6-v2"


@pytest.mark.semantic
async def test_the_labeller_asks_the_head_only_when_cues_are_unsure(embedder: Embedder) -> None:
    head = load_default_head()
    assert head is not None
    labeller = ActivityLabeller(Recogniser(), 0.5, HeadRefiner(head, embedder).refine)
    text = "the nightly job fails with a timeout every night"
    assert labeller.recogniser.label_message(text).confidence < 0.5
    crash = await labeller.label_message(text)
    assert crash.activity is Activity.PROBLEM_SOLVING and "embeddings" in crash.reason
    docs = await labeller.label_thread(["Where can I find the docs for configuring the port?", "here: link"])
    assert docs.activity is Activity.REQUEST_FOR_INFORMATION and "embeddings" not in docs.reason
