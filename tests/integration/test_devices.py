"""Devices as the quality scale's `devices` rule wants them; numbers with device classes."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount
from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.entity import PORTAL_URL
from tests.fixtures.simulator import SIM_CUSTOMER_ID


async def test_devices_link_to_the_portal(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Every charge point and the grid connection open the driver portal from their page."""
    wanted = {(DOMAIN, evse_id) for evse_id in sim_account.charge_points}
    wanted.add((DOMAIN, f"grid_{SIM_CUSTOMER_ID}"))
    devices = [
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if device.identifiers & wanted
    ]
    assert len(devices) == len(wanted)
    assert {device.configuration_url for device in devices} == {PORTAL_URL}
    # The service reports no firmware version: nothing is made up.
    assert {device.sw_version for device in devices} == {None}


async def test_grid_device_name_is_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The grid connection's name comes from the translations, not from the code."""
    registry = dr.async_get(hass)
    grid = next(
        device
        for device in dr.async_entries_for_config_entry(registry, init_integration.entry_id)
        if (DOMAIN, f"grid_{SIM_CUSTOMER_ID}") in device.identifiers
    )
    assert grid.name == "Grid connection"


async def test_numbers_have_device_classes(
    hass: HomeAssistant, profiles_on: None, init_integration: MockConfigEntry
) -> None:
    """Battery size is an energy storage in kWh, minimum charge a battery level in %."""
    registry = er.async_get(hass)
    size = registry.async_get("number.charger_1_battery_size")
    minimum = registry.async_get("number.charger_1_minimum_charge")
    assert size is not None
    assert minimum is not None
    assert size.original_device_class == "energy_storage"
    assert minimum.original_device_class == "battery"
    assert hass.states.get("number.charger_1_battery_size").attributes["unit_of_measurement"] == (
        "kWh"
    )
    assert hass.states.get("number.charger_1_minimum_charge").attributes["unit_of_measurement"] == (
        "%"
    )
