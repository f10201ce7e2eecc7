"""Entry embeddings in the database: float32 BLOBs, saved and loaded in batches, scanned in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.store.models import EntryEmbedding, KnowledgeEntry, SearchDocument

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vector: TypeAlias = npt.NDArray[np.float32]
    Matrix: TypeAlias = npt.NDArray[np.float32]

DOCUMENT_CHARS = 2000


def document_text(title: str, question: str, answers: str, tags: str = "") -> str:
    """What is embedded for an entry: title and question first (they match questions best), then answers."""
    parts = [title.strip(), question.strip(), answers.strip(), tags.strip()]
    return "\n".join(part for part in parts if part)[:DOCUMENT_CHARS]


async def document_texts(session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, str]:
    """The text to embed of each searchable entry among ``entry_ids`` (hidden entries have none)."""
    doc = SearchDocument
    rows = await session.execute(
        select(doc.entry_id, doc.title, doc.question, doc.answers, doc.tags).where(doc.entry_id.in_(list(entry_ids)))
    )
    return {row.entry_id: document_text(row.title, row.question, row.answers, row.tags) for row in rows}


def to_blob(vector: Vector) -> bytes:
    """Little-endian float32 bytes."""
    import numpy as np

    return bytes(np.asarray(vector, dtype="<f4").tobytes())


def from_blob(blob: bytes, dim: int) -> Vector:
    """The float32 vector a BLOB holds; a BLOB of the wrong size is an error."""
    import numpy as np

    vector = np.frombuffer(blob, dtype="<f4")
    if vector.shape != (dim,):
        raise ValueError(f"embedding holds {vector.size} values, expected {dim}")
    return vector.astype(np.float32, copy=False)


async def save(session: AsyncSession, model: str, vectors: Mapping[int, Vector]) -> int:
    """Store (replace) the embeddings of these entries under ``model``; returns how many."""
    if not vectors:
        return 0
    ids = list(vectors)
    await session.execute(delete(EntryEmbedding).where(EntryEmbedding.entry_id.in_(ids)))
    rows = [
        {"entry_id": entry_id, "model": model, "dim": int(vector.shape[0]), "vector": to_blob(vector)}
        for entry_id, vector in vectors.items()
    ]
    await session.execute(insert(EntryEmbedding), rows)
    return len(rows)


async def forget(session: AsyncSession, entry_ids: Sequence[int]) -> None:
    """Drop the embeddings of these entries (their text changed or disappeared)."""
    await session.execute(delete(EntryEmbedding).where(EntryEmbedding.entry_id.in_(list(entry_ids))))


async def load(session: AsyncSession, model: str, entry_ids: Sequence[int]) -> dict[int, Vector]:
    """The stored embeddings of these entries made with ``model``; entries without one are left out."""
    if not entry_ids:
        return {}
    emb = EntryEmbedding
    rows = await session.execute(
        select(emb.entry_id, emb.dim, emb.vector).where(
            emb.entry_id.in_(list(entry_ids)), emb.model == model, emb.vector.is_not(None)
        )
    )
    return {row.entry_id: from_blob(row.vector, row.dim) for row in rows}


async def missing_ids(session: AsyncSession, model: str, *, after: int = 0, limit: int = 1000) -> list[int]:
    """Searchable entries above id ``after`` with no embedding from ``model``, lowest id first."""
    emb = EntryEmbedding
    done = select(emb.entry_id).where(emb.model == model, emb.vector.is_not(None))
    query = (
        select(SearchDocument.entry_id)
        .where(SearchDocument.entry_id > after, SearchDocument.entry_id.not_in(done))
        .order_by(SearchDocument.entry_id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def count_missing(session: AsyncSession, model: str) -> int:
    """How many searchable entries have no embedding from ``model``."""
    from sqlalchemy import func

    emb = EntryEmbedding
    done = select(emb.entry_id).where(emb.model == model, emb.vector.is_not(None))
    query = select(func.count()).select_from(SearchDocument).where(SearchDocument.entry_id.not_in(done))
    return int(await session.scalar(query) or 0)


async def scan(
    session: AsyncSession,
    model: str,
    conditions: Sequence[ColumnElement[bool]],
    *,
    newest: int,
    chunk: int,
) -> AsyncIterator[tuple[list[int], Matrix]]:
    """The embeddings of the ``newest`` searchable entries matching ``conditions``, ``chunk`` rows at a time."""
    import numpy as np

    emb = EntryEmbedding
    query = (
        select(emb.entry_id, emb.dim, emb.vector)
        .join(KnowledgeEntry, KnowledgeEntry.id == emb.entry_id)
        .join(SearchDocument, SearchDocument.entry_id == emb.entry_id)
        .where(emb.model == model, emb.vector.is_not(None), *conditions)
        .order_by(emb.entry_id.desc())
        .limit(newest)
        .execution_options(yield_per=chunk)
    )
    stream = await session.stream(query)
    async for rows in stream.partitions(chunk):
        ids = [row.entry_id for row in rows]
        matrix = np.frombuffer(b"".join(row.vector for row in rows), dtype="<f4").reshape(len(rows), -1)
        yield ids, matrix.astype(np.float32, copy=False)
