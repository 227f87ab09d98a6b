"""Lean entity sets (``lean.py``): the defaults, the fleet option, and requests to recover."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import EntityPlatform
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator, wire
from custom_components.blue_current.api import ChargePoint, ChargePointData
from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.entity import BATCH_ENTITIES
from custom_components.blue_current.lean import CONF_FLEET, FLEET_KEYS, apply_defaults, key_due

from .conftest import device_id, settle

CHARGER = "BCU100001"


def _keys(hass: HomeAssistant, entry: MockConfigEntry, evse_id: str) -> set[str]:
    return {
        entity.unique_id.removesuffix(f"_{evse_id}")
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if entity.unique_id.endswith(f"_{evse_id}")
    }


async def test_profile_entities_follow_the_profile(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """No profile on: no profile times, numbers or boost; turned on: they appear."""
    keys = _keys(hass, init_integration, CHARGER)
    assert not keys & {"departure_time", "minimum_charge", "battery_size", "boost", "boosting"}
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.price_based.enabled = True
    await simulator.push(wire.settings(charge_point))
    await settle(hass, lambda: hass.states.get("number.charger_1_minimum_charge") is not None)
    keys = _keys(hass, init_integration, CHARGER)
    assert {"departure_time", "minimum_charge", "battery_size", "boost", "boosting"} <= keys
    assert not keys & {"delayed_charging_start", "delayed_charging_end"}


async def test_diagnostics_and_rare_controls_are_disabled(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Registered, but disabled by default."""
    registry = er.async_get(hass)
    for entity_id in (
        "binary_sensor.charger_1_online",
        "button.charger_1_reset",
        "button.charger_1_reboot",
        "sensor.charger_1_session_duration",
    ):
        entity = registry.async_get(entity_id)
        assert entity is not None, entity_id
        assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION, entity_id


async def test_fleet_option(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """The options flow turns the fleet set on: the entry reloads with core's values only."""
    assert len(_keys(hass, init_integration, CHARGER)) > len(FLEET_KEYS)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FLEET: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {CONF_FLEET: True}
    await hass.async_block_till_done()
    await settle(hass, lambda: init_integration.state is ConfigEntryState.LOADED)
    await init_integration.runtime_data.entities_registered.wait()
    await hass.async_block_till_done()
    for evse_id in sim_account.charge_points:
        keys = _keys(hass, init_integration, evse_id)
        assert keys <= FLEET_KEYS, keys - FLEET_KEYS
        assert len(keys) <= 20  # core's
    registry = er.async_get(hass)
    per_domain = Counter(
        entity.domain
        for entity in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if entity.unique_id.endswith(CHARGER)
    )
    assert set(per_domain) == {"sensor"}
    assert hass.states.get("sensor.charger_1_session_energy") is not None


async def test_recovery_rereads_settings_only_where_the_list_does_not_say(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """After a drop: statuses and the list; settings only of a charge point whose item changed."""
    connection = init_integration.runtime_data
    before = len(simulator.requests())
    sim_account.charge_points[CHARGER].plug_and_charge = not sim_account.charge_points[
        CHARGER
    ].plug_and_charge
    await simulator.drop_connections("abrupt")
    await settle(hass, lambda: not connection.connected)
    await settle(hass, lambda: connection.connected, seconds=10)
    commands = Counter(request["command"] for request in simulator.requests()[before:])
    assert commands["GET_CH_STATUS"] == len(sim_account.charge_points)
    assert commands["GET_CH_SETTINGS"] == 1
    assert commands["GET_CHARGE_CARDS"] == 0


@pytest.mark.parametrize(
    ("command", "check"),
    [
        ("plug_and_charge_off", lambda cp: cp.plug_and_charge is False),
        ("delayed_charging_on", lambda cp: cp.delayed.enabled is True),
        ("reboot", lambda cp: cp.reboots == 1),
    ],
)
async def test_charge_point_command(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim_account: SimAccount,
    command: str,
    check: Callable[[Any], bool],
) -> None:
    """Controls reach the charge point through the action, entity or not."""
    await hass.services.async_call(
        DOMAIN,
        "charge_point_command",
        {"device_id": device_id(hass, CHARGER), "command": command},
        blocking=True,
    )
    await settle(hass, lambda: check(sim_account.charge_points[CHARGER]))


async def test_registration_in_few_bounded_batches(
    hass: HomeAssistant, simulator_factory: Any, socket_enabled: None
) -> None:
    """A fleet's entities reach Home Assistant in calls of at most ``BATCH_ENTITIES``, a
    platform's gathered over charge points: few calls, each one short."""
    fleet = await simulator_factory()
    fleet.add_account(token="FLEET", customer_id="C0009", email="f@example.com", charge_points=12)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="f@example.com",
        unique_id="C0009",
        data={"api_token": "FLEET", "endpoint": fleet.url},
    )
    entry.add_to_hass(hass)
    calls: list[tuple[str, int]] = []
    original = EntityPlatform.async_add_entities

    async def recording(self: EntityPlatform, new_entities: Any, *args: Any) -> None:
        entities = list(new_entities)
        calls.append((self.domain, len(entities)))
        await original(self, entities, *args)

    with patch.object(EntityPlatform, "async_add_entities", recording):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await entry.runtime_data.entities_registered.wait()
        await hass.async_block_till_done()
    assert calls
    assert max(size for _domain, size in calls) <= BATCH_ENTITIES
    total = sum(size for _domain, size in calls)
    platforms = {domain for domain, _size in calls}
    # Full batches, and at most a partial one per platform and stage.
    assert len(calls) <= total // BATCH_ENTITIES + 2 * len(platforms), calls


def test_entities_without_a_description() -> None:
    """An entity without a description (no key): registered by default, never in the fleet
    set; and the defaults leave it enabled."""
    data = ChargePointData(ChargePoint("E1", "model", "", False))
    assert key_due(None, data, fleet=False)
    assert not key_due(None, data, fleet=True)
    assert key_due("reset", data, fleet=False)
    assert not key_due("boost", data, fleet=False)  # only while a profile is on
    entity = Entity()
    apply_defaults(entity, None)
    assert entity.entity_registry_enabled_default
    apply_defaults(entity, "reset")
    assert not entity.entity_registry_enabled_default
