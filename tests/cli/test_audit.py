"""``copbot audit``: the audit log as a table, newest first, from the configured database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from copbot.cli.audit import format_table
from copbot.cli.main import main
from copbot.members import audit
from copbot.store.models import AuditLog
from tests.cast import ALICE, MOD
from tests.community_harness import running_bot, settings_text


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "copbot.toml"
    path.write_text(settings_text(tmp_path), encoding="utf-8")
    return path


async def seed_audit(tmp_path: Path) -> None:
    """Two moderator actions, recorded the way commands record them."""
    async with running_bot(tmp_path) as bot, bot.services.sessions.begin() as session:
        audit.record(session, "memory", MOD, "pin", "kb3", "pinned 'How to\nmake sourdough'")
        await session.flush()
        newer = AuditLog(
            at=datetime(2030, 1, 1, 12, 0, tzinfo=UTC),
            platform="matrix",
            actor_id="@alice:example.org",
            actor_name=ALICE.name,
            action="kb_delete",
            target="kb7",
            detail="x" * 200,
        )
        session.add(newer)


def test_audit_prints_a_table_newest_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    asyncio.run(seed_audit(tmp_path))

    code = main(["audit", "--config", str(config)])

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["time", "platform", "actor", "action", "target", "detail"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 4
    assert lines[2].startswith("2030-01-01 12:00:00 UTC")
    assert "Alice (@alice:example.org)" in lines[2]
    assert "kb_delete" in lines[2]
    assert lines[2].endswith("…"), "long details are cut"
    assert "Morgan (u-mod)" in lines[3]
    assert "pinned 'How to make sourdough'" in lines[3], "details stay on one line"
    assert lines[2].index("kb_delete") == lines[3].index("pin"), "columns line up"


async def pin_and_delete(tmp_path: Path) -> None:
    """A moderator pins a thread with /pin and deletes the entry with /kb delete."""
    async with running_bot(tmp_path) as bot:
        opener = await bot.mem.post(ALICE, "Where is the spare key for the lab?")
        await bot.mem.post(MOD, "In the blue box by the door.", thread=opener.id)
        await bot.mem.command(MOD, "/pin", thread=opener.id)
        await bot.mem.command(MOD, "/kb delete kb1")


def test_audit_shows_real_moderator_actions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    asyncio.run(pin_and_delete(tmp_path))

    assert main(["audit", "--config", str(config)]) == 0

    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[6] for row in rows] == ["kb.delete", "kb.pin"]
    assert all("Morgan (u-mod)" in row and "memory" in row and "kb1" in row for row in rows)


def test_audit_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    asyncio.run(seed_audit(tmp_path))

    assert main(["audit", "--limit", "1", "--config", str(config)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert "kb_delete" in lines[2]


def test_audit_rejects_a_limit_below_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["audit", "--limit", "0", "--config", str(write_config(tmp_path))])
    assert exited.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_audit_on_an_empty_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    capsys.readouterr()

    assert main(["audit", "--config", str(config)]) == 0

    assert "the audit log is empty" in capsys.readouterr().out


def test_audit_before_the_database_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--config", str(write_config(tmp_path))]) == 1
    assert "copbot db upgrade" in capsys.readouterr().out


def test_format_table_pads_columns() -> None:
    table = format_table([("a", "long value"), ("bbbb", "v")], headers=("h1", "h2"))
    assert table.splitlines() == ["h1    h2", "----  ----------", "a     long value", "bbbb  v"]
