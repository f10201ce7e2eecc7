"""copbot.conversations package."""
