"""Chat commands, platform-neutral: /ask, /search, /solved, /share, /pin, /kb, /privacy, /help."""
