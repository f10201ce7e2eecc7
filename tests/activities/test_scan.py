"""The one-regex cue scanner finds exactly what matching each cue at each word start would find."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from copbot.activities.recognition.cues import CUES, normalise
from copbot.activities.recognition.scan import compile_scanner, derive, first_chars

TEXTS = [
    "I'm stuck on this, any ideas? It doesn't work after the upgrade.",
    "Has anyone dealt with a parent who refuses to sign the consent form?",
    "Caused by: java.lang.IllegalStateException: failed to start\n\tat org.foo.Bar(Bar.java:12)",
    "hi all!",
    "Thanks, that worked. I have a template from last year you can tweak; happy to share.",
    "what do you think of the new release? lol. We should write this down for next time",
    "'quoted' words, don't split; e-mail me:d ?? \u2019stuck\u2019 on the new roadmap",
    "",
    "   ",
    "no cue here at all",
]
EXTRA = ["c++ build", ".net core", "#help", "a?b", "sanity check"]


def reference(patterns: Sequence[str], low: str) -> list[tuple[int, int, int]]:
    """The former algorithm: at each word start, the first (strongest) cue that can start there and matches."""
    compiled = [re.compile(pattern, re.MULTILINE) for pattern in patterns]
    found = []
    for start in re.finditer(r"(?<![\w'])\S", low):
        pos = start.start()
        for index, pattern in enumerate(patterns):
            chars = first_chars(pattern)
            if chars is not None and low[pos] not in chars:
                continue
            match = compiled[index].match(low, pos)
            if match is not None:
                found.append((index, pos, match.end()))
                break
    return found


def all_patterns() -> list[str]:
    cues = [cue for table in CUES.values() for cues in table.values() for cue in cues]
    patterns = [pattern for pattern, _ in sorted(cues, key=lambda cue: -cue[1])]
    return patterns + [r"\s+".join(map(re.escape, phrase.split())) for phrase in EXTRA]


@pytest.mark.parametrize("text", TEXTS)
def test_scanner_finds_what_matching_every_cue_at_every_word_start_finds(text: str) -> None:
    patterns = all_patterns()
    low = normalise(text)
    assert list(compile_scanner(patterns, first_chars).scan(low)) == reference(patterns, low)


def test_scanner_finds_cues_in_order_with_their_spans() -> None:
    scanner = compile_scanner([r"stuck (?:on|with)", r"(?:i'?m|we are) stuck", r"stuck"], first_chars)
    low = "i'm stuck on it. stuck"
    assert list(scanner.scan(low)) == [(1, 0, 9), (0, 4, 12), (2, 17, 22)]


def test_derive_keeps_alternative_order_and_rejects_what_it_cannot_write() -> None:
    assert derive(r"(?:a|ab)c", "a") == "(?:|b)c"
    assert derive(r"(?:x|y)?z", "z") == "(?:)"
    assert derive(r"(?:x|y)?z", "x") == "(?:(?:)z)"
    assert derive(r"stuck", "t") is None
    with pytest.raises(ValueError):
        derive(r"\w+ing", "a")
    with pytest.raises(ValueError):
        derive(r"a*b", "a")
