"""flows/ and scoring/ stay pure: standard library only, no SDK, no asyncio, no bot."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ("flows", "scoring")
FORBIDDEN_STDLIB = {"asyncio", "sqlite3", "socket", "threading", "subprocess"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_only_the_standard_library(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    for path in files:
        for name in imported_modules(path):
            allowed = name in sys.stdlib_module_names and name not in FORBIDDEN_STDLIB
            own = name == package or (package == "flows" and name == "flows")
            assert allowed or own, f"{path.relative_to(ROOT)} imports {name}"
