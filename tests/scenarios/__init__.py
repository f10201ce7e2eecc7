"""Tests for copbot.scenarios."""
