"""One all-MiniLM-L6-v2 embedder for the whole test session (loading the model takes seconds)."""

from __future__ import annotations

import pytest

from copbot.semantic.embedder import Embedder
from tests.semantic_support import require_semantic


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The shared embedder; skips (or fails under COPBOT_REQUIRE_SEMANTIC=1) without the extra."""
    return Embedder(str(require_semantic()))
