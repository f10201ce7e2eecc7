"""Backfill: read a community's past (live or from export files), store it once, and queue its answered threads."""
