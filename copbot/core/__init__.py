"""copbot.core package."""
