"""Helpers for the session tests: the events a charge point's event entity reports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest

from custom_components.blue_current.const import DOMAIN

CHARGER = "BCU100001"


async def settle(hass: HomeAssistant, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the event loop run until ``condition`` holds."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.005)
            await hass.async_block_till_done()


def event_entity_id(hass: HomeAssistant, evse_id: str = CHARGER) -> str:
    """The entity id of a charge point's event entity."""
    entity_id = er.async_get(hass).async_get_entity_id("event", DOMAIN, f"charge_events_{evse_id}")
    assert entity_id is not None
    return entity_id


class EventLog:
    """Every event an event entity reported: (event_type, attributes)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def types(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [attributes for k, attributes in self.events if k == kind]


@pytest.fixture
def watch_events(hass: HomeAssistant) -> Callable[[str], EventLog]:
    """Start recording the events of an event entity."""

    def watch(entity_id: str) -> EventLog:
        log = EventLog()
        last: list[tuple[str, dict[str, Any]]] = []

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is None or new.state in ("unavailable", "unknown"):
                return
            shown = (new.state, dict(new.attributes))
            # Back from unavailable with the same last event: no new event. (Two events in
            # one millisecond share the state and differ in their attributes.)
            if last and last[-1] == shown:
                return
            last.append(shown)
            attributes = dict(new.attributes)
            kind = attributes.pop("event_type")
            for key in ("event_types", "friendly_name", "icon"):
                attributes.pop(key, None)
            log.events.append((kind, attributes))

        async_track_state_change_event(hass, [entity_id], changed)
        return log

    return watch
