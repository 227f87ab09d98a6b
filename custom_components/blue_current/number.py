"""Numbers of the price-based profile: the minimum charge and the battery size."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant import const as ha_const
from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import PriceBasedCharging
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .current_limit import current_limit_numbers
from .entity import ChargePointEntity, add_charge_point_entities, run_command

PARALLEL_UPDATES = 1
# 2026.x names ratio units in an enum (UnitOfRatio); 2025.4 has only the PERCENTAGE constant.
PERCENTAGE: str = getattr(ha_const, "UnitOfRatio", ha_const).PERCENTAGE


@dataclass(frozen=True, kw_only=True)
class PriceBasedNumberDescription(NumberEntityDescription):
    """A number of the price-based profile, and the name the service takes it under."""

    value_fn: Callable[[PriceBasedCharging], float | None]
    field: str


NUMBERS: tuple[PriceBasedNumberDescription, ...] = (
    PriceBasedNumberDescription(
        key="minimum_charge",
        translation_key="minimum_charge",
        device_class=NumberDeviceClass.BATTERY,
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=0,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.SLIDER,
        value_fn=lambda p: p.minimum_pct,
        field="minimum_pct",
    ),
    PriceBasedNumberDescription(
        key="battery_size",
        translation_key="battery_size",
        device_class=NumberDeviceClass.ENERGY_STORAGE,
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        native_min_value=1,
        native_max_value=250,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda p: p.battery_size_kwh,
        field="battery_size_kwh",
    ),
)


def _profile(connection: BlueCurrentConnection, evse_id: str) -> PriceBasedCharging | None:
    data = connection.data.charge_points.get(evse_id)
    settings = data.settings if data is not None else None
    return settings.price_based_charging if settings is not None else None


def charge_point_numbers(connection: BlueCurrentConnection, evse_id: str) -> list[PriceBasedNumber]:
    """The numbers the service reports for this charge point."""
    profile = _profile(connection, evse_id)
    if profile is None:
        return []
    return [
        PriceBasedNumber(connection, description, evse_id)
        for description in NUMBERS
        if description.value_fn(profile) is not None
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the price-based numbers of every charge point."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_numbers)
    await add_charge_point_entities(entry, async_add_entities, current_limit_numbers)


class PriceBasedNumber(ChargePointEntity, NumberEntity):
    """A number of the price-based profile; changed once the service accepts it."""

    # Nothing it shows comes from the status.
    _reads_status: frozenset[str] = frozenset()

    entity_description: PriceBasedNumberDescription

    @property
    def native_value(self) -> float | None:
        """The value the service reports."""
        profile = _profile(self.connection, self.evse_id)
        return self.entity_description.value_fn(profile) if profile is not None else None

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value

    async def async_set_native_value(self, value: float) -> None:
        """Save the new value."""
        changes: dict[str, Any] = {self.entity_description.field: int(value)}
        await run_command(
            self.connection,
            lambda: self.connection.client.update_price_based_charging(self.evse_id, **changes),
            self.evse_id,
        )
