"""copbot.members package."""
