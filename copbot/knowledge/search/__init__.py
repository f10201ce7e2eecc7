"""copbot.knowledge.search.backend package."""
