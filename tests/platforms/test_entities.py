"""What the entities show: every platform's entities, values checked against the physics."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import patch

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.entity import Entity
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from syrupy.assertion import SnapshotAssertion

from bluecurrent_simulator import SimAccount, Simulator
from bluecurrent_simulator.wire import status as wire_status
from custom_components.blue_current.api import ChargePoint, ChargePointData, ChargePointStatus
from custom_components.blue_current.sensor import charge_point_sensors

from .conftest import entity_table, settle

CHARGER = "BCU100001"  # three phases
SINGLE_PHASE = "BCU100002"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity of the default account, one charging: ids, classes, units and states."""
    sim_account.charge_points[CHARGER].plug_in(simulator.now)
    await simulator.advance(1800)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_table(hass, mock_config_entry) == snapshot


async def test_power_and_energy_follow_the_physics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Three phases at 16 A and 230 V are 11.04 kW; one phase 3.68 kW (core says 6.4 for both)."""
    for evse_id in (CHARGER, SINGLE_PHASE):
        sim_account.charge_points[evse_id].plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(3600)
    await settle(hass, lambda: hass.states.get("sensor.charger_1_session_energy").state != "0.0")
    assert float(hass.states.get("sensor.charger_1_power").state) == pytest.approx(11.04)
    assert float(hass.states.get("sensor.charger_2_power").state) == pytest.approx(3.68)
    assert float(hass.states.get("sensor.charger_1_session_energy").state) == pytest.approx(11.04)
    assert float(hass.states.get("sensor.charger_2_session_energy").state) == pytest.approx(3.68)
    assert float(hass.states.get("sensor.charger_1_session_cost").state) == pytest.approx(
        11.04 * 0.35, abs=0.01
    )
    assert hass.states.get("sensor.charger_1_activity").state == "charging"
    assert hass.states.get("binary_sensor.charger_1_charging").state == "on"
    assert hass.states.get("binary_sensor.charger_1_vehicle_connected").state == "on"
    assert hass.states.get("sensor.charger_1_vehicle_status").state == "ready"
    # The grid carries the house (2 A a phase) plus both charge points.
    assert hass.states.get("sensor.grid_connection_maximum_grid_current").state == "34.0"


async def test_lifetime_energy_adds_sessions(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The Energy dashboard's total grows by each session and never goes down."""
    charge_point = sim_account.charge_points[CHARGER]
    total = "sensor.charger_1_total_energy"
    for _ in range(2):
        charge_point.plug_in(simulator.now, demand_kwh=5.0)
        await simulator.push_changes()
        await simulator.advance(3600)  # 5 kWh delivered, then the vehicle is full
        charge_point.unplug(simulator.now)
        await simulator.push_changes()
    await settle(hass, lambda: hass.states.get(total).state == "10.0")
    assert hass.states.get(total).attributes["state_class"] == "total_increasing"


async def test_lifetime_energy_starts_from_the_session_in_progress(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A new installation never shows a total below the session energy next to it."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now, demand_kwh=50)
    await simulator.advance(600)  # 1.84 kWh before Home Assistant ever saw the charge point
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    session = hass.states.get("sensor.charger_1_session_energy").state
    assert session == "1.84"
    assert hass.states.get("sensor.charger_1_total_energy").state == session


async def test_lifetime_energy_is_restored(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A restart continues from the stored total, counting the same session once."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now, demand_kwh=50)
    await simulator.advance(600)  # 1.84 kWh so far
    start = charge_point.session_start
    assert start is not None
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.charger_1_total_energy", "100.0"),
                {"session_energy": 1.0, "session_start": start.replace(microsecond=0).isoformat()},
            )
        ],
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.charger_1_total_energy")
    assert float(state.state) == pytest.approx(100.84)


async def test_unchanged_status_writes_no_state(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A repeated status writes nothing; one changed field writes only what shows it."""
    charge_point = sim_account.charge_points[CHARGER]
    writes: list[str] = []
    original = Entity.async_write_ha_state

    def counting(self: Entity) -> None:
        writes.append(self.entity_id)
        original(self)

    with patch.object(Entity, "async_write_ha_state", counting):
        for _ in range(5):
            await simulator.push(wire_status(charge_point))
        await simulator.push(wire_status(sim_account.charge_points["BCU100003"]))
        await hass.async_block_till_done()
        assert writes == []
        charge_point.max_usage = 10.0
        await simulator.push(wire_status(charge_point))
        await settle(hass, lambda: bool(writes))
    assert writes == ["sensor.charger_1_maximum_current"]


def test_unreported_data_creates_no_entities() -> None:
    """A charge point whose service never sends a field gets no forever-unknown entity."""
    status = ChargePointStatus(
        evse_id="E1", session_energy_kwh=1.0, reported=frozenset({"actual_kwh"})
    )
    data = ChargePointData(ChargePoint("E1", "model", "", False), status=status)

    connection = SimpleNamespace(data=SimpleNamespace(charge_points={"E1": data}), customer_id="C")
    entities = charge_point_sensors(connection, "E1")  # type: ignore[arg-type]
    assert sorted(e.entity_description.key for e in entities) == ["actual_kwh", "lifetime_energy"]
