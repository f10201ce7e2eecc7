"""Activity classifier head: multinomial logistic regression over sentence embeddings, in numpy."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix: TypeAlias = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

HEAD_FILE = "activity_head.json"
"""The shipped head, fitted by benchmarks/fit_activity.py (earlier spring-boot threads)."""


@dataclass(frozen=True)
class ActivityHead:
    """Softmax(x @ weights + bias) over ``classes``; x is an L2-normalised embedding from ``model``."""

    classes: tuple[str, ...]
    weights: Matrix
    """(dim, classes)."""
    bias: Matrix
    model: str

    def probabilities(self, vectors: Matrix) -> Matrix:
        """One row of class probabilities per embedding."""
        import numpy as np

        logits = np.asarray(vectors, dtype=np.float32) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)

    def to_json(self) -> dict[str, Any]:
        """A compact JSON form: float16 weights as base64."""
        import numpy as np

        def pack(array: Matrix) -> str:
            return base64.b64encode(np.asarray(array, dtype="<f2").tobytes()).decode("ascii")

        dim = int(self.weights.shape[0])
        return {"model": self.model, "classes": list(self.classes), "dim": dim,
                "weights": pack(self.weights), "bias": pack(self.bias)}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActivityHead:
        """Rebuild a head from :meth:`to_json` output."""
        import numpy as np

        classes = tuple(str(name) for name in data["classes"])

        def unpack(text: str) -> Matrix:
            return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)

        weights = unpack(data["weights"]).reshape(int(data["dim"]), len(classes))
        return cls(classes, weights, unpack(data["bias"]), str(data["model"]))


def fit(
    vectors: Matrix,
    labels: Sequence[str],
    *,
    model: str,
    l2: float = 1e-3,
    steps: int = 400,
    rate: float = 0.1,
    balanced: bool = True,
) -> ActivityHead:
    """Fit by full-batch Adam on the mean (optionally class-balanced) cross-entropy plus an L2 penalty."""
    import numpy as np

    classes = tuple(sorted(set(labels)))
    index = {name: i for i, name in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    x = np.asarray(vectors, dtype=np.float32)
    n, dim = x.shape
    onehot = np.eye(len(classes), dtype=np.float32)[y]
    counts = onehot.sum(axis=0)
    sample = (n / (len(classes) * counts))[y] if balanced else np.ones(n, dtype=np.float32)
    sample = (sample / sample.sum()).astype(np.float32)[:, None]
    params = [np.zeros((dim, len(classes)), dtype=np.float32), np.zeros(len(classes), dtype=np.float32)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for step in range(1, steps + 1):
        logits = x @ params[0] + params[1]
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        delta = (prob - onehot) * sample
        grads = [x.T @ delta + l2 * params[0], delta.sum(axis=0)]
        for param, grad, (m, v) in zip(params, grads, moments, strict=True):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return ActivityHead(classes, params[0], params[1], model)


@lru_cache(maxsize=1)
def load_default_head() -> ActivityHead | None:
    """The shipped head, loaded once; None (and a warning) if it is missing or unreadable."""
    try:
        raw = resources.files("copbot.semantic").joinpath(HEAD_FILE).read_text(encoding="utf-8")
        return ActivityHead.from_json(json.loads(raw))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("semantic activity head %s not loaded: %s", HEAD_FILE, exc)
        return None
