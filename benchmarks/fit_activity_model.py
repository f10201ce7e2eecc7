"""Fit the problem-vs-information tie-breaker on f2chat spring-boot (Pan et al., ASE 2021).

Writes copbot/activities/recognition/problem_info_model.json. Only the domain-neutral words in
copbot.activities.recognition.model.VOCABULARY are features, so no spring-boot jargon is learnt.
Run: .venv/bin/python benchmarks/fit_activity_model.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from copbot.activities.recognition.model import MODEL_FILE, fit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "f2chat" / "spring-boot.json"
OUT = ROOT / "copbot" / "activities" / "recognition" / MODEL_FILE


def main() -> int:
    """Fit on the opening message of every problem or information thread and save the weights."""
    if not DATA.is_file():
        print(f"f2chat data not found at {DATA}; model not refitted.")
        return 0
    threads = json.loads(DATA.read_text(encoding="utf-8"))
    problems = [t["messages"][0]["text"] or "" for t in threads if t["intention"].endswith("_problem")]
    informations = [t["messages"][0]["text"] or "" for t in threads if t["intention"].endswith("_information")]
    model = fit(problems, informations)
    payload = {
        "about": "Bernoulli naive Bayes, problem_solving vs request_for_information; "
        "fitted on f2chat spring-boot opening messages (Pan et al., ASE 2021) by "
        "benchmarks/fit_activity_model.py",
        **model.to_json(),
    }
    OUT.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    strongest = sorted(model.weights.items(), key=lambda item: item[1])
    print(
        f"fitted on {len(problems)} problem and {len(informations)} information threads; "
        f"{len(model.weights)} weights -> {OUT}"
    )
    print("most information-like:", ", ".join(f"{w} {v:+.2f}" for w, v in strongest[:10]))
    print("most problem-like:   ", ", ".join(f"{w} {v:+.2f}" for w, v in strongest[-10:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
