"""copbot.knowledge package."""
