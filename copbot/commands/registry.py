"""Commands by name: a decorator declares a handler's command, and a registry collects and describes them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import TypeVar

from copbot.commands.parse import closest
from copbot.commands.spec import CommandSpec, Handler, Option, Subcommand, UsageError, text
from copbot.core.roles import Role

__all__ = ["CommandRegistry", "CommandSpec", "UsageError", "command"]

H = TypeVar("H", bound=Handler)
_SPEC_ATTRIBUTE = "__copbot_command__"
HELP_HEADER = "Commands (moderator-only ones are marked):"
ROLE_MARKERS = {Role.MODERATOR: " (moderators)", Role.EDITOR: " (editors)"}


def command(
    name: str,
    usage: str = "",
    summary: str = "",
    *,
    description: str = "",
    options: Sequence[Option] = (),
    subcommands: Sequence[Subcommand] = (),
    role: Role = Role.MEMBER,
    private: bool = False,
    examples: Sequence[str] = (),
    needs_args: bool = False,
    action: str = "",
    menu: str = "",
) -> Callable[[H], H]:
    """Declare ``name`` with its options and tag the handler; a registry collects it later.

    The older form ``command(name, "/name ARGS", summary, needs_args=...)`` still works: its usage line is kept as
    written and its arguments become one free-text option called ``text``."""
    if usage and not options and not subcommands and usage.split(maxsplit=1)[1:]:
        options = (text("text", summary or description or name, required=needs_args, placeholder=usage.split()[1]),)

    def tag(handler: H) -> H:
        spec = CommandSpec(
            name=name,
            description=description or summary,
            options=tuple(options),
            subcommands=tuple(subcommands),
            role=role,
            private=private,
            examples=tuple(examples),
            action=action,
            menu=menu,
            written_usage=usage,
            requires_input=needs_args,
            handler=handler,
        )
        setattr(handler, _SPEC_ATTRIBUTE, spec)
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
        return closest(name, self._specs)

    def help_text(self, prefix: str, name: str = "") -> str:
        """/help: every command's forms with who may use them; or one command in detail, with examples."""
        spec = self.get(name.removeprefix(prefix).removeprefix("/")) if name else None
        if spec is not None:
            return describe(spec, prefix)
        lines = [HELP_HEADER]
        for spec in self.specs():
            private = " (private answer)" if spec.private else ""
            if spec.subcommands and not spec.written_usage:
                for sub, form in zip(spec.subcommands, spec.usage_forms(prefix), strict=True):
                    lines.append(f"  {form}{ROLE_MARKERS.get(max(sub.role, spec.role), '')}: {sub.description}")
            else:
                lines.append(f"  {spec.usage(prefix)}{ROLE_MARKERS.get(spec.role, '')}{private}: {spec.description}")
        lines.append(f"{prefix}help COMMAND tells more about one command.")
        return "\n".join(lines)


def describe(spec: CommandSpec, prefix: str) -> str:
    """One command in detail: its forms, what each option means, and examples."""
    lines = [f"{prefix}{spec.name}: {spec.description}"]
    lines.extend(f"  {form}" for form in spec.usage_forms(prefix))
    options = [*spec.options, *(option for sub in spec.subcommands for option in sub.options)]
    for option in dict((option.name, option) for option in options).values():
        lines.append(f"  {option.name}: {option.description}{'' if option.required else ' (optional)'}")
    lines.extend(f"  for example: {prefix}{spec.name} {example}".rstrip() for example in spec.examples)
    return "\n".join(lines)
