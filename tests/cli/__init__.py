"""Tests for copbot.cli."""
