"""Tests for copbot.adapters."""
