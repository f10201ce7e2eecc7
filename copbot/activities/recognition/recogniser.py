"""Label chat messages and threads with the practice activity they show, from weighted cues."""

from __future__ import annotations

import logging
import math
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from copbot.activities.recognition.calibration import IDENTITY, Calibration, load_default_calibration
from copbot.activities.recognition.cues import asks_in_a_sentence, cue_table, looks_like_thanks, normalise
from copbot.activities.recognition.cues_en import Cue
from copbot.activities.recognition.model import (
    MAX_CHARS,
    ProblemInfoModel,
    features,
    features_of_read,
    load_default_model,
)
from copbot.activities.recognition.scan import compile_scanner, first_chars
from copbot.core.labels import Activity, Label, parse_activity

logger = logging.getLogger(__name__)

EXTRA_CUE_WEIGHT = 3.0
"""Weight of a cue phrase an admin adds in config: stronger than most built-in cues."""
REPLY_WEIGHT = 0.35
"""How much each later message of a thread counts, relative to the opening message."""
ASKING_CONFIDENCE = 0.3
"""Raw confidence of a message phrased as a question (it opens with a question word) that no cue names."""
OPENING_RUN = 2
"""How many messages after an empty opening (a bare greeting) still count as the opening."""
THREAD_READ = 5
"""A thread's label reads its first this many messages: the bot relabels a thread only while it is that short
(``THREAD_LABEL_UPTO``), so ``copbot activity label`` reads no more than chat does."""
MODEL_WEIGHT = 1.0
"""How much the small model's log-odds count against cue weights when settling problem vs information."""
REPORT_CHARS = 200
"""An opening at least this long that no cue names still reads as someone seeking help (weakly)."""
SCORE_CACHE = 2048
"""How many recently scored texts keep their cue scores (a batch of 256 messages and their short threads)."""
_SEEKERS = (Activity.PROBLEM_SOLVING, Activity.REQUEST_FOR_INFORMATION)


@dataclass(slots=True)
class _Scores:
    """Per-activity cue scores of one text, with the strongest cue seen for each activity."""

    score: dict[Activity, float]
    best: dict[Activity, tuple[float, str]]
    low: str = ""
    """The text as read: clipped to MAX_CHARS and normalised."""
    _asking: bool | None = None
    _features: frozenset[str] | None = None

    @property
    def asking(self) -> bool:
        """Phrased as a question by its words (a question mark alone does not count); found when first asked."""
        if self._asking is None:
            self._asking = asks_in_a_sentence(self.low)
        return self._asking

    @asking.setter
    def asking(self, value: bool) -> None:
        self._asking = value

    @property
    def features(self) -> frozenset[str]:
        """The problem-vs-information model's features of the text, extracted when first needed."""
        if self._features is None:
            self._features = features_of_read(self.low)
        return self._features


@dataclass(frozen=True, slots=True)
class _Opening:
    """What the problem-vs-information model reads as the opening: its length, and its scores or joined text."""

    length: int
    source: _Scores | str

    def features(self) -> frozenset[str]:
        """The model's features of the opening (remembered with a single message's scores)."""
        return self.source.features if isinstance(self.source, _Scores) else features(self.source)


class Recogniser:
    """Labels text with an :class:`Activity` using one precompiled regex over all cues (see ``scan``)."""

    def __init__(
        self,
        language: str = "en",
        extra_cues: Mapping[str, Sequence[str]] | None = None,
        *,
        use_model: bool = True,
        model: ProblemInfoModel | None = None,
        calibration: Calibration | None = None,
        calibrated: bool = True,
        cues: Mapping[Activity, tuple[Cue, ...]] | None = None,
    ) -> None:
        entries: list[tuple[Activity, float, str]] = []
        for activity, table in (cue_table(language) if cues is None else cues).items():
            entries.extend((activity, weight, pattern) for pattern, weight in table)
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
        self._scanner = compile_scanner([pattern for _, _, pattern in entries], first_chars)
        if model is None and use_model and language == "en":
            model = load_default_model()
        self._model = model if use_model else None
        if calibration is None:
            calibration = load_default_calibration("cues") if calibrated else IDENTITY
        self._calibration = calibration
        self._scored: OrderedDict[str, _Scores] = OrderedDict()
        logger.debug("recogniser for %s compiled with %d cues", language, len(entries))

    def _score(self, text: str) -> _Scores:
        """The cue scores of ``text``, remembered for the last SCORE_CACHE texts: a short thread is relabelled
        after each new message, and then only the new message is scored (the scores are never changed)."""
        read = text[:MAX_CHARS]
        found = self._scored.get(read)
        if found is None:
            if len(self._scored) >= SCORE_CACHE:
                self._scored.popitem(last=False)  # the oldest goes first (O(1), unlike a plain dict's first key)
            found = self._scored[read] = self._score_text(read)
        return found

    def _score_text(self, text: str) -> _Scores:
        low = normalise(text)
        score: dict[Activity, float] = {}
        best: dict[Activity, tuple[float, str]] = {}
        seen: set[int] = set()
        cues = self._cues
        for index, start, end in self._scanner.scan(low):
            if index in seen:
                continue
            seen.add(index)
            activity, weight = cues[index]
            score[activity] = score.get(activity, 0.0) + weight
            if weight > best.get(activity, (0.0, ""))[0]:
                best[activity] = (weight, " ".join(low[start:end].split())[:60])
        return _Scores(score, best, low)

    def _decide(self, scores: _Scores, opening: _Opening, replies: Sequence[_Scores] = ()) -> Label:
        raw = self._decide_raw(scores, opening, replies)
        return Label(raw.activity, self._calibration(raw.confidence), raw.reason)

    def _decide_raw(self, scores: _Scores, opening: _Opening, replies: Sequence[_Scores]) -> Label:
        score = scores.score
        if not score and not scores.asking and opening.length < REPORT_CHARS:
            return Label(Activity.OTHER, 0.2, "no cue matched")
        ranked = sorted(score.items(), key=lambda item: -item[1])
        top, top_score = ranked[0] if ranked else (Activity.REQUEST_FOR_INFORMATION, 0.0)
        second_score = ranked[1][1] if len(ranked) > 1 else 0.0
        if top in _SEEKERS and self._model is not None:
            return self._settle(scores, opening, replies)
        if not score:
            return Label(Activity.REQUEST_FOR_INFORMATION, ASKING_CONFIDENCE, "a question with no cue")
        confidence = _confidence(top_score, second_score)
        return Label(top, confidence, f'cue "{scores.best[top][1]}" ({top.value})')

    def _settle(self, scores: _Scores, opening: _Opening, replies: Sequence[_Scores]) -> Label:
        """Problem or information: cue scores plus the model's log-odds, weighted by MODEL_WEIGHT."""
        assert self._model is not None
        problem, information = _SEEKERS
        z = self._model.log_odds_of(opening.features(), [reply.features for reply in replies])
        p = scores.score.get(problem, 0.0) + MODEL_WEIGHT * max(z, 0.0)
        i = scores.score.get(information, 0.0) + MODEL_WEIGHT * max(-z, 0.0)
        choice, won, lost = (problem, p, i) if p > i else (information, i, p)
        others = max((v for a, v in scores.score.items() if a not in _SEEKERS), default=0.0)
        confidence = _confidence(won, max(lost, others))
        lean = f"model {1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))):.2f} problem vs information"
        cue = scores.best.get(choice)
        if cue is None:
            return Label(choice, min(confidence, ASKING_CONFIDENCE), f"{lean} ({choice.value})")
        return Label(choice, confidence, f'cue "{cue[1]}" ({choice.value}), {lean}')

    def label_message(self, text: str) -> Label:
        """The activity one message shows, how sure the recogniser is, and the cue behind it."""
        scores = self._score(text)
        return self._decide(scores, _Opening(len(text), scores))

    def label_thread(self, messages: Sequence[str]) -> Label:
        """Label a whole thread, first message first: the opening dominates, later messages help.

        Replies count REPLY_WEIGHT each; short thank-you replies are skipped. If the opening shows no
        activity (a bare greeting, an image), the next OPENING_RUN messages count as the opening. Only the first
        THREAD_READ messages are read.
        """
        messages = messages[:THREAD_READ]
        if not messages:
            return Label(Activity.OTHER, 0.0, "empty thread")
        total = _Scores({}, {}, _asking=False)
        where: dict[Activity, int] = {}
        opening = [messages[0]]
        replies: list[_Scores] = []
        first = self._score(messages[0])
        opening_cues = False
        for number, text in enumerate(messages):
            shown = total.asking or any(a is not Activity.OTHER for a in total.score)
            weak_opening = number <= OPENING_RUN and not shown
            if number and not weak_opening and len(text) < 200 and looks_like_thanks(text, self.language):
                continue
            if number and weak_opening:
                opening.append(text)
            weight = 1.0 if number == 0 or weak_opening else REPLY_WEIGHT
            scores = self._score(text)
            if number and not weak_opening:
                replies.append(scores)
            total.asking = total.asking or (weight == 1.0 and scores.asking)
            opening_cues = opening_cues or (weight == 1.0 and bool(scores.score))
            for activity, value in scores.score.items():
                if number and activity is Activity.OTHER:
                    continue
                if weight < 1.0 and total.asking and not opening_cues and activity not in _SEEKERS:
                    continue  # an opening that asks is not turned into another activity by a reply alone
                total.score[activity] = total.score.get(activity, 0.0) + weight * value
                if activity not in total.best:
                    total.best[activity] = scores.best[activity]
                    where[activity] = number
        joined = "\n".join(opening)
        label = self._decide(total, _Opening(len(joined), first if len(opening) == 1 else joined), replies)
        number = where.get(label.activity, 0)
        if number and label.reason.startswith("cue"):
            return Label(label.activity, label.confidence, f"{label.reason}; cue in message {number + 1}")
        return label


def model_example(messages: Sequence[str], language: str = "en") -> list[str]:
    """A thread as the problem-vs-information model reads it, to fit on: the opening, then the replies up to
    THREAD_READ that are not short thank-yous (as :meth:`Recogniser.label_thread` passes them)."""
    replies = [t for t in messages[1:THREAD_READ] if not (len(t) < 200 and looks_like_thanks(t, language))]
    return [*messages[:1], *replies]


def _confidence(top: float, second: float) -> float:
    """Share of the winning score times how strong it is on its own, in [0.05, 0.99]."""
    share = top / (top + second) if top + second > 0 else 0.0
    strength = 1.0 - math.exp(-top / 2.0)
    return round(min(0.99, max(0.05, share * strength)), 3)
