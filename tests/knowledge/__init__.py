"""Tests for copbot.knowledge."""
