"""Run copbot's real CLI against a Discord stand-in: only discord.py's REST base and gateway URL change."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import discord
import yarl
from discord.gateway import DiscordWebSocket

from copbot.cli.main import main as copbot_main


def point_discord_at(api: str, gateway: str) -> None:
    """Send discord.py's REST calls to ``api`` and open its gateway at ``gateway`` (a plain Client hard-codes it)."""
    discord.http.Route.BASE = api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tests.e2e.discord_launch --api URL --gateway URL --config FILE [COMMAND ...]`` (default: run)."""
    parser = argparse.ArgumentParser(prog="discord_launch", description=__doc__)
    parser.add_argument("--api", required=True, help="REST base, e.g. http://127.0.0.1:PORT/api/v10")
    parser.add_argument("--gateway", required=True, help="gateway URL, e.g. ws://127.0.0.1:PORT/gateway")
    parser.add_argument("--config", required=True, help="the copbot TOML config")
    args, command = parser.parse_known_args(argv)
    point_discord_at(args.api, args.gateway)
    return copbot_main([*(command or ["run"]), "--config", args.config])


if __name__ == "__main__":
    sys.exit(main())
