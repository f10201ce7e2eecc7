"""Optional semantic layer (the ``semantic`` extra): embeddings for hybrid search and activity recognition."""

from __future__ import annotations

import importlib.util

EXTRA_MODULES = ("numpy", "torch", "sentence_transformers")
INSTALL_HINT = 'pip install torch==2.13.0 (or from the CPU index) and then pip install "copbot[semantic]"'


def available() -> tuple[bool, str]:
    """Whether the semantic extra is importable, and why not if it is not (nothing is imported here)."""
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        return False, f"the semantic extra is not installed (missing {', '.join(missing)}; {INSTALL_HINT})"
    return True, "the semantic extra is installed"
