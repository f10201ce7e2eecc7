"""The whole schema as one MetaData: every table of models and operations, for migrations, copies and tests."""

from __future__ import annotations

from copbot.store import models  # noqa: F401  (importing it registers every table, operations' included)
from copbot.store.base import Base

METADATA = Base.metadata
"""Every table copbot has; migrations are compared against it."""
