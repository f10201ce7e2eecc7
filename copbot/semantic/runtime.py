"""Which search mode the bot runs in, and starting or stopping the semantic layer with the application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.activities.labelling import ActivityLabeller, build_recogniser
from copbot.config.settings import Settings
from copbot.core.labels import Label
from copbot.knowledge import hooks
from copbot.semantic import available

if TYPE_CHECKING:
    from copbot.semantic.activity import HeadRefiner
    from copbot.semantic.embedder import Embedder

log = logging.getLogger(__name__)


class _Warned:
    missing_extra = False


def search_mode(settings: Settings) -> tuple[bool, str]:
    """(hybrid?, a line saying the mode and why), e.g. "search: lexical (semantic.enabled is false)"."""
    section = settings.semantic
    if not section.enabled:
        return False, "search: lexical (semantic.enabled is false)"
    ok, reason = available()
    if not ok:
        return False, f"search: lexical (semantic.enabled is true, but {reason})"
    return True, f"search: hybrid (model {section.model}, fusion weight {section.fusion_weight})"


def model_location(settings: Settings) -> str:
    """The configured model: a local directory (relative to the config file) if one exists, else the hub name."""
    name = settings.semantic.model
    local = Path(name).expanduser()
    if not local.is_absolute():
        local = settings.base_dir / local
    return str(local) if local.is_dir() else name


class SemanticRuntime:
    """The embedder, the activity head, the hybrid ranker and (in the bot) the background indexer."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession] | None,
        *,
        embedder: Embedder | None = None,
        background: bool = True,
    ) -> None:
        from copbot.semantic.activity import HeadRefiner
        from copbot.semantic.classifier import load_default_head
        from copbot.semantic.embedder import Embedder
        from copbot.semantic.hybrid import HybridRanker
        from copbot.semantic.indexer import Indexer

        self.embedder = embedder if embedder is not None else Embedder(model_location(settings))
        self.ranker = HybridRanker(self.embedder, settings.semantic.fusion_weight)
        self.sessions = sessions
        self.indexer = Indexer(sessions, self.embedder) if sessions is not None and background else None
        head = load_default_head()
        self.refiner: HeadRefiner | None = HeadRefiner(head, self.embedder) if head is not None else None
        self._catch_up: asyncio.Task[int] | None = None

    async def refine(self, text: str, label: Label) -> Label:
        """The cue label combined with the shipped embedding head's view of ``text`` (cues stay the reason)."""
        if self.refiner is None or not text.strip():
            return label
        return await self.refiner.refine(text, label)

    async def start(self) -> None:
        """Load the model off the loop and install the ranker; the bot also listens and embeds what is missing."""
        from copbot.semantic.indexer import embed_missing

        await asyncio.to_thread(lambda: self.embedder.dim)
        if self.sessions is None:
            return
        if self.indexer is None:
            hooks.install(self.sessions, self.ranker, None)
            return
        self.indexer.start()
        hooks.install(self.sessions, self.ranker, self.indexer.changed)
        self._catch_up = asyncio.get_running_loop().create_task(
            embed_missing(self.sessions, self.embedder), name="copbot-semantic-catch-up"
        )

    async def ready(self) -> None:
        """Wait for the start-up catch-up and every change heard so far (for tests and tools)."""
        if self._catch_up is not None:
            await self._catch_up
        if self.indexer is not None:
            await self.indexer.drain()

    async def stop(self) -> None:
        """Uninstall the hooks and stop background work."""
        if self.sessions is not None:
            hooks.uninstall(self.sessions)
        if self._catch_up is not None:
            self._catch_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._catch_up
        if self.indexer is not None:
            await self.indexer.stop()


async def start_semantic(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession] | None,
    *,
    embedder: Embedder | None = None,
    background: bool = True,
) -> SemanticRuntime | None:
    """The running semantic layer when the config enables it and the extra works; else None (lexical search).

    ``background`` (the bot) also embeds changed and missing entries as they come; a command-line tool passes
    False and embeds itself. Without ``sessions`` only the embedding head runs (no search).
    """
    hybrid, line = search_mode(settings)
    if not hybrid:
        if settings.semantic.enabled and not _Warned.missing_extra:
            _Warned.missing_extra = True
            log.warning("%s; running lexical search only", line)
        return None
    runtime = SemanticRuntime(settings, sessions, embedder=embedder, background=background)
    try:
        await runtime.start()
    except Exception:
        log.exception("semantic model %s could not be loaded; running lexical search only", settings.semantic.model)
        await runtime.stop()
        return None
    log.info("%s", line)
    return runtime


@dataclass
class Understanding:
    """How one process reads chat and searches the knowledge base: the bot and every CLI command build it here."""

    labeller: ActivityLabeller
    """Cue labels with the embedding head's second opinion when the extra runs."""
    semantic: SemanticRuntime | None
    """The running semantic layer (hybrid search installed), or None: lexical search, cues only."""

    async def close(self) -> None:
        """Stop the semantic layer, if any (search is lexical again)."""
        if self.semantic is not None:
            await self.semantic.stop()
            self.semantic = None


async def build_understanding(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    *,
    embedder: Embedder | None = None,
    background: bool = True,
) -> Understanding:
    """The recogniser and search of this process, from settings: the one assembly the app and the CLI share.

    A language without cues is a ConfigError. See :func:`start_semantic` for ``background`` and ``sessions``.
    """
    recogniser = build_recogniser(settings.activity)
    semantic = await start_semantic(settings, sessions, embedder=embedder, background=background)
    refine = semantic.refine if semantic is not None and semantic.refiner is not None else None
    return Understanding(ActivityLabeller(recogniser, settings.activity.min_confidence, refine), semantic)
