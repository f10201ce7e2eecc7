"""Not noisy: a bare question or social chat gets no reply; a real request for information does."""

from __future__ import annotations

from copbot.activities.recognition.recogniser import BARE_QUESTION_CONFIDENCE, Recogniser
from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from tests.cast import ALICE, BOB, CAROL


def test_a_question_mark_alone_is_below_the_default_threshold() -> None:
    label = Recogniser().label_message("anyone up for lunch?")
    assert label.confidence <= BARE_QUESTION_CONFIDENCE < 0.5
    assert Recogniser().label_message("Where can I find the consent form?").confidence >= 0.5


async def test_social_questions_get_no_reply_but_requests_do(running: tuple[Application, MemoryAdapter]) -> None:
    _, mem = running
    await mem.post(ALICE, "anyone up for lunch?")
    await mem.post(BOB, "what a week, right?")
    await mem.post(CAROL, "good morning all")
    assert mem.said() == []
    await mem.post(ALICE, "Where can I find the parental consent form for the school trip?")
    said = mem.said()
    assert len(said) == 1
    assert "thread" in said[0].lower()
