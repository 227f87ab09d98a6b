"""Setup, the connection loop, repairs and unloading, against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from unittest.mock import patch
from zoneinfo import ZoneInfo

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.coordinator import charge_point_device

POWER = "sensor.charger_1_power"


async def wait_for(condition: Callable[[], bool], hass: HomeAssistant, seconds: float = 10) -> None:
    """Let the event loop run until ``condition`` holds."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


def entry_issue(hass: HomeAssistant, entry: MockConfigEntry, issue: str) -> ir.IssueEntry | None:
    """The repair issue of ``entry``, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{issue}_{entry.entry_id}")


async def test_setup_creates_devices_and_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim_account: SimAccount
) -> None:
    """Every charge point gets a device named as in the app, or by evse id when unnamed."""
    assert init_integration.state is ConfigEntryState.LOADED
    ours = {*sim_account.charge_points, f"grid_{init_integration.unique_id}"}
    devices = [
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if any(key in ours for domain, key in device.identifiers if domain == DOMAIN)
    ]  # charge points and the grid (other kinds of devices may join)
    names = sorted(device.name or "" for device in devices)
    assert names == ["BCU100003", "Charger 1", "Charger 2", "Grid connection"]
    charger = next(d for d in devices if d.name == "Charger 1")
    assert charger.manufacturer == "Blue Current"
    assert charger.model == sim_account.charge_points["BCU100001"].model.name
    assert charger.serial_number == "BCU100001"


async def test_unload_disconnects(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Unloading closes the connection and leaves nothing running."""
    assert simulator.live_connections == 1
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    await wait_for(lambda: simulator.live_connections == 0, hass)


async def test_stop_disconnects(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Home Assistant stopping closes the connection."""
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await wait_for(lambda: simulator.live_connections == 0, hass)


async def test_bad_token_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A refused token fails setup and asks the user for a new one."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_API_TOKEN: "wrong"}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize(
    ("reason", "translation_key"),
    [
        ("Already connected", "already_connected"),
        ("Something else", "cannot_connect"),
    ],
)
async def test_rejected_connection_retries_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    reason: str,
    translation_key: str,
) -> None:
    """A rejected connection makes setup retry later, with a translated reason.

    (The request limit does not: setup waits for the reset instead, see test_lifecycle.)
    """
    simulator.reject_next_upgrades(reason, count=1)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == translation_key


async def test_unreachable_service_retries_setup(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A service that is not there at all makes setup retry."""
    await simulator.stop()
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_snapshot_timeout_retries_setup(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Setup waits for the charge points' status with a timeout (core waits forever)."""
    simulator.ignore_next("GET_CH_STATUS")
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.blue_current.SNAPSHOT_TIMEOUT", 0.2):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == "snapshot_timeout"
    await wait_for(lambda: simulator.live_connections == 0, hass)


@pytest.mark.usefixtures("fast_reconnect")
async def test_drop_makes_entities_unavailable_then_recovers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The seed's reconnect: unavailable while down, fresh values after, logged once each.

    Home Assistant's log-when-unavailable rule: the drop once at info, the return once.
    """
    assert hass.states.get(POWER).state == "0.0"
    simulator.reject_next_upgrades("Something else", count=2)
    charge_point = sim_account.charge_points["BCU100001"]
    charge_point.plug_in(simulator.now)
    with caplog.at_level(logging.DEBUG):
        await simulator.drop_connections("abrupt")
        await wait_for(lambda: hass.states.get(POWER).state == STATE_UNAVAILABLE, hass)
        await wait_for(lambda: hass.states.get(POWER).state != STATE_UNAVAILABLE, hass)
    assert float(hass.states.get(POWER).state) == pytest.approx(11.04)
    ours = [r for r in caplog.records if r.name.startswith("custom_components.blue_current")]
    assert not [r for r in ours if r.levelno >= logging.WARNING]
    infos = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    assert len([m for m in infos if m.startswith("Lost the connection")]) == 1
    assert len([m for m in infos if m.startswith("Reconnected")]) == 1
    assert not [r for r in caplog.records if r.exc_info]
    assert init_integration.runtime_data.health.reconnects == 1
    assert init_integration.runtime_data.health.failed_attempts == 3


@pytest.mark.usefixtures("fast_reconnect")
async def test_request_limit_waits_for_reset(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """No attempt until the daily reset (midnight in Amsterdam, plus 1-30 s of jitter)."""
    attempts = simulator.connection_attempts
    sleeps: list[float] = []
    gate = asyncio.Event()

    async def record_sleep(delay: float) -> None:
        sleeps.append(delay)
        await gate.wait()

    connection = init_integration.runtime_data
    connection.sleep = record_sleep
    await simulator.drop_connections("limit")
    await wait_for(lambda: bool(sleeps), hass)
    reset_at = connection.health.waiting_for_limit_reset
    assert reset_at is not None
    assert reset_at.tzinfo is not None
    local = reset_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    until_reset = (reset_at - dt_util.utcnow()).total_seconds()
    assert until_reset + 1 - 0.5 <= sleeps[0] <= until_reset + 30 + 0.5
    assert simulator.connection_attempts == attempts  # nothing tried while waiting
    gate.set()
    await wait_for(lambda: connection.health.reconnects == 1, hass)
    assert simulator.connection_attempts == attempts + 1
    assert connection.health.waiting_for_limit_reset is None


@pytest.mark.usefixtures("fast_reconnect")
async def test_request_limit_wait_is_shown_in_diagnostics_not_as_a_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The wait is nothing a user can fix: no repair issue; diagnostics and one log line."""
    gate = asyncio.Event()

    async def blocked_sleep(_delay: float) -> None:
        await gate.wait()

    connection = init_integration.runtime_data
    connection.sleep = blocked_sleep
    with caplog.at_level(logging.INFO):
        await simulator.drop_connections("limit")
        await wait_for(lambda: connection.health.waiting_for_limit_reset is not None, hass)
    await wait_for(lambda: hass.states.get(POWER).state == STATE_UNAVAILABLE, hass)
    assert not ir.async_get(hass).issues
    assert connection.diagnostics()["health"]["waiting_for_limit_reset"] is not None
    assert len([r for r in caplog.records if "request limit" in r.getMessage()]) == 1
    gate.set()
    await wait_for(lambda: hass.states.get(POWER).state != STATE_UNAVAILABLE, hass)


@pytest.mark.usefixtures("fast_reconnect")
async def test_already_connected_repair(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Another client holding the connection raises a repair, cleared once we are back."""
    gate = asyncio.Event()
    real_sleep = asyncio.sleep

    sleeps: list[float] = []

    async def gated_sleep(delay: float) -> None:
        # The first wait follows the drop; the second follows the rejection: hold that one.
        sleeps.append(delay)
        if len(sleeps) > 1:
            await gate.wait()
        await real_sleep(0)

    simulator.reject_next_upgrades("Already connected", count=1)
    init_integration.runtime_data.sleep = gated_sleep
    await simulator.drop_connections("clean")
    await wait_for(
        lambda: entry_issue(hass, init_integration, "already_connected") is not None, hass
    )
    gate.set()
    await wait_for(lambda: entry_issue(hass, init_integration, "already_connected") is None, hass)
    assert init_integration.runtime_data.connected


@pytest.mark.usefixtures("fast_reconnect")
async def test_revoked_token_starts_reauth_and_stops(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A token revoked while running: reauthentication, and no hammering of the service."""
    sim_account.session_token = "revoked"
    simulator.accounts["other-token"] = simulator.accounts.pop("TOKEN")
    await simulator.drop_connections("clean")
    await wait_for(lambda: bool(hass.config_entries.flow.async_progress()), hass)
    attempts = simulator.connection_attempts
    # The loop has ended for good (no timer left to try again), and entities say so.
    task = init_integration.runtime_data._task
    await wait_for(lambda: task is not None and task.done(), hass)
    await wait_for(lambda: hass.states.get(POWER).state == STATE_UNAVAILABLE, hass)
    assert simulator.connection_attempts == attempts


@pytest.mark.usefixtures("fast_reconnect")
async def test_charge_points_added_and_removed_while_away(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """After a reconnect, new charge points get entities; removed ones lose their device."""
    device_registry = dr.async_get(hass)
    sim_account.add_charge_point(name="Carport")
    sim_account.remove_charge_point("BCU100002")
    await simulator.drop_connections("clean")
    entry_id = init_integration.entry_id
    await wait_for(lambda: hass.states.get("sensor.carport_power") is not None, hass)
    await wait_for(
        lambda: charge_point_device(device_registry, entry_id, "BCU100002") is None, hass
    )
    assert charge_point_device(device_registry, entry_id, "BCU100004") is not None


async def test_core_grid_unique_ids_are_migrated(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A user coming from core keeps the grid sensors' entity ids (and their history)."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        "grid_avg_current",
        config_entry=mock_config_entry,
        suggested_object_id="average_grid_current",
    )
    charge_point = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        "actual_kwh_BCU100001",
        config_entry=mock_config_entry,
        suggested_object_id="charger_1_energy_usage",
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    migrated = registry.async_get(old.entity_id)
    assert migrated is not None
    assert migrated.unique_id == "grid_avg_current_C0001"
    assert hass.states.get(old.entity_id).state == "2.0"
    assert hass.states.get(charge_point.entity_id).state == "0.0"


def _within_jitter(delays: list[float], bases: list[float]) -> bool:
    """Each delay is its base +-20 % (the jitter that keeps installations out of lockstep)."""
    return len(delays) == len(bases) and all(
        0.8 * base - 1e-9 <= delay <= 1.2 * base + 1e-9
        for delay, base in zip(delays, bases, strict=True)
    )


@pytest.mark.usefixtures("fast_reconnect")  # first retry 0.01 s, cap 0.05 s
async def test_back_off_doubles_up_to_its_cap(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Failed reconnects wait 1x, 2x, 4x the first delay... never more than the cap."""
    sleeps: list[float] = []

    async def record(delay: float) -> None:
        sleeps.append(delay)

    connection = init_integration.runtime_data
    connection.sleep = record
    simulator.reject_next_upgrades("Something else", count=5)
    await simulator.drop_connections("abrupt")
    await wait_for(lambda: connection.health.reconnects == 1, hass)
    assert _within_jitter(sleeps, [0.01, 0.02, 0.04, 0.05, 0.05, 0.05]), sleeps


@pytest.mark.usefixtures("fast_reconnect")
@pytest.mark.parametrize(
    ("stable_after", "first_delay"),
    [(0.0, 0.01), (3600.0, 0.05)],
    ids=["stable: starts afresh", "unstable: keeps backing off"],
)
async def test_back_off_resets_after_a_stable_connection(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    stable_after: float,
    first_delay: float,
) -> None:
    """A connection that stayed up long enough resets the back-off; a short one does not."""
    sleeps: list[float] = []

    async def record(delay: float) -> None:
        sleeps.append(delay)

    connection = init_integration.runtime_data
    connection.sleep = record
    simulator.reject_next_upgrades("Something else", count=3)
    with patch("custom_components.blue_current.coordinator.STABLE_CONNECTION", stable_after):
        await simulator.drop_connections("abrupt")
        await wait_for(lambda: connection.health.reconnects == 1, hass)
        assert _within_jitter(sleeps, [0.01, 0.02, 0.04, 0.05]), sleeps
        sleeps.clear()
        await simulator.drop_connections("abrupt")
        await wait_for(lambda: connection.health.reconnects == 2, hass)
    assert _within_jitter(sleeps, [first_delay]), sleeps
