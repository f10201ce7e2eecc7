"""Console lines go through the shared text parser: typos get a suggestion, messages are named by their links."""

from __future__ import annotations

import io
from pathlib import Path

from copbot.adapters.console import ConsoleAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings


async def console_session(tmp_path: Path, lines: list[str], prefix: str = "/") -> str:
    """Run copbot on the console with ``lines`` as input until they are all handled; what it printed."""
    settings = parse_settings(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "c.sqlite3"}"\n', base_dir=tmp_path)
    out = io.StringIO()
    console = ConsoleAdapter(
        moderators=["mod"], stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, command_prefix=prefix
    )
    app = Application(settings, adapters=[console])
    await app.start()
    try:
        await console.wait_closed()
    finally:
        await app.stop()
    return out.getvalue()


async def test_a_typo_gets_the_closest_command(tmp_path: Path) -> None:
    printed = await console_session(tmp_path, ["/serch tomato"])
    assert "I don't know the command /serch. Did you mean /search? Type /help to see them all." in printed


async def test_pin_takes_the_console_link_of_a_message(tmp_path: Path) -> None:
    printed = await console_session(
        tmp_path, ["Torque the wheel nuts in a star pattern", ":as mod", "/pin console://general/c1"]
    )
    assert "Saved to the knowledge base as kb1: Torque the wheel nuts in a star pattern." in printed
    assert "Find it with /kb show kb1." in printed


async def test_the_configured_prefix_is_how_commands_are_typed_and_named(tmp_path: Path) -> None:
    printed = await console_session(tmp_path, ["?help", "/help is just chat here", "?ask where is the rota kept?"], "?")
    assert "?kb show ID" in printed and "?solved [MESSAGE]" in printed and "/solved" not in printed
    assert "] you: /help is just chat here" in printed
    assert "mark it with ?solved" in printed


async def test_an_entry_is_named_as_search_shows_it_or_by_its_number(tmp_path: Path) -> None:
    printed = await console_session(
        tmp_path,
        ["Torque the wheel nuts in a star pattern", ":as mod", "/pin console://general/c1",
         "/kb show [kb1]", "/kb show 1", "/kb show KB1", "/kb show 2", "/kb edit 1 title:Wheel nuts",
         "/kb show kb1"],
    )  # fmt: skip
    assert printed.count("Torque the wheel nuts in a star pattern") >= 4  # the message, the pin and three shows
    assert "There is no entry '2'." in printed
    assert "Updated entry kb1: title." in printed
    assert "Wheel nuts" in printed.rsplit("/kb show kb1", 1)[1]
