"""Tests for copbot."""
