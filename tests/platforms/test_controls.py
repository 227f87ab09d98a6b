"""Switches, buttons, the card select, numbers and times: what the user changes."""

from __future__ import annotations

import asyncio
from datetime import time

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator, wire

from .conftest import call, device_id, settle

CHARGER = "BCU100001"
PLUG_AND_CHARGE = "switch.charger_1_plug_charge"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the profile switches
async def test_switch_shows_the_confirmed_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Turning plug & charge off changes the charge point, then the switch."""
    await call(hass, "switch", "turn_off", PLUG_AND_CHARGE)
    assert sim_account.charge_points[CHARGER].plug_and_charge is False
    assert hass.states.get(PLUG_AND_CHARGE).state == "off"
    await call(hass, "switch", "turn_on", "switch.charger_1_linked_charging_cards_only")
    assert sim_account.charge_points[CHARGER].public_charging is False
    await call(hass, "switch", "turn_on", "switch.charger_1_delayed_charging")
    await settle(hass, lambda: hass.states.get("switch.charger_1_delayed_charging").state == "on")
    await call(hass, "switch", "turn_on", "switch.charger_1_price_based_charging")
    await settle(hass, lambda: hass.states.get("switch.charger_1_delayed_charging").state == "off")


async def test_block_follows_activity(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """The seed's handle_activity rule: blocked is what activity says."""
    await call(hass, "switch", "turn_on", "switch.charger_1_block_charge_point")
    await settle(hass, lambda: hass.states.get("sensor.charger_1_activity").state == "unavailable")
    assert hass.states.get("switch.charger_1_block_charge_point").state == "on"
    assert sim_account.charge_points[CHARGER].blocked
    await call(hass, "switch", "turn_off", "switch.charger_1_block_charge_point")
    await settle(
        hass, lambda: hass.states.get("switch.charger_1_block_charge_point").state == "off"
    )


async def test_refused_switch_stays(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A refusal is a translated error; the switch keeps the confirmed state."""
    simulator.fail_next("SET_PLUG_AND_CHARGE", "Maintenance")
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "switch", "turn_off", PLUG_AND_CHARGE)
    assert refused.value.translation_key == "command_refused"
    assert refused.value.translation_placeholders == {"evse_id": CHARGER, "reason": "Maintenance"}
    assert hass.states.get(PLUG_AND_CHARGE).state == "on"


@pytest.mark.usefixtures("short_request_timeout")
async def test_unacknowledged_switch_stays(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """No acknowledgement: the user is told the outcome is unknown."""
    simulator.ignore_next("SET_PLUG_AND_CHARGE")
    with pytest.raises(HomeAssistantError) as timed_out:
        await call(hass, "switch", "turn_off", PLUG_AND_CHARGE)
    assert timed_out.value.translation_key == "command_timeout"
    assert hass.states.get(PLUG_AND_CHARGE).state == "on"


async def test_setting_without_permission(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A setting the owner controls is shown, marked, and not changeable."""
    sim_account.charge_points[CHARGER].plug_and_charge_editable = False
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(PLUG_AND_CHARGE)
    assert state.state == "on"
    assert state.attributes["editable"] is False
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "switch", "turn_off", PLUG_AND_CHARGE)
    assert refused.value.translation_key == "setting_not_editable"
    assert simulator.requests("SET_PLUG_AND_CHARGE") == []


async def test_command_while_disconnected(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Pressing a button while the service is away fails clearly (and the entity says why)."""
    init_integration.runtime_data.sleep = _never  # stay disconnected
    await simulator.drop_connections("clean")
    await settle(hass, lambda: not init_integration.runtime_data.connected)
    assert hass.states.get("button.charger_1_stop_charge_session").state == "unavailable"
    with pytest.raises(HomeAssistantError) as failed:
        await hass.services.async_call(
            "blue_current",
            "stop_charge_session",
            {"device_id": device_id(hass, CHARGER)},
            blocking=True,
        )
    assert failed.value.translation_key == "not_connected"


async def _never(_delay: float) -> None:
    await asyncio.Event().wait()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the profile switches
async def test_buttons(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Start, boost, stop, reset and reboot, each carried out by the charge point."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    await simulator.push_changes()
    await call(hass, "button", "press", "button.charger_1_start_charge_session")
    await settle(hass, lambda: charge_point.charging)
    await call(hass, "switch", "turn_on", "switch.charger_1_price_based_charging")
    await call(hass, "button", "press", "button.charger_1_boost")
    await settle(hass, lambda: charge_point.boosting)
    await call(hass, "button", "press", "button.charger_1_stop_charge_session")
    await settle(hass, lambda: not charge_point.charging)
    await call(hass, "button", "press", "button.charger_1_reset")
    await call(hass, "button", "press", "button.charger_1_reboot")
    await settle(hass, lambda: charge_point.reboots == 2)
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "button", "press", "button.charger_1_stop_charge_session")
    assert refused.value.translation_placeholders["reason"].lower().startswith("no active session")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the profile switches
async def test_boost_needs_a_smart_charging_profile(
    hass: HomeAssistant,
    profiles_on: None,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Boost overrides a profile: with none on, a translated validation error, nothing sent.

    The button exists once a profile was on; both are turned off here.
    """
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.delayed.enabled = charge_point.price_based.enabled = False
    await simulator.push(wire.settings(charge_point))
    connection = init_integration.runtime_data
    await settle(
        hass,
        lambda: (
            not any(
                getattr(connection.data.charge_points[CHARGER], profile).enabled
                for profile in ("delayed_charging", "price_based_charging")
            )
        ),
    )
    sent = len(simulator.requests())
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "button", "press", "button.charger_1_boost")
    assert refused.value.translation_key == "no_active_profile"
    assert len(simulator.requests()) == sent


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the profile switches
@pytest.mark.parametrize(
    ("profile", "command"),
    [
        ("delayed_charging", "OVERRIDE_DELAYED_CHARGING_TIMEOUT"),
        ("price_based_charging", "OVERRIDE_CHARGING_PROFILES"),
    ],
)
async def test_boost_overrides_the_profile_that_is_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    profile: str,
    command: str,
) -> None:
    """The vendor's rule [A]: the override command depends on the active profile."""
    await call(hass, "switch", "turn_on", f"switch.charger_1_{profile}")
    await call(hass, "button", "press", "button.charger_1_boost")
    boosts = [
        r["command"]
        for r in simulator.requests()
        if r["command"].startswith("OVERRIDE_") and r.get("evse_id") == CHARGER
    ]
    assert boosts == [command]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the profile switches
async def test_one_smart_charging_profile_at_a_time(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Turning one profile on turns the other off, as the vendor's integration does [A]."""
    await call(hass, "switch", "turn_on", "switch.charger_1_delayed_charging")
    await call(hass, "switch", "turn_on", "switch.charger_1_price_based_charging")
    await settle(hass, lambda: hass.states.get("switch.charger_1_delayed_charging").state == "off")
    assert hass.states.get("switch.charger_1_price_based_charging").state == "on"
    await call(hass, "switch", "turn_on", "switch.charger_1_delayed_charging")
    await settle(
        hass, lambda: hass.states.get("switch.charger_1_price_based_charging").state == "off"
    )


async def test_card_select_starts_sessions_with_the_card(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The chosen card is what "start charge session" uses."""
    select = "select.charger_1_charging_card"
    assert hass.states.get(select).attributes["options"] == ["no_card", "Card 1", "Card 2"]
    await call(hass, "select", "select_option", select, option="Card 2")
    assert hass.states.get(select).state == "Card 2"
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    await call(hass, "button", "press", "button.charger_1_start_charge_session")
    assert charge_point.session_card == sim_account.cards[1].uid
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "select", "select_option", {"entity_id": select, "option": "Card 9"}, blocking=True
        )


async def test_numbers_and_times(
    hass: HomeAssistant,
    profiles_on: None,
    init_integration: MockConfigEntry,
    sim_account: SimAccount,
) -> None:
    """Smart-charging settings change on the charge point, then in Home Assistant."""
    charge_point = sim_account.charge_points[CHARGER]
    await call(hass, "number", "set_value", "number.charger_1_minimum_charge", value=55)
    assert charge_point.price_based.minimum_pct == 55
    await settle(hass, lambda: hass.states.get("number.charger_1_minimum_charge").state == "55")
    await call(hass, "number", "set_value", "number.charger_1_battery_size", value=77)
    assert charge_point.price_based.battery_size_kwh == 77
    await call(hass, "time", "set_value", "time.charger_1_departure_time", time=time(8, 15))
    assert charge_point.price_based.expected_leave_time == "08:15"
    await call(hass, "time", "set_value", "time.charger_1_delayed_charging_start", time=time(23, 0))
    await call(hass, "time", "set_value", "time.charger_1_delayed_charging_end", time=time(5, 0))
    assert (charge_point.delayed.start_time, charge_point.delayed.end_time) == ("23:00", "05:00")
    await settle(
        hass, lambda: hass.states.get("time.charger_1_delayed_charging_end").state == "05:00:00"
    )
