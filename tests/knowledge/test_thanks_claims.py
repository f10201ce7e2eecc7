"""The thanks guess claims a thread for a minute by the application's injected clock, not the event loop's."""

from __future__ import annotations

from datetime import timedelta

from copbot.config.settings import parse_settings
from copbot.core.clock import ManualClock
from copbot.knowledge.thanks import RECENT, ThanksGuess


def test_a_claim_lasts_a_minute_by_the_injected_clock(clock: ManualClock) -> None:
    guess = ThanksGuess(parse_settings("", source="t.toml"), clock)
    assert guess._reserve(7)
    assert not guess._reserve(7)
    assert guess._reserve(8)
    clock.advance(RECENT - timedelta(seconds=1))
    assert not guess._reserve(7)
    clock.advance(timedelta(seconds=2))
    assert guess._reserve(7)
    assert not guess._reserve(7)


def test_a_clock_set_back_does_not_hold_a_claim_forever(clock: ManualClock) -> None:
    guess = ThanksGuess(parse_settings("", source="t.toml"), clock)
    assert guess._reserve(7)
    clock.advance(-timedelta(hours=1))
    assert guess._reserve(7)
