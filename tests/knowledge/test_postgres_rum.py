"""PostgreSQL search with the RUM index and without it: the same visible results, the same privacy rule."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.knowledge.search.postgres import ranks_inside
from copbot.members.visibility import Audience
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.search_index import RUM_INDEX
from tests.pg_support import SERVER

WORDS = ["pump", "valve", "heater", "fuse", "compost", "seedling", "trellis", "mulch", "drip", "timer", "soil", "frost"]


def _entries() -> Iterator[str]:
    """40 entries over a dozen words, some from a private room, a few repeating a word so term counts differ."""
    for number in range(40):
        words = [WORDS[(number * k) % len(WORDS)] for k in (1, 3, 5)] + [WORDS[number % 4]] * (number % 3)
        room = "garden" if number % 5 else "private-shed"
        source = {"platform": "matrix", "room": room, "public": number % 5 != 0}
        yield json.dumps({"id": f"e{number}", "title": f"note {number} {words[0]}", "question": " ".join(words),
                          "source": source})  # fmt: skip


@dataclass
class Store:
    """One database of the pair: its engine and its sessions."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    name: str


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _create(name: str, owner: str | None) -> None:
    with _admin() as admin:
        if owner is not None:
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(owner)))
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))
        else:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop(name: str, owner: str | None) -> None:
    with _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if owner is not None:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(owner)))


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Store, Store]]:
    """The same entries in two new databases: migrated by the superuser (RUM), and by a plain owner who may not
    create the extension (the migration must still succeed, on the GIN path)."""
    token = secrets.token_hex(4)
    plain_role = f"copbot_plain_{token}"
    names = {f"copbot_test_rum_{token}": None, f"copbot_test_gin_{token}": plain_role}
    for name, owner in names.items():
        await asyncio.to_thread(_create, name, owner)
    stores: list[Store] = []
    try:
        for name, owner in names.items():
            user = owner or "postgres"
            host = SERVER.split("@", 1)[1]
            engine = create_engine(f"postgresql+asyncpg://{user}@{host}/{name}")
            stores.append(Store(engine, session_factory(engine), name))
            assert await migrate.upgrade(engine) == migrate.head_revision()
            report = await import_lines(stores[-1].sessions, _entries())
            assert report.errors == [] and report.created == 40
        yield stores[0], stores[1]
    finally:
        for store in stores:
            await store.engine.dispose()
        for name, owner in names.items():
            await asyncio.to_thread(_drop, name, owner)


async def _ids(store: Store, query: str, filters: SearchFilters) -> list[str]:
    async with store.sessions() as session:
        return [hit.public_id for hit in await search(session, query, filters, limit=10)]


async def test_each_path_is_detected_and_gives_the_same_results(pair: tuple[Store, Store]) -> None:
    rum, gin = pair
    async with rum.sessions() as session:
        assert await ranks_inside(session)
        plan = "\n".join(
            str(row[0])
            for row in await session.execute(
                text(
                    "EXPLAIN SELECT entry_id FROM search_documents WHERE search_vector @@ to_tsquery('english', 'pump')"
                    " ORDER BY search_vector <=> to_tsquery('english', 'pump') LIMIT 30"
                )
            )
        )
        assert RUM_INDEX in plan, plan
    async with gin.sessions() as session:
        assert not await ranks_inside(session)
        extension = await session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'rum'"))
        assert extension == 0
    garden = Audience(platform="matrix", room="garden")
    shed = Audience(platform="matrix", room="private-shed")
    filters = {
        "operator": SearchFilters(),
        "garden": SearchFilters(audience=garden),
        "shed": SearchFilters(audience=shed),
        "within": SearchFilters(public_ids=("e1", "e5", "e10", "e11")),
        "web": SearchFilters(published=("garden",)),
    }
    for query in ("pump valve", "heater fuse frost", "compost mulch soil seedling", "nothing matches this"):
        for name, chosen in filters.items():
            on_rum, on_gin = await _ids(rum, query, chosen), await _ids(gin, query, chosen)
            assert on_rum == on_gin, (query, name)
    everything = await _ids(rum, "pump valve heater", filters["operator"])
    in_garden = await _ids(rum, "pump valve heater", filters["garden"])
    in_shed = await _ids(rum, "pump valve heater", filters["shed"])
    private = {f"e{number}" for number in range(0, 40, 5)}
    assert private & set(everything), "the operator sees the private room's entries"
    assert in_garden and not private & set(in_garden), "another room never sees them"
    assert private & set(in_shed), "the room itself does"
    assert not private & set(await _ids(rum, "pump valve heater", filters["web"]))


async def test_both_paths_keep_the_best_of_many_matches(pair: tuple[Store, Store]) -> None:
    many = [
        json.dumps({"id": f"m{number}", "title": f"pump {number}", "question": "pump " + WORDS[number % 12]})
        for number in range(80)
    ]
    best = json.dumps({"id": "best", "title": "pump trellis seedling", "question": "pump trellis seedling frost"})
    for store in pair:
        report = await import_lines(store.sessions, [*many, best])
        assert report.errors == [] and report.created == 81
        found = await _ids(store, "pump trellis seedling frost", SearchFilters())
        assert found[0] == "best", (store.name, found)
