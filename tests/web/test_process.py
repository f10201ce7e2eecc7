"""The web in real processes: ``copbot run`` with [web] enabled serves the pages; ``copbot web export`` writes them."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.community_harness import running_bot
from tests.web.support import PUBLIC, seed

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/t.sqlite3"\n[console]\nenabled = true\n'
        f'[web]\nenabled = true\nbind = "127.0.0.1:{port}"\nbase_url = "https://kb.example.org"\n'
        f'published_channels = ["{PUBLIC}"]\n'
    )
    return path


async def seeded(tmp_path: Path, port: int) -> tuple[Path, str]:
    """The config file and the id of a published entry, seeded in the file's SQLite database."""
    async with running_bot(tmp_path, extra_toml="[permissions]\nrate_limit_per_minute = 1000\n") as bot:  # t.sqlite3
        ids = await seed(bot)
    return config(tmp_path, port), ids.tempeh


async def fetch(url: str, tries: int = 100) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client:
        for _ in range(tries):
            try:
                async with client.get(url, allow_redirects=True) as response:
                    return response.status, await response.text()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never answered")


async def test_copbot_run_serves_the_pages_and_stops(tmp_path: Path) -> None:
    port = free_port()
    path, entry = await seeded(tmp_path, port)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot", "run", "--config", str(path), cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        status, home = await fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and entry in home
        status, page = await fetch(f"http://127.0.0.1:{port}/entries/{entry}")
        assert status == 200 and "steam the tempeh first" in page
        status, sitemap = await fetch(f"http://127.0.0.1:{port}/sitemap.xml")
        assert status == 200 and f"https://kb.example.org/entries/{entry}-" in sitemap
        assert (await fetch(f"http://127.0.0.1:{port}/entries/kb999"))[0] == 404
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr


async def test_copbot_web_export_writes_pages_and_a_search_index(tmp_path: Path) -> None:
    path, entry = await seeded(tmp_path, free_port())
    out = tmp_path / "site"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot", "web", "export", str(out), "--config", str(path), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    [page] = list(out.glob(f"entries/{entry}-*/index.html"))
    assert "steam the tempeh first" in page.read_text()
    assert json.loads((out / "api" / "entries" / f"{entry}.json").read_text())["id"] == entry
    assert (out / "index.html").is_file() and (out / "sitemap.xml").is_file() and (out / "feed.xml").is_file()
    assert (out / "pagefind" / "pagefind-ui.js").is_file(), "Pagefind indexed the pages"
    assert "volunteer rota" not in "".join(p.read_text() for p in out.rglob("*.html"))


async def test_export_without_a_public_url_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/t.sqlite3"\n[web]\npublished_channels = ["a"]\n'
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot", "web", "export", str(tmp_path / "out"), "--config", str(path), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines() == [
        "copbot: the export needs the site's public URL: set [web] base_url or pass --base-url"
    ]


async def test_copbot_web_serves_the_pages_alone(tmp_path: Path) -> None:
    port = free_port()
    path, entry = await seeded(tmp_path, port)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot", "web", "--config", str(path), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        status, page = await fetch(f"http://127.0.0.1:{port}/api/entries/{entry}")
        assert status == 200 and json.loads(page)["id"] == entry
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
