"""Real texts for the search benchmarks: SemEval-2016 Task 3 questions and comments, F2Chat spring-boot messages."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared/data"
SEMEVAL = [DATA / f"semeval2016-task3/SemEval2016-Task3-CQA-QL-{name}.xml" for name in ("dev", "train-part2")]
F2CHAT = DATA / "f2chat/spring-boot.json"
SOURCES = "SemEval-2016 Task 3 (Nakov et al. 2016) and F2Chat spring-boot (Pan et al., ASE 2021)"
MAX_CHARS = 600
"""Each text is cut to this many characters, so entries stay chat-sized."""


@dataclass
class Corpus:
    """Pools of real texts to recombine into entries, and real questions to search with."""

    titles: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def missing() -> list[Path]:
    """The data files that are not there."""
    return [path for path in [*SEMEVAL, F2CHAT] if not path.exists()]


def _clip(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARS]


def load() -> Corpus:
    """Every subject, body and comment of SemEval, every F2Chat thread (first message asks, the rest reply)."""
    corpus = Corpus(tags=["qatarliving", "spring-boot"])
    for path in SEMEVAL:
        root = ET.parse(path).getroot()
        for original in root.iter("OrgQuestion"):
            subject, body = original.findtext("OrgQSubject", ""), original.findtext("OrgQBody", "")
            query = _clip(f"{subject} {body}")
            if query and query not in corpus.queries:
                corpus.queries.append(query)
        for related in root.iter("RelQuestion"):
            corpus.titles.append(_clip(related.findtext("RelQSubject", "")))
            corpus.bodies.append(_clip(related.findtext("RelQBody", "")))
        corpus.replies.extend(_clip(comment.findtext("RelCText", "")) for comment in root.iter("RelComment"))
    threads = json.loads(F2CHAT.read_text(encoding="utf-8"))
    for thread in threads:
        messages = [_clip(message["text"]) for message in thread["messages"]]
        if not messages:
            continue
        corpus.titles.append(messages[0][:100])
        corpus.bodies.append(messages[0])
        corpus.replies.extend(messages[1:])
        if thread["intention"] not in corpus.tags:
            corpus.tags.append(thread["intention"])
    spring = [_clip(thread["messages"][0]["text"]) for thread in threads if thread["messages"]]
    corpus.queries.extend(spring[: max(0, 200 - len(corpus.queries))])
    corpus.titles = [text for text in corpus.titles if text]
    corpus.bodies = [text for text in corpus.bodies if text]
    corpus.replies = [text for text in corpus.replies if text]
    return corpus


def entry_lines(corpus: Corpus, count: int, *, seed: int = 7, prefix: str = "b") -> Iterator[str]:
    """``count`` JSON lines: a real title and body, an answer and 0-3 discussion messages drawn from real replies."""
    rng = random.Random(seed)
    for number in range(count):
        record = {
            "id": f"{prefix}{number}",
            "title": rng.choice(corpus.titles),
            "question": rng.choice(corpus.bodies),
            "answers": [rng.choice(corpus.replies)],
            "messages": [{"author": f"m{rng.randrange(5000)}", "text": rng.choice(corpus.replies)}
                         for _ in range(rng.randrange(4))],
            "tags": rng.sample(corpus.tags, rng.randrange(3)),
            "source": {"platform": "bench", "room": f"room{rng.randrange(20)}"},
        }  # fmt: skip
        yield json.dumps(record, ensure_ascii=False)
