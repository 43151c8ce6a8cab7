"""The top-level parts of seatcast import one way: a plain walk of every import statement.

A complement to import-linter (``make lint``): every ``import``/``from ... import`` anywhere in a
module (inside functions and ``TYPE_CHECKING`` blocks too) is resolved to its top-level part, and
no part may import one that sits above it in :data:`LAYERS` (or a sibling in its own layer).
"""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import seatcast

SRC = Path(seatcast.__file__).parent
CONFIG = Path(__file__).parents[1] / ".importlinter"

#: Lowest first; parts in one tuple are independent siblings.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",), ("extras",), ("data",), ("models",), ("projection",), ("backtest",), ("fit",), ("simulate",),
    ("scenarios", "night"), ("diagnostics", "systems"), ("api",), ("web", "plots"), ("cli",),
)
RANK = {part: i for i, layer in enumerate(LAYERS) for part in layer}
def _allowed() -> set[tuple[str, str]]:
    """The upward edges import-linter is told to ignore (module, part), read from its config."""
    cfg = configparser.ConfigParser()
    cfg.read_string(CONFIG.read_text())
    lines = cfg.get("importlinter:contract:layers", "ignore_imports", fallback="").splitlines()
    return {(a.strip(), b.strip().removeprefix("seatcast.")) for a, _, b in (ln.partition("->") for ln in lines) if b}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every seatcast module ``path`` imports, relative imports resolved."""
    mod = _module_name(path)
    package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return {m for m in out if m.split(".")[0] == "seatcast"}


def _part(module: str) -> str | None:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 and bits[1] in RANK else None


def edges() -> set[tuple[str, str, str]]:
    """(importing module, its part, imported part) for every import between two parts."""
    found = set()
    for path in SRC.rglob("*.py"):
        mod = _module_name(path)
        src = _part(mod)
        if src is None:
            continue
        for target in _imports(path):
            dst = _part(target)
            if dst is not None and dst != src:
                found.add((mod, src, dst))
    return found


def test_every_part_is_in_a_layer() -> None:
    parts = {p.stem for p in SRC.iterdir() if (p.is_dir() and (p / "__init__.py").exists()) or
             (p.suffix == ".py" and not p.stem.startswith("__"))}
    assert parts == set(RANK)


def test_no_part_imports_a_higher_or_sibling_part() -> None:
    allowed = _allowed()
    upward = sorted(f"{mod} -> {dst}" for mod, src, dst in edges()
                    if RANK[dst] >= RANK[src] and (mod, dst) not in allowed)
    assert upward == []


def test_data_imports_nothing_above_it() -> None:
    assert {dst for _, src, dst in edges() if src == "data"} <= {"errors"}


def test_the_part_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for _, src, dst in edges():
        graph.setdefault(src, set()).add(dst)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [p for p in graph if reaches(p, p, set())] == []
