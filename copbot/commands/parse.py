"""From what members type to a typed command: which messages are commands, and their options bound and checked.

Matrix and the console recognise typed commands here (``!search tomato tags:safety``); the dispatcher binds every
command's options here, typed text and Discord's own fields alike."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from copbot.commands.spec import SUBCOMMAND, CommandSpec, Kind, Option, UsageError
from copbot.core.events import CommandInvoked

COMMAND_WORD = re.compile(r"([^\W\d_][\w-]*)(?=\s|$)")
SUGGESTION_CUTOFF = 0.6
KB_ID = re.compile(r"kb\d+(?:-[0-9a-f]{4})?", re.IGNORECASE)
"""An entry id copbot gave (``kb12``, or ``kb12-3f0a`` after a clash), which is stored in lower case."""
ENTRY_WRAPPING = "[]()<>\"'`.,;:!?"


def closest(name: str, names: Collection[str]) -> str | None:
    """The command in ``names`` most like ``name``, to suggest after a typo."""
    matches = difflib.get_close_matches(name.lower(), sorted(names), n=1, cutoff=SUGGESTION_CUTOFF)
    return matches[0] if matches else None


@dataclass(frozen=True, slots=True)
class TextCommands:
    """How commands are typed on one platform: the prefix (also "/" unless told otherwise) and the names."""

    prefix: str
    names: frozenset[str]
    also: tuple[str, ...] = ("/",)
    claim_unknown: bool = False
    """Every prefixed word is a command (the console, where such lines are meant for the bot). Otherwise only known
    names and close typos of them are, so "!important" stays chat while "!serch" gets a suggestion."""

    def recognise(self, text: str) -> tuple[str, str] | None:
        """``(name, arguments)`` when ``text`` is a command, the name in lower case; None for chat."""
        stripped = text.strip()
        for lead in dict.fromkeys((self.prefix, *self.also)):
            if not lead or not stripped.startswith(lead):
                continue
            rest = stripped[len(lead) :]
            word = COMMAND_WORD.match(rest)
            if word is None:
                continue
            name = word.group(1).lower()
            if name in self.names or self.claim_unknown or closest(name, self.names) is not None:
                return name, rest[word.end() :].strip()
        return None


DISCORD_LINK = re.compile(r"https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(?:\d+|@me)/\d+/(\d+)")
MATRIX_TO_LINK = re.compile(r"https?://matrix\.to/#/[^/\s?]+/([^/\s?]+)")
MATRIX_URI = re.compile(r"matrix:(?:roomid|r)/[^/\s?]+/e/([^/\s?]+)")
LOCAL_LINK = re.compile(r"(?:console|memory)://[^/\s]+/([\w-]+)")
"""The links the in-process adapters give their messages (``console://general/c3``)."""


def message_id(reference: str) -> str:
    """The message id a member means by ``reference``: the id in a message link, or the reference itself."""
    value = reference.strip().strip("<>")
    if not value or any(space.isspace() for space in value):
        raise UsageError("Name one message: paste its link, or give its id.")
    address = value.split("?", 1)[0]
    for pattern, prefix in ((DISCORD_LINK, ""), (MATRIX_TO_LINK, ""), (MATRIX_URI, "$"), (LOCAL_LINK, "")):
        found = pattern.fullmatch(address)
        if found is not None:
            ident = unquote(found.group(1))
            return ident if ident.startswith(prefix) else prefix + ident
    if value.startswith(("http://", "https://")):
        raise UsageError("That link does not point to a message; copy the message's own link, or give its id.")
    return value


TAG_RUN = re.compile(r"[^\s,]+(?:\s*,\s*[^\s,]+)*")
"""Tags as typed after ``tags:``: comma separated, spaces allowed after the commas."""


def tag_list(value: str | None) -> list[str]:
    """The tags in an option value or free text (commas or spaces between, ``#`` optional), each once."""
    found = (part.strip().lstrip("#") for part in re.split(r"[,\s]+", value or ""))
    return list(dict.fromkeys(tag for tag in found if tag))


def bind(spec: CommandSpec, command: CommandInvoked, prefix: str = "/") -> CommandInvoked:
    """``command`` with ``options`` holding every declared value, checked and normalised (tags comma-joined,
    message links reduced to ids), and ``args`` as typed, or rebuilt from positional values on Discord."""
    given = dict(command.options)
    typed = command.args.strip()
    options = spec.options
    path: list[str] = []
    if spec.subcommands:
        name = given.pop(SUBCOMMAND, "")
        if not name:
            name, _, typed = typed.partition(" ")
            typed = typed.strip()
        sub = spec.subcommand(name)
        if sub is None:
            forms = ", ".join(sub.name for sub in spec.subcommands)
            raise UsageError(f"Say what to do with {prefix}{spec.name}: {forms}.")
        path, options = [sub.name], sub.options
    values = parse_text(typed, options) if typed else {}
    values.update(given)
    if command.target_message_id:
        first = next((o for o in options if o.kind is Kind.MESSAGE and not values.get(o.name)), None)
        if first is not None:
            values[first.name] = command.target_message_id
    head = " ".join([prefix + spec.name, *path])
    for option in options:
        value = normalised(option, values.pop(option.name, ""), head)
        if value:
            values[option.name] = value
        elif option.required:
            raise UsageError(f"Give {option.placeholder or option.name.upper()}: {option.description.lower()}.")
    declared = {option.name: values[option.name] for option in options if option.name in values}
    extra = {key: value for key, value in values.items() if key not in declared}
    if path:
        extra[SUBCOMMAND] = path[0]
    positional = [declared[option.name] for option in options if not option.named and option.name in declared]
    args = command.args.strip() or " ".join([*path, *positional])
    return dataclasses.replace(command, args=args, options={**declared, **extra})


def parse_text(text: str, options: Sequence[Option]) -> dict[str, str]:
    """Option values from typed text: ``name:value`` or ``name=value`` for any option, positional ones in order."""
    by_name = {option.name: option for option in options}
    marks = []
    if by_name:
        marker = re.compile(r"(?<!\S)(" + "|".join(map(re.escape, by_name)) + r")[:=]", re.IGNORECASE)
        marks = list(marker.finditer(text))
    values: dict[str, str] = {}
    loose = [text[: marks[0].start()] if marks else text]
    for index, mark in enumerate(marks):
        following = marks[index + 1] if index + 1 < len(marks) else None
        option = by_name[mark.group(1).lower()]
        written = text[mark.end() : following.start() if following else len(text)].strip()
        if option.kind is Kind.TEXT:
            values[option.name] = written.strip('"')
            continue
        run = TAG_RUN.match(written) if option.kind is Kind.TAGS else re.match(r"\S+", written)
        values[option.name] = run.group() if run else ""
        loose.append(written[run.end() :] if run else written)
    rest = " ".join(part.strip() for part in loose if part.strip())
    positional = [option for option in options if not option.named and option.name not in values]
    for index, option in enumerate(positional):
        if not rest:
            break
        if option.kind is Kind.TEXT and index == len(positional) - 1:
            values[option.name], rest = rest, ""
        elif option.kind is Kind.CHOICE:
            values[option.name], rest = _leading_choice(option, rest, last=index == len(positional) - 1)
        else:
            values[option.name], _, rest = rest.partition(" ")
            rest = rest.strip()
    if rest:
        raise UsageError(f"I don't know what {rest!r} means here.")
    return values


def _leading_choice(option: Option, text: str, *, last: bool) -> tuple[str, str]:
    lowered = text.lower()
    for value in sorted((choice.value for choice in option.choices), key=len, reverse=True):
        if lowered == value or lowered.startswith(value + " "):
            return value, text[len(value) :].strip()
    if last:
        return text, ""
    first, _, remainder = text.partition(" ")
    return first, remainder.strip()


def normalised(option: Option, value: str, head: str = "") -> str:
    """One option value made canonical; a wrong one raises UsageError (naming the choices as ``head value``)."""
    value = value.strip()
    if not value:
        return ""
    if option.kind is Kind.TAGS:
        return ",".join(tag_list(value))
    if option.kind is Kind.MESSAGE:
        return message_id(value)
    if option.kind is Kind.ENTRY:
        if any(char.isspace() for char in value):
            raise UsageError(f"Give one entry id for {option.name}, such as kb12.")
        # As search results show it ("[kb12]"), quoted, or with a hashtag's "#"; kb ids in any case.
        value = value.strip(ENTRY_WRAPPING).removeprefix("#") or value
        return value.lower() if KB_ID.fullmatch(value) else value
    if option.kind is Kind.CHOICE:
        allowed = {choice.value: choice.value for choice in option.choices}
        if value.lower() not in allowed:
            said = ", ".join(f"{head} {choice}".strip() for choice in allowed)
            raise UsageError(f"I don't know the {option.name} {value!r}. Say one of: {said}.")
        return allowed[value.lower()]
    return value
