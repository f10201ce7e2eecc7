"""Tests for copbot.conversations."""
