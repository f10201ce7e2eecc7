"""Embedding-assisted activity labels: the cue recogniser's label combined with the classifier head's."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from copbot.activities.recognition.calibration import Calibration, load_default_calibration
from copbot.core.labels import Activity, Label
from copbot.semantic.classifier import ActivityHead
from copbot.semantic.embedder import Embedder

if TYPE_CHECKING:
    from copbot.semantic.classifier import Matrix

CUE_WEIGHT = 1.0
"""How much the cue label's confidence counts against the head's probability (benchmarks/fit_activity.py chooses
it with OVERRULE on the time split's train part)."""
HEAD_ALONE = 0.5
"""With no cue at all, the head decides only if it is at least this sure."""
OVERRULE = 0.5
"""The head replaces a cue's activity other than problem vs information only when at least this sure:
rare activities keep the recall their cues give."""
_SEEKERS = frozenset({Activity.PROBLEM_SOLVING.value, Activity.REQUEST_FOR_INFORMATION.value})
CALIBRATION = "embeddings"
"""The calibration table of combined labels (see copbot/activities/recognition/calibration.json)."""


def combine(
    label: Label, probabilities: dict[str, float], cue_weight: float = CUE_WEIGHT, overrule: float = OVERRULE
) -> Label:
    """The activity with the best head probability plus ``cue_weight`` x cue confidence; cues stay the reason.

    The confidence returned is raw; :class:`HeadRefiner` calibrates it.
    """
    if label.reason in ("no cue matched", "empty thread"):
        best = max(probabilities, key=probabilities.__getitem__, default=None)
        if best is None or probabilities[best] < HEAD_ALONE:
            return label
        return Label(Activity(best), round(min(0.99, probabilities[best]), 3), f"embeddings {probabilities[best]:.2f}")
    cue = label.activity.value
    scores = dict(probabilities)
    scores[cue] = scores.get(cue, 0.0) + cue_weight * label.confidence
    best = max(scores, key=scores.__getitem__)
    p = probabilities.get(best, 0.0)
    if best != cue and cue not in _SEEKERS and p < overrule:
        best, p = cue, probabilities.get(cue, 0.0)
    if best == cue:
        confidence = min(0.99, max(label.confidence, (label.confidence + p) / 2))
        return Label(label.activity, round(confidence, 3), f"{label.reason}; embeddings {p:.2f}")
    reason = f"embeddings {p:.2f} ({best}) over {label.reason}"
    return Label(Activity(best), round(min(0.99, p), 3), reason)


class HeadRefiner:
    """The second opinion of the embedding head on a cue label; embedding runs off the event loop."""

    def __init__(
        self,
        head: ActivityHead,
        embedder: Embedder,
        *,
        cue_weight: float = CUE_WEIGHT,
        overrule: float = OVERRULE,
        calibration: Calibration | None = None,
    ) -> None:
        self.head = head
        self.embedder = embedder
        self.cue_weight = cue_weight
        self.overrule = overrule
        self.calibration = calibration if calibration is not None else load_default_calibration(CALIBRATION)

    def probabilities(self, vectors: Matrix) -> dict[str, float]:
        """The head's class probabilities for one embedding (shape (1, dim))."""
        row = self.head.probabilities(vectors)[0]
        return {name: float(p) for name, p in zip(self.head.classes, row, strict=True)}

    def label_vector(self, label: Label, vector: Matrix) -> Label:
        """Combine a cue label with the head's view of an embedding, confidence calibrated."""
        combined = combine(label, self.probabilities(vector), self.cue_weight, self.overrule)
        if combined == label:
            return label
        return replace(combined, confidence=self.calibration(combined.confidence))

    async def refine(self, text: str, label: Label) -> Label:
        """``label`` combined with the head's view of ``text``."""
        return self.label_vector(label, await self.embedder.aembed([text]))
