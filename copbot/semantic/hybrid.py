"""Hybrid ranking: lexical candidates re-ranked by w * cosine + (1 - w) * min-max lexical score, plus neighbours."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge.search.filters import SearchFilters, SearchHit, filter_conditions
from copbot.semantic import store
from copbot.semantic.embedder import Embedder
from copbot.store.models import KnowledgeEntry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vector: TypeAlias = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

CANDIDATES = 50
"""How many lexical candidates are re-ranked."""
SCAN_NEWEST = 20_000
"""Pure-semantic neighbours are looked for among this many newest entries (bounded work per query)."""
SCAN_CHUNK = 4096
MIN_NEIGHBOUR_COSINE = 0.35
"""A neighbour found by meaning alone must be at least this similar to be shown."""
RELEVANCE_FLOOR, RELEVANCE_FULL = 0.25, 0.65
"""Cosine mapped to a 0..1 match strength: at or below the floor 0, at or above ``RELEVANCE_FULL`` 1."""
SNIPPET_WORDS = 24
QUERY_CACHE = 64


def fuse(weight: float, cosines: Sequence[float], lexical: Sequence[float]) -> list[float]:
    """w * cosine + (1 - w) * lexical score scaled min-max to 0..1 over the candidates (all 1 when equal)."""
    if not lexical:
        return []
    low, high = min(lexical), max(lexical)
    span = high - low
    scaled = [(value - low) / span if span > 0 else 1.0 for value in lexical]
    return [weight * cosine + (1.0 - weight) * part for cosine, part in zip(cosines, scaled, strict=True)]


class HybridRanker:
    """The semantic extra's re-ranker, installed into ``copbot.knowledge.hooks`` when enabled."""

    def __init__(
        self,
        embedder: Embedder,
        weight: float,
        *,
        candidates: int = CANDIDATES,
        scan_newest: int = SCAN_NEWEST,
        scan_chunk: int = SCAN_CHUNK,
    ) -> None:
        self.embedder = embedder
        self.weight = weight
        self.candidates = candidates
        self.scan_newest = scan_newest
        self.scan_chunk = scan_chunk
        self._queries: OrderedDict[str, Vector] = OrderedDict()

    async def query_vector(self, text: str) -> Vector:
        """The query's embedding, cached for the few texts asked most recently."""
        cached = self._queries.get(text)
        if cached is None:
            cached = (await self.embedder.aembed([text]))[0]
            self._queries[text] = cached
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(text)
        return cached

    async def rerank(
        self, session: AsyncSession, text: str, filters: SearchFilters, limit: int, hits: list[SearchHit]
    ) -> list[SearchHit]:
        """Fuse scores over the lexical candidates; add neighbours by meaning when they are fewer than ``limit``."""
        if not text.strip():
            return hits[:limit]
        query = await self.query_vector(text)
        vectors = await store.load(session, self.embedder.name, [hit.entry_id for hit in hits])
        known = [float(vectors[hit.entry_id] @ query) for hit in hits if hit.entry_id in vectors]
        fallback = min(known) if known else 0.0
        cosines = [float(vectors[h.entry_id] @ query) if h.entry_id in vectors else fallback for h in hits]
        fused = fuse(self.weight, cosines, [hit.score for hit in hits])
        ranked = [_rescored(hit, score) for hit, score in zip(hits, fused, strict=True)]
        if len(ranked) < limit:
            seen = {hit.entry_id for hit in ranked}
            ranked += await self._neighbours(session, query, filters, limit, seen)
        ranked.sort(key=lambda hit: (-hit.score, hit.entry_id))
        return ranked[:limit]

    async def _neighbours(
        self, session: AsyncSession, query: Vector, filters: SearchFilters, limit: int, seen: set[int]
    ) -> list[SearchHit]:
        """The nearest stored embeddings by brute-force cosine over the newest entries, chunk by chunk."""
        import numpy as np

        if filters.entry_ids == () or filters.public_ids == ():
            return []
        best: list[tuple[float, int]] = []
        conditions = filter_conditions(filters)
        async for ids, matrix in store.scan(
            session, self.embedder.name, conditions, newest=self.scan_newest, chunk=self.scan_chunk
        ):
            sims = matrix @ query
            take = min(limit + len(seen), len(ids))
            top = np.argpartition(-sims, take - 1)[:take]
            best.extend((float(sims[i]), ids[i]) for i in top if ids[i] not in seen)
            best = sorted(best, reverse=True)[:limit]
        chosen = [(cosine, entry_id) for cosine, entry_id in best if cosine >= MIN_NEIGHBOUR_COSINE]
        return await _hits(session, [(entry_id, self.weight * cosine) for cosine, entry_id in chosen])

    async def relevance(self, session: AsyncSession, text: str, entry_ids: Sequence[int]) -> dict[int, float]:
        """Cosine similarity mapped to 0..1 (see RELEVANCE_FLOOR and RELEVANCE_FULL), per entry with an embedding."""
        if not entry_ids or not text.strip():
            return {}
        query = await self.query_vector(text)
        vectors = await store.load(session, self.embedder.name, entry_ids)
        span = RELEVANCE_FULL - RELEVANCE_FLOOR
        return {
            entry_id: min(1.0, max(0.0, (float(vector @ query) - RELEVANCE_FLOOR) / span))
            for entry_id, vector in vectors.items()
        }


def _rescored(hit: SearchHit, score: float) -> SearchHit:
    return SearchHit(hit.entry_id, hit.public_id, hit.title, score, hit.snippet, hit.url, hit.solved, hit.kind)


async def _hits(session: AsyncSession, scored: list[tuple[int, float]]) -> list[SearchHit]:
    if not scored:
        return []
    entry = KnowledgeEntry
    rows = await session.execute(
        select(entry.id, entry.public_id, entry.title, entry.question, entry.source_url, entry.resource_url,
               entry.solved, entry.kind).where(entry.id.in_([entry_id for entry_id, _ in scored]))
    )  # fmt: skip
    by_id = {row.id: row for row in rows}
    hits = []
    for entry_id, score in scored:
        row = by_id.get(entry_id)
        if row is None:
            continue
        snippet = " ".join(str(row.question or "").split()[:SNIPPET_WORDS])
        url = row.source_url or row.resource_url
        hits.append(SearchHit(row.id, row.public_id, row.title, score, snippet, url, bool(row.solved), row.kind))
    return hits
