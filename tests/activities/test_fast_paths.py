"""The fast paths of labelling give what the plain ways of computing the same things give."""

from __future__ import annotations

import itertools
import re

import pytest

from copbot.activities.recognition import recogniser as recogniser_module
from copbot.activities.recognition.cues import _LATER_QUESTION, normalise
from copbot.activities.recognition.model import (
    LONG,
    MAX_CHARS,
    VOCABULARY,
    ProblemInfoModel,
    features,
    features_of_read,
    thread_features,
)
from copbot.activities.recognition.recogniser import Recogniser

TEXTS = [
    "",
    "hi all!",
    "Caused by: java.lang.IllegalStateException: failed to start\n\tat org.foo.Bar(Bar.java:12)",
    "NullPointerException: boom\n    at com.example.Thing.run(Thing.java:3)",
    "Traceback (most recent call last):\n  File 'x.py'",
    "see `x = 1` and ```code``` at https://example.org or http://example.org",
    "an error: not a trace, and `unclosed backtick",
    "What's wrong? It doesn't work after the upgrade. Any ideas why?",
    "I looked at it. what now?\nhow do I start",
    "well.what now? no: is not here;  does it  \n\n  who knows",
    "x" * (MAX_CHARS + 50) + " error: here",
    "word " * (LONG // 5 + 1),
    "The rota isn\u2019t being saved and we\u2018re stuck",
]

PLAIN_SHAPES = {
    "<trace>": [re.compile(p) for p in (r"[a-z](?:exception|error):", r"\sat [\w$.]+\(", "caused by", "traceback")],
    "<code>": [re.compile(r"```|`[^`\n]+`")],
    "<link>": [re.compile(r"https?://")],
}
"""The shape patterns as plain regular expressions, each run on the whole text."""
PLAIN_LATER_QUESTION = re.compile(
    r"(?:[.!?:;]\s+|\n\s*)(?:where|what|which|who|how|why|when|is|are|does|do|did|can|could|would|should|has|"
    r"anyone|anybody|someone|somebody) ",
    re.IGNORECASE,
)


def plain_features(text: str) -> set[str]:
    read = normalise(text[:MAX_CHARS])
    found = set(re.findall(r"[a-z]+(?:'[a-z]+)?", read)) & VOCABULARY
    found.update(name for name, patterns in PLAIN_SHAPES.items() if any(p.search(read) for p in patterns))
    if len(read) >= LONG:
        found.add("<long>")
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_features_match_running_every_pattern_on_the_whole_text(text: str) -> None:
    assert features(text) == plain_features(text)
    assert features_of_read(normalise(text[:MAX_CHARS])) == plain_features(text)


@pytest.mark.parametrize("text", TEXTS)
def test_the_later_question_search_matches_the_two_branch_pattern(text: str) -> None:
    low = normalise(text)
    assert (_LATER_QUESTION.search(low) is None) is (PLAIN_LATER_QUESTION.search(low) is None)
    assert (_LATER_QUESTION.search(text) is None) is (PLAIN_LATER_QUESTION.search(text) is None)


def test_model_scores_from_extracted_features_equal_scores_from_text() -> None:
    model = ProblemInfoModel(-0.2, {"failed": 1.5, "how": -1.0, "r:tried": 0.7, "<trace>": 2.0}, reply_bias=-0.1)
    opening, replies = TEXTS[2], ["have you tried a restart?", "how about the docs"]
    from_features = model.log_odds_of(features(opening), [features(r) for r in replies])
    assert from_features == pytest.approx(model.log_odds(opening, replies))
    assert model.log_odds_of(features(opening)) == pytest.approx(model.log_odds(opening))
    assert {"<trace>", "failed", "r:tried", "r:how"} <= thread_features(opening, replies)


def test_a_thread_with_a_joined_opening_is_scored_on_the_joined_text() -> None:
    recogniser = Recogniser()
    thread = ["hi", "hello", "The export isn't being saved and the log shows an error: disk full"]
    assert recogniser.label_thread(thread) == Recogniser().label_thread(thread)
    assert recogniser.label_thread(thread).activity.value == "problem_solving"


def test_the_score_cache_keeps_the_newest_texts_and_labels_do_not_depend_on_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recogniser_module, "SCORE_CACHE", 3)
    cached, fresh = Recogniser(), Recogniser()
    texts = [*TEXTS, *TEXTS[:4]]
    labels = [cached.label_message(text) for text in texts]
    assert len(cached._scored) == 3
    assert list(cached._scored) == [t[:MAX_CHARS] for t in texts[-3:]]
    assert labels == [Recogniser().label_message(text) for text in texts]
    pairs = list(itertools.pairwise(texts))
    assert [fresh.label_thread([a, b]) for a, b in pairs] == [Recogniser().label_thread([a, b]) for a, b in pairs]
