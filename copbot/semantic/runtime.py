"""Which search mode the bot runs in, and starting or stopping the semantic layer with the application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import Settings
from copbot.core.labels import Label
from copbot.knowledge import hooks
from copbot.semantic import available

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
    """The embedder, the hybrid ranker and the background indexer of one running application."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        from copbot.semantic.embedder import Embedder
        from copbot.semantic.hybrid import HybridRanker
        from copbot.semantic.indexer import Indexer

        self.embedder = Embedder(model_location(settings))
        self.ranker = HybridRanker(self.embedder, settings.semantic.fusion_weight)
        self.indexer = Indexer(sessions, self.embedder)
        self.sessions = sessions
        self._catch_up: asyncio.Task[int] | None = None

    async def refine(self, text: str, label: Label) -> Label:
        """The cue label combined with the shipped embedding head's view of ``text`` (cues stay the reason)."""
        from copbot.semantic.activity import combine
        from copbot.semantic.classifier import load_default_head

        head = load_default_head()
        if head is None or not text.strip():
            return label
        vector = await self.embedder.aembed([text])
        row = head.probabilities(vector)[0]
        return combine(label, {name: float(p) for name, p in zip(head.classes, row, strict=True)})

    async def start(self) -> None:
        """Load the model off the loop, install the ranker and listener, embed what is missing in the background."""
        from copbot.semantic.indexer import embed_missing

        await asyncio.to_thread(lambda: self.embedder.dim)
        self.indexer.start()
        hooks.install(self.sessions, self.ranker, self.indexer.changed)
        self._catch_up = asyncio.get_running_loop().create_task(
            embed_missing(self.sessions, self.embedder), name="copbot-semantic-catch-up"
        )

    async def ready(self) -> None:
        """Wait for the start-up catch-up and every change heard so far (for tests and tools)."""
        if self._catch_up is not None:
            await self._catch_up
        await self.indexer.drain()

    async def stop(self) -> None:
        """Uninstall the hooks and stop background work."""
        hooks.uninstall(self.sessions)
        if self._catch_up is not None:
            self._catch_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._catch_up
        await self.indexer.stop()


async def start_semantic(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> SemanticRuntime | None:
    """The running semantic layer when the config enables it and the extra works; else None (lexical search)."""
    hybrid, line = search_mode(settings)
    if not hybrid:
        if settings.semantic.enabled and not _Warned.missing_extra:
            _Warned.missing_extra = True
            log.warning("%s; running lexical search only", line)
        return None
    runtime = SemanticRuntime(settings, sessions)
    try:
        await runtime.start()
    except Exception:
        log.exception("semantic model %s could not be loaded; running lexical search only", settings.semantic.model)
        await runtime.stop()
        return None
    log.info("%s", line)
    return runtime
