"""The client must stand on its own: aiohttp and the standard library, never Home Assistant.

orjson, which Home Assistant always has, is used when it is there: only imported where its
absence is caught, and the client reads the same without it.
"""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys
import textwrap

import pytest

API_DIR = Path(__file__).resolve().parents[2] / "custom_components" / "blue_current" / "api"
ALLOWED_THIRD_PARTY = {"aiohttp"}
# Imported only inside ``try: ... except ImportError``.
OPTIONAL_THIRD_PARTY = {"orjson"}


def _imported(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {node.module.split(".")[0]}
    return set()


def _absolute_imports(path: Path) -> tuple[set[str], set[str]]:
    """The top-level packages a module imports by absolute name: all, and those guarded."""
    found: set[str] = set()
    guarded: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        found |= _imported(node)
        if isinstance(node, ast.Try) and any(
            isinstance(handler.type, ast.Name) and handler.type.id == "ImportError"
            for handler in node.handlers
        ):
            for statement in node.body:
                guarded |= _imported(statement)
    return found, guarded


def test_api_imports_only_the_standard_library_and_aiohttp() -> None:
    """Every absolute import is stdlib or aiohttp, or optional and guarded; ours are relative."""
    modules = sorted(API_DIR.glob("*.py"))
    assert len(modules) > 5
    for module in modules:
        found, guarded = _absolute_imports(module)
        foreign = found - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY
        assert foreign <= OPTIONAL_THIRD_PARTY, f"{module.name} imports {foreign}"
        assert foreign <= guarded, f"{module.name} needs {foreign - guarded}"


@pytest.mark.parametrize("without_orjson", [False, True])
def test_api_loads_as_its_own_package_without_home_assistant(without_orjson: bool) -> None:
    """Loaded under another name, with homeassistant unimportable, every module imports.

    And reads a frame, with orjson or without it.
    """
    blocked = ("homeassistant", "custom_components", *(["orjson"] if without_orjson else []))
    script = textwrap.dedent(
        f"""
        import importlib, importlib.abc, importlib.util, pkgutil, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {blocked!r}:
                    raise ImportError("blocked: " + name)
                return None

        sys.meta_path.insert(0, Block())
        api_dir = {str(API_DIR)!r}
        spec = importlib.util.spec_from_file_location(
            "bluecurrent_client", api_dir + "/__init__.py", submodule_search_locations=[api_dir]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules["bluecurrent_client"] = package
        spec.loader.exec_module(package)
        for info in pkgutil.iter_modules([api_dir]):
            importlib.import_module("bluecurrent_client." + info.name)
        assert not any(m.split(".")[0] == "homeassistant" for m in sys.modules)
        print(package.BlueCurrentClient.__module__, package.DEFAULT_URL)
        parsing = sys.modules["bluecurrent_client.parsing"]
        message = parsing.parse_message('{{"object": "CH_STATUS", "data": {{"actual_kwh": 1}}}}')
        print(message.name, message.body["data"]["actual_kwh"], parsing._orjson_loads is None)
        """
    )
    result = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "bluecurrent_client.client",
        "wss://motown.bluecurrent.nl/haserver",
        "CH_STATUS",
        "1",
        str(without_orjson),
    ]
