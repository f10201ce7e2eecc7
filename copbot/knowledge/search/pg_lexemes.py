"""PostgreSQL: entries per lexeme, counted in one pass after an import, so a search never counts a common word.

Counting the entries that hold a word reads every one of its postings and rechecks them in the table: at a million
entries a word of a few thousand entries costs a second. ``refresh`` counts every lexeme at once with ``ts_stat``
(about a minute per pass at a million entries) into ``search_fts_lexemes`` (migration 0013), split as the ranking
weighs them: outside the discussion (weights A-C) and in it (D). The counts steer which words find candidates and
weigh them, like PostgreSQL's own statistics: a few new entries since the last refresh change little, and a lexeme
that was not there then is counted by the search that needs it (a new word is a rare one).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.store import scope

log = logging.getLogger(__name__)

REFRESH = [
    "DELETE FROM search_fts_lexemes",
    "INSERT INTO search_fts_lexemes (lexeme, outside, inside)"
    " SELECT coalesce(m.word, d.word), coalesce(m.ndoc, 0), coalesce(d.ndoc, 0)"
    " FROM ts_stat('SELECT search_vector FROM search_documents', 'abc') AS m"
    " FULL JOIN ts_stat('SELECT search_vector FROM search_documents', 'd') AS d ON d.word = m.word",
]
"""One transaction: searches meanwhile read the counts as they were."""
COUNTED_KEY = "search.lexemes.entries"
"""``kv_state`` key: how many entries were searchable when the lexemes were last counted (``upkeep`` reads it)."""
_RECORD = text(
    "INSERT INTO kv_state (key, value, updated_at) SELECT :key, CAST(count(*) AS text), :at FROM search_documents"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)
COUNTS = text(
    "WITH t AS (SELECT w, ts_lexize('english_stem', w) AS forms FROM unnest(CAST(:words AS text[])) AS t(w))"
    " SELECT t.w, t.forms, max(s.outside) AS outside, max(s.inside) AS inside,"
    " CASE WHEN bool_or(s.lexeme IS NOT NULL) OR t.forms && CAST(:common AS text[]) THEN NULL"
    " ELSE (SELECT count(*) FROM search_documents WHERE search_vector @@ plainto_tsquery('english', t.w)) END AS live"
    " FROM t LEFT JOIN LATERAL unnest(t.forms) AS f(lexeme) ON true"
    " LEFT JOIN search_fts_lexemes AS s ON s.lexeme = f.lexeme GROUP BY t.w, t.forms"
)
"""Each word's lexemes; its counts from the table; and, for a word the table lacks that PostgreSQL's statistics do
not list as common (``:common``), the entries holding it, counted now."""


async def refresh(session: AsyncSession) -> int:
    """Count every lexeme of the searchable text again (in ``session``'s transaction); returns how many."""
    started = time.monotonic()
    for statement in REFRESH:
        await session.execute(text(statement))
    await session.execute(_RECORD, {"key": COUNTED_KEY, "at": scope.now(session)})
    counted = int(await session.scalar(text("SELECT count(*) FROM search_fts_lexemes")) or 0)
    log.info("counted %d lexemes of the searchable text in %.1f s", counted, time.monotonic() - started)
    return counted
