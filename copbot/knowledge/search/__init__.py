"""copbot.knowledge.search package."""
