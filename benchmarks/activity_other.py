"""Measure the shipped activity recognition on another F2Chat community, never used to fit or choose anything.

F2Chat (Pan et al., ASE 2021) labels threads of several Gitter developer communities with the same nine intentions
as spring-boot. Get them with `git clone https://github.com/panshengyi/F2Chat` (files under F2Chat/data/, e.g.
deeplearning4j_train_0.json and deeplearning4j_test_0.json: together all 985 deeplearning4j threads) and pass
their paths; nothing is copied into this repository. Reports accuracy, per-class F1 and macro-F1 on the four
coarse classes for cues only, cues + naive Bayes (extra off, the default) and, with --model, + the embedding head
(extra on: the head's second opinion when the cue label is below min_confidence, as the bot does).
Run: python benchmarks/activity_other.py --other FILE.json [FILE.json ...] [--model PATH] [--cache FILE.npy]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from activity_f2chat import GOLD_CLASSES, folded, load, per_class_f1, report  # noqa: E402

from copbot.activities.recognition.recogniser import Recogniser  # noqa: E402
from copbot.core.labels import Label  # noqa: E402

MIN_CONFIDENCE = 0.5
"""The default activity.min_confidence: below it the bot asks the head for a second opinion."""


def with_head(labels: Sequence[Label], texts: Sequence[str], model: str, cache: Path | None) -> list[Label]:
    """The labels after the shipped head's second opinion on the weak ones (as ActivityLabeller does)."""
    import numpy as np

    from copbot.semantic.activity import HeadRefiner
    from copbot.semantic.classifier import load_default_head
    from copbot.semantic.embedder import Embedder

    head = load_default_head()
    if head is None:
        raise SystemExit("the shipped activity head is missing; cannot measure cues + embeddings")
    embedder = Embedder(model)
    if cache is not None and cache.is_file():
        vectors = np.load(cache)
    else:
        vectors = embedder.embed(list(texts))
        if cache is not None:
            np.save(cache, vectors)
    refiner = HeadRefiner(head, embedder)
    return [
        label if label.confidence >= MIN_CONFIDENCE else refiner.label_vector(label, vectors[i : i + 1])
        for i, label in enumerate(labels)
    ]


def main(argv: Sequence[str]) -> int:
    """Label every thread of the given files with the shipped models and print the figures."""
    from copbot.activities.labelling import thread_text

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--other", nargs="+", type=Path, default=[], help="F2Chat-format JSON files of one community")
    parser.add_argument("--model", help="sentence-transformers model name or folder: also measure the embedding head")
    parser.add_argument("--cache", type=Path, help="keep the thread embeddings in this .npy file between runs")
    args = parser.parse_args(argv)
    files = [path for path in args.other if path.is_file()]
    if not files or len(files) != len(args.other):
        missing = ", ".join(str(p) for p in args.other if not p.is_file()) or "none given"
        print(f"F2Chat files not found ({missing}); nothing to measure (clone github.com/panshengyi/F2Chat, data/).")
        return 0
    threads = [thread for path in files for thread in load(path)]
    gold = [g for g, _ in threads]
    print(f"F2Chat (Pan et al., ASE 2021), {len(threads)} threads from {', '.join(str(p) for p in files)}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    runs: dict[str, list[Label]] = {
        "cues only": [Recogniser(use_model=False).label_thread(m) for _, m in threads],
        "cues + naive Bayes": [Recogniser().label_thread(m) for _, m in threads],
    }
    if args.model:
        texts = [thread_text(m) for _, m in threads]
        runs["+ embedding head"] = with_head(runs["cues + naive Bayes"], texts, args.model, args.cache)
    print("\n| per-class F1 | " + " | ".join(GOLD_CLASSES) + " | macro |")
    rows = []
    for name, labels in runs.items():
        predicted = [folded(label.activity.value) for label in labels]
        macro = report(name, gold, predicted)
        scores = per_class_f1(gold, predicted)
        rows.append(f"| {name} | " + " | ".join(f"{scores[c]:.3f}" for c in GOLD_CLASSES) + f" | {macro:.3f} |")
    print("\n" + "\n".join(rows))
    print(json.dumps({"gold": {c: gold.count(c) for c in GOLD_CLASSES}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
