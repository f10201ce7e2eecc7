"""The one cast of members every test uses: the same people, with the same ids and names, in every transcript."""

from __future__ import annotations

from copbot.core.events import Member

ALICE = Member(id="u-alice", name="Alice")
"""Usually the one asking."""
BOB = Member(id="u-bob", name="Bob")
"""Usually the one answering."""
CAROL = Member(id="u-carol", name="Carol")
DAVE = Member(id="u-dave", name="Dave")
ERIN = Member(id="u-erin", name="Erin")
MOD = Member(id="u-mod", name="Morgan")
"""The moderator (configured as one in the shared harness)."""
