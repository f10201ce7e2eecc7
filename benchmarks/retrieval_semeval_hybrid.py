"""SemEval-2016 Task 3 subtask B through the product's own command line: `kb import`, then `kb search`, lexical
against hybrid, the fusion weight chosen on train-part2 and dev run once with it.

Each data set is imported once with `copbot kb import` (which embeds when [semantic] is on); every original
question is then searched with `copbot kb search --queries` within its 10 related questions, once per config
(lexical, and hybrid at each fusion weight). Needs the semantic extra; --model is a sentence-transformers folder.
Run: python benchmarks/retrieval_semeval_hybrid.py [--model PATH] [--weights 0.3,0.5,0.7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from retrieval_semeval import Question, load, scores  # noqa: E402

from copbot.cli.main import main as copbot  # noqa: E402

DATA_DIR = Path(os.environ.get("COPBOT_DATA", ROOT.parent / "shared" / "data")) / "semeval2016-task3"
TRAIN = DATA_DIR / "SemEval2016-Task3-CQA-QL-train-part2.xml"
DEV = DATA_DIR / "SemEval2016-Task3-CQA-QL-dev.xml"
DEFAULT_WEIGHTS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def run_cli(argv: list[str]) -> str:
    """Run `copbot ARGV` in this process; its standard output (a non-zero exit is an error)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = copbot(argv)
    if code != 0:
        raise RuntimeError(f"copbot {' '.join(argv)} exited {code}")
    return out.getvalue()


class Dataset:
    """One SemEval file imported into its own SQLite file through `copbot kb import`."""

    def __init__(self, path: Path, directory: Path, model: str) -> None:
        self.questions, lines = load(path)
        self.directory = directory
        self.model = model
        entries = directory / "entries.jsonl"
        entries.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        queries = [
            {"id": q.id, "query": q.text, "within": [rid for _, rid, _ in q.candidates]}
            for q in self.questions.values()
        ]
        self.queries = directory / "queries.jsonl"
        self.queries.write_text("".join(json.dumps(query) + "\n" for query in queries), encoding="utf-8")
        run_cli(["kb", "import", str(entries), "--config", str(self.config(0.8))])

    def config(self, weight: float | None) -> Path:
        """A config over this data set's database: lexical (None) or hybrid with this fusion weight."""
        path = self.directory / f"copbot-{weight}.toml"
        text = f'[database]\nurl = "sqlite+aiosqlite:///{self.directory / "kb.sqlite3"}"\n'
        if weight is not None:
            text += f'[semantic]\nenabled = true\nmodel = "{self.model}"\nfusion_weight = {weight}\n'
        path.write_text(text, encoding="utf-8")
        return path

    def rankings(self, weight: float | None) -> list[list[bool]]:
        """Each question's candidates as `copbot kb search` orders them (unfound ones after, in the original order)."""
        config = str(self.config(weight))
        output = run_cli(["kb", "search", "--queries", str(self.queries), "--limit", "10", "--config", config])
        found = {record["id"]: [hit["id"] for hit in record["hits"]] for record in map(json.loads, output.splitlines())}
        return [ranked(question, found[question.id]) for question in self.questions.values()]


def ranked(question: Question, found: list[str]) -> list[bool]:
    """Relevance flags of the candidates in the order found, then the rest in the search engine's order."""
    relevant = {rid: flag for _, rid, flag in question.candidates}
    order = [rid for _, rid, _ in question.candidates]
    return [relevant[rid] for rid in found + [rid for rid in order if rid not in found]]


def line(name: str, rankings: list[list[bool]]) -> str:
    """One result row."""
    mean_ap, mrr, p_at_1 = scores(rankings)
    return f"{name:38s} MAP {mean_ap:6.2f}  MRR {mrr:6.2f}  P@1 {p_at_1:6.2f}"


def main(argv: Sequence[str]) -> int:
    """Choose the fusion weight on train-part2, then score dev once with it, lexical and hybrid."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--weights", default=",".join(map(str, DEFAULT_WEIGHTS)))
    args = parser.parse_args(argv)
    if not TRAIN.is_file() or not DEV.is_file():
        print(f"SemEval-2016 Task 3 data not found in {DATA_DIR}; nothing to benchmark (set COPBOT_DATA).")
        return 0
    weights = [float(w) for w in args.weights.split(",")]
    with tempfile.TemporaryDirectory() as train_dir, tempfile.TemporaryDirectory() as dev_dir:
        train = Dataset(TRAIN, Path(train_dir), args.model)
        print(f"train-part2: {len(train.questions)} questions (Nakov et al. 2016, SemEval-2016 Task 3)")
        print(line("lexical", train.rankings(None)))
        grid = {weight: train.rankings(weight) for weight in weights}
        for weight, rankings in grid.items():
            print(line(f"hybrid, fusion weight {weight:.2f}", rankings))
        best = max(weights, key=lambda weight: (scores(grid[weight])[0], -abs(weight - 0.5)))
        print(f"chosen on train-part2: fusion weight {best}")
        dev = Dataset(DEV, Path(dev_dir), args.model)
        print(f"\ndev: {len(dev.questions)} questions, run once")
        original = [[flag for _, _, flag in q.candidates] for q in dev.questions.values()]
        print(line("search engine (original order)", original))
        print(line("copbot kb search, lexical", dev.rankings(None)))
        print(line(f"copbot kb search, hybrid (weight {best})", dev.rankings(best)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
