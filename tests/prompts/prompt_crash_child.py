"""Child process for the prompt crash test: start the bot with one prompt; ``force`` makes its run due at once.

Every post is appended (and fsynced) to a file before the send returns, so the parent counts what reached the
channel even when this process is killed. ``COPBOT_TEST_DIE_AT`` (read at start) names where a run kills it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.core.adapter import Outgoing, SentMessage
from copbot.core.events import Place
from copbot.prompts.jobs import job_id
from copbot.prompts.triggers import build_trigger, latest_fire_time

PROMPT = "daily"
CONFIG = """
[database]
url = "{url}"
[scheduler]
misfire_grace_minutes = 10080
leader_retry_seconds = 0.5
[[prompts]]
name = "daily"
channel = "general"
platform = "crash"
cron = "0 0 * * *"
texts = ["Good morning, what are you working on?"]
"""
SETTLE_SECONDS = 1.0
"""How long a restarted bot runs (after it leads the scheduler) before stopping: jobs due at start run by then."""


class RecordingAdapter(MemoryAdapter):
    """The memory adapter, also writing each post to a file that survives the process."""

    def __init__(self, posts: Path) -> None:
        super().__init__(platform="crash")
        self.posts = posts

    async def send(self, place: Place, content: Outgoing, *, reply_to: str | None = None) -> SentMessage:
        sent = await super().send(place, content, reply_to=reply_to)
        with self.posts.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {sent.id} {content.text}\n")
            handle.flush()
            os.fsync(handle.fileno())
        return sent


async def main(url: str, posts: str, mode: str) -> None:
    settings = parse_settings(CONFIG.format(url=url), source="crash.toml")
    app = Application(settings, adapters=[RecordingAdapter(Path(posts))])
    await app.start()
    try:
        for _ in range(200):  # on PostgreSQL a restarted process leads once the dead one's lock is gone
            if app.prompt_scheduler is not None and app.prompt_scheduler.scheduler is not None:
                break
            await asyncio.sleep(0.05)
        scheduler = app.prompt_scheduler
        assert scheduler is not None and scheduler.scheduler is not None, "this process never led the scheduler"
        if mode == "force":
            [prompt] = settings.prompts
            due = latest_fire_time(build_trigger(prompt), datetime.now(UTC))
            scheduler.scheduler.modify_job(job_id(PROMPT), next_run_time=due)
            await asyncio.sleep(10)  # the run kills this process long before
            sys.exit(3)
        await asyncio.sleep(SETTLE_SECONDS)
    finally:
        await app.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
