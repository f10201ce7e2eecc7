"""The in-memory adapter: the real adapter interface with a message log, for tests and scripted scenarios."""

from __future__ import annotations

from collections.abc import Iterable

from copbot.core.adapter import Capabilities, OutgoingFile
from copbot.core.clock import Clock
from copbot.core.events import Member

from .local import LOCAL_CAPABILITIES, LocalAdapter, Posted


class MemoryAdapter(LocalAdapter):
    """Keeps everything the bot says; tests read ``said()`` and ``private()``."""

    def __init__(
        self,
        *,
        room: str = "general",
        moderators: Iterable[str] = (),
        clock: Clock | None = None,
        capabilities: Capabilities = LOCAL_CAPABILITIES,
        platform: str = "memory",
    ) -> None:
        super().__init__(platform=platform, room=room, moderators=moderators, clock=clock, capabilities=capabilities)
        self._read_from = 0

    def bot_messages(self) -> list[Posted]:
        """Everything the bot posted, public and private, oldest first."""
        return [posted for posted in self.log[self._read_from :] if posted.author == self.me]

    def said(self) -> list[str]:
        """The plain text (with cards) of every public bot message, oldest first."""
        return [p.content.as_plain_text() if p.content else p.text for p in self.bot_messages() if p.private_to is None]

    def private(self, member: Member | None = None) -> list[str]:
        """The text of private answers, to ``member`` if given."""
        return [
            p.content.as_plain_text() if p.content else p.text
            for p in self.bot_messages()
            if p.private_to is not None and (member is None or p.private_to == member.id)
        ]

    def files(self, member: Member | None = None) -> list[OutgoingFile]:
        """Files the bot attached to private answers (to ``member`` if given), oldest first."""
        return [
            file
            for p in self.bot_messages()
            if p.content is not None and p.private_to is not None and (member is None or p.private_to == member.id)
            for file in p.content.files
        ]

    def last(self) -> str:
        """The newest bot message of any kind."""
        messages = self.bot_messages()
        if not messages:
            raise AssertionError("the bot has not said anything")
        last = messages[-1]
        return last.content.as_plain_text() if last.content else last.text

    def clear(self) -> None:
        """Let ``said``, ``private`` and ``last`` look only at what comes next (the log itself stays)."""
        self._read_from = len(self.log)
