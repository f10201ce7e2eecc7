"""A tiny naive-Bayes tie-breaker between problem_solving and request_for_information."""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from copbot.activities.recognition.cues import normalise

logger = logging.getLogger(__name__)

MODEL_FILE = "problem_info_model.json"
"""The shipped weights, fitted by benchmarks/fit_activity.py (earlier spring-boot threads)."""
MAX_CHARS = 2000
"""Only the start of a long message is read, by the cues and the model alike (traces and pasted documents add
little)."""

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Only these domain-neutral words are features, so the model cannot memorise one community's jargon
# (no product, tool, plant or drug names). Grouped loosely; order does not matter.
_WORDS = """
    error errors exception exceptions fail fails failed failing failure fault crash crashes crashed broken
    break breaks bug bugs issue issues problem problems trouble wrong weird strange odd unexpected
    suddenly stuck struggling unable cannot can't couldn't won't doesn't didn't isn't aren't not never
    work works working worked fix fixed fixing solve solved resolve help please appreciated idea ideas
    why what how where which when who whether if possible way ways best recommend recommended
    recommendation suggest suggestion advice example examples sample docs documentation guide tutorial
    reference resource resources link learn learning understand explain mean meaning difference between
    option options should could would can may might need want like looking find found know anyone
    anybody someone somebody any there is are does do did have has had get getting got seems seem
    expected expect instead still again after upgrade upgrading update updated change changed since
    tried try trying attempt same also but though however even only just already yet now then
    question questions wondering curious quick simple new beginner started start starting support
    supported supposed allowed available correct right proper properly good better easy easiest
    case cases happen happens happening message shows showing shown returns return returned result
    results output log logs trace caused cause reason because missing lost wrong instead keeps keep
"""
_Shape = tuple[tuple[str, ...], re.Pattern[str] | None]
"""Substrings of which one must be present, then (if given) a pattern that must match too."""
_SHAPES: dict[str, tuple[_Shape, ...]] = {
    # What a message does, by its shape rather than its words: pastes a trace or code, links (a question mark is
    # not one: it says nothing about problem against information). Matched on lower-cased text; each pattern runs
    # only when a substring every match of it contains is present (``in`` is far cheaper than ``re``).
    "<trace>": (
        (("exception:", "error:"), re.compile(r"[a-z](?:exception|error):")),
        (("at ",), re.compile(r"\sat [\w$.]+\(")),
        (("caused by",), None),
        (("traceback",), None),
    ),
    "<code>": ((("`",), re.compile(r"```|`[^`\n]+`")),),
    "<link>": ((("http://", "https://"), None),),
}
"""Shape features: domain-neutral markers of reporting (traces, code) against asking."""
LONG = 400
"""An opening at least this many characters long has the shape feature ``<long>`` (a report, not a quick ask)."""
VOCABULARY: frozenset[str] = frozenset(_WORDS.split()) | frozenset(_SHAPES) | {"<long>"}


def _has_shape(read: str, tests: tuple[_Shape, ...]) -> bool:
    for needles, pattern in tests:
        for needle in needles:
            if needle in read:
                if pattern is None or pattern.search(read) is not None:
                    return True
                break
    return False


def features_of_read(read: str) -> frozenset[str]:
    """The features of a text already clipped to MAX_CHARS and normalised (as the recogniser's cue scan reads it)."""
    words = VOCABULARY.intersection(_TOKEN.findall(read))
    shapes = [name for name, tests in _SHAPES.items() if _has_shape(read, tests)]
    if len(read) >= LONG:
        shapes.append("<long>")
    return words.union(shapes) if shapes else words


def features(text: str) -> frozenset[str]:
    """The vocabulary words present in ``text`` and its shape markers."""
    return features_of_read(normalise(text[:MAX_CHARS]))


REPLY = "r:"
"""Prefix of a feature seen in a reply rather than the opening (how others answer says what was asked)."""


def thread_features(opening: str, replies: Sequence[str] = ()) -> set[str]:
    """The opening's features and, prefixed with REPLY, those of the replies."""
    return _joined(features(opening), [features(reply) for reply in replies])


def _joined(opening: frozenset[str], replies: Iterable[frozenset[str]]) -> set[str]:
    found = set(opening)
    for reply in replies:
        found.update(REPLY + word for word in reply)
    return found


@dataclass(frozen=True, slots=True)
class ProblemInfoModel:
    """Bernoulli naive Bayes over presence of vocabulary words: log-odds of problem vs information.

    ``reply_bias`` holds the absent-feature terms of the reply features: it counts only when there are replies, so
    a message alone is scored as an opening (as the bot first sees it)."""

    bias: float
    weights: dict[str, float]
    reply_bias: float = 0.0

    def log_odds(self, text: str, replies: Sequence[str] = ()) -> float:
        """Log-odds that ``text`` (with these replies) describes a problem rather than asks for information."""
        return self.log_odds_of(features(text), [features(reply) for reply in replies])

    def log_odds_of(self, opening: frozenset[str], replies: Sequence[frozenset[str]] = ()) -> float:
        """:meth:`log_odds` from features already extracted (the opening's, and each reply's)."""
        weights = self.weights
        bias = self.bias + (self.reply_bias if replies else 0.0)
        return bias + sum(weights.get(word, 0.0) for word in (_joined(opening, replies) if replies else opening))

    def p_problem(self, text: str) -> float:
        """Probability in (0, 1) that ``text`` describes a problem rather than asks for information."""
        z = max(-30.0, min(30.0, self.log_odds(text)))
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form of the weights."""
        weights = {w: round(v, 4) for w, v in sorted(self.weights.items())}
        return {"bias": round(self.bias, 4), "reply_bias": round(self.reply_bias, 4), "weights": weights}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProblemInfoModel:
        """Rebuild a model from :meth:`to_json` output."""
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return cls(float(data["bias"]), weights, float(data.get("reply_bias", 0.0)))


Example = str | Sequence[str]
"""An opening message, or a thread's messages opening first (the rest count as replies)."""


def fit(problems: Iterable[Example], informations: Iterable[Example], smoothing: float = 1.0) -> ProblemInfoModel:
    """Fit the model: per-feature log-likelihood ratios of presence, Laplace-smoothed, plus class prior.

    Reply features are estimated on the examples that have replies only."""
    counts: list[dict[str, int]] = [{}, {}]
    totals = [[0, 0], [0, 0]]  # [openings, with replies] per side
    for side, texts in enumerate((problems, informations)):
        for text in texts:
            replies = () if isinstance(text, str) else text[1:]
            totals[side][0] += 1
            totals[side][1] += bool(replies)
            for word in thread_features(text if isinstance(text, str) else text[0], replies):
                counts[side][word] = counts[side].get(word, 0) + 1
    (n_p, r_p), (n_i, r_i) = totals
    if not n_p or not n_i:
        raise ValueError("need examples of both problems and requests for information")
    weights: dict[str, float] = {}
    biases = [math.log(n_p / n_i), 0.0]
    vocabularies = [VOCABULARY, frozenset(REPLY + word for word in VOCABULARY) if r_p and r_i else frozenset()]
    for kind, (m_p, m_i) in enumerate(((n_p, n_i), (r_p, r_i))):
        for word in vocabularies[kind]:
            p = (counts[0].get(word, 0) + smoothing) / (m_p + 2 * smoothing)
            q = (counts[1].get(word, 0) + smoothing) / (m_i + 2 * smoothing)
            absent = math.log((1 - p) / (1 - q))
            # Fold the "absent" term into a bias so scoring only sums the words present.
            biases[kind] += absent
            weights[word] = math.log(p / q) - absent
    return ProblemInfoModel(biases[0], {w: v for w, v in weights.items() if abs(v) >= 0.05}, biases[1])


@lru_cache(maxsize=1)
def load_default_model() -> ProblemInfoModel | None:
    """The shipped model, loaded once; None (and a warning) if it is missing or unreadable."""
    try:
        raw = resources.files("copbot.activities.recognition").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        return ProblemInfoModel.from_json(json.loads(raw))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("activity model %s not loaded, using cues only: %s", MODEL_FILE, exc)
        return None
