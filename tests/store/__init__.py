"""Tests for copbot.store."""
