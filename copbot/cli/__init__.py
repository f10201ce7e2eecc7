"""copbot.cli package."""
