"""Tests for copbot.semantic."""
