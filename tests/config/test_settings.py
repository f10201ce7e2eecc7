"""Config loading: the example file is valid, and every kind of mistake is named with its key, line and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from copbot.cli.main import main
from copbot.config.errors import ConfigError, find_line
from copbot.config.settings import load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="bad.toml")
    return str(caught.value)


def test_example_config_loads_and_documents_every_section() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.console_enabled
    assert not settings.discord.enabled and not settings.matrix.enabled
    assert [prompt.name for prompt in settings.prompts] == ["question-of-the-week", "unanswered"]
    example = (ROOT / "config.example.toml").read_text()
    for section in settings.model_dump(exclude={"base_dir", "prompts"}):
        assert f"[{section}]" in example, f"config.example.toml does not document [{section}]"


def test_unknown_key_names_path_line_and_hint() -> None:
    message = error_of('[bot]\nname = "x"\nlog_levle = "INFO"\n')
    assert "bad.toml:3: bot.log_levle" in message
    assert "check its spelling" in message


def test_wrong_type_names_path_line_and_hint() -> None:
    message = error_of('[activity]\nenabled = true\n\ncooldown_minutes = "soon"\n')
    assert "bad.toml:4: activity.cooldown_minutes" in message
    assert "write a number" in message


def test_error_inside_array_of_tables_points_at_the_right_entry() -> None:
    text = (
        '[[prompts]]\nname = "a"\nchannel = "c"\ncron = "0 9 * * 1"\ntexts = ["x"]\n'
        '[[prompts]]\nname = "b"\nchannel = "c"\ntimezone = "Mars/Olympus"\ncron = "0 9 * * 1"\ntexts = ["y"]\n'
    )
    message = error_of(text)
    assert "bad.toml:9: prompts[1].timezone" in message
    assert "IANA" in message


def test_literal_secret_is_refused_with_the_fix() -> None:
    message = error_of('[discord]\nenabled = true\ntoken = "MTIz.secret"\n')
    assert "bad.toml:3: discord.token" in message
    assert '{ env = "NAME" }' in message


def test_enabled_platform_without_credentials_is_refused() -> None:
    assert 'add token = { env = "DISCORD_TOKEN" }' in error_of("[discord]\nenabled = true\n")
    assert "no credentials" in error_of('[matrix]\nenabled = true\nhomeserver = "http://127.0.0.1:1"\n')


def test_malformed_toml_names_the_line() -> None:
    assert "line 2" in error_of('[bot]\nname = "unterminated\n')


def test_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = parse_settings('[discord]\nenabled = true\ntoken = { env = "COPBOT_TEST_TOKEN" }\n')
    assert settings.discord.token is not None
    monkeypatch.delenv("COPBOT_TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="COPBOT_TEST_TOKEN is not set"):
        settings.discord.token.resolve()
    monkeypatch.setenv("COPBOT_TEST_TOKEN", "abc")
    assert settings.discord.token.resolve() == "abc"


def test_relative_sqlite_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "copbot.toml"
    config.parent.mkdir()
    config.write_text('[database]\nurl = "sqlite+aiosqlite:///data/bot.sqlite3"\n')
    url = load_settings(config).database_url()
    assert url == f"sqlite+aiosqlite:///{tmp_path / 'conf' / 'data' / 'bot.sqlite3'}"


def test_find_line_prefers_the_deepest_key() -> None:
    text = "[activity]\nenabled = true\n[activity.default]\noffer_thread = 3\n"
    assert find_line(text, ["activity", "default", "offer_thread"]) == 4
    assert find_line(text, ["activity", "enabled"]) == 2


def test_check_config_cli_reports_errors_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot]\nlog_level = 'LOUD'\n")
    assert main(["check-config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: bot.log_level" in err
    good = tmp_path / "good.toml"
    good.write_text("[bot]\nname = 'helper'\n")
    assert main(["check-config", str(good)]) == 0
    assert "platforms: console" in capsys.readouterr().out


def test_missing_config_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(tmp_path / "nope.toml")]) == 2
    assert "no such config file" in capsys.readouterr().err


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("copbot 0.")
