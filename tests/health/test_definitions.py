"""Each figure is declared once, as a field with a docstring saying what it counts, and names its CHAOSS metric."""

from __future__ import annotations

import ast
from pathlib import Path

FAMILIES = ("help", "practice", "people", "repository", "rhythm")
HEALTH = Path(__file__).resolve().parents[2] / "copbot" / "health"
LABELS = {"activity", "topic", "prompt", "posted_at", "times", "entries"}
"""Fields that name or date what a figure is about (or, in Uses, are described by the figure holding them)."""
CHAOSS = {
    "Time to First Response": "HelpFigures.first_reply_median_hours",
    "Time to Close": "HelpFigures.solved_median_hours",
    "Activity Dates and Times": "ActivityFigures.weekly",
    "Contributors": "PeopleFigures.weekly_active",
    "New Contributors": "Newcomers.count",
    "Contributor Absence Factor": "TopicAnswerers.answerers",
    "Documentation Usage": "RepositoryFigures.viewed",
}


def figure_fields() -> dict[str, str | None]:
    """Every field of every figure class ("Class.field") with the docstring that follows it, if any."""
    found: dict[str, str | None] = {}
    for family in FAMILIES:
        tree = ast.parse((HEALTH / f"{family}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or node.name == "HelpRequest":
                continue
            for index, item in enumerate(node.body):
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    following = node.body[index + 1] if index + 1 < len(node.body) else None
                    doc = None
                    if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                        doc = str(following.value.value)
                    name = f"{node.name}.{item.target.id}"
                    assert name not in found, f"{name} is declared twice"
                    found[name] = doc
    return found


def test_every_figure_says_what_it_counts() -> None:
    fields = figure_fields()
    assert len(fields) > 30
    undocumented = [name for name, doc in fields.items() if doc is None and name.split(".")[1] not in LABELS]
    assert undocumented == []


def test_each_chaoss_metric_is_named_once_on_its_figure() -> None:
    fields = figure_fields()
    for metric, field in CHAOSS.items():
        naming = [name for name, doc in fields.items() if doc and f'CHAOSS "{metric}"' in doc]
        assert naming == [field], metric
