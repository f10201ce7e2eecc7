"""One way to run a session's Synapse for tests: start it, restart it when a test left it stopped, name users."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from tests.adapters.matrix.synapse import Synapse

_names = itertools.count(1)


def session_synapse(directory: Path) -> Iterator[Synapse]:
    """Start a Synapse in ``directory``, yield it, and stop it (terminate, then kill) at the end."""
    server = Synapse(directory)
    server.start()
    print(f"\nSynapse started in {server.last_start_seconds:.1f}s on {server.url}")
    try:
        yield server
    finally:
        server.stop()


def running(server: Synapse) -> Synapse:
    """``server``, started again if an earlier test left it stopped."""
    if server.process is None:
        server.start()
    return server


def unique(prefix: str) -> str:
    """A localpart no other test in this session uses."""
    return f"{prefix}{next(_names)}"
