"""Core-style entity snapshots: ``snapshot_platform`` per platform, and the registry as a new
user gets it (which entities are disabled by default, their devices, their original names).

``snapshot_platform`` (phcc's copy of core's helper) needs every entity enabled and one
platform at a time; so the defaults are snapshotted separately by ``registry_table``, without
forcing anything enabled.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.const import DOMAIN, PLATFORMS

CHARGER = "BCU100001"
WITH_PROFILES = "BCU100002"
FROZEN = "2026-01-05 09:30:00+00:00"


async def _set_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    sim_account: SimAccount,
    entry: MockConfigEntry,
) -> None:
    """One charge point charging for half an hour (both clocks frozen and moved together),
    another with both smart-charging profiles on (so that every platform has entities)."""
    sim_account.charge_points[CHARGER].plug_in(simulator.now)
    profiles = sim_account.charge_points[WITH_PROFILES]
    profiles.delayed.enabled = True
    profiles.price_based.enabled = True
    await simulator.advance(1800)
    freezer.tick(timedelta(seconds=1800))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Entities are registered in stages after setup; the connection says when all are.
    registered = getattr(entry.runtime_data, "entities_registered", None)
    if registered is not None:
        async with asyncio.timeout(10):
            await registered.wait()
        await hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.freeze_time(FROZEN, real_asyncio=True)
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_platform(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of one platform: its registry entry and its state."""
    with patch("custom_components.blue_current.PLATFORMS", [platform]):
        await _set_up(hass, freezer, simulator, sim_account, mock_config_entry)
        await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


def registry_table(
    entity_registry: er.EntityRegistry, device_registry: dr.DeviceRegistry, entry_id: str
) -> dict[str, dict[str, Any]]:
    """The registry as created, stable across versions: defaults, device links, names."""
    table: dict[str, dict[str, Any]] = {}
    for entity in er.async_entries_for_config_entry(entity_registry, entry_id):
        device = device_registry.async_get(entity.device_id) if entity.device_id else None
        table[entity.entity_id] = {
            "unique_id": entity.unique_id,
            "disabled_by": entity.disabled_by.value if entity.disabled_by else None,
            "hidden_by": entity.hidden_by.value if entity.hidden_by else None,
            "entity_category": entity.entity_category.value if entity.entity_category else None,
            "original_name": entity.original_name,
            "has_entity_name": entity.has_entity_name,
            "translation_key": entity.translation_key,
            "original_device_class": entity.original_device_class,
            "device": sorted(device.identifiers) if device else None,
            "device_name": device.name if device else None,
        }
    return dict(sorted(table.items()))


@pytest.mark.freeze_time(FROZEN, real_asyncio=True)
async def test_registry_defaults(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Nothing forced enabled: what a new user's registry holds, and every entity on a device."""
    await _set_up(hass, freezer, simulator, sim_account, mock_config_entry)
    table = registry_table(entity_registry, device_registry, mock_config_entry.entry_id)
    assert table
    assert all(row["device"] for row in table.values())
    assert all(identifier[0] == DOMAIN for row in table.values() for identifier in row["device"])
    assert any(row["disabled_by"] == "integration" for row in table.values())
    assert table == snapshot
