"""An event entity per charge point: sessions, vehicles and the charge point's connection.

The events are told apart in ``sessions.py`` and handed on by ``session_manager.py``; this
only shows them. Automations use them as triggers (state of the event entity, with its
``event_type`` attribute).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities
from .session_manager import SessionManager, async_get_session_manager
from .sessions import ChargeEvent, EventType

PARALLEL_UPDATES = 0

CHARGE_EVENTS = EventEntityDescription(
    key="charge_events",
    translation_key="charge_events",
    event_types=[event_type.value for event_type in EventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the event entity of every charge point."""
    manager = await async_get_session_manager(hass, entry)

    def events(connection: BlueCurrentConnection, evse_id: str) -> list[ChargeEventEntity]:
        return [ChargeEventEntity(connection, CHARGE_EVENTS, evse_id, manager)]

    await add_charge_point_entities(entry, async_add_entities, events)


class ChargeEventEntity(ChargePointEntity, EventEntity):
    """What happened at a charge point: its sessions, its vehicle, its connection."""

    # The state is the last event: status updates themselves change nothing it shows.
    _reads_status: frozenset[str] = frozenset()

    def __init__(
        self,
        connection: BlueCurrentConnection,
        description: EventEntityDescription,
        evse_id: str,
        manager: SessionManager,
    ) -> None:
        """Listen to ``manager`` for this charge point's events."""
        super().__init__(connection, description, evse_id)
        self._manager = manager

    async def async_added_to_hass(self) -> None:
        """Take the events (those held while it was not there first)."""
        await super().async_added_to_hass()
        self.async_on_remove(self._manager.async_add_event_listener(self.evse_id, self._on_event))

    @callback
    def _on_event(self, event: ChargeEvent) -> None:
        self._trigger_event(event.event_type.value, event.attributes)
        self.async_write_ha_state()

    def shown_value(self) -> Any:
        """Events are written when they happen, not re-read from the status."""
        return None
