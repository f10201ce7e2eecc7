"""Text rotation: in order, or at random with every text used once before any repeats, even across a restart."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from copbot.core.clock import ManualClock
from copbot.prompts.rotation import choose_index, current_cycle
from tests.prompts.support import running, settings_for

FIVE = """
[[prompts]]
name = "qotw"
channel = "general"
platform = "memory"
cron = "0 9 * * *"
rotation = "random"
texts = ["one", "two", "three", "four", "five"]
"""
DAY_ONE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_in_order_cycles_through_the_texts() -> None:
    history: list[int] = []
    for _ in range(7):
        history.append(choose_index(3, "in_order", history))
    assert history == [0, 1, 2, 0, 1, 2, 0]


def test_in_order_ignores_texts_that_were_removed() -> None:
    assert choose_index(2, "in_order", [0, 1, 4]) == 0
    assert current_cycle(3, [0, 7, 2]) == ({0, 2}, 2)


@given(count=st.integers(min_value=1, max_value=8), seed=st.integers(), picks=st.integers(min_value=1, max_value=40))
def test_random_uses_every_text_once_before_any_repeats(count: int, seed: int, picks: int) -> None:
    rng = random.Random(seed)
    history: list[int] = []
    for _ in range(picks):
        history.append(choose_index(count, "random", history, rng))
    for start in range(0, len(history), count):
        block = history[start : start + count]
        assert len(set(block)) == len(block), history
    if count > 1:
        assert all(a != b for a, b in itertools.pairwise(history)), history


def test_random_really_varies_the_order() -> None:
    orders = {tuple(_cycle(random.Random(seed))) for seed in range(20)}
    assert len(orders) > 1


def _cycle(rng: random.Random) -> list[int]:
    history: list[int] = []
    for _ in range(4):
        history.append(choose_index(4, "random", history, rng))
    return history


async def test_random_rotation_continues_across_a_restart(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, FIVE)
    clock = ManualClock(DAY_ONE)
    posted: list[str] = []
    async with running(settings, clock) as first:
        for day in range(3):
            clock.set(DAY_ONE + timedelta(days=day))
            assert (await first.runner.run_scheduled("qotw")).status == "posted"
        posted += first.mem.said()
    async with running(settings, clock) as second:
        for day in range(3, 7):
            clock.set(DAY_ONE + timedelta(days=day))
            assert (await second.runner.run_scheduled("qotw")).status == "posted"
        posted += second.mem.said()
        indexes = [run.text_index for run in await second.runs()]
    assert sorted(posted[:5]) == ["five", "four", "one", "three", "two"]
    assert posted[5] != posted[4] and posted[6] != posted[5]
    assert indexes == [["one", "two", "three", "four", "five"].index(text) for text in posted]
