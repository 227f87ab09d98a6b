"""scripts/coverage_per_module.py: every module at the floor, the ones under it listed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "coverage_per_module.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coverage_per_module", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floor = _load()


def _report(**modules: tuple[float, int, list[int]]) -> dict[str, object]:
    return {
        "files": {
            name: {
                "summary": {"percent_covered": percent, "num_statements": statements},
                "missing_lines": missing,
            }
            for name, (percent, statements, missing) in modules.items()
        }
    }


def test_modules_under_the_floor_are_listed_lowest_first() -> None:
    """A good total hides nothing: each module is judged on its own."""
    report = _report(
        good=(99.0, 100, [5]),
        low=(92.0, 100, [1, 2, 3, 9]),
        lower=(50.0, 2, [1]),
        empty=(0.0, 0, []),
    )
    assert floor.below_floor(report, 95.0) == [(50.0, "lower", [1]), (92.0, "low", [1, 2, 3, 9])]


def test_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1 with the modules named, 0 when all reach the floor."""
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(_report(a=(96.0, 50, [1, 2]), b=(94.9, 50, [1, 2, 3, 7]))))
    assert floor.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "b 94.9 % (missing 1-3, 7)" in out
    assert "a 96.0" not in out
    assert floor.main([str(path), "--floor", "90"]) == 0
