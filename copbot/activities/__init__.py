"""copbot.activities package."""
