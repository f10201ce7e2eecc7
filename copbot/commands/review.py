"""``/kb review``: the backfill's answered threads, a few at a time, for editors to accept, reject or retitle."""

from __future__ import annotations

from copbot.backfill.review import SIGNALS, ReviewError, decide, pending, retitle
from copbot.commands.spec import Subcommand, choice, text
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.roles import Role
from copbot.members import audit
from copbot.members.visibility import audience

SHOWN = 3
"""Candidates shown at a time."""
EXCERPT = 200
REVIEW = Subcommand(
    "review",
    "Review past threads a backfill found answered: accept, reject or retitle one",
    (
        choice(
            "decision", "What to do with the candidate", [("accept", "Accept"), ("reject", "Reject"), ("edit", "Edit")]
        ),
        text("candidate", "The candidate's number", placeholder="N"),
        text("title", "The entry's title (with edit)", named=True),
    ),
    Role.EDITOR,
    "review backfilled threads",
)
"""Declared here, offered as a subcommand of /kb."""


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


async def review(ctx: Context, cmd: CommandInvoked) -> None:
    """List the oldest pending candidates, or decide one; every decision is audited."""
    decision, number = cmd.options.get("decision"), cmd.options.get("candidate", "").strip()
    written = ctx.adapter.command_text("kb", "review")
    if decision is None:
        async with ctx.services.sessions() as session:
            shown, total = await pending(session, audience(ctx), limit=SHOWN)
        if not shown:
            await ctx.tell_privately("No answered threads from the past are waiting for review.")
            return
        lines = [f"{total} past threads wait for review; the oldest {len(shown)}:"]
        for item in shown:
            lines.append(f"{item.id}. {item.title} ({SIGNALS.get(item.signal, item.signal)}) {item.url or ''}".rstrip())
            lines.append(f"   Q: {_excerpt(item.question)}")
            if item.answer:
                lines.append(f"   A: {_excerpt(item.answer)}")
        lines.append(f"{written} accept N, {written} reject N, or {written} edit N title:... first.")
        await ctx.tell_privately("\n".join(lines))
        return
    if not number.isdigit():
        await ctx.tell_privately(f"Name the candidate by its number: {written} {decision} N.")
        return
    try:
        async with ctx.services.sessions.begin() as session:
            if decision == "edit":
                title = cmd.options.get("title", "").strip()
                if not title:
                    said = f"Give the new title: {written} edit {number} title:...."
                else:
                    said = await retitle(session, int(number), title)
            else:
                said = await decide(ctx.services, session, int(number), decision, cmd.author.name)
            audit.record(session, ctx.platform, cmd.author, f"kb.review.{decision}", number)
    except ReviewError as error:
        said = str(error)
    await ctx.tell_privately(said)
