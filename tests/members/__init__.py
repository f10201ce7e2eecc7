"""Tests for copbot.members."""
