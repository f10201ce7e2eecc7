#!/usr/bin/env python3
"""One entry point for people and CI: `python3 dev.py run` starts the bot, `python3 dev.py test` runs the tests."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COPBOT_VENV", ROOT / ".venv"))
CONFIG = ROOT / "config.toml"
TORCH_CPU = "torch==2.13.0"
"""The CPU build of torch the semantic extra is tested with; installed before the extra so no CUDA build is pulled."""
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TEST_EXTRAS = "test,semantic"
EXAMPLE = ROOT / "config.example.toml"


def _bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _run(*command: str | Path, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.call([str(part) for part in command], cwd=ROOT, env=env)


def install(extras: str = "") -> None:
    """Create the virtual environment and install copbot into it; skipped when nothing changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"copbot needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not _bin("python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".copbot-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    pip = (_bin("python"), "-m", "pip", "install", "--quiet")
    if _run(*pip, "--upgrade", "pip") != 0:
        sys.exit("could not upgrade pip in the virtual environment")
    if "semantic" in extras.split(",") and _run(*pip, TORCH_CPU, "--extra-index-url", TORCH_CPU_INDEX) != 0:
        sys.exit(f"installing {TORCH_CPU} (CPU build) failed; see the pip output above")
    target = f".[{extras}]" if extras else "."
    if _run(*pip, "-e", target) != 0:
        sys.exit("installing copbot failed; see the pip output above")
    stamp.write_text(digest)


def cmd_install(args: argparse.Namespace) -> int:
    """Install the bot; --semantic adds hybrid search (CPU torch), --test the test tools (and the semantic extra)."""
    if args.test:
        install(TEST_EXTRAS)
    else:
        install("semantic" if args.semantic else "")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Install, make a config from the example if there is none, and run the bot."""
    install()
    config = Path(args.config) if args.config else CONFIG
    if not config.exists():
        shutil.copyfile(EXAMPLE, config)
        print(f"created {config.name} from {EXAMPLE.name}; edit it to connect Discord or Matrix", flush=True)
    return _run(_bin("copbot"), "run", "--config", config)


def cmd_test(args: argparse.Namespace) -> int:
    """Install with the test tools and run the whole test suite."""
    install(TEST_EXTRAS)
    env = dict(os.environ, COPBOT_REQUIRE_SEMANTIC="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return _run(_bin("python"), "-m", "pytest", *args.pytest_args, env=env)


def cmd_lint(args: argparse.Namespace) -> int:
    """Lint with ruff, type-check with mypy, and check the layers with import-linter."""
    install(TEST_EXTRAS)
    failed = _run(_bin("ruff"), "check", ".")
    failed |= _run(_bin("ruff"), "format", "--check", ".")
    failed |= _run(_bin("mypy"))
    failed |= _run(_bin("lint-imports"))
    return 1 if failed else 0


def main() -> int:
    """Parse the subcommand and run it."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="set up and start the bot (console adapter unless the config enables a platform)")
    run.add_argument("--config", help="config file (default: config.toml, created from config.example.toml)")
    run.set_defaults(handler=cmd_run)
    test = sub.add_parser(
        "test", help="set up (with the semantic extra) and run the whole suite; extra arguments go to pytest"
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(handler=cmd_test)
    lint = sub.add_parser("lint", help="ruff, mypy and import-linter (the layers)")
    lint.set_defaults(handler=cmd_lint)
    setup = sub.add_parser("install", help="only install (used by the Dockerfile)")
    setup.add_argument("--test", action="store_true", help="also install the test tools and the semantic extra")
    setup.add_argument("--semantic", action="store_true", help="add hybrid search: CPU torch and sentence-transformers")
    setup.set_defaults(handler=cmd_install)
    args = parser.parse_args()
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
