"""How often the recogniser would act on ordinary social chat: NPS Chat posts labelled confidently.

Dataset: the NPS Chat Corpus, Release 1.0 (Forsyth and Martell, ICSC 2007), as distributed with NLTK.
Run: .venv/bin/python benchmarks/activity_noise.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from activity_f2chat import DATA_DIR  # noqa: E402

from copbot.activities.recognition.recogniser import Recogniser  # noqa: E402

POSTS = DATA_DIR / "nps_chat" / "posts.jsonl"
MIN_CONFIDENCE = 0.5


def main() -> int:
    """Print how many posts get an activity other than `other` at the default threshold, by dialogue act."""
    if not POSTS.is_file():
        print(f"NPS Chat posts not found at {POSTS}; nothing to measure (Forsyth and Martell, ICSC 2007).")
        return 0
    recogniser = Recogniser()
    posts = [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    acted: Counter[str] = Counter()
    for post in posts:
        label = recogniser.label_message(str(post["text"]))
        if label.activity.value != "other" and label.confidence >= MIN_CONFIDENCE:
            acted[str(post["class"])] += 1
    total = sum(acted.values())
    print(f"NPS Chat (Forsyth and Martell, ICSC 2007): {len(posts)} posts from {POSTS}")
    print(f"labelled with an activity at confidence >= {MIN_CONFIDENCE}: {total} ({total / len(posts):.1%})")
    print(f"by dialogue act: {dict(acted.most_common())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
