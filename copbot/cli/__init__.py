"""copbot.cli.main package."""
