"""Label chat messages and threads with the practice activity they show, from weighted cues."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from copbot.activities.cues import cue_table, looks_like_thanks, normalise
from copbot.activities.labels import Activity, Label, parse_activity
from copbot.activities.model import ProblemInfoModel, load_default_model

logger = logging.getLogger(__name__)

EXTRA_CUE_WEIGHT = 3.0
"""Weight of a cue phrase an admin adds in config: stronger than most built-in cues."""
MAX_CHARS = 2000
"""Only the start of a long message is read (stack traces and pasted documents add little)."""
REPLY_WEIGHT = 0.35
"""How much each later message of a thread counts, relative to the opening message."""
_TIE_BAND = 1.0
"""Problem and information scores closer than this are settled by the small model, if any."""
_WORD_START = re.compile(r"(?<![\w'])\S")
_SEEKERS = (Activity.PROBLEM_SOLVING, Activity.REQUEST_FOR_INFORMATION)


@dataclass(slots=True)
class _Scores:
    """Per-activity cue scores of one text, with the strongest cue seen for each activity."""

    score: dict[Activity, float]
    best: dict[Activity, tuple[float, str]]
    question: bool


class Recogniser:
    """Labels text with an :class:`Activity` using one precompiled pass over all cues."""

    def __init__(
        self,
        language: str = "en",
        extra_cues: Mapping[str, Sequence[str]] | None = None,
        *,
        use_model: bool = True,
        model: ProblemInfoModel | None = None,
    ) -> None:
        entries: list[tuple[Activity, float, str]] = []
        for activity, cues in cue_table(language).items():
            entries.extend((activity, weight, pattern) for pattern, weight in cues)
        for key, phrases in (extra_cues or {}).items():
            activity = parse_activity(key)
            if isinstance(phrases, str):
                raise ValueError(f"cues for activity {key!r} must be a list of phrases, not a string")
            for phrase in phrases:
                words = normalise(phrase).split()
                if words:
                    entries.append((activity, EXTRA_CUE_WEIGHT, r"\s+".join(map(re.escape, words))))
        # Strongest first: at one position the first alternative that matches wins.
        entries.sort(key=lambda e: -e[1])
        self.language = language
        self._cues = [(activity, weight) for activity, weight, _ in entries]
        self._by_char = _compile_by_char([pattern for _, _, pattern in entries])
        self._wildcard = self._by_char.get("")
        if model is None and use_model and language == "en":
            model = load_default_model()
        self._model = model if use_model else None
        logger.debug("recogniser for %s compiled with %d cues", language, len(entries))

    def _score(self, text: str) -> _Scores:
        low = normalise(text[:MAX_CHARS])
        score: dict[Activity, float] = {}
        best: dict[Activity, tuple[float, str]] = {}
        seen: set[int] = set()
        cues = self._cues
        by_char = self._by_char
        wildcard = self._wildcard
        for start in _WORD_START.finditer(low):
            pos = start.start()
            pattern = by_char.get(low[pos], wildcard)
            match = pattern.match(low, pos) if pattern is not None else None
            name = match.lastgroup if match is not None else None
            if match is None or name is None:
                continue
            index = int(name[1:])
            if index in seen:
                continue
            seen.add(index)
            activity, weight = cues[index]
            score[activity] = score.get(activity, 0.0) + weight
            if weight > best.get(activity, (0.0, ""))[0]:
                best[activity] = (weight, " ".join(match.group(name).split())[:60])
        return _Scores(score, best, "?" in low)

    def _decide(self, scores: _Scores, text_for_model: str, where: str = "") -> Label:
        score = scores.score
        if not score:
            if scores.question:
                return Label(Activity.REQUEST_FOR_INFORMATION, 0.3, "a question with no cue")
            return Label(Activity.OTHER, 0.2, "no cue matched")
        ranked = sorted(score.items(), key=lambda item: -item[1])
        top, top_score = ranked[0]
        second_score = ranked[1][1] if len(ranked) > 1 else 0.0
        reason = f'cue "{scores.best[top][1]}" ({top.value}){where}'
        pair = {a: score.get(a, 0.0) for a in _SEEKERS}
        if self._model is not None and top in _SEEKERS and abs(pair[_SEEKERS[0]] - pair[_SEEKERS[1]]) < _TIE_BAND:
            p_problem = self._model.p_problem(text_for_model)
            choice = _SEEKERS[0] if p_problem >= 0.5 else _SEEKERS[1]
            margin = abs(p_problem - 0.5) * 2
            if choice != top:
                top, top_score, second_score = choice, pair[choice], pair[top]
            cue = scores.best.get(top)
            cue_text = f'cue "{cue[1]}", ' if cue else ""
            reason = f"{cue_text}model: {p_problem:.2f} problem vs information ({top.value}){where}"
            return Label(top, _confidence(top_score + margin, second_score), reason)
        return Label(top, _confidence(top_score, second_score), reason)

    def label_message(self, text: str) -> Label:
        """The activity one message shows, how sure the recogniser is, and the cue behind it."""
        return self._decide(self._score(text), text)

    def label_thread(self, messages: Sequence[str]) -> Label:
        """Label a whole thread, first message first: the opening dominates, later messages help."""
        if not messages:
            return Label(Activity.OTHER, 0.0, "empty thread")
        first = self._score(messages[0])
        total = _Scores(dict(first.score), dict(first.best), first.question)
        where: dict[Activity, int] = dict.fromkeys(first.score, 0)
        for number, text in enumerate(messages[1:], start=1):
            if looks_like_thanks(text, self.language) and len(text) < 200:
                continue
            reply = self._score(text)
            for activity, value in reply.score.items():
                if activity is Activity.OTHER:
                    continue
                total.score[activity] = total.score.get(activity, 0.0) + REPLY_WEIGHT * value
                if activity not in total.best:
                    total.best[activity] = reply.best[activity]
                    where[activity] = number
        label = self._decide(total, messages[0])
        number = where.get(label.activity, 0)
        if number:
            return Label(label.activity, label.confidence, f"{label.reason} in message {number + 1}")
        return label


def _compile_by_char(patterns: Sequence[str]) -> dict[str, re.Pattern[str]]:
    """One regex per possible first character, holding every cue that can start with it.

    Cue ``i`` is the named group ``c{i}``; within one regex the strongest cue that matches wins.
    Cues whose first character cannot be told go under the key "" and are tried at every word.
    """
    members: dict[str, list[int]] = {}
    for index, pattern in enumerate(patterns):
        for char in first_chars(pattern) or {""}:
            members.setdefault(char, []).append(index)
    wildcard = members.pop("", [])
    table = {"": wildcard} if wildcard else {}
    table.update({char: sorted(indices + wildcard) for char, indices in members.items()})
    return {
        char: re.compile("|".join(f"(?P<c{i}>{patterns[i]})" for i in indices), re.MULTILINE)
        for char, indices in table.items()
    }


def first_chars(pattern: str) -> set[str] | None:
    """The characters a cue pattern can start with, or None if that is not simple to tell."""
    if not pattern:
        return None
    head = pattern[0]
    if pattern.startswith("(?:"):
        depth, end = 0, -1
        alternatives, start = [], 3
        for pos in range(3, len(pattern)):
            char = pattern[pos]
            if char == "\\":
                continue
            if pattern[pos - 1] == "\\" and (pos < 2 or pattern[pos - 2] != "\\"):
                continue
            if char in "([":
                depth += 1
            elif char in ")]" and depth:
                depth -= 1
            elif char == ")":
                alternatives.append(pattern[start:pos])
                end = pos
                break
            elif char == "|" and not depth:
                alternatives.append(pattern[start:pos])
                start = pos + 1
        if end < 0:
            return None
        rest = pattern[end + 1 :]
        optional = rest[:1] in ("?", "*")
        result: set[str] = set()
        for alternative in alternatives:
            firsts = first_chars(alternative) if alternative else None
            if firsts is None:
                return None
            result |= firsts
        if optional:
            more = first_chars(rest[1:])
            return None if more is None else result | more
        return result
    if head == "\\":
        if len(pattern) > 1 and not pattern[1].isalnum():
            return {pattern[1]}
        return None
    if head in "([.^$|?*+{)":
        return None
    if pattern[1:2] in ("?", "*"):
        more = first_chars(pattern[2:])
        return None if more is None else {head} | more
    return {head}


def _confidence(top: float, second: float) -> float:
    """Share of the winning score times how strong it is on its own, in [0.05, 0.99]."""
    share = top / (top + second) if top + second > 0 else 0.0
    strength = 1.0 - math.exp(-top / 2.0)
    return round(min(0.99, max(0.05, share * strength)), 3)
