"""What evcc reads and turns: the IEC 61851 status, the charge-session switch; and the binary
sensors' device classes, which Home Assistant's purpose-specific triggers look for."""

from __future__ import annotations

from homeassistant.components.persistent_notification import (
    _async_get_or_create_notifications,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.api import ChargePointStatus, VehicleStatus
from custom_components.blue_current.evcc import iec_state
from tests.platforms.conftest import call, settle

CHARGER = "BCU100001"
IEC = "sensor.charger_1_charging_status_iec_61851"
SESSION = "switch.charger_1_charge_session"


def state(hass: HomeAssistant, entity_id: str) -> str:
    """An entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


@pytest.mark.parametrize(
    ("vehicle_status", "letter"),
    [
        (VehicleStatus.STANDBY, "a"),
        (VehicleStatus.VEHICLE_DETECTED, "b"),
        (VehicleStatus.READY, "c"),  # C or D on the wire
        (VehicleStatus.CHARGING, "c"),
        (VehicleStatus.NO_POWER, "e"),
        (VehicleStatus.VEHICLE_ERROR, "f"),
        ("d", "d"),  # a letter the client kept as text stays that letter
        ("plugged", None),  # a word nobody knows is unknown, not a guess
        (None, None),
    ],
)
def test_iec_letters(vehicle_status: VehicleStatus | str | None, letter: str | None) -> None:
    """The mapping from the service's vehicle status to IEC 61851 letters."""
    assert iec_state(ChargePointStatus(CHARGER, vehicle_status=vehicle_status)) == letter


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # disabled by default
async def test_iec_status_follows_the_vehicle(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A -> C (plug & charge) -> B (stopped, still plugged) -> F (vehicle error) -> A."""
    charge_point = sim_account.charge_points[CHARGER]
    current = hass.states.get(IEC)
    assert current is not None
    assert current.state == "a"
    assert current.attributes["options"] == ["a", "b", "c", "d", "e", "f"]
    charge_point.plug_in(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: state(hass, IEC) == "c")
    charge_point.stop_session(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: state(hass, IEC) == "b")
    charge_point.vehicle_error = True
    await simulator.push_changes()
    await settle(hass, lambda: state(hass, IEC) == "f")
    charge_point.vehicle_error = False
    charge_point.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: state(hass, IEC) == "a")


async def test_charge_session_switch_starts_and_stops(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """evcc's enable: on starts a session with the selected card, off stops it."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    await simulator.push_changes()
    assert state(hass, SESSION) == "off"

    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, SESSION)
    await settle(hass, lambda: state(hass, SESSION) == "on")
    assert charge_point.charging
    # The card the card select shows: the charge point's default card.
    (start,) = simulator.requests("START_SESSION")
    assert start["session_token"] == sim_account.cards[0].uid
    # On already: nothing sent.
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, SESSION)
    assert len(simulator.requests("START_SESSION")) == 1

    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, SESSION)
    await settle(hass, lambda: state(hass, SESSION) == "off")
    assert not charge_point.charging
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, SESSION)
    assert len(simulator.requests("STOP_SESSION")) == 1


async def test_a_refused_start_is_reported(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """No vehicle: the service accepts, the charge point refuses; a notification says so."""
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, SESSION)
    notification = f"blue_current_{CHARGER}_start_session"
    await settle(hass, lambda: notification in _async_get_or_create_notifications(hass))
    message = _async_get_or_create_notifications(hass)[notification]["message"]
    assert "Charger 1" in message
    assert state(hass, SESSION) == "off"


@pytest.mark.parametrize(
    ("key", "device_class"),
    [("charging", "battery_charging"), ("vehicle_connected", "plug"), ("online", "connectivity")],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # disabled by default
async def test_binary_sensor_device_classes_and_ids(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    key: str,
    device_class: str,
) -> None:
    """The classes purpose-specific triggers (battery charging, plugged in, connected) find,
    on the unique ids core uses ({key}_{evse_id}), so history and automations stay."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id("binary_sensor", "blue_current", f"{key}_{CHARGER}")
    assert entity_id == f"binary_sensor.charger_1_{key}"
    current = hass.states.get(entity_id)
    assert current is not None
    assert current.attributes["device_class"] == device_class
