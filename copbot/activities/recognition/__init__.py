"""copbot.activities.recognition package."""
