"""Tests for copbot.config."""
