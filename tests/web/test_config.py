"""The [web] table: off and publishing nothing by default, strict values, what check-config says; the rate limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copbot.config.errors import ConfigError
from copbot.config.settings import parse_settings
from copbot.web.server import RateLimit

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_publish_nothing() -> None:
    web = parse_settings("").web
    assert (web.enabled, web.bind, web.base_url, web.published_channels, web.show_names) == (
        False, "127.0.0.1:8080", "", [], False,
    )  # fmt: skip
    assert web.host_port == ("127.0.0.1", 8080)
    assert parse_settings('[web]\nbase_url = "https://kb.example.org/"').web.base_url == "https://kb.example.org"


@pytest.mark.parametrize(
    ("toml", "named"),
    [('[web]\nbase_url = "kb.example.org"', "web.base_url"), ('[web]\nbind = "8080"', "web.bind"),
     ("[web]\npublished = []", "web.published"), ('[web]\nenabled = "yes"', "web.enabled")],
)  # fmt: skip
def test_bad_values_name_their_key(toml: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        parse_settings(toml, source="t.toml")


def test_check_config_says_what_the_web_publishes(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[web]\nenabled = true\nbind = "127.0.0.1:9999"\npublished_channels = ["general"]\n')
    shown = subprocess.run([sys.executable, "-m", "copbot", "check-config", str(config)], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "web: on at 127.0.0.1:9999, publishing general" in shown


def test_the_rate_limit_slides_and_forgets_quiet_addresses() -> None:
    now = [0.0]
    limit = RateLimit(2, now=lambda: now[0])
    assert [limit.allow("a"), limit.allow("a"), limit.allow("a"), limit.allow("b")] == [True, True, False, True]
    now[0] = 61.0
    assert limit.allow("a")
    for number in range(10_001):
        limit.allow(f"10.0.{number // 256}.{number % 256}")
    now[0] = 200.0
    limit.allow("c")
    assert len(limit._seen) < 100
