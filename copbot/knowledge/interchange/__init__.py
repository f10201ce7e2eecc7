"""copbot.knowledge.interchange package."""
