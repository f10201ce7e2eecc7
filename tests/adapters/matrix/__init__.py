"""Matrix adapter tests against a real Synapse."""
