"""Fit the semantic activity head and measure it: F2Chat spring-boot macro-F1, cues vs cues + embeddings (5-fold CV).

Trains on f2chat spring-boot threads (Pan et al., ASE 2021) plus the cue examples of
tests/activities/test_recogniser.py, and writes copbot/semantic/activity_head.json.
Run from the repository root: python benchmarks/fit_semantic_activity.py [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from activity_f2chat import DATA, PROGRESS, cross_validate, folded, load, predict, report  # noqa: E402

from copbot.activities.recognition.recogniser import Recogniser  # noqa: E402
from copbot.core.labels import Activity, Label  # noqa: E402
from copbot.semantic.activity import combine, thread_text  # noqa: E402
from copbot.semantic.classifier import HEAD_FILE, ActivityHead, fit  # noqa: E402
from copbot.semantic.embedder import Embedder  # noqa: E402
from tests.activities.test_recogniser import EXAMPLES  # noqa: E402

if TYPE_CHECKING:
    from copbot.semantic.classifier import Matrix

OUT = ROOT / "copbot" / "semantic" / HEAD_FILE
CUE_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)
TRAIN_LABEL = {PROGRESS: Activity.DOCUMENTING_PROJECTS.value}


def assisted(labels: Sequence[Label], head: ActivityHead, vectors: Matrix, weight: float) -> list[str]:
    """Folded predictions of the cue labels combined with the head."""
    rows = head.probabilities(vectors)
    return [
        folded(combine(label, dict(zip(head.classes, map(float, row), strict=True)), weight).activity.value)
        for label, row in zip(labels, rows, strict=True)
    ]


def main(argv: Sequence[str]) -> int:
    """Cross-validate, print the figures, then fit on everything and save the head."""
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--name", default="all-MiniLM-L6-v2", help="the model name recorded in the head")
    parser.add_argument("--cache", type=Path, help="keep the thread embeddings in this .npy file between runs")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"f2chat data not found at {DATA}; nothing to fit.")
        return 0
    threads = load(DATA)
    gold = [g for g, _ in threads]
    embedder = Embedder(args.model)
    started = time.perf_counter()
    if args.cache is not None and args.cache.is_file():
        vectors = np.load(args.cache)
    else:
        vectors = embedder.embed([thread_text(messages) for _, messages in threads])
        print(f"embedded {len(threads)} threads in {time.perf_counter() - started:.1f}s")
        if args.cache is not None:
            np.save(args.cache, vectors)
    example_texts = [text for texts in EXAMPLES.values() for text in texts]
    example_labels = [activity.value for activity, texts in EXAMPLES.items() for text in texts]
    example_vectors = embedder.embed(example_texts)
    labels = [TRAIN_LABEL.get(g, g) for g in gold]
    recogniser = Recogniser()
    cue_labels = [recogniser.label_thread(messages) for _, messages in threads]
    report("cues only", gold, predict(Recogniser(use_model=False), threads))
    report("cues + naive Bayes (the current recogniser), 5-fold CV", *cross_validate(threads))
    order = list(range(len(threads)))
    random.Random(13).shuffle(order)
    predicted: dict[float, list[str]] = {w: [""] * len(threads) for w in CUE_WEIGHTS}
    for k in range(5):
        test = order[k::5]
        train = [i for j, i in enumerate(order) if j % 5 != k]
        head = fit(
            np.vstack([vectors[train], example_vectors]),
            [labels[i] for i in train] + example_labels,
            model=args.name,
        )
        for weight in CUE_WEIGHTS:
            for i, value in zip(
                test, assisted([cue_labels[i] for i in test], head, vectors[test], weight), strict=True
            ):
                predicted[weight][i] = value
    results = {w: report(f"cues + embeddings, cue weight {w}, 5-fold CV", gold, predicted[w]) for w in CUE_WEIGHTS}
    best = max(results, key=results.__getitem__)
    print(f"\nbest cue weight {best}: macro-F1 {results[best]:.3f} (chosen on the same folds: mildly optimistic)")
    head = fit(np.vstack([vectors, example_vectors]), labels + example_labels, model=args.name)
    OUT.write_text(json.dumps(head.to_json()) + "\n", encoding="utf-8")
    print(f"head with classes {', '.join(head.classes)} -> {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
