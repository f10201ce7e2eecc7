"""Tests for copbot.prompts."""
