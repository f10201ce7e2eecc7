"""Every chat command copbot has: the handler modules, collected into one registry that all surfaces read."""

from __future__ import annotations

from copbot.commands import basic, experts, privacy
from copbot.commands import knowledge as knowledge_commands
from copbot.commands.registry import CommandRegistry

MODULES = (basic, privacy, experts, knowledge_commands)


def builtin_registry() -> CommandRegistry:
    """A new registry with every built-in command; the Discord tree, the text parsers and /help read it."""
    return CommandRegistry().collect(MODULES)
