"""The garbage collector set for a long-running bot: what start-up built is left out of collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_COLLECTION = 10_000
"""Allocations between collections of the youngest generation (CPython's default is 700). A message passing through
the bot allocates a few hundred objects, so the default collects several times a message; the older generations
keep their default ratios to it."""


@contextmanager
def long_lived() -> Iterator[None]:
    """While the bot runs: the objects alive now (the recogniser's tables, models, config, the libraries' state) are
    frozen out of collections, so a full collection no longer walks them, and the youngest generation is collected
    every YOUNG_COLLECTION allocations. Both are undone on the way out."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
