"""copbot.prompts package."""
