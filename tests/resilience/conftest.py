"""The resilience suite's fixtures, and the record of which scenarios each integration survived.

Scenarios run against ours (asserted: every one must pass) and, in the full suite, against
Home Assistant's built-in integration (recorded, not asserted: the table shows where it fails).
``scripts/resilience`` prints the record as a table.
"""

from __future__ import annotations

from collections.abc import Generator
import json
import os
from pathlib import Path

import pytest

from bluecurrent_simulator import Simulator
from tests.fixtures.simulator import SimulatorFactory

RECORD = Path(os.environ.get("RESILIENCE_RECORD", "artifacts/resilience.json"))
_survived: dict[str, dict[str, bool]] = {}


@pytest.fixture(
    params=[
        "ours",
        # Core's crashes are what the suite records: they must not fail its teardown.
        pytest.param(
            "core", marks=[pytest.mark.resilience_full, pytest.mark.no_fail_on_log_exception]
        ),
    ]
)
def target(request: pytest.FixtureRequest) -> str:
    """Which integration a scenario runs against."""
    return str(request.param)


@pytest.fixture
async def bare_simulator(simulator_factory: SimulatorFactory) -> Simulator:
    """A started simulator with no account yet (the harness adds one with a secret token)."""
    return await simulator_factory()


@pytest.fixture
def record() -> Generator[dict[str, bool]]:
    """Record ``{target: survived}`` under a scenario name: ``record[name] = survived``."""
    found: dict[str, bool] = {}
    yield found
    for key, survived in found.items():
        scenario, target = key.rsplit("@", 1)
        _survived.setdefault(scenario, {})[target] = survived


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Merge this run's record into the file ``scripts/resilience`` prints."""
    if not _survived:
        return
    known: dict[str, dict[str, bool]] = {}
    if RECORD.exists():
        known = json.loads(RECORD.read_text())
    for scenario, targets in _survived.items():
        known.setdefault(scenario, {}).update(targets)
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(known, indent=2, sort_keys=True))
