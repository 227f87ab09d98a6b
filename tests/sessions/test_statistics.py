"""Long-term statistics of ended sessions, read back through the recorder's own API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import (
    get_last_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from bluecurrent_simulator import SimAccount, Simulator, wire
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from custom_components.blue_current.session_manager import loaded_manager
from tests.fixtures.simulator import SimulatorFactory

from .conftest import CHARGER, settle

ENERGY = "blue_current:energy_bcu100001"
COST = "blue_current:cost_bcu100001"


@pytest.fixture(autouse=True)
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The recorder's database is prepared before Home Assistant (phcc's hook for it)."""


async def _rows(hass: HomeAssistant, statistic: str, since: datetime) -> list[dict[str, Any]]:
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        since,
        None,
        {statistic},
        "hour",
        None,
        {"sum", "change", "state"},
    )
    return [dict(row) for row in found.get(statistic, [])]


async def _session(
    hass: HomeAssistant, simulator: Simulator, account: SimAccount, seconds: float, count: int
) -> None:
    charger = account.charge_points[CHARGER]
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(seconds)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    entry = hass.config_entries.async_entries("blue_current")[0]
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    await settle(hass, lambda: len(manager.records) == count)
    await manager.async_wait_statistics()
    await async_wait_recording_done(hass)


async def test_energy_and_cost_by_the_hour_they_were_used(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """1.5 h from hh:15 and, after five minutes, 0.5 h at 11.04 kW: each hour gets the
    energy used in it (no offset), sums continue across sessions, also within one hour."""
    now = simulator.now
    quarter_past = now.replace(minute=15, second=0, microsecond=0) + timedelta(hours=1)
    await simulator.advance((quarter_past - now).total_seconds())  # idle: nothing to push
    first_hour = quarter_past.astimezone(UTC).replace(minute=0)

    await _session(hass, simulator, sim_account, 5400, 1)
    rows = await _rows(hass, ENERGY, first_hour - timedelta(hours=1))
    assert [row["start"] for row in rows] == [
        (first_hour + timedelta(hours=h)).timestamp() for h in (0, 1)
    ]
    assert [row["change"] for row in rows] == [pytest.approx(8.28), pytest.approx(8.28)]
    assert rows[-1]["sum"] == pytest.approx(16.56)

    await simulator.advance(300)
    await _session(hass, simulator, sim_account, 1800, 2)
    rows = await _rows(hass, ENERGY, first_hour - timedelta(hours=1))
    assert [row["start"] for row in rows] == [
        (first_hour + timedelta(hours=h)).timestamp() for h in (0, 1, 2)
    ]
    # The second hour: 45 min of the first session and 10 of the second.
    assert [row["change"] for row in rows] == [
        pytest.approx(8.28),
        pytest.approx(8.28 + 1.84),
        pytest.approx(3.68),
    ]
    assert [row["sum"] for row in rows] == [
        pytest.approx(8.28),
        pytest.approx(18.4),
        pytest.approx(22.08),
    ]
    last = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, ENERGY, False, {"sum"}
    )
    assert last[ENERGY][0]["sum"] == pytest.approx(22.08)

    costs = await _rows(hass, COST, first_hour - timedelta(hours=1))
    assert costs[-1]["sum"] == pytest.approx(22.08 * 0.35, abs=0.02)
    assert len(costs) == 3

    metadata = dict(
        await get_instance(hass).async_add_executor_job(
            lambda: get_metadata(hass, statistic_ids={ENERGY, COST})
        )
    )
    energy_meta = metadata[ENERGY][1]
    assert energy_meta["unit_of_measurement"] == "kWh"
    assert energy_meta["source"] == "blue_current"
    assert energy_meta["has_sum"] is True
    assert int(energy_meta["mean_type"]) == 0  # StatisticMeanType.NONE
    if "unit_class" in energy_meta:  # Home Assistant 2025.10 and newer
        assert energy_meta["unit_class"] == "energy"
        assert metadata[COST][1]["unit_class"] is None
    assert metadata[COST][1]["unit_of_measurement"] == "EUR"


async def test_sums_continue_after_a_restart(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A new manager (a reload) reads the last sum back from the recorder."""
    await _session(hass, simulator, sim_account, 3600, 1)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await simulator.advance(7200)
    await _session(hass, simulator, sim_account, 3600, 2)
    last = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, ENERGY, False, {"sum"}
    )
    assert last[ENERGY][0]["sum"] == pytest.approx(2 * 11.04)


async def test_a_shared_charge_point_is_counted_once(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
) -> None:
    """Two accounts list one charge point: its statistics are the first account's only (each
    account's stream reports the same session)."""
    simulators = []
    for number in (1, 2):
        simulator = await simulator_factory()
        simulator.add_account(token=f"T{number}", customer_id=f"C{number}", charge_points=1)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"account {number}",
            unique_id=f"C{number}",
            data={CONF_API_TOKEN: f"T{number}", CONF_ENDPOINT: simulator.url},
            minor_version=2,
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        simulators.append((simulator, simulator.accounts[f"T{number}"], entry))
    for later, (simulator, account, entry) in enumerate(simulators):
        await simulator.advance(later * 3 * 3600)  # in other hours than the first's
        charger = account.charge_points[CHARGER]
        charger.plug_in(simulator.now, demand_kwh=100)
        await simulator.push_changes()
        await simulator.advance(3600)
        charger.unplug(simulator.now)
        await simulator.push_changes()
        manager = loaded_manager(hass, entry.entry_id)
        assert manager is not None
        await settle(hass, lambda manager=manager: len(manager.records) == 1)
        await manager.async_wait_statistics()
        await async_wait_recording_done(hass)
    last = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, ENERGY, False, {"sum"}
    )
    assert last[ENERGY][0]["sum"] == pytest.approx(11.04)


async def test_after_a_restart_a_session_in_the_same_hour_adds_to_it(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """hh:15-hh:45, a reload, then hh:50-hh+1:20: the hour both used holds both (read back
    from the recorder, not overwritten)."""
    now = simulator.now
    quarter_past = now.replace(minute=15, second=0, microsecond=0) + timedelta(hours=1)
    await simulator.advance((quarter_past - now).total_seconds())
    first_hour = quarter_past.astimezone(UTC).replace(minute=0)
    await _session(hass, simulator, sim_account, 1800, 1)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await simulator.advance(300)
    await _session(hass, simulator, sim_account, 1800, 2)  # the log kept the first
    rows = await _rows(hass, ENERGY, first_hour - timedelta(hours=1))
    assert [row["start"] for row in rows] == [
        (first_hour + timedelta(hours=h)).timestamp() for h in (0, 1)
    ]
    assert [row["change"] for row in rows] == [pytest.approx(5.52 + 1.84), pytest.approx(3.68)]
    assert rows[-1]["sum"] == pytest.approx(11.04)


async def test_sums_never_go_down_for_an_overlapping_session(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A session the service reports inside the hours of the one before (bogus times) adds
    its energy to the last hour with a sum: no hour's sum goes below an earlier one's."""
    now = simulator.now
    quarter_past = now.replace(minute=15, second=0, microsecond=0) + timedelta(hours=1)
    await simulator.advance((quarter_past - now).total_seconds())
    first_hour = quarter_past.astimezone(UTC).replace(minute=0)
    await _session(hass, simulator, sim_account, 5400, 1)  # hh:15 - hh+1:45

    charger = sim_account.charge_points[CHARGER]
    message = wire.status(charger)
    message["data"] |= {
        "start_datetime": wire.timestamp(quarter_past + timedelta(minutes=15), True),
        "stop_datetime": wire.timestamp(quarter_past + timedelta(minutes=25), True),
        "actual_kwh": 1.0,
        "total_cost": 0.35,
    }
    await simulator.push(message)
    await _session_logged(hass, 2)
    rows = await _rows(hass, ENERGY, first_hour - timedelta(hours=1))
    assert [row["sum"] for row in rows] == [pytest.approx(8.28), pytest.approx(17.56)]


async def _session_logged(hass: HomeAssistant, count: int) -> None:
    entry = hass.config_entries.async_entries("blue_current")[0]
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    await settle(hass, lambda: len(manager.records) == count)
    await manager.async_wait_statistics()
    await async_wait_recording_done(hass)
