"""Fail when any module is under the coverage floor, not only the total.

    python scripts/coverage_per_module.py COVERAGE_JSON [--floor 95]

COVERAGE_JSON is what ``coverage json`` (or pytest-cov's ``--cov-report=json:FILE``) writes.
Every measured module must reach the floor; the ones that do not are listed with their
percentage and missing lines, lowest first.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
import json
from pathlib import Path
import sys
from typing import Any


def below_floor(report: dict[str, Any], floor: float) -> list[tuple[float, str, list[int]]]:
    """(percentage, module, missing lines) of every module under ``floor``, lowest first."""
    low = []
    for name, data in report["files"].items():
        summary = data["summary"]
        if summary["num_statements"] == 0:
            continue
        percent = float(summary["percent_covered"])
        if percent < floor:
            low.append((percent, name, list(data.get("missing_lines", []))))
    return sorted(low)


def _ranges(lines: Sequence[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    parts: list[str] = []
    for line in sorted(lines):
        if parts and parts[-1].split("-")[-1] == str(line - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{line}"
        else:
            parts.append(str(line))
    return ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the modules under the floor; exit status 1 when there are any."""
    parser = argparse.ArgumentParser(description="Coverage floor per module.")
    parser.add_argument("report", type=Path)
    parser.add_argument("--floor", type=float, default=95.0)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    low = below_floor(report, args.floor)
    for percent, name, missing in low:
        print(f"coverage: {name} {percent:.1f} % (missing {_ranges(missing)})")
    if low:
        print(f"coverage: {len(low)} module(s) under {args.floor:g} %")
        return 1
    print(f"coverage: every module at {args.floor:g} % or more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
