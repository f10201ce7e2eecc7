"""Time label_message over every F2Chat spring-boot message, and print a digest of every label it gives.

Two checkouts label the same corpus identically when they print the same digest: it covers each message labelled
with and without the naive Bayes, each thread labelled with and without it, and the model's features of each
thread (the opening and its first replies). The time is the process's CPU time per message, the best of
``--rounds`` passes, each with a fresh recogniser (so no text is found in the score cache).
Run from the repository root: python benchmarks/activity_speed.py [--rounds 3] [--dump FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from activity_f2chat import DATA  # noqa: E402

from copbot.activities.recognition.model import thread_features  # noqa: E402
from copbot.activities.recognition.recogniser import THREAD_READ, Recogniser  # noqa: E402


def labels(threads: Sequence[list[str]]) -> list[str]:
    """Every label and feature set, one line each, in a fixed order."""
    texts = [text for messages in threads for text in messages]
    with_model, cues_only = Recogniser(), Recogniser(use_model=False)
    lines = [repr(with_model.label_message(text)) for text in texts]
    lines += [repr(cues_only.label_message(text)) for text in texts]
    for messages in threads:
        lines += [repr(with_model.label_thread(messages)), repr(cues_only.label_thread(messages))]
        lines.append(repr(sorted(thread_features(messages[0], messages[1:THREAD_READ])) if messages else []))
    return lines


def cpu_per_message(texts: Sequence[str], rounds: int) -> float:
    """The best CPU time per message of ``rounds`` passes, in microseconds."""
    best = float("inf")
    for _ in range(rounds):
        recogniser = Recogniser()
        start = time.process_time()
        for text in texts:
            recogniser.label_message(text)
        best = min(best, time.process_time() - start)
    return best / len(texts) * 1e6


def main(argv: Sequence[str]) -> int:
    """Print the digest of all labels and the time per message."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the corpus; the best one counts")
    parser.add_argument("--dump", type=Path, help="also write every label, one a line, to this file")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"f2chat data not found at {DATA}; nothing to measure (set COPBOT_DATA to the shared data folder).")
        return 0
    threads = [[str(m.get("text") or "") for m in t["messages"]] for t in json.loads(DATA.read_text("utf-8"))]
    texts = [text for messages in threads for text in messages]
    lines = labels(threads)
    if args.dump is not None:
        args.dump.write_text("\n".join(lines), encoding="utf-8")
    digest = hashlib.sha1("\n".join(lines).encode()).hexdigest()
    print(f"{len(texts):,} messages, {len(threads):,} threads: labels sha1 {digest}")
    micros = cpu_per_message(texts, args.rounds)
    print(f"label_message {micros:.1f} us/message CPU ({1e6 / micros:,.0f}/s), load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
