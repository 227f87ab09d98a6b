"""Sensors: what each charge point and the grid connection report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import math
from operator import attrgetter
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    CURRENCY_EURO,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .api import Activity, ChargePointData, ChargePointStatus, GridStatus, VehicleStatus
from .const import LOGGER
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, GridEntity, add_charge_point_entities
from .evcc import IEC_STATES, iec_state
from .session_sensors import async_setup_session_sensors

PARALLEL_UPDATES = 0

type SensorValue = str | int | float | datetime | None


@dataclass(frozen=True, kw_only=True)
class ChargePointSensorDescription(SensorEntityDescription):
    """A charge point sensor: its value from the status, and the wire fields it needs."""

    value_fn: Callable[[ChargePointData], SensorValue]
    # The status fields (wire names) whose presence makes the sensor exist.
    fields: tuple[str, ...]
    # The status attributes value_fn reads (None: it reads more, re-read on every update).
    reads_status: frozenset[str] | None = None


def _status(
    read: Callable[[ChargePointStatus], SensorValue],
) -> Callable[[ChargePointData], SensorValue]:
    def value(data: ChargePointData) -> SensorValue:
        return read(data.status) if data.status is not None else None

    return value


_VOLTAGES = frozenset({"voltage_l1", "voltage_l2", "voltage_l3"})
_CURRENTS = frozenset({"current_l1", "current_l2", "current_l3"})
# What the computed attributes of a status are computed from.
_COMPUTED_FROM = {
    "average_voltage": _VOLTAGES,
    "average_current": _CURRENTS,
    "power_kw": _VOLTAGES | _CURRENTS,
}


def _reads(attribute: str) -> frozenset[str]:
    return _COMPUTED_FROM.get(attribute, frozenset({attribute}))


# The state of an enum sensor whose value the service invented after this was written.
OTHER = "other"
_UNKNOWN_WORDS_LOGGED: set[tuple[str, str]] = set()


def _word(what: str, evse_id: str, value: StrEnum | str | None) -> str | None:
    """A known value's word, or ``other`` for one we do not know (logged once, with it)."""
    if value is None or isinstance(value, StrEnum):
        return None if value is None else str(value)
    if (what, value) not in _UNKNOWN_WORDS_LOGGED:
        _UNKNOWN_WORDS_LOGGED.add((what, value))
        LOGGER.info(
            "Charge point %s reports %s %r, which this integration does not know yet; "
            "it is shown as other",
            evse_id,
            what,
            value,
        )
    return OTHER


def _attribute(name: str) -> Callable[[ChargePointData], SensorValue]:
    read: Callable[[ChargePointStatus], SensorValue] = attrgetter(name)
    return _status(read)


def _current(
    key: str, field: str, attribute: str, *, enabled: bool = True
) -> ChargePointSensorDescription:
    return ChargePointSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=enabled,
        value_fn=_attribute(attribute),
        fields=(field,),
        reads_status=_reads(attribute),
    )


def _voltage(
    key: str, field: str, attribute: str, *, enabled: bool = False
) -> ChargePointSensorDescription:
    return ChargePointSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=enabled,
        value_fn=_attribute(attribute),
        fields=(field,),
        reads_status=_reads(attribute),
    )


def _timestamp(key: str, attribute: str) -> ChargePointSensorDescription:
    return ChargePointSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_attribute(attribute),
        fields=(key,),
        reads_status=_reads(attribute),
    )


def _session_minutes(data: ChargePointData) -> SensorValue:
    status = data.status
    if status is None or status.session_start is None:
        return None
    end = (
        status.session_stop
        if status.session_stop and status.session_stop >= status.session_start
        else None
    )
    if end is None:
        end = dt_util.utcnow() if status.activity is Activity.CHARGING else None
    if end is None:
        return None
    return round((end - status.session_start).total_seconds() / 60)


CHARGE_POINT_SENSORS: tuple[ChargePointSensorDescription, ...] = (
    _voltage("actual_v1", "actual_v1", "voltage_l1"),
    _voltage("actual_v2", "actual_v2", "voltage_l2"),
    _voltage("actual_v3", "actual_v3", "voltage_l3"),
    # Enabled as in core: a value core shows is shown by default (per-phase ones are not).
    _voltage("avg_voltage", "actual_v1", "average_voltage", enabled=True),
    _current("actual_p1", "actual_p1", "current_l1", enabled=False),
    _current("actual_p2", "actual_p2", "current_l2", enabled=False),
    _current("actual_p3", "actual_p3", "current_l3", enabled=False),
    _current("avg_current", "actual_p1", "average_current"),
    ChargePointSensorDescription(
        key="total_kw",
        translation_key="total_kw",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_attribute("power_kw"),
        fields=("actual_v1", "actual_p1"),
        reads_status=_reads("power_kw"),
    ),
    ChargePointSensorDescription(
        key="actual_kwh",
        translation_key="actual_kwh",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        value_fn=_attribute("session_energy_kwh"),
        fields=("actual_kwh",),
        reads_status=_reads("session_energy_kwh"),
    ),
    ChargePointSensorDescription(
        key="total_cost",
        translation_key="total_cost",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement=CURRENCY_EURO,
        suggested_display_precision=2,
        value_fn=_attribute("session_cost"),
        fields=("total_cost",),
        reads_status=_reads("session_cost"),
    ),
    ChargePointSensorDescription(
        key="vehicle_status",
        translation_key="vehicle_status",
        device_class=SensorDeviceClass.ENUM,
        options=[*(status.value for status in VehicleStatus), OTHER],
        value_fn=_status(lambda s: _word("vehicle status", s.evse_id, s.vehicle_status)),
        reads_status=frozenset({"vehicle_status"}),
        fields=("vehicle_status",),
    ),
    ChargePointSensorDescription(
        # The vehicle status as IEC 61851 letters, for evcc (evcc.py has the mapping).
        key="iec_61851_status",
        translation_key="iec_61851_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(IEC_STATES),
        value_fn=_status(iec_state),
        reads_status=frozenset({"vehicle_status"}),
        fields=("vehicle_status",),
    ),
    ChargePointSensorDescription(
        key="activity",
        translation_key="activity",
        device_class=SensorDeviceClass.ENUM,
        options=[*(activity.value for activity in Activity), OTHER],
        value_fn=_status(lambda s: _word("activity", s.evse_id, s.activity)),
        reads_status=frozenset({"activity"}),
        fields=("activity",),
    ),
    _current("max_usage", "max_usage", "max_usage"),
    _current(
        "smartcharging_max_usage",
        "smartcharging_max_usage",
        "smart_charging_max_usage",
        enabled=False,
    ),
    _current("max_offline", "max_offline", "max_offline", enabled=False),
    ChargePointSensorDescription(
        key="current_left",
        translation_key="current_left",
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda d: d.status.current_left(d.smart_charging) if d.status else None,
        fields=("max_usage",),
    ),
    _timestamp("start_datetime", "session_start"),
    _timestamp("stop_datetime", "session_stop"),
    _timestamp("offline_since", "offline_since"),
    ChargePointSensorDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_session_minutes,
        fields=("start_datetime",),
    ),
)

LIFETIME_ENERGY = SensorEntityDescription(
    key="lifetime_energy",
    translation_key="lifetime_energy",
    device_class=SensorDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    state_class=SensorStateClass.TOTAL_INCREASING,
    suggested_display_precision=2,
)


@dataclass(frozen=True, kw_only=True)
class GridSensorDescription(SensorEntityDescription):
    """A sensor of the grid connection."""

    value_fn: Callable[[GridStatus], float | None]


def _grid(
    key: str, read: Callable[[GridStatus], float | None], *, enabled: bool = True
) -> GridSensorDescription:
    return GridSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=enabled,
        value_fn=read,
    )


GRID_SENSORS: tuple[GridSensorDescription, ...] = (
    _grid("grid_actual_p1", lambda g: g.current_l1, enabled=False),
    _grid("grid_actual_p2", lambda g: g.current_l2, enabled=False),
    _grid("grid_actual_p3", lambda g: g.current_l3, enabled=False),
    _grid("grid_avg_current", lambda g: g.average_current),
    _grid("grid_max_current", lambda g: g.max_current),
    _grid("grid_max_install", lambda g: g.max_installed),
    _grid("grid_max_reserved", lambda g: g.max_reserved),
)


def charge_point_sensors(connection: BlueCurrentConnection, evse_id: str) -> list[SensorEntity]:
    """The sensors of one charge point, for the data its service reports."""
    data = connection.data.charge_points[evse_id]
    reported = data.status.reported if data.status is not None else frozenset()
    entities: list[SensorEntity] = [
        ChargePointSensor(connection, description, evse_id)
        for description in CHARGE_POINT_SENSORS
        if all(field in reported for field in description.fields)
    ]
    if "actual_kwh" in reported:
        entities.append(LifetimeEnergySensor(connection, LIFETIME_ENERGY, evse_id))
    return entities


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors of every charge point and of the grid connection."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_sensors)
    connection = entry.runtime_data
    created: set[str] = set()

    @callback
    def add_grid_sensors(_changed: frozenset[str] | None = None) -> None:
        """Grid sensors for the values reported so far: the grid status may come at any time."""
        grid = connection.data.grid
        if grid is None or len(created) == len(GRID_SENSORS):
            return
        new = [
            description
            for description in GRID_SENSORS
            if description.key not in created and description.value_fn(grid) is not None
        ]
        created.update(description.key for description in new)
        if new:
            async_add_entities(GridSensor(connection, description) for description in new)

    entry.async_on_unload(connection.async_add_listener(add_grid_sensors, None))
    add_grid_sensors()
    # Sessions: cost per charge point, totals per card, tariffs (session_sensors.py).
    await async_setup_session_sensors(hass, entry, async_add_entities)


class ChargePointSensor(ChargePointEntity, SensorEntity):
    """A value a charge point reports."""

    entity_description: ChargePointSensorDescription

    @property
    def native_value(self) -> SensorValue:
        """The value, from the latest status."""
        data = self.charge_point
        return self.entity_description.value_fn(data) if data is not None else None

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value


@dataclass(slots=True)
class EnergyProgress(ExtraStoredData):
    """What a restart needs to go on counting: the total, and how far into which session.

    The total is stored here, not read back from the state: the state of an unavailable
    entity is "unavailable", and starting over from it would make the Energy dashboard's
    total go backwards.
    """

    total: float | None
    session_energy: float | None
    session_start: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "total": self.total,
            "session_energy": self.session_energy,
            "session_start": self.session_start.isoformat() if self.session_start else None,
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> EnergyProgress:
        """Read the stored form back; anything unreadable counts as not stored."""
        start = stored.get("session_start")
        return cls(
            total=_number(stored.get("total")),
            session_energy=_number(stored.get("session_energy")),
            session_start=dt_util.parse_datetime(start) if isinstance(start, str) else None,
        )


def _number(value: Any) -> float | None:
    """A finite number from stored data or a state string; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


class LifetimeEnergySensor(ChargePointEntity, SensorEntity, RestoreEntity):
    """Energy delivered over every session: for the Energy dashboard.

    The service only reports the energy of the current (or last) session. This adds each
    session's growth to a total that is restored at start-up, so it never goes down.
    """

    _reads_status = frozenset({"session_energy_kwh", "session_start"})

    def __init__(self, *args: Any) -> None:
        """Start from nothing; ``async_added_to_hass`` restores the last total."""
        super().__init__(*args)
        self._total = 0.0
        self._session_start: datetime | None = None
        self._session_energy: float | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the total and the session it last counted."""
        await self._restore()
        self._count_session()
        await super().async_added_to_hass()

    async def _restore(self) -> None:
        extra = await self.async_get_last_extra_data()
        stored = EnergyProgress.from_dict(extra.as_dict()) if extra is not None else None
        total = stored.total if stored is not None else None
        if total is None:
            # Stored by a version that kept the total in the state only: take it when it is a
            # number (never "unavailable" or "unknown").
            last = await self.async_get_last_state()
            total = _number(last.state) if last is not None else None
        if total is not None:
            self._total = total
        if stored is not None:
            self._session_energy = stored.session_energy
            self._session_start = stored.session_start

    @property
    def extra_restore_state_data(self) -> EnergyProgress:
        """What a restart needs to continue counting the same session."""
        return EnergyProgress(self._total, self._session_energy, self._session_start)

    def _count_session(self) -> None:
        data = self.charge_point
        status = data.status if data is not None else None
        if status is None or status.session_energy_kwh is None:
            return
        energy = status.session_energy_kwh
        if self._session_energy is None:
            # The first reading ever starts from the session in progress, so the total is never
            # below the session energy shown next to it. Statistics take the first state as the
            # baseline: this adds no spike to the Energy dashboard.
            self._session_start = status.session_start
            self._session_energy = energy
            self._total += energy
            return
        if status.session_start != self._session_start or energy < self._session_energy:
            self._session_start = status.session_start
            self._session_energy = 0.0
        self._total += energy - self._session_energy
        self._session_energy = energy

    @callback
    def _handle_update(self, changed: frozenset[str] | None = None) -> None:
        self._count_session()
        super()._handle_update(changed)

    @property
    def native_value(self) -> float:
        """The lifetime total."""
        return round(self._total, 3)

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value


class GridSensor(GridEntity, SensorEntity):
    """A current at the grid connection."""

    entity_description: GridSensorDescription

    @property
    def native_value(self) -> float | None:
        """The value, from the latest grid status."""
        grid = self.connection.data.grid
        return self.entity_description.value_fn(grid) if grid is not None else None

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value
