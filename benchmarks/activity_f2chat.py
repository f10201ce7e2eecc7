"""Benchmark the activity recogniser on the f2chat spring-boot threads (Pan et al., ASE 2021).

Dataset: S. Pan, L. Bao, X. Ren, X. Xia, D. Lo, S. Li. "Automating Developer Chat Mining",
36th IEEE/ACM International Conference on Automated Software Engineering (ASE 2021).
Run: .venv/bin/python benchmarks/activity_f2chat.py [--no-cv]
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's copbot, not an installed one

from copbot.activities.recognition.model import fit
from copbot.activities.recognition.recogniser import Recogniser, model_example
from copbot.core.labels import Activity

DATA_DIR = Path(os.environ.get("COPBOT_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"))
"""The shared datasets: ../shared/data from the project root, or $COPBOT_DATA."""
DATA = DATA_DIR / "f2chat" / "spring-boot.json"
TRAIN_SHARE = 0.7
"""The time split: the earliest 70% of threads (by their first message) train, the later 30% test."""
PROGRESS = "documenting_projects|coordination"
GOLD_CLASSES = (
    Activity.PROBLEM_SOLVING.value,
    Activity.REQUEST_FOR_INFORMATION.value,
    Activity.DISCUSSING_DEVELOPMENTS.value,
    PROGRESS,
)
Thread = tuple[str, list[str]]


def gold_of(intention: str) -> str | None:
    """Map an f2chat intention to our activity id (task progress may be either of two)."""
    if intention.endswith("_problem"):
        return Activity.PROBLEM_SOLVING.value
    if intention.endswith("_information"):
        return Activity.REQUEST_FOR_INFORMATION.value
    if intention == "technical_discussion":
        return Activity.DISCUSSING_DEVELOPMENTS.value
    if intention == "task_progress":
        return PROGRESS
    return None


def folded(predicted: str) -> str:
    """Put documenting_projects and coordination into the one gold class they share."""
    if predicted in (Activity.DOCUMENTING_PROJECTS.value, Activity.COORDINATION.value):
        return PROGRESS
    return predicted


def load(path: Path) -> list[Thread]:
    """Gold class and message texts of every thread with a mapped intention."""
    threads: list[Thread] = []
    for thread in json.loads(path.read_text(encoding="utf-8")):
        gold = gold_of(thread["intention"])
        if gold is not None:
            threads.append((gold, [str(m.get("text") or "") for m in thread["messages"]]))
    return threads


def time_split(path: Path, share: float = TRAIN_SHARE) -> tuple[list[int], list[int]]:
    """Indices (into :func:`load`'s list) of the earlier threads to train on and the later ones to test on, oldest
    first."""
    times = [str(thread["messages"][0]["time"]) for thread in json.loads(path.read_text(encoding="utf-8"))]
    order = sorted(range(len(times)), key=lambda i: (times[i], i))
    cut = int(len(order) * share)
    return order[:cut], order[cut:]


def per_class_f1(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """F1 of each gold class."""
    scores: dict[str, float] = {}
    for cls in GOLD_CLASSES:
        tp = sum(g == cls and p == cls for g, p in zip(gold, predicted, strict=True))
        n_pred, n_gold = sum(p == cls for p in predicted), sum(g == cls for g in gold)
        scores[cls] = 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0
    return scores


def report(title: str, gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Print accuracy, per-class P/R/F1, macro-F1 and problem-vs-information accuracy; return macro-F1."""
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / n
    print(f"\n== {title}: {n} threads, accuracy {accuracy:.3f}")
    f1s = []
    for cls in GOLD_CLASSES:
        tp = sum(g == cls and p == cls for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(p == cls for p in predicted)
        n_gold = sum(g == cls for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"  {cls:36s} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}  (gold {n_gold}, predicted {n_pred})")
    macro = sum(f1s) / len(f1s)
    seekers = GOLD_CLASSES[:2]
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g in seekers]
    pvi = sum(g == p for g, p in pairs) / len(pairs)
    print(f"  macro-F1 (4 gold classes) {macro:.3f}   problem-vs-information accuracy {pvi:.3f} ({len(pairs)} threads)")
    others = Counter(p for p in predicted if p not in GOLD_CLASSES)
    if others:
        print(f"  predicted outside the gold classes: {dict(others.most_common())}")
    return macro


def predict(recogniser: Recogniser, threads: Sequence[Thread]) -> list[str]:
    """Folded predicted class of each thread."""
    return [folded(recogniser.label_thread(messages).activity.value) for _, messages in threads]


def cross_validate(threads: list[Thread], folds: int = 5, seed: int = 13) -> tuple[list[str], list[str]]:
    """Predictions where the model for each fold was fitted on the other folds only."""
    order = list(range(len(threads)))
    random.Random(seed).shuffle(order)
    gold: list[str] = []
    predicted: list[str] = []
    for k in range(folds):
        test = [threads[i] for i in order[k::folds]]
        train = [threads[i] for j, i in enumerate(order) if j % folds != k]
        model = fit(
            (model_example(m) for g, m in train if g == Activity.PROBLEM_SOLVING.value),
            (model_example(m) for g, m in train if g == Activity.REQUEST_FOR_INFORMATION.value),
        )
        gold.extend(g for g, _ in test)
        predicted.extend(predict(Recogniser(model=model), test))
    return gold, predicted


def rate(function: Callable[[str], object], texts: Sequence[str], rounds: int = 3) -> float:
    """Best-of-``rounds`` texts per second for ``function``."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main(argv: Sequence[str]) -> int:
    """Run the benchmark and print its report."""
    if not DATA.is_file():
        print(f"f2chat data not found at {DATA}; nothing to benchmark (see the f2chat dataset, Pan et al., ASE 2021).")
        return 0
    threads = load(DATA)
    print(f"f2chat spring-boot (Pan et al., ASE 2021): {len(threads)} threads from {DATA}")
    gold = [g for g, _ in threads]
    majority = Counter(gold).most_common(1)[0][0]
    report(f"majority-class baseline (always {majority})", gold, [majority] * len(gold))
    report("cues only", gold, predict(Recogniser(use_model=False), threads))
    report("cues + shipped model (fitted on this file: train = test, optimistic)", gold, predict(Recogniser(), threads))
    if "--no-cv" not in argv:
        report("cues + model, 5-fold cross-validated (honest)", *cross_validate(threads))
    texts = [text for _, messages in threads for text in messages]
    recogniser = Recogniser()
    ours = rate(recogniser.label_message, texts)
    baseline = rate(lambda text: "stuck" in text.lower(), texts)
    print(
        f"\nspeed over {len(texts)} messages: label_message {ours:,.0f} msg/s; "
        f"baseline str.lower()+in {baseline:,.0f} msg/s; ratio {baseline / ours:.1f}x slower than baseline"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
