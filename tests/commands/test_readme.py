"""The README's command table lists exactly the declared commands, written as /help writes them."""

from __future__ import annotations

import re
from pathlib import Path

from copbot.commands.catalog import builtin_registry
from copbot.core.roles import Role

README = Path(__file__).resolve().parents[2] / "README.md"


def table_rows() -> dict[str, tuple[str, str]]:
    """Usage form -> (who, what) for each row of the table under "Using copbot in chat"."""
    section = README.read_text(encoding="utf-8").split("## Using copbot in chat", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and cells[0].startswith("`"):
            for form in re.findall(r"`([^`]+)`", cells[0]):
                rows[form] = (cells[1], cells[2])
    return rows


def test_the_readme_table_is_the_declared_commands() -> None:
    registry = builtin_registry()
    declared = {form: spec for spec in registry.specs() for form in spec.usage_forms("/")}
    rows = table_rows()
    assert sorted(rows) == sorted(declared)
    for form, (who, what) in rows.items():
        spec = declared[form]
        sub = spec.subcommand(form.split()[1]) if spec.subcommands else None
        role = max(spec.role, sub.role if sub else Role.MEMBER)
        if role is Role.MEMBER:
            assert who in {"members", "the asker (or a moderator)"}, form
        else:
            assert who == {Role.EDITOR: "knowledge editors, moderators", Role.MODERATOR: "moderators"}[role], form
        assert what.startswith("*Private.*") is spec.private, form
