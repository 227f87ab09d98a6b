"""The client must stand on its own: aiohttp and the standard library, never Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys
import textwrap

API_DIR = Path(__file__).resolve().parents[2] / "custom_components" / "blue_current" / "api"
ALLOWED_THIRD_PARTY = {"aiohttp"}


def _absolute_imports(path: Path) -> set[str]:
    """The top-level packages a module imports by absolute name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_api_imports_only_the_standard_library_and_aiohttp() -> None:
    """Every absolute import is stdlib or aiohttp; the package's own are relative."""
    modules = sorted(API_DIR.glob("*.py"))
    assert len(modules) > 5
    for module in modules:
        foreign = _absolute_imports(module) - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY
        assert not foreign, f"{module.name} imports {foreign}"


def test_api_loads_as_its_own_package_without_home_assistant() -> None:
    """Loaded under another name, with homeassistant unimportable, every module imports."""
    script = textwrap.dedent(
        f"""
        import importlib, importlib.abc, importlib.util, pkgutil, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("homeassistant", "custom_components"):
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
        """
    )
    result = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "bluecurrent_client.client",
        "wss://motown.bluecurrent.nl/haserver",
    ]
