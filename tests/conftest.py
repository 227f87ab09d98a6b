"""Fixtures shared by every test: Home Assistant's harness, set up for a custom integration."""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from bluecurrent_simulator import SimAccount

pytest_plugins = [
    "tests.fixtures.simulator",
    "tests.fixtures.integration",
]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load our blue_current, not the one Home Assistant ships (it would win silently)."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot serializer; syrupy's own fixture would otherwise win."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def profiles_on(sim_account: SimAccount) -> None:
    """Both smart-charging profiles on before setup: their times, numbers and boost exist only
    while a profile is on (``lean.py``). Request it before ``init_integration``."""
    for charge_point in sim_account.charge_points.values():
        charge_point.delayed.enabled = True
        charge_point.price_based.enabled = True


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default as enabled (core has it, phcc does not)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
    ):
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Home Assistant's built-in blue_current, set up in ``tests/reference``, runs last.

    Setting up the built-in integration of the same domain in this process leaves state
    behind that later set-ups of ours trip over (entity names falling back to device-class
    names, restored values not found): the built-in one is only ever a reference here, so it
    goes after everything else rather than before the tests it would disturb.
    """
    items.sort(key=lambda item: item.nodeid.startswith("tests/reference/"))
