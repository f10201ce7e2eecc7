"""copbot: a bot for communities of practice on Discord and Matrix."""

__version__ = "0.3.0"
