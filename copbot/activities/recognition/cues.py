"""Weighted cue phrases per practice activity, per language, and the thanks detector."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import lru_cache

from copbot.activities.recognition.cues_en import EN_CUES, EN_THANKS, Cue
from copbot.core.labels import Activity

logger = logging.getLogger(__name__)

CUES: dict[str, dict[Activity, tuple[Cue, ...]]] = {"en": EN_CUES}
"""Cue sets keyed by language code; add a language by adding a key with the same shape."""

_THANKS: dict[str, tuple[str, str]] = {"en": EN_THANKS}
"""Thanks patterns per language: (positive, negative), matched on normalised text."""


_QUESTION_START = re.compile(
    r"^\W*(?:@\S+[\s,:]+)*(?:(?:hi|hello|hey)\b[\s\w]{0,20}?[,.!:]\s*)?(?:where|what|which|who|whom|how|why|when|is|are|was|"
    r"were|do|does|did|can|could|would|should|will|has|have|any|anyone|anybody|someone|somebody)\b",
    re.IGNORECASE,
)


def asks_a_question(text: str) -> bool:
    """Whether ``text`` is phrased as a question by its words: it opens with a question word (after a greeting).

    A question mark alone says nothing about what a message does, so it does not count.
    """
    return _QUESTION_START.match(text) is not None


_LATER_QUESTION = re.compile(
    # After ``.!?:;`` and white space, or after a line break: one class first lets ``re`` skip ahead fast.
    r"[.!?:;\n]\s*(?<=\s)(?:where|what|which|who|how|why|when|is|are|does|do|did|can|could|would|should|has|"
    r"anyone|anybody|someone|somebody) ",
    re.IGNORECASE,
)


def asks_in_a_sentence(text: str) -> bool:
    """Whether any sentence of ``text`` opens with a question word (its first one, or one after ``.!?:;`` or a
    line break): a message that reports something and then asks. Question marks do not count."""
    if _QUESTION_START.match(text) is not None:
        return True
    return _LATER_QUESTION.search(text) is not None


def normalise(text: str) -> str:
    """Lower-case the text and make curly apostrophes straight, as the cue patterns expect."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@lru_cache(maxsize=8)
def _thanks_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    positive, negative = _THANKS.get(language, _THANKS["en"])
    return re.compile(positive), re.compile(negative)


def looks_like_thanks(text: str, language: str = "en") -> bool:
    """Guess whether a message thanks someone or says an answer worked (not "thanks in advance")."""
    low = normalise(text)
    positive, negative = _thanks_patterns(language)
    if positive.search(low) is None:
        return False
    if negative.search(low) is None:
        return True
    # "thanks in advance" plus a separate real thank-you still counts: remove the negatives and retry.
    return positive.search(negative.sub(" ", low)) is not None


def cue_table(language: str) -> Mapping[Activity, tuple[Cue, ...]]:
    """The cue set for ``language``; raise ValueError if no cues exist for it."""
    try:
        return CUES[language]
    except KeyError:
        raise ValueError(f"no activity cues for language {language!r}; have: {', '.join(CUES)}") from None
