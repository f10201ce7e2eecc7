"""The architecture as a checked contract: every module sits in a declared layer, no import cycles, small modules."""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 300
DATA_TABLES = {"copbot/activities/recognition/cues_en.py"}
"""Modules that are data, not logic: cue tables may run long."""
CLOCK_READERS = {"copbot/core/clock.py", "copbot/store/types.py"}
"""The only places that may read the real time: the system clock itself, and a column default's last resort."""


def _modules() -> list[Path]:
    return sorted(
        path
        for folder in ("copbot", "adapters")
        for path in (ROOT / folder).rglob("*.py")
        if "versions" not in path.parts and not (folder == "copbot" and path.parts[-2] in ("adapters", "migrations"))
    )


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    return [name.strip() for layer in config["layers"] for name in re.split(r"[:|]", layer)]


def _dotted(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] == "adapters":
        parts = ["copbot", *parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_every_module_belongs_to_a_layer() -> None:
    layers = _layers()
    loose = [
        _dotted(path)
        for path in _modules()
        if not any(_dotted(path) == layer or _dotted(path).startswith(layer + ".") for layer in layers)
        and not (path.name == "__init__.py" and any(layer.startswith(_dotted(path) + ".") for layer in layers))
    ]
    assert loose == [], "add these modules to a layer in pyproject's [tool.importlinter]"


def test_no_import_cycles_between_modules() -> None:
    graph = grimp.build_graph("copbot", include_external_packages=False)
    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if not module.startswith(imported + ".") and not imported.startswith(module + "."):
                edges[module].add(imported)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for imported in sorted(edges[module]):
            if state.get(imported) == 1:
                cycles.append([*trail[trail.index(imported) :], imported] if imported in trail else [module, imported])
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_modules_are_small_and_say_what_they_are_for() -> None:
    too_long, undocumented = [], []
    for path in _modules():
        name = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_LINES and name not in DATA_TABLES:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        docstring = ast.get_docstring(ast.parse(text))
        if not docstring or not docstring.splitlines()[0].strip():
            undocumented.append(name)
    assert too_long == []
    assert undocumented == []


def test_time_is_injected() -> None:
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _modules()
        if str(path.relative_to(ROOT)) not in CLOCK_READERS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"datetime\.now\(|datetime\.utcnow\(|\btime\.time\(\)", line)
    ]
    assert readers == []
