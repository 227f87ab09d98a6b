"""The charging current limit: an all-day override, bounds, and the rate limit's coalescing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

from bluecurrent_simulator import SimAccount, Simulator
from bluecurrent_simulator.model import OverrideSchedule
from custom_components.blue_current.current_limit import CURRENT_LIMIT_INTERVAL
from tests.platforms.conftest import call, settle

CHARGER = "BCU100001"  # three phases, max_usage 16 A
OTHER = "BCU100002"
NUMBER = "number.charger_1_charging_current_limit"
WRITES = ("POST_SET_OVERRIDE_CURRENT", "POST_EDIT_OVERRIDE_CURRENT")
ALL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


async def set_limit(hass: HomeAssistant, value: float) -> None:
    """Set the number, as evcc does through Home Assistant's API."""
    await call(hass, NUMBER_DOMAIN, SERVICE_SET_VALUE, NUMBER, **{ATTR_VALUE: value})


def writes(simulator: Simulator) -> list[tuple[str, float]]:
    """Every override change the service received: (command, amperes)."""
    return [
        (request["command"], request["overridevalue"])
        for request in simulator.requests()
        if request["command"] in WRITES
    ]


def shown(hass: HomeAssistant) -> str:
    """The number's state."""
    state = hass.states.get(NUMBER)
    assert state is not None
    return state.state


async def turns_until(condition: Callable[[], bool], turns: int = 20_000) -> None:
    """Let the event loop turn until ``condition`` holds (the frozen clock stops timers)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def pass_interval(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the rate limit's interval pass, and the loop turn long enough for a round trip."""
    freezer.tick(timedelta(seconds=CURRENT_LIMIT_INTERVAL))
    async_fire_time_changed(hass)
    for _ in range(2_000):
        await asyncio.sleep(0)
    await hass.async_block_till_done()


async def test_the_limit_is_an_all_day_override_that_caps_the_current(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """One schedule for this charge point, every day, all day; the charge point obeys it."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now)
    await simulator.push_changes()
    state = hass.states.get(NUMBER)
    assert state is not None
    assert state.state == "16.0"  # no limit set here: the maximum
    assert state.attributes["min"] == 6
    assert state.attributes["max"] == 16
    assert state.attributes["unit_of_measurement"] == "A"

    await set_limit(hass, 10)
    assert shown(hass) == "10.0"
    (request,) = simulator.requests("POST_SET_OVERRIDE_CURRENT")
    assert request["chargepoints"] == [CHARGER]
    assert request["overridestartdays"] == ALL_DAYS
    assert request["overridestopdays"] == ALL_DAYS
    assert (request["overridestarttime"], request["overridestoptime"]) == ("00:00", "23:59")
    assert request["overridevalue"] == 10
    # Looked for an existing schedule once, before making its own.
    assert len(simulator.requests("LIST_OVERRIDE_CURRENT")) == 1
    assert charge_point.override_current == 10
    assert charge_point.currents() == (10.0, 10.0, 10.0)
    await settle(hass, lambda: hass.states.get("sensor.charger_1_average_current").state == "10.0")
    # The other charge points are not limited.
    assert sim_account.charge_points[OTHER].override_current is None


async def test_changes_within_the_interval_are_coalesced(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A burst of values: the first goes out, then only the last, after the interval."""
    await set_limit(hass, 10)
    for value in (8, 7, 12, 9):
        await set_limit(hass, value)
    # Still one request: the service applies 10, 9 waits.
    assert writes(simulator) == [("POST_SET_OVERRIDE_CURRENT", 10)]
    state = hass.states.get(NUMBER)
    assert state is not None
    assert state.state == "10.0"
    assert state.attributes["pending_value"] == 9

    await pass_interval(hass, freezer)
    await turns_until(lambda: shown(hass) == "9.0")
    assert writes(simulator) == [
        ("POST_SET_OVERRIDE_CURRENT", 10),
        ("POST_EDIT_OVERRIDE_CURRENT", 9),
    ]
    assert sim_account.charge_points[CHARGER].override_current == 9
    assert len(sim_account.overrides) == 1  # edited, never a second schedule
    state = hass.states.get(NUMBER)
    assert state is not None
    assert "pending_value" not in state.attributes

    # Nothing waits now: another interval passes without a request.
    await pass_interval(hass, freezer)
    assert len(writes(simulator)) == 2


async def test_back_to_the_applied_value_costs_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """10, then 6 and back to 10 within the interval: the service already applies 10."""
    await set_limit(hass, 10)
    await set_limit(hass, 6)
    await set_limit(hass, 10)
    await pass_interval(hass, freezer)
    assert writes(simulator) == [("POST_SET_OVERRIDE_CURRENT", 10)]
    assert shown(hass) == "10.0"


async def test_after_the_interval_a_change_goes_out_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The limit is per interval, not a delay on every change."""
    await set_limit(hass, 10)
    freezer.tick(timedelta(seconds=CURRENT_LIMIT_INTERVAL))
    await set_limit(hass, 11)
    assert writes(simulator)[-1] == ("POST_EDIT_OVERRIDE_CURRENT", 11)
    assert shown(hass) == "11.0"


@pytest.mark.parametrize("value", [5, 17])
async def test_values_outside_6_a_and_the_maximum_are_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    value: float,
) -> None:
    """Below 6 A no vehicle charges; above max_usage the charge point cannot give it."""
    with pytest.raises(ServiceValidationError):
        await set_limit(hass, value)
    assert writes(simulator) == []


async def test_the_entity_checks_its_own_bounds(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Called directly (not through the service's range check): translated errors."""
    entity = hass.data["entity_components"][NUMBER_DOMAIN].get_entity(NUMBER)
    with pytest.raises(ServiceValidationError) as low:
        await entity.async_set_native_value(5.5)
    assert low.value.translation_key == "current_below_minimum"
    with pytest.raises(ServiceValidationError) as high:
        await entity.async_set_native_value(16.5)
    assert high.value.translation_key == "current_out_of_range"
    assert writes(simulator) == []


async def test_an_existing_all_day_schedule_is_adopted(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """No stored schedule id (a lost store): the one covering the day is edited, not doubled."""
    sim_account.overrides[7] = OverrideSchedule(
        7, [CHARGER], "00:00", "23:59", ALL_DAYS, ALL_DAYS, 8
    )
    sim_account.overrides[8] = OverrideSchedule(8, [CHARGER], "18:00", "21:00", ["MO"], ["MO"], 6)
    await set_limit(hass, 12)
    assert [str(r["schedule_id"]) for r in simulator.requests("POST_EDIT_OVERRIDE_CURRENT")] == [
        "7"
    ]
    assert not simulator.requests("POST_SET_OVERRIDE_CURRENT")
    assert sim_account.overrides[7].value == 12


async def test_the_schedule_id_survives_a_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The stored id is edited at once (no listing); the restored value is shown."""
    sim_account.overrides[3] = OverrideSchedule(
        3, [CHARGER], "00:00", "23:59", ALL_DAYS, ALL_DAYS, 8
    )
    sim_account.apply_overrides()
    mock_restore_cache_with_extra_data(
        hass, [(State(NUMBER, "8.0"), {"applied": 8.0, "schedule_id": "3"})]
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert shown(hass) == "8.0"
    await set_limit(hass, 12)
    assert [str(r["schedule_id"]) for r in simulator.requests("POST_EDIT_OVERRIDE_CURRENT")] == [
        "3"
    ]
    assert not simulator.requests("LIST_OVERRIDE_CURRENT")
    assert sim_account.charge_points[CHARGER].override_current == 12


async def test_a_removed_schedule_is_made_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Cleared elsewhere (the action, the portal): the edit is refused, a new one is made."""
    await set_limit(hass, 10)
    sim_account.overrides.clear()
    sim_account.apply_overrides()
    freezer.tick(timedelta(seconds=CURRENT_LIMIT_INTERVAL))
    await set_limit(hass, 11)
    assert [command for command, _ in writes(simulator)] == [
        "POST_SET_OVERRIDE_CURRENT",
        "POST_EDIT_OVERRIDE_CURRENT",
        "POST_SET_OVERRIDE_CURRENT",
    ]
    assert sim_account.charge_points[CHARGER].override_current == 11


async def test_a_refusal_is_a_translated_error(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The service refuses the first change: the caller hears it, nothing is shown as set."""
    simulator.fail_next("POST_SET_OVERRIDE_CURRENT", "Invalid current")
    with pytest.raises(HomeAssistantError) as caught:
        await set_limit(hass, 10)
    assert caught.value.translation_key == "command_refused"
    assert shown(hass) == "16.0"
    state = hass.states.get(NUMBER)
    assert state is not None
    assert "pending_value" not in state.attributes


async def test_the_range_follows_the_maximum_current(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The range ends at max_usage; an absurd one (a misreading) ends at 80 A."""
    charge_point = sim_account.charge_points[CHARGER]

    def maximum() -> float:
        state = hass.states.get(NUMBER)
        assert state is not None
        return float(state.attributes["max"])

    charge_point.max_usage = 25.0
    await simulator.push_changes()
    await settle(hass, lambda: maximum() == 25)
    assert shown(hass) == "25.0"  # no limit set here: the maximum
    charge_point.max_usage = 5000.0
    await simulator.push_changes()
    await settle(hass, lambda: maximum() == 80)


@pytest.mark.usefixtures("fast_reconnect")
async def test_a_waiting_value_outlives_a_lost_connection(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Down when the interval is over: kept, and applied once the connection is back."""
    await set_limit(hass, 10)
    await set_limit(hass, 9)
    simulator.reject_next_upgrades("Service unavailable", count=1000)
    await simulator.drop_connections("abrupt")
    await turns_until(lambda: shown(hass) == "unavailable")

    await pass_interval(hass, freezer)
    assert writes(simulator) == [("POST_SET_OVERRIDE_CURRENT", 10)]

    simulator.faults.reject_upgrades.clear()
    for _ in range(10):
        await pass_interval(hass, freezer)
        if len(writes(simulator)) == 2:
            break
    assert writes(simulator) == [
        ("POST_SET_OVERRIDE_CURRENT", 10),
        ("POST_EDIT_OVERRIDE_CURRENT", 9),
    ]
    assert sim_account.charge_points[CHARGER].override_current == 9
    await turns_until(lambda: shown(hass) == "9.0")
