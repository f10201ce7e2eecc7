"""Tests for copbot.activities."""
