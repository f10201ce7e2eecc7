"""copbot.config package."""
