"""copbot.store package."""
