"""Command specs: a decorator tags handler functions, and a registry collects them by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from copbot.core.roles import Role

if TYPE_CHECKING:
    from copbot.core.context import Context
    from copbot.core.events import CommandInvoked

Handler = Callable[["Context", "CommandInvoked"], Awaitable[None]]
H = TypeVar("H", bound=Handler)
_SPEC_ATTRIBUTE = "__copbot_command__"


class UsageError(Exception):
    """The command's arguments are wrong; the message says what, and the usage is shown with it."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """What a command is called, how it is used, and who may use it."""

    name: str
    usage: str
    summary: str
    role: Role = Role.MEMBER
    needs_args: bool = False
    action: str = ""
    """How a refusal names the action: "pin threads into the repository"."""
    handler: Handler | None = None


def command(
    name: str,
    usage: str,
    summary: str,
    *,
    role: Role = Role.MEMBER,
    needs_args: bool = False,
    action: str = "",
) -> Callable[[H], H]:
    """Tag a handler as the command ``name``; a registry collects it later."""

    def tag(handler: H) -> H:
        setattr(
            handler,
            _SPEC_ATTRIBUTE,
            CommandSpec(name, usage, summary, role, needs_args, action or f"use /{name}", handler),
        )
        return handler

    return tag


class CommandRegistry:
    """Commands by name."""

    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}

    def add(self, spec: CommandSpec) -> None:
        """Register one command; a second command with the same name is a programming error."""
        if spec.name in self._specs:
            raise ValueError(f"command /{spec.name} is registered twice")
        self._specs[spec.name] = spec

    def collect(self, modules: Iterable[ModuleType]) -> CommandRegistry:
        """Register every tagged handler found in ``modules``."""
        for module in modules:
            for value in vars(module).values():
                spec = getattr(value, _SPEC_ATTRIBUTE, None)
                if isinstance(spec, CommandSpec):
                    self.add(spec)
        return self

    def get(self, name: str) -> CommandSpec | None:
        """The command called ``name`` (case-insensitive)."""
        return self._specs.get(name.lower())

    def names(self) -> list[str]:
        """Every command name, sorted."""
        return sorted(self._specs)

    def specs(self) -> list[CommandSpec]:
        """Every command, sorted by name."""
        return [self._specs[name] for name in self.names()]

    def closest(self, name: str) -> str | None:
        """The known command most like ``name``, to suggest after a typo."""
        import difflib

        matches = difflib.get_close_matches(name.lower(), self.names(), n=1, cutoff=0.6)
        return matches[0] if matches else None
