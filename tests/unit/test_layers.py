"""The packages depend one way (docs/architecture.md): web -> market -> projects -> ledger, and
the domain never imports the web, the demo, the benchmarks or the project's Piccolo
configuration. The contracts are import-linter's, written in pyproject.toml."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("ledger", "projects", "market")


def test_the_import_contracts_hold():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_no_domain_module_imports_the_piccolo_configuration():
    # piccolo_conf is a module, not a package, so import-linter cannot name it in a contract.
    found = []
    for package in DOMAIN:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                if any(name.split(".")[0] == "piccolo_conf" for name in names):
                    found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_the_settings_import_nothing_but_the_standard_library():
    # settings.py is a module too: every layer imports it, so it may import none of them.
    imported = set()
    for node in ast.walk(ast.parse((ROOT / "settings.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == set()


def test_the_domain_holds_no_demo_or_benchmark_code():
    # The tools live in demo/ and bench/; a module named after them in the domain would be one
    # the forbidden-import contract cannot see (it imports nothing of theirs, it *is* theirs).
    found = [
        str(path.relative_to(ROOT))
        for package in DOMAIN
        for path in (ROOT / package).rglob("*.py")
        if any(part.startswith(("demo", "bench")) for part in path.relative_to(ROOT / package).parts)
    ]
    assert found == []
