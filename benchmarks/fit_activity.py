"""Fit the shipped recognition models on earlier spring-boot threads and measure them on later ones.

F2Chat spring-boot (Pan et al., ASE 2021), split by time: the earliest 70% of threads (by first message) train,
the later 30% test. On the train part only it fits the problem-vs-information naive Bayes, the embedding head
(with the plain sentences of tests/activities/test_recogniser.py for the rare activities), the combination rule
and the two calibration tables (isotonic). The train part is cut into 5 blocks of consecutive weeks: choices are
judged by forward validation (each of blocks 2-5 labelled by models fitted on the blocks before it only; the combination
rule's grid is printed, the bot's own rule ships), the calibration tables are fitted on cross-fitted labels (each
block labelled by models fitted on the other four).
Then it reports, on the test part: per-class F1 for cues alone, cues + naive Bayes and cues + embeddings; what
each cue family adds; and the reliability of the shipped confidence by decile. Writes problem_info_model.json,
calibration.json and activity_head.json.
Run from the repository root: python benchmarks/fit_activity.py [--model PATH] [--cache FILE.npy] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from activity_f2chat import DATA, GOLD_CLASSES, PROGRESS, folded, load, per_class_f1, report, time_split  # noqa: E402

from copbot.activities.labelling import thread_text  # noqa: E402
from copbot.activities.recognition.calibration import (  # noqa: E402
    CALIBRATION_FILE,
    IDENTITY,
    Calibration,
    fit_isotonic,
)
from copbot.activities.recognition.cues import CUES  # noqa: E402
from copbot.activities.recognition.model import MODEL_FILE, ProblemInfoModel  # noqa: E402
from copbot.activities.recognition.model import fit as fit_model  # noqa: E402
from copbot.activities.recognition.recogniser import Recogniser, model_example  # noqa: E402
from copbot.core.labels import Activity, Label  # noqa: E402
from copbot.semantic.activity import CUE_WEIGHT, OVERRULE, HeadRefiner  # noqa: E402
from copbot.semantic.classifier import HEAD_FILE, ActivityHead  # noqa: E402
from copbot.semantic.classifier import fit as fit_head  # noqa: E402
from copbot.semantic.embedder import Embedder  # noqa: E402
from tests.activities.test_recogniser import EXAMPLES  # noqa: E402

if TYPE_CHECKING:
    from copbot.semantic.classifier import Matrix

RECOGNITION = ROOT / "copbot" / "activities" / "recognition"
HEAD_OUT = ROOT / "copbot" / "semantic" / HEAD_FILE
MIN_CONFIDENCE = 0.5
"""The default activity.min_confidence: below it the bot asks the head for a second opinion."""
CUE_WEIGHTS = (0.25, 0.5, 1.0, 2.0)
OVERRULES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
"""How sure the head must be to replace a rare activity named by a cue (1.01: never)."""
FOLDS = 5
"""Blocks of consecutive weeks in the train part; blocks 2-5 are the validation labels."""
BOOTSTRAP = 1000
"""Resamples of the test threads for the macro-F1 interval."""
TRAIN_LABEL = {PROGRESS: Activity.DOCUMENTING_PROJECTS.value}
Threads = list[tuple[str, list[str]]]


class Pipeline:
    """The bot's labelling (cues, naive Bayes, head when weak) with models fitted on given training threads."""

    def __init__(self, threads: Threads, train: Sequence[int], vectors: Matrix, examples: tuple[Matrix, list[str]]):
        import numpy as np

        self.nb = nb_for(threads, train)
        x = np.vstack([vectors[list(train)], examples[0]])
        y = [TRAIN_LABEL.get(threads[i][0], threads[i][0]) for i in train] + examples[1]
        self.head = fit_head(x, y, model="all-MiniLM-L6-v2")

    def cue_labels(self, threads: Threads, ids: Sequence[int], calibration: Calibration = IDENTITY) -> list[Label]:
        """Cue + naive Bayes labels of these threads."""
        recogniser = Recogniser(model=self.nb, calibration=calibration)
        return [recogniser.label_thread(threads[i][1]) for i in ids]

    def refined(
        self,
        labels: Sequence[Label],
        vectors: Matrix,
        ids: Sequence[int],
        rule: tuple[float, float],
        table: Calibration,
    ) -> list[Label]:
        """What the head makes of the weak labels, as in ActivityLabeller.second_opinion; rule: (weight, overrule)."""
        refiner = HeadRefiner(self.head, _NoEmbedder(), cue_weight=rule[0], overrule=rule[1], calibration=table)
        return [
            label if label.confidence >= MIN_CONFIDENCE else refiner.label_vector(label, vectors[i : i + 1])
            for label, i in zip(labels, ids, strict=True)
        ]


class Held:
    """Labels of train blocks, each from a pipeline fitted on the given other threads only."""

    def __init__(self, threads: Threads, vectors: Matrix, examples: tuple[Matrix, list[str]],
                 folds: list[list[int]], fitted_on: list[list[int]]) -> None:  # fmt: skip
        self.folds = folds
        self.vectors = vectors
        self.pipelines = [Pipeline(threads, ids, vectors, examples) for ids in fitted_on]
        self.raw = [lab for p, fold in zip(self.pipelines, folds, strict=True) for lab in p.cue_labels(threads, fold)]
        self.gold = [threads[i][0] for fold in folds for i in fold]
        self.calibrated = self.raw

    def calibrate(self, table: Calibration) -> None:
        """Calibrate the cue labels with ``table`` (the bot's labels are calibrated before the head is asked)."""
        self.calibrated = [Label(lab.activity, table(lab.confidence), lab.reason) for lab in self.raw]

    def refined(self, rule: tuple[float, float]) -> list[Label]:
        """The calibrated labels with the head's second opinion under ``rule``, raw head confidences."""
        out: list[Label] = []
        start = 0
        for pipeline, fold in zip(self.pipelines, self.folds, strict=True):
            out += pipeline.refined(self.calibrated[start : start + len(fold)], self.vectors, fold, rule, IDENTITY)
            start += len(fold)
        return out


class _NoEmbedder(Embedder):
    """The refiner's embedder is never called here: the vectors are computed once up front."""

    def __init__(self) -> None:
        super().__init__("unused")


def nb_for(threads: Threads, ids: Sequence[int]) -> ProblemInfoModel:
    """The problem-vs-information model fitted on these threads as the recogniser reads them (opening and replies)."""
    problems = [model_example(threads[i][1]) for i in ids if threads[i][0] == Activity.PROBLEM_SOLVING.value]
    informations = [
        model_example(threads[i][1]) for i in ids if threads[i][0] == Activity.REQUEST_FOR_INFORMATION.value
    ]
    return fit_model(problems, informations)


def classes(labels: Sequence[Label]) -> list[str]:
    """The folded gold-comparable class of each label."""
    return [folded(label.activity.value) for label in labels]


def macro(gold: Sequence[str], labels: Sequence[Label]) -> float:
    """Macro-F1 over the four gold classes."""
    scores = per_class_f1(gold, classes(labels))
    return sum(scores.values()) / len(scores)


def interval(gold: Sequence[str], labels: Sequence[Label], rounds: int = BOOTSTRAP) -> tuple[float, float]:
    """The 5th and 95th percentile of macro-F1 over bootstrap resamples of the threads (fixed seed)."""
    import random

    rng = random.Random(17)
    predicted = classes(labels)
    n = len(gold)
    scores = []
    for _ in range(rounds):
        picks = [rng.randrange(n) for _ in range(n)]
        f1 = per_class_f1([gold[i] for i in picks], [predicted[i] for i in picks])
        scores.append(sum(f1.values()) / len(f1))
    scores.sort()
    return scores[int(0.05 * rounds)], scores[int(0.95 * rounds) - 1]


def reliability(title: str, gold: Sequence[str], labels: Sequence[Label]) -> None:
    """Predicted confidence against observed accuracy, by decile of confidence."""
    print(f"\n== reliability, {title}: confidence decile | labels | mean confidence | observed accuracy")
    for decile in range(10):
        low, high = decile / 10, (decile + 1) / 10
        chosen = [
            (label.confidence, folded(label.activity.value) == g)
            for label, g in zip(labels, gold, strict=True)
            if low <= label.confidence < high or (decile == 9 and label.confidence == 1.0)
        ]
        if chosen:
            mean = sum(c for c, _ in chosen) / len(chosen)
            accuracy = sum(ok for _, ok in chosen) / len(chosen)
            print(f"  {low:.1f}-{high:.1f} | {len(chosen):4d} | {mean:.3f} | {accuracy:.3f}")
    for floor in (0.3, 0.5, 0.7):
        kept = [folded(lab.activity.value) == g for lab, g in zip(labels, gold, strict=True) if lab.confidence >= floor]
        share = len(kept) / len(labels)
        precision = sum(kept) / len(kept) if kept else 0.0
        print(f"  min_confidence {floor}: acts on {share:.0%} of threads, {precision:.3f} of them right")


def main(argv: Sequence[str]) -> int:
    """Fit on the earlier threads, report on the later ones, and write the shipped files."""
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="sentence-transformers model name or folder")
    parser.add_argument("--cache", type=Path, help="keep the thread embeddings in this .npy file between runs")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the shipped files")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"f2chat data not found at {DATA}; nothing fitted (set COPBOT_DATA to the shared data folder).")
        return 0
    threads = load(DATA)
    train, test = time_split(DATA)
    embedder = Embedder(args.model)
    if args.cache is not None and args.cache.is_file():
        vectors = np.load(args.cache)
    else:
        vectors = embedder.embed([thread_text(messages) for _, messages in threads])
        if args.cache is not None:
            np.save(args.cache, vectors)
    example_texts = [text for texts in EXAMPLES.values() for text in texts]
    examples = (embedder.embed(example_texts), [a.value for a, texts in EXAMPLES.items() for _ in texts])
    print(f"F2Chat spring-boot (Pan et al., ASE 2021), {DATA}: {len(train)} earlier threads train, {len(test)} test")

    # Labels of the train part from models that did not see them, in blocks of consecutive weeks. Choices (the
    # combination rule) are made by forward validation: each of blocks 2-5 is judged by models fitted on the earlier
    # blocks only, as the test is. The calibration tables are cross-fitted (each block labelled by models fitted on
    # the other four), so the confidences they map come from models about as strong as the shipped ones.
    size = -(-len(train) // FOLDS)
    blocks = [train[k * size : (k + 1) * size] for k in range(FOLDS)]
    forward = Held(
        threads, vectors, examples, blocks[1:], [[i for b in blocks[:k] for i in b] for k in range(1, FOLDS)]
    )
    crossed = Held(threads, vectors, examples, blocks, [[i for b in blocks if b is not f for i in b] for f in blocks])
    cues_table = fit_isotonic(
        [lab.confidence for lab in crossed.raw],
        [c == g for c, g in zip(classes(crossed.raw), crossed.gold, strict=True)],
    )
    forward.calibrate(cues_table)
    crossed.calibrate(cues_table)
    print(f"validation ({len(forward.gold)} threads of train blocks 2-5) macro-F1, cues + naive Bayes: "
          f"{macro(forward.gold, forward.raw):.3f}")  # fmt: skip
    rules = [(weight, overrule) for weight in CUE_WEIGHTS for overrule in OVERRULES]
    grid = {r: macro(forward.gold, forward.refined(r)) for r in rules}
    print("validation macro-F1 by (cue weight, overrule):", {r: round(v, 3) for r, v in grid.items()})
    best = max(rules, key=grid.__getitem__)
    rule = (CUE_WEIGHT, OVERRULE)  # what the bot runs (copbot/semantic/activity.py) is what is measured
    pairs = zip(crossed.refined(rule), crossed.calibrated, crossed.gold, strict=True)
    changed = [(lab, g) for lab, before, g in pairs if lab != before]
    head_table = fit_isotonic(
        [lab.confidence for lab, _ in changed], [folded(lab.activity.value) == g for lab, g in changed]
    )
    print(f"best on the validation labels: cue weight {best[0]}, overrule {best[1]} ({grid[best]:.3f}); the bot's "
          f"{rule} ({grid[rule]:.3f}) ships; calibration points: cues {len(cues_table.points)}, "
          f"embeddings {len(head_table.points)}")  # fmt: skip

    # The shipped models: fitted on the whole train part; measured on the later threads.
    final = Pipeline(threads, train, vectors, examples)
    gold = [threads[i][0] for i in test]
    cues_only = [Recogniser(use_model=False, calibration=cues_table).label_thread(threads[i][1]) for i in test]
    with_nb = final.cue_labels(threads, test, cues_table)
    with_head = final.refined(with_nb, vectors, test, rule, head_table)
    figures = {
        "cues only": report("test: cues only", gold, classes(cues_only)),
        "cues + naive Bayes": report("test: cues + naive Bayes", gold, classes(with_nb)),
        "cues + naive Bayes + embedding head": report(
            "test: cues + naive Bayes + embedding head", gold, classes(with_head)
        ),
    }
    print("\n== what each cue family adds (test macro-F1 without that family's cues: cues only | cues + naive Bayes)")
    for family in CUES["en"]:
        without = {a: cues for a, cues in CUES["en"].items() if a is not family}
        alone = Recogniser(use_model=False, calibration=cues_table, cues=without)
        bare = macro(gold, [alone.label_thread(threads[i][1]) for i in test])
        recogniser = Recogniser(model=final.nb, calibration=cues_table, cues=without)
        score = macro(gold, [recogniser.label_thread(threads[i][1]) for i in test])
        print(f"  without {family.value:26s} {bare:.3f} ({bare - figures['cues only']:+.3f}) | "
              f"{score:.3f} ({score - figures['cues + naive Bayes']:+.3f})")  # fmt: skip
    reliability("cues + naive Bayes (extra off)", gold, with_nb)
    reliability("cues + naive Bayes + embedding head (extra on)", gold, with_head)
    print("\n| per-class F1 | " + " | ".join(GOLD_CLASSES) + " | macro |")
    for name, labels in (("cues only", cues_only), ("cues + naive Bayes", with_nb), ("+ embedding head", with_head)):
        scores = per_class_f1(gold, classes(labels))
        low, high = interval(gold, labels)
        print(f"| {name} | " + " | ".join(f"{scores[c]:.3f}" for c in GOLD_CLASSES)
              + f" | {macro(gold, labels):.3f} (90% bootstrap {low:.3f}-{high:.3f}) |")  # fmt: skip
    if args.dry_run:
        return 0
    about = (
        "fitted on the earliest 70% of F2Chat spring-boot threads (Pan et al., ASE 2021) by benchmarks/fit_activity.py"
    )
    model_json = {
        "about": f"Bernoulli naive Bayes, problem_solving vs request_for_information; {about}",
        **final.nb.to_json(),
    }
    (RECOGNITION / MODEL_FILE).write_text(json.dumps(model_json, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    tables = {
        "about": f"isotonic, on cross-fitted labels of 5 time blocks of the train part; {about}",
        "cue_weight": rule[0],
        "overrule": rule[1],
        "tables": {"cues": cues_table.to_json(), "embeddings": head_table.to_json()},
    }
    (RECOGNITION / CALIBRATION_FILE).write_text(json.dumps(tables) + "\n", encoding="utf-8")
    head: ActivityHead = final.head
    HEAD_OUT.write_text(json.dumps(head.to_json()) + "\n", encoding="utf-8")
    print(f"\nwrote {MODEL_FILE}, {CALIBRATION_FILE} and {HEAD_FILE} ({HEAD_OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
