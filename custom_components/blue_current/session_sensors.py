"""Sensors of ended sessions and tariffs: cost per charge point, totals per card, the tariff.

- Total cost per charge point (monetary, ``total``): the Energy dashboard's "entity tracking
  the total costs" next to the total energy sensor. It adds each ended session's cost once;
  its total and the last session it counted are restored from stored data (never from the
  state, which may be "unavailable"), so it never goes backwards.
- Energy and cost per charging card (a device per card): for reimbursement, from the
  session log's totals.
- The tariff of a charge point (price per kWh and start price, incl. VAT), diagnostic, when
  the service reports one.

A card gets its own device, not the grid device's: a card belongs to neither a charge point
nor the grid connection (one card charges at several charge points, and a reimbursement is
per card), and a device per card keeps its two totals together under the card's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfEnergy
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .api import ChargePointData, Tariff
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import PORTAL_URL, BlueCurrentEntity, ChargePointEntity, add_charge_point_entities
from .session_manager import (
    DEFAULT_CURRENCY,
    CardTotal,
    SessionManager,
    async_get_session_manager,
    card_key,
)
from .sessions import SessionRecord

LIFETIME_COST = SensorEntityDescription(
    key="lifetime_cost",
    translation_key="lifetime_cost",
    device_class=SensorDeviceClass.MONETARY,
    state_class=SensorStateClass.TOTAL,
    suggested_display_precision=2,
)


@dataclass(frozen=True, kw_only=True)
class TariffSensorDescription(SensorEntityDescription):
    """A price of a charge point's tariff."""

    value_fn: Callable[[Tariff], float | None]
    per_kwh: bool


TARIFF_SENSORS: tuple[TariffSensorDescription, ...] = (
    TariffSensorDescription(
        key="tariff_price",
        translation_key="tariff_price",
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=3,
        value_fn=lambda tariff: tariff.price_per_kwh,
        per_kwh=True,
    ),
    TariffSensorDescription(
        key="tariff_start_price",
        translation_key="tariff_start_price",
        device_class=SensorDeviceClass.MONETARY,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=2,
        value_fn=lambda tariff: tariff.start_price,
        per_kwh=False,
    ),
)

CARD_ENERGY = SensorEntityDescription(
    key="card_energy",
    translation_key="card_energy",
    device_class=SensorDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    state_class=SensorStateClass.TOTAL_INCREASING,
    suggested_display_precision=2,
)
CARD_COST = SensorEntityDescription(
    key="card_cost",
    translation_key="card_cost",
    device_class=SensorDeviceClass.MONETARY,
    state_class=SensorStateClass.TOTAL,
    suggested_display_precision=2,
)

SESSION_SENSORS: tuple[SensorEntityDescription, ...] = (
    LIFETIME_COST,
    *TARIFF_SENSORS,
    CARD_ENERGY,
    CARD_COST,
)


def _account_currency(connection: BlueCurrentConnection) -> str:
    """The currency of the account's tariffs (the first charge point's that has one)."""
    for data in connection.data.charge_points.values():
        tariff = data.charge_point.tariff
        if tariff is not None and tariff.currency:
            return tariff.currency
    return DEFAULT_CURRENCY


def _currency(data: ChargePointData | None) -> str:
    tariff = data.charge_point.tariff if data is not None else None
    return (tariff.currency if tariff is not None else None) or DEFAULT_CURRENCY


async def async_setup_session_sensors(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Cost and tariff sensors per charge point, energy and cost per card."""
    manager = await async_get_session_manager(hass, entry)

    def charge_point_sensors(connection: BlueCurrentConnection, evse_id: str) -> list[Entity]:
        data = connection.data.charge_points[evse_id]
        entities: list[Entity] = []
        if data.status is not None and "total_cost" in data.status.reported:
            entities.append(LifetimeCostSensor(connection, LIFETIME_COST, evse_id, manager))
        tariff = data.charge_point.tariff
        if tariff is not None:
            entities.extend(
                TariffSensor(connection, description, evse_id)
                for description in TARIFF_SENSORS
                if description.value_fn(tariff) is not None
            )
        return entities

    await add_charge_point_entities(entry, async_add_entities, charge_point_sensors)
    connection = entry.runtime_data
    created: set[str] = set()

    @callback
    def add_cards(_record: SessionRecord | None = None) -> None:
        """A device with two sensors per card that has sessions, or that the account lists."""
        totals = dict(manager.card_totals)
        for card in connection.data.cards or ():
            key = card.uid or card.card_id
            if card.valid and key not in totals:
                totals[key] = CardTotal(key, card.card_id, card.name or None)
        new = [total for key, total in totals.items() if key not in created]
        if not new:
            return
        created.update(total.key for total in new)
        async_add_entities(
            CardSensor(connection, description, total, manager)
            for total in new
            for description in (CARD_ENERGY, CARD_COST)
        )

    seen_cards: list[object] = [connection.data.cards]

    @callback
    def cards_changed(_changed: frozenset[str] | None) -> None:
        """Account updates are mostly grid currents: look only when the card list changed."""
        if connection.data.cards is not seen_cards[0]:
            seen_cards[0] = connection.data.cards
            add_cards()

    entry.async_on_unload(manager.async_add_record_listener(add_cards))
    entry.async_on_unload(connection.async_add_listener(cards_changed, None))
    add_cards()


@dataclass(slots=True)
class CostProgress(ExtraStoredData):
    """The total cost, and the start of the last session counted in it."""

    total: float
    counted_until: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "total": self.total,
            "counted_until": self.counted_until.isoformat() if self.counted_until else None,
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> CostProgress:
        """Read back; what is unreadable counts as nothing."""
        total = stored.get("total")
        until = stored.get("counted_until")
        return cls(
            total=float(total) if isinstance(total, int | float) and total >= 0 else 0.0,
            counted_until=dt_util.parse_datetime(until) if isinstance(until, str) else None,
        )


class LifetimeCostSensor(ChargePointEntity, SensorEntity, RestoreEntity):
    """What every ended session at this charge point cost, together."""

    _reads_status: frozenset[str] = frozenset()

    def __init__(
        self,
        connection: BlueCurrentConnection,
        description: SensorEntityDescription,
        evse_id: str,
        manager: SessionManager,
    ) -> None:
        """Start from nothing; ``async_added_to_hass`` restores."""
        super().__init__(connection, description, evse_id)
        self._manager = manager
        self._total = 0.0
        self._counted_until: datetime | None = None
        self._attr_native_unit_of_measurement = _currency(self.charge_point)

    async def async_added_to_hass(self) -> None:
        """Restore, then count the logged sessions that ended since (a restart's late ones)."""
        extra = await self.async_get_last_extra_data()
        if extra is not None:
            stored = CostProgress.from_dict(extra.as_dict())
            self._total, self._counted_until = stored.total, stored.counted_until
        for record in self._manager.records:
            self._count(record)
        self.async_on_remove(self._manager.async_add_record_listener(self._on_record))
        await super().async_added_to_hass()

    def _count(self, record: SessionRecord) -> bool:
        if record.evse_id != self.evse_id or record.cost is None or record.cost < 0:
            return False
        if self._counted_until is not None and record.start <= self._counted_until:
            return False  # counted already
        self._total += record.cost
        self._counted_until = record.start
        return True

    @callback
    def _on_record(self, record: SessionRecord) -> None:
        if self._count(record):
            self._handle_update()

    @property
    def extra_restore_state_data(self) -> CostProgress:
        """The total and how far it counted."""
        return CostProgress(self._total, self._counted_until)

    @property
    def native_value(self) -> float:
        """The total."""
        return round(self._total, 2)

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value


class TariffSensor(ChargePointEntity, SensorEntity):
    """A price of the charge point's tariff, as the charge point list reports it."""

    entity_description: TariffSensorDescription
    _reads_status: frozenset[str] = frozenset()

    def __init__(
        self,
        connection: BlueCurrentConnection,
        description: TariffSensorDescription,
        evse_id: str,
    ) -> None:
        """The unit is the tariff's currency (per kWh for the price)."""
        super().__init__(connection, description, evse_id)
        currency = _currency(self.charge_point)
        self._attr_native_unit_of_measurement = (
            f"{currency}/{UnitOfEnergy.KILO_WATT_HOUR}" if description.per_kwh else currency
        )

    @property
    def native_value(self) -> float | None:
        """The price incl. VAT."""
        data = self.charge_point
        tariff = data.charge_point.tariff if data is not None else None
        return self.entity_description.value_fn(tariff) if tariff is not None else None

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value


class CardSensor(BlueCurrentEntity, SensorEntity):
    """Energy or cost of the ended sessions of one charging card."""

    _reads_status: frozenset[str] = frozenset()

    def __init__(
        self,
        connection: BlueCurrentConnection,
        description: SensorEntityDescription,
        card: CardTotal,
        manager: SessionManager,
    ) -> None:
        """One of the card device's two totals."""
        super().__init__(connection, description, None)
        self._manager = manager
        self._key = card.key
        self._energy = description.key == CARD_ENERGY.key
        customer = connection.customer_id
        self._attr_unique_id = f"{description.key}_{customer}_{card.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"card_{customer}_{card.key}")},
            name=card.name or card.card_id or card.key,
            manufacturer="Blue Current",
            model="Charging card",
            serial_number=card.card_id,
            configuration_url=PORTAL_URL,
        )
        if not self._energy:
            self._attr_native_unit_of_measurement = card.currency or _account_currency(connection)

    async def async_added_to_hass(self) -> None:
        """Follow the sessions that end."""
        await super().async_added_to_hass()
        self.async_on_remove(self._manager.async_add_record_listener(self._on_record))

    @callback
    def _on_record(self, record: SessionRecord) -> None:
        if card_key(record.card) == self._key:
            self._handle_update()

    @property
    def available(self) -> bool:
        """Totals of ended sessions are known whether or not the connection is up."""
        return True

    @property
    def native_value(self) -> float:
        """The card's total."""
        total = self._manager.card_totals.get(self._key)
        if total is None:
            return 0.0
        return round(total.energy_kwh, 3) if self._energy else round(total.cost, 2)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The card's id and how many sessions the total covers."""
        total = self._manager.card_totals.get(self._key)
        return {
            "card_id": total.card_id if total else None,
            "sessions": total.sessions if total else 0,
        }

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value
