"""What the entities show: every platform's entities, values checked against the physics."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
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
from custom_components.blue_current.api import (
    Activity,
    ChargePoint,
    ChargePointData,
    ChargePointStatus,
    VehicleStatus,
)
from custom_components.blue_current.coordinator import changed_status_fields
from custom_components.blue_current.sensor import (
    CHARGE_POINT_SENSORS,
    ChargePointSensorDescription,
    charge_point_sensors,
)

from .conftest import entity_table, settle

CHARGER = "BCU100001"  # three phases
SINGLE_PHASE = "BCU100002"


# Frozen wall clock (the simulator's too: its timestamps are real values in the snapshot);
# the event loop keeps real time so that waits and timeouts work.
@pytest.mark.freeze_time("2026-01-05 09:30:00+00:00", real_asyncio=True)
async def test_entities(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity of the default account, one charging: ids, classes, units, states, and
    which are disabled by default (the registry as a new user gets it)."""
    sim_account.charge_points[CHARGER].plug_in(simulator.now)
    await simulator.advance(1800)
    freezer.tick(timedelta(seconds=1800))  # Home Assistant's clock follows the simulator's
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
    # The current limit's range is the maximum current: it is written too (and once more when
    # Home Assistant stores its new range in the entity registry).
    assert writes.count("sensor.charger_1_maximum_current") == 1
    assert set(writes) == {
        "sensor.charger_1_maximum_current",
        "number.charger_1_charging_current_limit",
    }


def test_unreported_data_creates_no_entities() -> None:
    """A charge point whose service never sends a field gets no forever-unknown entity."""
    status = ChargePointStatus(
        evse_id="E1", session_energy_kwh=1.0, reported=frozenset({"actual_kwh"})
    )
    data = ChargePointData(ChargePoint("E1", "model", "", False), status=status)

    connection = SimpleNamespace(
        data=SimpleNamespace(charge_points={"E1": data}),
        customer_id="C",
        unique_id=lambda key, evse_id: f"{key}_{evse_id}",
        device_infos={},
    )
    entities = charge_point_sensors(connection, "E1")  # type: ignore[arg-type]
    assert sorted(e.entity_description.key for e in entities) == ["actual_kwh", "lifetime_energy"]


def _every_field_set() -> ChargePointStatus:
    started = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    return ChargePointStatus(
        evse_id="E1",
        activity=Activity.CHARGING,
        vehicle_status=VehicleStatus.READY,
        voltage_l1=230.0,
        voltage_l2=231.0,
        voltage_l3=229.0,
        current_l1=16.0,
        current_l2=15.0,
        current_l3=14.0,
        session_energy_kwh=3.5,
        session_cost=1.2,
        session_start=started,
        session_stop=started + timedelta(hours=1),
        offline_since=started - timedelta(days=1),
        max_usage=20.0,
        smart_charging_max_usage=16.0,
        max_offline=8.0,
        boosting=False,
    )


def _other_value(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, float):
        return value + 1.5
    if isinstance(value, datetime):
        return value + timedelta(minutes=7)
    if isinstance(value, Activity):
        return Activity.AVAILABLE
    assert isinstance(value, VehicleStatus)
    return VehicleStatus.STANDBY


@pytest.mark.parametrize(
    "description",
    [d for d in CHARGE_POINT_SENSORS if d.reads_status is not None],
    ids=lambda d: d.key,
)
def test_sensors_declare_every_status_field_they_read(
    description: ChargePointSensorDescription,
) -> None:
    """A sensor skips status updates that change none of its ``reads``: they must be complete.

    Changing any field outside ``reads`` must leave its value as it was, or the sensor would
    show a stale value after such an update.
    """
    assert description.reads_status is not None
    base = _every_field_set()
    charge_point = ChargePoint("E1", "model", "", False)
    value = description.value_fn(ChargePointData(charge_point, status=base))
    for name in (f.name for f in fields(ChargePointStatus) if f.compare and f.name != "evse_id"):
        if name in description.reads_status:
            continue
        changed = replace(base, **{name: _other_value(getattr(base, name))})
        assert description.value_fn(ChargePointData(charge_point, status=changed)) == value, name


def test_changed_status_fields() -> None:
    """What the coordinator tells entities after a status update."""
    base = _every_field_set()
    assert changed_status_fields(base, replace(base, session_energy_kwh=4.0)) == {
        "session_energy_kwh"
    }
    assert changed_status_fields(base, base) == frozenset()
    assert changed_status_fields(None, base) is None
