"""The console adapter: one local room on stdin/stdout, so anyone can try copbot without Discord or Matrix."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import stat
import sys
from collections.abc import AsyncIterator, Iterable
from typing import Any, TextIO

from copbot.adapters.banner import console_banner
from copbot.adapters.ids import IdLedger
from copbot.core.adapter import EventSink
from copbot.core.clock import Clock
from copbot.core.events import Member, Place

from .local import LocalAdapter, Posted

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 1 << 20
"""A typed or piped line longer than this (1 MiB) is skipped with a note; input goes on."""
_BOLD = re.compile(r"\*\*(.+?)\*\*")

HELP = """Console commands (anything else is a chat message):
  {prefix}ask QUESTION, {prefix}search WORDS, {prefix}help ...   bot commands, as on Discord or Matrix
  :as NAME            speak as NAME (moderators are listed in [console] moderators)
  :thread ID          write inside the thread that starts at message ID;  :room  back to the room
  :reply ID TEXT      reply to message ID (a reply chain)
  :react ID EMOJI     react to a message, for example  :react c4 ✅
  :edit ID TEXT       edit a message;  :delete ID  delete it
  :pin ID / :unpin ID the platform's own pin action;  :close  archive the current thread
  :help  this text;  :quit  leave (end of input works too)
  lines starting with # are ignored"""


class ConsoleAdapter(LocalAdapter):
    """Reads lines as members' messages and commands; prints what the bot says."""

    def __init__(
        self,
        *,
        user: str = "you",
        room: str = "general",
        moderators: Iterable[str] = (),
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        clock: Clock | None = None,
        command_prefix: str = "/",
        ledger: IdLedger | None = None,
        announced: bool = False,
    ) -> None:
        super().__init__(
            platform="console",
            room=room,
            moderators=moderators,
            clock=clock,
            command_prefix=command_prefix,
            ledger=ledger,
        )
        self._stdin = stdin
        self._out = stdout or sys.stdout
        self.speaker = Member(id=user, name=user)
        self.thread: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._done = asyncio.Event()
        self._announced = announced
        """The first line was already printed (``copbot run`` prints it before loading the bot)."""

    async def start(self, sink: EventSink) -> None:
        """Start reading input in the background."""
        await super().start(sink)
        if not self._announced:
            self._write(console_banner(self.room, self.speaker.name))
        self._task = asyncio.create_task(self._read_loop(), name="console-input")

    async def stop(self) -> None:
        """Stop reading input."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._done.set()
        await super().stop()

    async def wait_closed(self) -> None:
        """Return when input has ended (or :quit was typed) and every line was handled."""
        await self._done.wait()

    def show(self, posted: Posted) -> None:
        """Print a bot message with where it went (Markdown bold as terminal bold, or plainly when piped)."""
        where = f" [thread {posted.place.thread}]" if posted.place.thread else ""
        audience = f" (only to {posted.private_to})" if posted.private_to else ""
        body = posted.content.as_plain_text() if posted.content else posted.text
        self._write(f"[{posted.id}] {self.me.name}{where}{audience}: {terminal_text(body, self._out.isatty())}")

    def _append(self, place: Place, author: Member, text: str, **kwargs: Any) -> Posted:
        """Log a message with its id, so it can be replied to or reacted to; typed lines are not repeated."""
        posted = super()._append(place, author, text, **kwargs)
        if not author.is_bot:
            where = f" [thread {place.thread}]" if place.thread else ""
            typed = author.id == self.speaker.id and self._typing_on_terminal()
            self._write(f"[{posted.id}]{where}" if typed else f"[{posted.id}] {author.name}{where}: {text}")
        return posted

    def _typing_on_terminal(self) -> bool:
        """A person types into a terminal that already shows the line (a piped script's lines are echoed)."""
        source = self._stdin or sys.stdin
        try:
            return source.isatty()
        except (OSError, ValueError):
            return False

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def _read_loop(self) -> None:
        try:
            async for line in self._lines():
                if not await self.handle_line(line.rstrip("\r\n")):
                    break
        except Exception:
            log.exception("console input failed")
        finally:
            self._done.set()

    async def _lines(self) -> AsyncIterator[str]:
        source = self._stdin or sys.stdin
        if not _has_descriptor(source):  # text in memory (tests): already decoded lines
            for line in source:
                yield line
            return
        if _is_regular_file(source):  # a redirected file: bytes, so a bad byte is replaced, never fatal
            for raw in source.buffer:
                yield self._decoded(raw)
            return
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), source)
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\n")
                except asyncio.IncompleteReadError as end:
                    if end.partial:
                        yield self._decoded(end.partial)
                    return
                except asyncio.LimitOverrunError as long_line:
                    await _skip_line(reader, long_line.consumed)
                    self._write(f"(a line over {MAX_LINE_BYTES // 1024} KiB was skipped)")
                    continue
                yield self._decoded(raw)
        finally:
            transport.close()

    def _decoded(self, raw: bytes) -> str:
        return raw[:MAX_LINE_BYTES].decode("utf-8", errors="replace")

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False means stop reading."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        if text.startswith(":"):
            return await self._console_command(text)
        if self.commands.recognise(text) is not None:
            await self.command(self.speaker, text, thread=self.thread)
        else:
            await self.post(self.speaker, text, thread=self.thread)
        return True

    async def _console_command(self, text: str) -> bool:
        verb, _, rest = text[1:].partition(" ")
        first, _, tail = rest.strip().partition(" ")
        try:
            match verb.lower():
                case "quit" | "exit":
                    return False
                case "help":
                    self._write(HELP.format(prefix=self.command_prefix))
                case "as" if first:
                    self.speaker = Member(id=first, name=first)
                    self._write(f"(you are now {first})")
                case "thread" if first:
                    self.thread = first
                    self._write(f"(writing in thread {first})")
                case "room":
                    self.thread = None
                    self._write(f"(writing in #{self.room})")
                case "reply" if first and tail:
                    await self.post(self.speaker, tail, reply_to=first, thread=self.thread)
                case "react" if first and tail:
                    await self.react_as(self.speaker, first, tail.strip())
                case "edit" if first and tail:
                    await self.edit_as(self.speaker, first, tail)
                    self._write(f"(edited {first})")
                case "delete" if first:
                    await self.delete(first, by=self.speaker)
                    self._write(f"(deleted {first})")
                case "pin" | "unpin" if first:
                    await self.pin_as(self.speaker, first, unpin=verb.lower() == "unpin")
                case "close" if self.thread:
                    await self.close_thread(self.thread)
                case _:
                    self._write(f"(unknown or incomplete console command {text!r}; type :help)")
        except KeyError as missing:
            self._write(f"(no message {missing} here)")
        except PermissionError as refused:
            self._write(f"({refused})")
        return True


def terminal_text(text: str, bold: bool) -> str:
    """Light Markdown for a terminal: **bold** in bold on a terminal, plain when the output is piped or saved."""
    return _BOLD.sub(lambda match: f"\033[1m{match.group(1)}\033[0m" if bold else match.group(1), text)


async def _skip_line(reader: asyncio.StreamReader, consumed: int) -> None:
    """Drop the rest of an overlong line (what was read so far, then up to its newline)."""
    await reader.readexactly(consumed)
    while True:
        try:
            await reader.readuntil(b"\n")
            return
        except asyncio.LimitOverrunError as more:
            await reader.readexactly(more.consumed)
        except asyncio.IncompleteReadError:
            return


def _has_descriptor(stream: TextIO) -> bool:
    try:
        stream.fileno()
    except (OSError, ValueError):
        return False
    return True


def _is_regular_file(stream: TextIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError):
        return True
