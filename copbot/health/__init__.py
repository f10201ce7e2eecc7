"""Community health: figures about help, practice, people, the repository and the rhythm, from stored data."""
