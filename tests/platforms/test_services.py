"""The actions: arguments checked, failures reported, nothing silently dropped."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.coordinator import charge_point_device

from .conftest import device_id

CHARGER = "BCU100001"


async def act(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call one of the integration's actions."""
    response = service in {"list_current_overrides", "set_current_override"}
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def test_start_and_stop(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Start with a card named in the call (core's field), then stop."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    device = device_id(hass, CHARGER)
    card = sim_account.cards[0]
    await act(hass, "start_charge_session", device_id=device, charging_card_id=card.card_id)
    assert charge_point.session_card == card.uid
    await act(hass, "stop_charge_session", device_id=device)
    assert not charge_point.charging
    await act(hass, "start_charge_session", device_id=device, charging_card_id="Card 2")
    assert charge_point.session_card == sim_account.cards[1].uid


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"device_id": "nope"}, "invalid_device"),
        ({"charging_card_id": "Card 9"}, "unknown_card"),
    ],
)
async def test_start_with_bad_arguments(
    hass: HomeAssistant, init_integration: MockConfigEntry, data: dict[str, str], key: str
) -> None:
    """An unknown device or card is named in a translated error; nothing is sent."""
    call = {"device_id": device_id(hass, CHARGER), **data}
    with pytest.raises(ServiceValidationError) as invalid:
        await act(hass, "start_charge_session", **call)
    assert invalid.value.translation_key == key


async def test_grid_device_is_not_a_charge_point(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The grid connection's device cannot start a session."""
    grid = charge_point_device(dr.async_get(hass), init_integration.entry_id, "grid_C0001")
    assert grid is not None
    with pytest.raises(ServiceValidationError) as invalid:
        await act(hass, "stop_charge_session", device_id=grid.id)
    assert invalid.value.translation_key == "invalid_device"


async def test_unloaded_entry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A charge point of an unloaded account is reported as such."""
    device = device_id(hass, CHARGER)
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(ServiceValidationError) as invalid:
        await act(hass, "stop_charge_session", device_id=device)
    assert invalid.value.translation_key == "entry_not_loaded"


async def test_refused_stop_is_reported(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The service's refusal reaches the user."""
    with pytest.raises(HomeAssistantError) as refused:
        await act(hass, "stop_charge_session", device_id=device_id(hass, CHARGER))
    assert refused.value.translation_key == "command_refused"


async def test_delayed_charging_schedule(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Days by name, times as times."""
    await act(
        hass,
        "set_delayed_charging_schedule",
        device_id=device_id(hass, CHARGER),
        days=["sunday", "monday"],
        start_time="22:30",
        end_time="06:15",
    )
    window = sim_account.charge_points[CHARGER].delayed
    assert (window.days, window.start_time, window.end_time) == ([1, 7], "22:30", "06:15")


async def test_bad_day_is_refused_before_sending(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Voluptuous refuses a day that is not one."""
    with pytest.raises(Exception, match="days"):
        await act(
            hass,
            "set_delayed_charging_schedule",
            device_id=device_id(hass, CHARGER),
            days=["funday"],
            start_time="22:30",
            end_time="06:15",
        )
    assert simulator.requests("SAVE_SCHEDULE_DELAYED_CHARGING") == []


async def test_price_based_settings(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Only the given settings change; a call with none is refused."""
    device = device_id(hass, CHARGER)
    await act(
        hass,
        "set_price_based_charging_settings",
        device_id=device,
        departure_time="07:45",
        minimum_percentage=40,
    )
    profile = sim_account.charge_points[CHARGER].price_based
    assert (profile.expected_leave_time, profile.minimum_pct) == ("07:45", 40)
    with pytest.raises(ServiceValidationError) as invalid:
        await act(hass, "set_price_based_charging_settings", device_id=device)
    assert invalid.value.translation_key == "nothing_to_change"


async def test_current_overrides(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Set, list and clear; a current above the charge point's maximum is refused."""
    device = device_id(hass, CHARGER)
    override = {
        "start_time": "17:00",
        "end_time": "21:00",
        "start_days": ["monday"],
        "end_days": ["monday"],
    }
    response = await act(hass, "set_current_override", device_id=[device], current=10, **override)
    schedule = response["schedule"]
    assert schedule["current"] == 10
    assert schedule["start_days"] == ["MO"]
    assert sim_account.charge_points[CHARGER].override_current == 10
    listed = await act(hass, "list_current_overrides", device_id=device)
    assert [s["schedule_id"] for s in listed["schedules"]] == [schedule["schedule_id"]]
    await act(hass, "clear_current_override", device_id=device, schedule_id=schedule["schedule_id"])
    assert sim_account.charge_points[CHARGER].override_current is None
    with pytest.raises(ServiceValidationError) as invalid:
        await act(hass, "set_current_override", device_id=[device], current=40, **override)
    assert invalid.value.translation_key == "current_out_of_range"
    with pytest.raises(HomeAssistantError):
        await act(hass, "clear_current_override", device_id=device, schedule_id="999")
