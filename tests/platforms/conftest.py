"""Helpers for the platform tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.coordinator import charge_point_device

STABLE_ATTRIBUTES = ("device_class", "unit_of_measurement", "state_class", "options", "editable")


async def settle(hass: HomeAssistant, condition: Callable[[], bool], seconds: float = 5) -> None:
    """Let the event loop run until ``condition`` holds."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.005)
            await hass.async_block_till_done()


def entity_table(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, dict[str, Any]]:
    """What a user sees of every entity, in a form stable across Home Assistant versions.

    The registry as it is (entities disabled by default stay disabled and have no state);
    timestamps are real values: the tests that use this freeze time.
    """
    registry = er.async_get(hass)
    table: dict[str, dict[str, Any]] = {}
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        state = hass.states.get(entity.entity_id)
        attributes = state.attributes if state is not None else {}
        table[entity.entity_id] = {
            "unique_id": entity.unique_id,
            "translation_key": entity.translation_key,
            "category": entity.entity_category.value if entity.entity_category else None,
            "disabled_by": entity.disabled_by.value if entity.disabled_by else None,
            "state": state.state if state is not None else None,
            **{key: attributes[key] for key in STABLE_ATTRIBUTES if key in attributes},
        }
    return table


def device_id(hass: HomeAssistant, evse_id: str) -> str:
    """The device of a charge point."""
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    device = charge_point_device(dr.async_get(hass), entry.entry_id, evse_id)
    assert device is not None
    return device.id


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any) -> None:
    """Call an entity service and wait."""
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )
    await hass.async_block_till_done()


@pytest.fixture
def short_request_timeout() -> Any:
    """Commands give up waiting for an acknowledgement after a fraction of a second."""
    from unittest.mock import patch

    with patch("custom_components.blue_current.REQUEST_TIMEOUT", 0.3):
        yield
