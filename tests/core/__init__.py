"""Tests for copbot.core."""
