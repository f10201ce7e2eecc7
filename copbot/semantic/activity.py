"""Embedding-assisted activity labels: the cue recogniser's label combined with the classifier head's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from copbot.activities.recognition.recogniser import Recogniser
from copbot.core.labels import Activity, Label
from copbot.semantic.classifier import ActivityHead
from copbot.semantic.embedder import Embedder

if TYPE_CHECKING:
    from copbot.semantic.classifier import Matrix

CUE_WEIGHT = 0.5
"""How much the cue label's confidence counts against the head's probability (chosen by benchmark CV)."""
HEAD_ALONE = 0.5
"""With no cue at all, the head decides only if it is at least this sure."""
THREAD_MESSAGES = 3
THREAD_CHARS = 1000


def thread_text(messages: Sequence[str]) -> str:
    """What is embedded for a thread: its first messages, clipped."""
    return "\n".join(text.strip() for text in messages[:THREAD_MESSAGES] if text.strip())[:THREAD_CHARS]


def combine(label: Label, probabilities: dict[str, float], cue_weight: float = CUE_WEIGHT) -> Label:
    """The activity with the best head probability plus ``cue_weight`` x cue confidence; cues stay the reason."""
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
    if best == cue:
        confidence = min(0.99, max(label.confidence, (label.confidence + p) / 2))
        return Label(label.activity, round(confidence, 3), f"{label.reason}; embeddings {p:.2f}")
    reason = f"embeddings {p:.2f} ({best}) over {label.reason}"
    return Label(Activity(best), round(min(0.99, p), 3), reason)


class AssistedRecogniser:
    """Cue labels corrected by the embedding head; embedding runs off the event loop."""

    def __init__(self, recogniser: Recogniser, head: ActivityHead, embedder: Embedder, cue_weight: float = CUE_WEIGHT):
        self.recogniser = recogniser
        self.head = head
        self.embedder = embedder
        self.cue_weight = cue_weight

    def _probabilities(self, vectors: Matrix) -> dict[str, float]:
        row = self.head.probabilities(vectors)[0]
        return {name: float(p) for name, p in zip(self.head.classes, row, strict=True)}

    def label_vector(self, label: Label, vector: Matrix) -> Label:
        """Combine a cue label with the head's view of an embedding (shape (1, dim))."""
        return combine(label, self._probabilities(vector), self.cue_weight)

    async def label_message(self, text: str) -> Label:
        """The cue label of one message, corrected by the head."""
        label = self.recogniser.label_message(text)
        return self.label_vector(label, await self.embedder.aembed([text]))

    async def label_thread(self, messages: Sequence[str]) -> Label:
        """The cue label of a thread, corrected by the head on the thread's first messages."""
        label = self.recogniser.label_thread(messages)
        if not messages:
            return label
        return self.label_vector(label, await self.embedder.aembed([thread_text(messages)]))
