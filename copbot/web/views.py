"""The pages as HTML text, from the reads in ``queries``: one function per page kind, for the server and the export."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.config.sections import ACTIVITY_IDS
from copbot.knowledge.search.filters import SearchFilters, SearchHit
from copbot.store.models import EntryMessage
from copbot.web import queries
from copbot.web.markup import cut, highlighted, json_ld, markdown
from copbot.web.site import Site, entry_path

NEWEST = 20
LISTED = 100
SEARCHED = 20
DESCRIPTION_CHARS = 200
ANONYMOUS = "A member"


@functools.cache
def environment() -> Environment:
    """The templates, autoescaped (every chat text is escaped unless it went through ``markup.markdown``)."""
    env = Environment(
        loader=PackageLoader("copbot.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are compiled once per process, never checked against the files again
    )
    env.filters.update(markdown=markdown, highlighted=highlighted, activity=activity_name)
    env.globals.update(entry_path=entry_path)
    return env


def activity_name(activity: str | None) -> str:
    """``problem_solving`` as ``problem solving``."""
    return (activity or "").replace("_", " ")


@dataclass(frozen=True)
class Page:
    """What every page template gets besides its own data."""

    site: Site
    base: str
    """The public URL without a trailing slash (``[web] base_url``, or the request's scheme and host)."""
    static: bool = False
    """Written by ``copbot web export``: links end in ``/`` (folders with an index.html) and search is Pagefind's."""

    def render(self, template: str, **data: Any) -> str:
        """The template with ``data``, the site name and the base URL."""
        return (
            environment()
            .get_template(template)
            .render(site_name=self.site.name, base=self.base, static=self.static, **data)
        )


async def home(page: Page, session: AsyncSession) -> str:
    """Search box, newest entries, tags and the practice activities."""
    channels = page.site.channels
    return page.render(
        "home.html",
        entries=await queries.newest(session, channels, NEWEST),
        tags=await queries.tag_counts(session, channels),
        activities=await queries.activity_counts(session, channels),
        canonical=page.base + "/",
    )


def search_filters(tag: str, activity: str, solved: bool) -> SearchFilters:
    """The filters of the search form (the caller has checked them)."""
    return SearchFilters(tags=(tag,) if tag else (), activity=activity or None, solved_only=solved)


async def results(page: Page, session: AsyncSession, text: str, filters: SearchFilters) -> tuple[str, list[SearchHit]]:
    """The search page: the hits of ``/search``'s search, with highlighted snippets."""
    hits = await queries.find(session, page.site.channels, text, filters, SEARCHED)
    html = page.render(
        "search.html", query=text, hits=hits, filters=filters, activities=ACTIVITY_IDS,
        tag=filters.tags[0] if filters.tags else "", canonical=None,
    )  # fmt: skip
    return html, hits


async def listing(page: Page, session: AsyncSession, *, tag: str = "", activity: str = "") -> str:
    """A tag's or a practice activity's page, or with neither the shared resources: entries, newest first."""
    channels = page.site.channels
    if not tag and not activity:
        entries = await queries.resources(session, channels, LISTED)
        heading, path = "Shared resources", "/resources"
    elif tag:
        entries = await queries.tagged(session, channels, tag, LISTED)
        heading, path = f"Tagged #{tag}", f"/tags/{tag}"
    else:
        entries = await queries.of_activity(session, channels, activity, LISTED)
        heading, path = f"Practice: {activity_name(activity)}", f"/activities/{activity}"
    return page.render("listing.html", heading=heading, entries=entries, canonical=page.base + path)


def author(page: Page, message: EntryMessage | None) -> str:
    """The name shown for a message's author: theirs when ``[web] show_names``, else an anonymous one."""
    if message is not None and page.site.web.show_names and message.author_name:
        return message.author_name
    return ANONYMOUS


def entry(page: Page, shown: queries.Shown) -> str:
    """The entry page: question, accepted answers marked, the rest of the discussion, tags, activity, dates."""
    item = shown.entry
    canonical = page.base + shown.path
    description = cut(shown.question.text if shown.question else item.summary or item.title, DESCRIPTION_CHARS)
    return page.render(
        "entry.html", shown=shown, entry=item, canonical=canonical, description=description,
        author=lambda message: author(page, message), structured=json_ld(structured(page, shown, canonical)),
    )  # fmt: skip


def _answer(page: Page, message: EntryMessage, url: str) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Answer", "text": message.text, "url": url, "upvoteCount": 0,
                            "author": {"@type": "Person", "name": author(page, message)}}  # fmt: skip
    if message.created_at is not None:
        data["dateCreated"] = message.created_at.isoformat()
    return data


def structured(page: Page, shown: queries.Shown, canonical: str) -> dict[str, Any]:
    """schema.org data: a QAPage with the accepted answers for a question, a CreativeWork for a resource."""
    item = shown.entry
    if item.kind == "resource":
        work: dict[str, Any] = {"@context": "https://schema.org", "@type": "CreativeWork", "name": item.title,
                                "url": canonical, "dateCreated": item.created_at.isoformat()}  # fmt: skip
        if item.resource_url:
            work["sameAs"] = item.resource_url
        return work
    answers = [_answer(page, message, f"{canonical}#answer-{message.id}") for message in shown.answers]
    others = [_answer(page, message, f"{canonical}#message-{message.id}") for message in shown.others]
    question: dict[str, Any] = {
        "@type": "Question", "name": item.title, "text": shown.question.text if shown.question else item.title,
        "dateCreated": item.created_at.isoformat(), "answerCount": len(answers) + len(others),
        "author": {"@type": "Person", "name": author(page, shown.question)},
    }  # fmt: skip
    if answers:
        question["acceptedAnswer"] = answers if len(answers) > 1 else answers[0]
    if others:
        question["suggestedAnswer"] = others
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question}


def error(page: Page, status: int, title: str, text: str) -> str:
    """A friendly error page (the status code is the caller's)."""
    return page.render("error.html", status=status, title=title, text=text, canonical=None)
