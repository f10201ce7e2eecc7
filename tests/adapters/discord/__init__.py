"""Tests of the Discord adapter against discord.py's own parsers and a local fake REST API."""
