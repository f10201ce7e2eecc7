"""copbot.config.settings package."""
