"""Issue 20 item 1 in a real process: a member floods a solved thread with one word; /search and /ask stay fast.

Before the bound, with 400 Discord-sized messages repeating one word, every /search or /ask with that word took 32 s
(the issue); this very test took 116 s for the first /search on the code before the fix, SQLite, a loaded machine.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.knowledge.test_search_budget import FLOOD, SEARCH_BUDGET_SECONDS, WORD
from tests.store.console_process import console_process

ROUND_TRIP_SECONDS = 2 * SEARCH_BUDGET_SECONDS
"""One search within its budget, plus the way through the pipe and the dispatcher of a process on a loaded machine."""


def test_a_flooded_solved_thread_keeps_search_and_ask_fast(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n')
    with console_process(config) as bot:
        # The word is only in the flood: the excerpt must come from the flooded column (the costly case).
        bot.send("/ask my machine makes a noise, what do I do?", ":thread c1", *[FLOOD] * 400)
        bot.send("oil it", "/solved", ":room")
        bot.wait_for("Saved to the knowledge base as kb1", timeout=300)
        times = {}
        for line, reply in [
            (f"/search {WORD}", f"Knowledge base results for “{WORD}”"),
            (f"/search {WORD} noise", "Knowledge base results for"),
            (f"/ask does a {WORD} need oil?", f"Question from you: does a {WORD} need oil?"),
        ]:
            started = time.perf_counter()
            bot.send(line)
            bot.wait_for(reply, timeout=120)
            times[line] = time.perf_counter() - started
        code, err = bot.finish()
    assert code == 0 and "Traceback" not in err, err[-3000:]
    assert "[kb1]" in "".join(bot.out), "the flooded entry is found"
    assert max(times.values()) < ROUND_TRIP_SECONDS, times
