"""Relabelling a thread after several new messages at once ends as relabelling after each one does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from copbot.activities.labelling import apply_thread_label, apply_thread_labels
from copbot.activities.recognition.recogniser import Recogniser
from copbot.core.labels import Activity, Label
from copbot.store.models import Thread

MIN_CONFIDENCE = 0.5
MESSAGES = [
    "hi all",
    "After upgrading to 2.3 the app fails to start with a NoSuchMethodError, any idea why?",
    "check your classpath, an old jar is still there",
    "thanks, that worked!",
    "Happy to share our upgrade checklist, no need to reinvent the wheel",
]


def _thread(help_request: bool) -> Thread:
    moment = datetime(2026, 1, 5, tzinfo=UTC)
    return Thread(
        platform="memory", room="general", thread_key="t", is_platform_thread=True, title="", status="open",
        is_help_request=help_request, created_at=moment, last_message_at=moment,
    )  # fmt: skip


def _state(thread: Thread) -> tuple[object, ...]:
    return thread.activity, thread.activity_confidence, thread.is_help_request


@pytest.mark.parametrize("help_request", [False, True])
@pytest.mark.parametrize("first", [1, 2, 3])
def test_runs_at_once_end_as_one_relabel_per_message(help_request: bool, first: int) -> None:
    recogniser = Recogniser()
    runs = [MESSAGES[:count] for count in range(first, len(MESSAGES) + 1)]
    one_by_one, at_once = _thread(help_request), _thread(help_request)
    for texts in runs:
        apply_thread_label(recogniser, one_by_one, texts, MIN_CONFIDENCE)
    apply_thread_labels(recogniser, at_once, runs, MIN_CONFIDENCE)
    assert _state(at_once) == _state(one_by_one)


class _Scripted(Recogniser):
    """Labels a thread by how many messages it has, as scripted (the cues' tuning is not under test here)."""

    def __init__(self, labels: list[Label]) -> None:  # no cues to compile
        self.labels = labels
        self.read: list[int] = []

    def label_thread(self, messages: Sequence[str]) -> Label:
        self.read.append(len(messages))
        return self.labels[len(messages) - 1]


def test_a_thread_that_was_a_help_request_on_the_way_stays_one() -> None:
    asking = Label(Activity.PROBLEM_SOLVING, 0.9, "asks")
    sharing = Label(Activity.REUSING_ASSETS, 0.7, "shares")
    recogniser = _Scripted([Label(Activity.OTHER, 0.2, "hello"), asking, sharing, sharing])
    runs = [MESSAGES[:count] for count in (1, 2, 3, 4)]
    thread = _thread(False)
    apply_thread_labels(recogniser, thread, runs, MIN_CONFIDENCE)
    assert _state(thread) == ("reusing_assets", 0.7, True)  # the last label; a help request after the second stays
    assert recogniser.read == [1, 2, 4]  # once a help request, only the last run is read
