"""Platform adapters: in-memory, console, Discord and Matrix (imported as copbot.adapters)."""
