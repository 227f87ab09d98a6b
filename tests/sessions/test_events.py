"""The event entity against the simulator: each event type, reconnects and restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator, wire
from custom_components.blue_current.session_manager import loaded_manager

from .conftest import CHARGER, EventLog, event_entity_id, settle


async def test_each_event_type(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    watch_events: Callable[[str], EventLog],
) -> None:
    """Plug in (plug & charge starts a session), charge, unplug, offline, online."""
    log = watch_events(event_entity_id(hass))
    charger = sim_account.charge_points[CHARGER]
    start = simulator.now
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await settle(hass, lambda: "session_started" in log.types())
    await simulator.advance(5400)  # 1.5 h at 11.04 kW
    charger.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: "vehicle_unplugged" in log.types())
    charger.go_offline(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: "charge_point_offline" in log.types())
    charger.come_online()
    await simulator.push_changes()
    await settle(hass, lambda: "charge_point_online" in log.types())

    assert log.types() == [
        "vehicle_plugged_in",
        "session_started",
        "session_ended",
        "vehicle_unplugged",
        "charge_point_offline",
        "charge_point_online",
    ]
    card = sim_account.cards[0]  # every charge point's default card
    started = log.of("session_started")[0]
    assert started["card_id"] == card.card_id
    assert started["card_source"] == "default"
    ended = log.of("session_ended")[0]
    assert ended["energy_kwh"] == pytest.approx(16.56, abs=0.01)
    assert ended["cost"] == pytest.approx(16.56 * 0.35, abs=0.01)
    assert ended["currency"] == "EUR"
    assert ended["duration_minutes"] == 90.0
    assert ended["card_id"] == card.card_id
    assert ended["card_name"] == card.name
    assert ended["start"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))
    assert ended["late"] is False
    assert log.of("charge_point_offline")[0]["offline_since"] is not None
    # Only the charge point that changed reported anything.
    other = watch_events(event_entity_id(hass, "BCU100002"))
    await simulator.push_changes()
    assert other.events == []


async def test_a_session_ending_while_disconnected_is_reported_once_and_late(
    hass: HomeAssistant,
    fast_reconnect: None,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    watch_events: Callable[[str], EventLog],
) -> None:
    """A drop in the middle of a session: it ends unseen; after the reconnect it is reported
    once, late. A second reconnect reports nothing again."""
    log = watch_events(event_entity_id(hass))
    charger = sim_account.charge_points[CHARGER]
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(3600)
    await settle(hass, lambda: "session_started" in log.types())
    connection = init_integration.runtime_data

    await simulator.drop_connections("abrupt")
    charger.unplug(simulator.now)  # before the integration can be back
    await settle(hass, lambda: not connection.connected)
    await settle(hass, lambda: connection.connected and "session_ended" in log.types())
    ended = log.of("session_ended")
    assert len(ended) == 1
    assert ended[0]["late"] is True
    assert ended[0]["energy_kwh"] == pytest.approx(11.04, abs=0.01)
    assert ended[0]["duration_minutes"] == 60.0
    assert log.of("vehicle_unplugged") == [{"late": True}]

    await simulator.drop_connections("clean")
    await settle(hass, lambda: not connection.connected)
    await settle(hass, lambda: connection.connected)
    await simulator.push_changes()
    await hass.async_block_till_done()
    assert len(log.of("session_ended")) == 1
    assert len(log.of("session_started")) == 1
    assert log.of("session_started")[0]["late"] is False
    manager = loaded_manager(hass, init_integration.entry_id)
    assert manager is not None
    assert len(manager.records) == 1


async def test_a_restart_repeats_nothing_and_reports_what_ended_meanwhile(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    watch_events: Callable[[str], EventLog],
    hass_storage: dict[str, object],
) -> None:
    """The session log and the trackers' memory are stored: a reload repeats no event; a
    session that ended while unloaded is reported once, late, and logged."""
    entry = init_integration
    charger = sim_account.charge_points[CHARGER]
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(1800)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    first = loaded_manager(hass, entry.entry_id)
    assert first is not None
    await settle(hass, lambda: len(first.records) == 1)

    # Reloaded with the first session still shown by the service: nothing repeats.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    log = watch_events(event_entity_id(hass))
    await simulator.push_changes()
    await hass.async_block_till_done()
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    assert len(manager.records) == 1
    assert log.events == []

    # Unloaded while a second session runs and ends.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    stored = hass_storage[f"blue_current.sessions.{entry.entry_id}"]
    assert isinstance(stored, dict)
    assert len(stored["data"]["sessions"]) == 1
    await simulator.advance(600)
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.advance(2700)
    charger.unplug(simulator.now)
    await simulator.push_changes()

    log = watch_events(event_entity_id(hass))  # registered: it is there before the setup
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    await settle(hass, lambda: "session_ended" in log.types())
    assert len(manager.records) == 2
    latest = manager.records[-1]
    assert latest.late
    assert latest.duration == timedelta(minutes=45)
    assert log.of("session_ended")[0]["late"] is True


async def test_a_session_starting_in_a_far_future_hides_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A status with absurd session times (years ahead) is no session: the next real one is
    still reported."""
    charger = sim_account.charge_points[CHARGER]
    message = wire.status(charger)
    message["data"] |= {
        "start_datetime": "20990101 10:00:00+01:00",
        "stop_datetime": "20990101 11:00:00+01:00",
        "actual_kwh": 5.0,
    }
    await simulator.push(message)
    await hass.async_block_till_done()
    manager = loaded_manager(hass, init_integration.entry_id)
    assert manager is not None
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(600)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: len(manager.records) == 1)
    assert manager.records[0].start.year < 2099


async def test_a_reconnect_in_the_middle_of_a_session_repeats_nothing(
    hass: HomeAssistant,
    fast_reconnect: None,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    watch_events: Callable[[str], EventLog],
) -> None:
    """Dropped while charging, back while still charging: no second start; the end comes
    once, live."""
    log = watch_events(event_entity_id(hass))
    charger = sim_account.charge_points[CHARGER]
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await settle(hass, lambda: "session_started" in log.types())
    connection = init_integration.runtime_data
    await simulator.drop_connections("abrupt")
    await simulator.advance(1800)
    await settle(hass, lambda: not connection.connected)
    await settle(hass, lambda: connection.connected)
    await simulator.advance(1800)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: "vehicle_unplugged" in log.types())
    assert log.types() == [
        "vehicle_plugged_in",
        "session_started",
        "session_ended",
        "vehicle_unplugged",
    ]
    ended = log.of("session_ended")[0]
    assert ended["late"] is False
    assert ended["energy_kwh"] == pytest.approx(11.04, abs=0.01)
