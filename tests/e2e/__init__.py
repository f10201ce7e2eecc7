"""Process-level end-to-end tests: ``copbot run`` as an admin starts it, against real homeservers."""
