"""Binary sensors: is a vehicle connected, is it charging, is the charge point online."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# 2026.x moved the device classes to .const and stopped re-exporting them; the name
# still resolves at runtime on every supported version.
from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined,unused-ignore]
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Activity, ChargePointStatus, VehicleStatus
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities

PARALLEL_UPDATES = 0

_VEHICLE_PRESENT = frozenset(
    {VehicleStatus.VEHICLE_DETECTED, VehicleStatus.READY, VehicleStatus.NO_POWER}
)


@dataclass(frozen=True, kw_only=True)
class ChargePointBinarySensorDescription(BinarySensorEntityDescription):
    """A yes/no fact of a charge point's status, and the status field it needs."""

    is_on_fn: Callable[[ChargePointStatus], bool | None]
    field: str
    # The status attributes is_on_fn reads.
    reads_status: frozenset[str]


def _vehicle_connected(status: ChargePointStatus) -> bool | None:
    if status.vehicle_status is None:
        return None
    return status.vehicle_status in _VEHICLE_PRESENT


def _charging(status: ChargePointStatus) -> bool | None:
    return None if status.activity is None else status.activity is Activity.CHARGING


def _online(status: ChargePointStatus) -> bool | None:
    return None if status.activity is None else status.activity is not Activity.OFFLINE


BINARY_SENSORS: tuple[ChargePointBinarySensorDescription, ...] = (
    ChargePointBinarySensorDescription(
        key="vehicle_connected",
        translation_key="vehicle_connected",
        device_class=BinarySensorDeviceClass.PLUG,
        is_on_fn=_vehicle_connected,
        field="vehicle_status",
        reads_status=frozenset({"vehicle_status"}),
    ),
    ChargePointBinarySensorDescription(
        key="charging",
        translation_key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        is_on_fn=_charging,
        field="activity",
        reads_status=frozenset({"activity"}),
    ),
    ChargePointBinarySensorDescription(
        key="online",
        translation_key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=_online,
        field="activity",
        reads_status=frozenset({"activity"}),
    ),
    ChargePointBinarySensorDescription(
        key="boosting",
        translation_key="boosting",
        is_on_fn=lambda status: status.boosting,
        field="boosting",
        reads_status=frozenset({"boosting"}),
    ),
)


def charge_point_binary_sensors(
    connection: BlueCurrentConnection, evse_id: str
) -> list[ChargePointBinarySensor]:
    """The binary sensors of one charge point, for the fields its service reports."""
    status = connection.data.charge_points[evse_id].status
    reported = status.reported if status is not None else frozenset()
    return [
        ChargePointBinarySensor(connection, description, evse_id)
        for description in BINARY_SENSORS
        if description.field in reported
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the binary sensors of every charge point, now and when one joins."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_binary_sensors)


class ChargePointBinarySensor(ChargePointEntity, BinarySensorEntity):
    """A yes/no fact of a charge point."""

    entity_description: ChargePointBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """From the latest status."""
        data = self.charge_point
        if data is None or data.status is None:
            return None
        return self.entity_description.is_on_fn(data.status)

    def shown_value(self) -> Any:
        """The state."""
        return self.is_on
