"""PostgreSQL ranking: BM25 over every word of the question for the candidates the RUM (or GIN) index found.

``ts_rank_cd`` weighs every query word alike, so a common word counts as much as the rare one that decides; here
each word weighs by its inverse document frequency (entries holding it: ``stats``, split by part), its occurrences
saturate (k1) and are normalised by the entry's length (b), the discussion (weight D) separately from the rest
(constants tuned on train-part2). Only the candidates are scored (their tsvectors unnested), so the cost is bounded
by the candidate count, not by how many entries a common word is in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.store.scope import scope_of

K1 = 2.0
B = 0.1
TALK_WEIGHT = 0.7
"""k1, b and the discussion's share of the score, chosen on SemEval train-part2 only (``benchmarks/tune_pg_bm25.py``,
with ``SPLIT_IDF``: MAP 75.98 there against 74.48 with the constants chosen before it, k1 2.0, b 0.5, 0.2);
PostgreSQL's lengths count distinct lexemes, not tokens, so FTS5's constants need not suit it."""
SPLIT_IDF = True
"""Weigh a word in the discussion by the entries whose discussion holds it, and elsewhere by the entries holding it
outside the discussion (as SQLite's two FTS5 tables do), not both by the entries holding it anywhere."""
SAMPLE = 2_000
"""Entries read to estimate the average lengths (remembered until the searchable text changes)."""

_FIELDS = text(
    "SELECT u.lexeme, count(*), count(*) FILTER (WHERE u.weights && '{A,B,C}'::text[]),"
    " count(*) FILTER (WHERE 'D' = ANY(u.weights))"
    f" FROM (SELECT search_vector AS v FROM search_documents ORDER BY entry_id LIMIT {SAMPLE}) AS s"
    " CROSS JOIN LATERAL unnest(s.v) AS u GROUP BY u.lexeme"
)
"""Per lexeme of the sample: the entries holding it, outside the discussion and in it."""
_LEXEMES = text("SELECT w, ts_lexize('english_stem', w) FROM unnest(CAST(:words AS text[])) AS t(w)")
_LENGTHS = text(
    "SELECT coalesce(avg(length(ts_filter(v, '{a,b,c}'))), 1), coalesce(avg(length(ts_filter(v, '{d}'))), 1)"
    f" FROM (SELECT search_vector AS v FROM search_documents ORDER BY entry_id LIMIT {SAMPLE}) AS s"
)


def _saturated(tf: str, length: str, average: str, k1: float, b: float) -> str:
    return f"{tf} * {k1 + 1} / ({tf} + {k1} * ({1 - b} + {b} * {length}::float8 / {average}))"


def scored(k1: float = K1, b: float = B, talk_weight: float = TALK_WEIGHT) -> TextClause:
    """The ranking statement with the given constants written in (``benchmarks/tune_pg_bm25.py`` tries others)."""
    main = _saturated("tf.main", "tf.main_len", ":avg_main", k1, b)
    talk = _saturated("tf.talk", "tf.talk_len", ":avg_talk", k1, b)
    return text(f"""
WITH q AS (
    SELECT * FROM unnest(CAST(:lexemes AS text[]), CAST(:idfs AS float8[]), CAST(:talk_idfs AS float8[]))
        AS q(lexeme, idf, talk_idf)
),
cand AS (
    SELECT entry_id, search_vector AS v, length(ts_filter(search_vector, '{{a,b,c}}')) AS main_len,
           length(ts_filter(search_vector, '{{d}}')) AS talk_len
    FROM search_documents WHERE entry_id = ANY(CAST(:ids AS bigint[]))
),
tf AS (
    SELECT c.entry_id, q.idf, q.talk_idf, c.main_len, c.talk_len,
           (SELECT count(*) FROM unnest(u.weights) AS w WHERE w <> 'D') AS main,
           (SELECT count(*) FROM unnest(u.weights) AS w WHERE w = 'D') AS talk
    FROM cand AS c CROSS JOIN LATERAL unnest(c.v) AS u JOIN q ON q.lexeme = u.lexeme
),
scored AS (
    SELECT c.entry_id, coalesce(sum(tf.idf * {main} + {talk_weight} * tf.talk_idf * {talk}), 0) AS rank
    FROM cand AS c LEFT JOIN tf ON tf.entry_id = c.entry_id
    GROUP BY c.entry_id ORDER BY rank DESC, c.entry_id LIMIT :limit
)
SELECT e.id, e.public_id, e.title, e.source_url, e.resource_url, e.solved, e.kind, s.rank,
       ts_headline('english', concat_ws(' ', d.question, d.answers, d.discussion, d.title),
                   websearch_to_tsquery('english', :words), :options) AS snippet
FROM scored AS s JOIN knowledge_entries AS e ON e.id = s.entry_id JOIN search_documents AS d ON d.entry_id = e.id
ORDER BY s.rank DESC, e.id
""")


SCORED = scored()
"""The best ``limit`` of the candidate ``ids`` by BM25 over the query's lexemes, with their entry columns and a
headline (only for the rows returned)."""


def idf(total: int, frequency: int) -> float:
    """BM25's inverse document frequency (never negative, as in FTS5)."""
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


async def lexemes(session: AsyncSession, words: Sequence[str]) -> dict[str, list[str]]:
    """The lexemes the english configuration indexes for each word (stop words have none), remembered per app."""
    known: dict[str, list[str]] = scope_of(session).slot("search.pg_lexemes", dict)
    missing = [word for word in dict.fromkeys(words) if word not in known]
    if missing:
        if len(known) > 50_000:
            known.clear()
        for word, found in await session.execute(_LEXEMES, {"words": missing}):
            known[str(word)] = [str(lexeme) for lexeme in found or []]
    return {word: known.get(word, []) for word in words}


async def average_lengths(session: AsyncSession, extra: dict[str, object]) -> tuple[float, float]:
    """(distinct lexemes outside and inside the discussion) of an average entry, from a sample; kept in ``extra``
    (the statistics of one version of the searchable text)."""
    cached = extra.get("pg_lengths")
    if isinstance(cached, tuple):
        return float(cached[0]), float(cached[1])
    row = (await session.execute(_LENGTHS)).one()
    lengths = (max(1.0, float(row[0])), max(1.0, float(row[1])))
    extra["pg_lengths"] = lengths
    return lengths


async def field_idfs(
    session: AsyncSession, total: int, held: dict[str, int], extra: dict[str, object]
) -> tuple[list[float], list[float]]:
    """Each lexeme's idf outside the discussion and in it (``SPLIT_IDF``; else both from ``held``, the entries
    holding it anywhere): ``held`` split by the lexeme's shares in a sample of entries (read once per version of
    the searchable text, kept in ``extra``); a lexeme the sample lacks is rare, and keeps ``held`` for both."""
    if not SPLIT_IDF:
        anywhere = [idf(total, count) for count in held.values()]
        return anywhere, list(anywhere)
    sample = extra.get("pg_fields")
    if not isinstance(sample, dict):
        sample = {str(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in await session.execute(_FIELDS)}
        extra["pg_fields"] = sample
    main: list[float] = []
    talk: list[float] = []
    for lexeme, count in held.items():
        in_sample, in_main, in_talk = sample.get(lexeme, (0, 0, 0))
        main.append(idf(total, round(count * in_main / in_sample) if in_sample else count))
        talk.append(idf(total, round(count * in_talk / in_sample) if in_sample else count))
    return main, talk
