"""The console's first line, importable without the adapter (``copbot run`` prints it before the bot has loaded)."""


def console_banner(room: str, user: str) -> str:
    """What the console prints when it starts: the room, who is typing, where help is."""
    return f"copbot console, room #{room}. You are {user}. Type :help for help."
