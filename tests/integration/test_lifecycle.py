"""Nothing lost, nothing stuck: restarts, reloads, reauth, outages, late answers, failed setups.

Every test runs the integration against the simulator over real sockets, and waits for the
state it expects (never for a turn of the event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from bluecurrent_simulator import SimAccount, Simulator, wire
from custom_components.blue_current.api import BlueCurrentClient
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from custom_components.blue_current.coordinator import BlueCurrentConnection
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_TOKEN, SimulatorFactory

TOTAL = "sensor.charger_1_total_energy"
SESSION = "sensor.charger_1_session_energy"
POWER = "sensor.charger_1_power"
CARD_SELECT = "select.charger_1_charging_card"
CHARGER = "BCU100001"
# Core's grid sensors (homeassistant/components/blue_current/sensor.py, 2025.4 and 2026.x),
# written out: the integration's own list is what these tests check.
CORE_GRID_KEYS = (
    "grid_actual_p1",
    "grid_actual_p2",
    "grid_actual_p3",
    "grid_avg_current",
    "grid_max_current",
)


async def wait_for(condition: Callable[[], bool], hass: HomeAssistant, seconds: float = 10) -> None:
    """Let the event loop run until ``condition`` holds."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


def state_of(hass: HomeAssistant, entity_id: str) -> str | None:
    """The state, or None when there is no entity."""
    state = hass.states.get(entity_id)
    return state.state if state is not None else None


def connection_of(entry: MockConfigEntry) -> BlueCurrentConnection:
    """The entry's connection."""
    connection: BlueCurrentConnection = entry.runtime_data
    return connection


async def hold_reconnects(entry: MockConfigEntry) -> asyncio.Event:
    """Keep the entry's connection loop waiting before its next attempt until the event is set."""
    gate = asyncio.Event()

    async def gated(_delay: float) -> None:
        await gate.wait()

    connection_of(entry).sleep = gated
    return gate


async def two_sessions(simulator: Simulator, account: SimAccount) -> None:
    """5 kWh in a finished session, then a second one with less energy so far."""
    charge_point = account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now, demand_kwh=5.0)
    await simulator.push_changes()
    await simulator.advance(3600)
    charge_point.unplug(simulator.now)
    await simulator.push_changes()
    charge_point.plug_in(simulator.now, demand_kwh=50.0)
    await simulator.push_changes()
    await simulator.advance(300)  # 0.92 kWh of the second session


async def go_down(hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator) -> None:
    """An outage: the connection drops and stays down; entities are unavailable."""
    await hold_reconnects(entry)
    await simulator.drop_connections("abrupt")
    await wait_for(lambda: state_of(hass, TOTAL) == STATE_UNAVAILABLE, hass)


async def reauthenticate(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The reauthentication flow with the (still valid) token: it reloads the entry."""
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: SIM_TOKEN}
    )
    assert result["reason"] == "reauth_successful"


# ----------------------------------------------------------------------------- total energy


@pytest.mark.parametrize("outage", [True, False], ids=["during an outage", "connected"])
@pytest.mark.parametrize("how", ["reload", "reauth"])
async def test_total_energy_survives_reload_and_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    how: str,
    outage: bool,
) -> None:
    """A reload or a reauth (itself a reload), with or without an outage: never backwards."""
    await two_sessions(simulator, sim_account)
    await wait_for(lambda: state_of(hass, TOTAL) == "5.92", hass)
    if outage:
        await go_down(hass, init_integration, simulator)
    if how == "reload":
        assert await hass.config_entries.async_reload(init_integration.entry_id)
    else:
        await reauthenticate(hass, init_integration)
    await wait_for(lambda: init_integration.state is ConfigEntryState.LOADED, hass)
    await wait_for(lambda: state_of(hass, SESSION) == "0.92", hass)
    await hass.async_block_till_done()  # the total is registered after core's values
    assert state_of(hass, TOTAL) == "5.92"
    await simulator.advance(300)  # counting goes on from there, once
    await wait_for(lambda: state_of(hass, SESSION) == "1.84", hass)
    await wait_for(lambda: state_of(hass, TOTAL) == "6.84", hass)


@pytest.mark.parametrize(
    ("last_state", "same_session"),
    [
        ("unavailable", True),
        ("unavailable", False),
        ("unknown", True),
        ("5.704", True),
    ],
)
async def test_total_energy_survives_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    last_state: str,
    same_session: bool,
) -> None:
    """A restart during an outage restored 1.472 from "unavailable" (seen: 5.704 before)."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now, demand_kwh=50)
    await simulator.advance(480)  # 1.472 kWh
    start = charge_point.session_start
    assert start is not None
    stored_start = start if same_session else start - timedelta(hours=5)
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(TOTAL, last_state),
                {
                    "total": 5.704,
                    "session_energy": 1.0,
                    "session_start": stored_start.replace(microsecond=0).isoformat(),
                },
            )
        ],
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SESSION) == "1.472"
    # The same session grew by 0.472 since; a new one adds all of its 1.472.
    expected = 5.704 + (0.472 if same_session else 1.472)
    assert float(state_of(hass, TOTAL) or "nan") == pytest.approx(expected)


async def test_total_energy_from_a_version_that_stored_it_in_the_state(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The previous version kept the total in the state only: a number there still counts."""
    mock_restore_cache_with_extra_data(
        hass, [(State(TOTAL, "12.5"), {"session_energy": 0.0, "session_start": None})]
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, TOTAL) == "12.5"


# ----------------------------------------------------------------------------- card choice


async def test_card_choice_survives_a_restart_during_an_outage(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sim_account: SimAccount
) -> None:
    """The choice is restored from its stored uid, not from the state ("unavailable")."""
    chosen = sim_account.cards[1]
    mock_restore_cache_with_extra_data(
        hass, [(State(CARD_SELECT, STATE_UNAVAILABLE), {"chosen": True, "uid": chosen.uid})]
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, CARD_SELECT) == chosen.name
    assert connection_of(mock_config_entry).selected_card(CHARGER) == chosen.uid


@pytest.mark.parametrize("how", ["reload", "reauth"])
async def test_card_choice_survives_reload_during_an_outage(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    how: str,
) -> None:
    """Choose "no card", lose the connection, reload: still "no card" (not the default)."""
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": CARD_SELECT, "option": "no_card"},
        blocking=True,
    )
    await go_down(hass, init_integration, simulator)
    if how == "reload":
        assert await hass.config_entries.async_reload(init_integration.entry_id)
    else:
        await reauthenticate(hass, init_integration)
    await wait_for(lambda: state_of(hass, CARD_SELECT) == "no_card", hass)
    assert connection_of(init_integration).selected_card(CHARGER) is None


# ----------------------------------------------------------------------------- failed setups


async def test_failed_setup_closes_the_connection(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A setup that fails after connecting leaves nothing open; the retry is not refused."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, minor_version=2)
    with patch(
        "custom_components.blue_current._adopt_core_grid_unique_ids",
        side_effect=ValueError("Unique id already in use"),
    ):
        assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    await wait_for(lambda: simulator.live_connections == 0, hass)
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert simulator.live_connections == 1


async def test_failed_platform_setup_closes_the_connection(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Even a failure while forwarding to the platforms closes the connection and the loop."""
    mock_config_entry.add_to_hass(hass)
    with patch.object(
        hass.config_entries,
        "async_forward_entry_setups",
        side_effect=RuntimeError("platform broke"),
    ):
        assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await wait_for(lambda: simulator.live_connections == 0, hass)
    attempts = simulator.connection_attempts
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    # One short connection (the token) and one long one: nothing left from the failed setup.
    assert simulator.connection_attempts == attempts + 2


# ----------------------------------------------------------------------------- grid migration


def _core_entities(
    registry: er.EntityRegistry, entry: MockConfigEntry, *, suffix: str = ""
) -> dict[str, str]:
    """Core's grid sensors (unique id -> entity id) as core registered them."""
    return {
        key: registry.async_get_or_create(
            "sensor",
            DOMAIN,
            key,
            config_entry=entry,
            suggested_object_id=f"{key}{suffix}",
        ).entity_id
        for key in CORE_GRID_KEYS
    }


async def test_migration_scopes_every_core_grid_id_of_this_entry_only(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator_factory: SimulatorFactory
) -> None:
    """Every core grid key moves to the scoped id; another entry's entities stay untouched."""
    registry = er.async_get(hass)
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id="C0002",
        data={CONF_API_TOKEN: "x"},
        disabled_by=ConfigEntryDisabler.USER,  # only its registry entries matter here
    )
    other.add_to_hass(hass)
    mock_config_entry.add_to_hass(hass)
    ours = _core_entities(registry, mock_config_entry)
    foreign = registry.async_get_or_create("sensor", DOMAIN, "grid_x", config_entry=other)
    # core's ids clash between accounts: another entry owning one must not be moved
    registry.async_update_entity(ours["grid_max_current"], config_entry_id=other.entry_id)
    assert mock_config_entry.minor_version == 1
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.minor_version == 2
    for key, entity_id in ours.items():
        entity = registry.async_get(entity_id)
        assert entity is not None
        if key == "grid_max_current":
            assert entity.unique_id == key  # the other entry's: untouched
        else:
            assert entity.unique_id == f"{key}_{SIM_CUSTOMER_ID}", key
    assert registry.async_get(foreign.entity_id) is not None
    await wait_for(lambda: state_of(hass, ours["grid_avg_current"]) == "2.0", hass)


async def test_back_from_core_keeps_the_history_and_removes_core_duplicates(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Ours, then core (which made its unscoped ids again), then ours: setup succeeds.

    It crashed with ValueError (unique id already in use) and left the websocket open.
    """
    registry = er.async_get(hass)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, minor_version=2)
    scoped = {
        key: registry.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{key}_{SIM_CUSTOMER_ID}",
            config_entry=mock_config_entry,
            suggested_object_id=key,
        ).entity_id
        for key in CORE_GRID_KEYS
    }
    core_again = _core_entities(registry, mock_config_entry, suffix="_2")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    for key in CORE_GRID_KEYS:
        assert registry.async_get(core_again[key]) is None
        assert registry.async_get(scoped[key]) is not None
    await wait_for(lambda: state_of(hass, scoped["grid_avg_current"]) == "2.0", hass)


async def test_migration_with_the_scoped_id_already_there(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An entry still at 1.1 with both ids (an older version of ours had migrated them)."""
    registry = er.async_get(hass)
    mock_config_entry.add_to_hass(hass)
    scoped = registry.async_get_or_create(
        "sensor", DOMAIN, f"grid_avg_current_{SIM_CUSTOMER_ID}", config_entry=mock_config_entry
    )
    unscoped = registry.async_get_or_create(
        "sensor", DOMAIN, "grid_avg_current", config_entry=mock_config_entry
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert registry.async_get(unscoped.entity_id) is None
    assert registry.async_get(scoped.entity_id) is not None


# ----------------------------------------------------------------------------- reconnecting


@pytest.mark.usefixtures("fast_reconnect")
async def test_reconnect_has_a_deadline_for_fresh_data(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """One unanswered status after a reconnect no longer keeps every entity unavailable."""
    simulator.ignore_next("GET_CH_STATUS")
    sim_account.charge_points["BCU100002"].plug_in(simulator.now)
    with patch("custom_components.blue_current.coordinator.SNAPSHOT_TIMEOUT", 0.3):
        await simulator.drop_connections("abrupt")
        await wait_for(lambda: state_of(hass, POWER) == STATE_UNAVAILABLE, hass)
        await wait_for(lambda: state_of(hass, POWER) not in (None, STATE_UNAVAILABLE), hass)
    # What did arrive is shown: the other charge point's new session.
    await wait_for(lambda: state_of(hass, "sensor.charger_2_power") == "3.68", hass)


@pytest.mark.usefixtures("fast_reconnect")
async def test_unexpected_error_in_the_loop_is_logged_once_and_survived(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug (any exception type) neither ends the loop nor leaves entities "available"."""
    client = connection_of(init_integration).client
    real_listen = BlueCurrentClient.listen
    failures = 0

    async def broken_listen(self: BlueCurrentClient) -> Any:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise KeyError("surprise")
        return await real_listen(self)

    gate = await hold_reconnects(init_integration)
    with patch.object(BlueCurrentClient, "listen", broken_listen), caplog.at_level(logging.DEBUG):
        await simulator.drop_connections("abrupt")
        await wait_for(lambda: state_of(hass, POWER) == STATE_UNAVAILABLE, hass)
        connection_of(init_integration).sleep = asyncio.sleep
        gate.set()
        await wait_for(lambda: failures == 2, hass)
        await wait_for(lambda: state_of(hass, POWER) not in (None, STATE_UNAVAILABLE), hass)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "KeyError" in errors[0].getMessage()
    assert init_integration.title in errors[0].getMessage()
    assert client.connected
    assert simulator.live_connections == 1


async def test_loop_that_ends_leaves_entities_unavailable(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Should the loop task end anyway (here: cancelled), entities go unavailable."""
    connection = connection_of(init_integration)
    assert connection._task is not None
    connection._task.cancel()
    await wait_for(lambda: state_of(hass, POWER) == STATE_UNAVAILABLE, hass)


# ----------------------------------------------------------------------------- late answers


async def test_grid_sensors_and_card_selects_created_when_their_data_comes_late(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Answers that come after the snapshot (or never at setup) still create their entities."""
    simulator.ignore_next("GET_GRID_STATUS")
    simulator.ignore_next("GET_CHARGE_CARDS")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.grid_connection_average_grid_current") is None
    assert state_of(hass, CARD_SELECT) is None
    account = simulator.accounts[SIM_TOKEN]
    await simulator.push(wire.grid_status(account))
    await wait_for(
        lambda: state_of(hass, "sensor.grid_connection_average_grid_current") == "2.0", hass
    )
    await simulator.push(wire.cards(account))
    await wait_for(lambda: state_of(hass, CARD_SELECT) is not None, hass)
    await wait_for(lambda: state_of(hass, "select.charger_2_charging_card") is not None, hass)
    await wait_for(lambda: state_of(hass, "select.bcu100003_charging_card") is not None, hass)


# ----------------------------------------------------------------------------- request limit


async def test_request_limit_at_setup_waits_instead_of_retrying(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Setup succeeds into a waiting state: no attempt before the reset, then it comes back."""
    simulator.reject_next_upgrades("Request limit reached", count=1)
    sleeps: list[float] = []
    gate = asyncio.Event()

    async def wait_for_reset(delay: float) -> None:
        sleeps.append(delay)
        await gate.wait()

    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.blue_current.coordinator.sleep", wait_for_reset):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert mock_config_entry.state is ConfigEntryState.LOADED
        await wait_for(lambda: bool(sleeps), hass)
        attempts = simulator.connection_attempts
        health = connection_of(mock_config_entry).health
        assert health.waiting_for_limit_reset is not None
        wait = (health.waiting_for_limit_reset - dt_util.utcnow()).total_seconds()
        assert wait + 1 - 0.5 <= sleeps[0] <= wait + 30 + 0.5
        assert state_of(hass, POWER) in (None, STATE_UNAVAILABLE)
        # Not a repair: nothing for the user to fix (Home Assistant's repair-issues rule).
        assert not ir.async_get(hass).issues
        assert simulator.connection_attempts == attempts
        gate.set()
        await wait_for(lambda: state_of(hass, POWER) == "0.0", hass)
    assert state_of(hass, "sensor.grid_connection_average_grid_current") == "2.0"
    assert state_of(hass, CARD_SELECT) is not None
    assert health.waiting_for_limit_reset is None


async def test_request_limit_at_setup_without_customer_id_retries(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An entry that never learnt its customer id cannot name its entities: setup retries."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url},
        minor_version=2,
    )
    entry.add_to_hass(hass)
    simulator.reject_next_upgrades("Request limit reached", count=1)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "request_limit_reached"
    assert simulator.live_connections == 0
