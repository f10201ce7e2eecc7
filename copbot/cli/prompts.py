"""The ``copbot prompts`` subcommands: list the scheduled prompts with their next run, or post one now."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.cli.common import open_database, say
from copbot.config.settings import Settings
from copbot.core.adapter import Adapter
from copbot.core.clock import Clock, SystemClock
from copbot.core.events import AnyEvent

log = logging.getLogger(__name__)


def prompt_lines(settings: Settings, now: datetime) -> list[str]:
    """One line per prompt: name, kind, where, schedule, and the next run in the prompt's own timezone."""
    from copbot.prompts.triggers import describe, next_fire_time

    if not settings.prompts:
        return ["no prompts are configured (add [[prompts]] tables to the config file)"]
    lines = []
    for prompt in settings.prompts:
        upcoming = next_fire_time(prompt, now) if prompt.enabled else None
        when = upcoming.strftime("%Y-%m-%d %H:%M %Z (UTC%z)") if upcoming else "never (disabled)"
        lines.append(
            f"{prompt.name}: {prompt.kind} in {prompt.platform}:{prompt.channel}, {describe(prompt)}; next run {when}"
        )
    return lines


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    for line in prompt_lines(settings, SystemClock().now()):
        print(line)
    return 0


async def _ignore(event: AnyEvent) -> None:
    """Events arriving while a prompt is posted from the command line are not handled."""


def _adapters_for(
    settings: Settings, platform: str, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> list[Adapter]:
    """The adapter that posts on ``platform``: a console that only prints, or the configured platform adapter."""
    if platform == "console":
        from copbot.adapters.console import ConsoleAdapter

        return [ConsoleAdapter(user=settings.console.user, room=settings.console.room, stdout=sys.stdout)]
    from copbot.adapters.factory import build_platform_adapters
    from copbot.app import build_registry, build_services

    services = build_services(settings, sessions, clock)
    without_console = settings.model_copy(update={"console": settings.console.model_copy(update={"enabled": False})})
    adapters = build_platform_adapters(without_console, services, build_registry())
    return [adapter for adapter in adapters if adapter.platform == platform]


async def run_prompt_now(settings: Settings, name: str, clock: Clock | None = None) -> int:
    """Post prompt ``name`` now through its platform's adapter and record the run; the exit code."""
    from copbot.prompts.runner import PromptRunner

    prompt = next((p for p in settings.prompts if p.name == name), None)
    if prompt is None:
        known = ", ".join(p.name for p in settings.prompts) or "none"
        print(f"copbot: no prompt named {name!r} (configured: {known})", file=sys.stderr)
        return 2
    clock = clock or SystemClock()
    if prompt.platform == "console":
        say(
            "the console has no room shared with a running bot: this prints the prompt here and records the run "
            "(a console bot running in another terminal will not show it)"
        )
    async with open_database(settings, clock=clock) as sessions:
        adapters = _adapters_for(settings, prompt.platform, sessions, clock)
        if not adapters:
            print(f"copbot: platform {prompt.platform!r} of prompt {name!r} is not enabled", file=sys.stderr)
            return 2
        started = [adapter for adapter in adapters if adapter.platform != "console"]
        for adapter in started:
            await adapter.start(_ignore)
        try:
            result = await PromptRunner(settings, sessions, clock, adapters).run_now(name)
        finally:
            for adapter in started:
                await adapter.stop()
    print(f"prompt {name}: {result.status}" + (f" ({result.detail})" if result.detail else ""), file=sys.stderr)
    return 0 if result.status in ("posted", "skipped") else 1


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(run_prompt_now(settings, args.name))


def register_prompts(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``copbot prompts list`` and ``copbot prompts run NAME``."""
    from copbot.cli.common import add_config_argument

    prompts = sub.add_parser("prompts", help="scheduled prompts and digests")
    prompts_sub = prompts.add_subparsers(dest="prompts_command", required=True)
    listing = prompts_sub.add_parser("list", help="each prompt's kind, channel, schedule and next run time")
    add_config_argument(listing)
    listing.set_defaults(handler=_cmd_list)
    run = prompts_sub.add_parser("run", help="post a prompt now through the configured adapter")
    run.add_argument("name", help="the prompt's name")
    add_config_argument(run)
    run.set_defaults(handler=_cmd_run)
