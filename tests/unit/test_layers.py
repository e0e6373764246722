"""The structure holds: layers point one way, no import cycles (function-local imports
included), no module too large to read. Read from the source with ``ast``: nothing is run."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "dashboard", "kandidatmonitor")
MAX_LINES = 450


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every project module ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) - {name} for name, path in known.items()}


def test_services_import_neither_dashboard_nor_panel_nor_the_command_line():
    for name, path in modules().items():
        if not name.startswith("services"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            roots = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for root in roots:
                assert root.split(".")[0] not in ("dashboard", "panel", "bokeh", "kandidatmonitor"), (name, root)


def test_dashboard_does_not_import_the_command_line():
    for name, targets in graph().items():
        if name.startswith("dashboard"):
            assert not any(t.startswith("kandidatmonitor") for t in targets), name


def test_no_import_cycles():
    edges = graph()
    # A package's __init__ re-exporting its modules is not a cycle of the modules themselves.
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in edges.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_module_over_450_lines():
    too_long = {str(p.relative_to(ROOT)): n for p in ROOT.glob("*/**/*.py")
                if ".venv" not in p.parts and (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert too_long == {}
