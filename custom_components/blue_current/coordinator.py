"""The connection to the Blue Current service: one per config entry (the seed's Connector).

It owns the protocol client, runs the connection loop (reconnect with back-off, the daily
request limit, repairs, reauthentication) and tells entities when what they show may have
changed. Entities read the client's immutable models; nothing here copies them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import asdict, dataclass, fields
from datetime import datetime
import random
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import (
    AccountData,
    AlreadyConnectedError,
    BlueCurrentClient,
    BlueCurrentError,
    ChargePointStatus,
    InvalidApiTokenError,
    RequestLimitReachedError,
    Update,
    UpdateKind,
)
from .const import (
    DOMAIN,
    FIRST_RETRY_DELAY,
    ISSUE_ALREADY_CONNECTED,
    ISSUE_REQUEST_LIMIT,
    LOGGER,
    MAX_RETRY_DELAY,
    STABLE_CONNECTION,
)

type BlueCurrentConfigEntry = ConfigEntry[BlueCurrentConnection]
type ChargePointsListener = Callable[[list[str]], None]
# Told which status fields changed; None: anything may have (connection, settings, cards).
type UpdateListener = Callable[[frozenset[str] | None], None]

_STATUS_FIELDS = tuple(f.name for f in fields(ChargePointStatus) if f.compare)


def changed_status_fields(
    old: ChargePointStatus | None, new: ChargePointStatus | None
) -> frozenset[str] | None:
    """The fields that differ between two statuses (None when one of them is missing)."""
    if old is None or new is None:
        return None
    return frozenset(name for name in _STATUS_FIELDS if getattr(old, name) != getattr(new, name))


@dataclass(slots=True)
class ConnectionHealth:
    """What diagnostics show of the connection loop."""

    connected: bool = False
    reconnects: int = 0
    failed_attempts: int = 0
    next_retry_delay: float = FIRST_RETRY_DELAY
    last_error: str | None = None
    last_error_at: datetime | None = None
    waiting_for_limit_reset: datetime | None = None


class BlueCurrentConnection:
    """One account's connection, and the fan-out of its changes to entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: BlueCurrentConfigEntry,
        client: BlueCurrentClient,
        customer_id: str,
    ) -> None:
        """Wrap ``client`` (already validated) for ``entry``."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.customer_id = customer_id
        self.health = ConnectionHealth(next_retry_delay=FIRST_RETRY_DELAY)
        self._stopped = False
        self._listeners: dict[str | None, list[UpdateListener]] = {}
        # The status each charge point's entities last heard of, to tell them what changed.
        self._statuses: dict[str, ChargePointStatus | None] = {}
        self._charge_point_listeners: list[ChargePointsListener] = []
        self._known_charge_points: set[str] = set()
        # Joined after setup; announced to the platforms once their status and settings came.
        self._joining_charge_points: set[str] = set()
        self._selected_cards: dict[str, str] = {}
        self._unsubscribe_client = client.add_listener(self._on_client_update)
        # Waiting between attempts; tests replace it to observe the delays.
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    # ------------------------------------------------------------------ what entities read

    @property
    def connected(self) -> bool:
        """Whether the long connection is up (entities are unavailable otherwise)."""
        return self.health.connected

    @property
    def data(self) -> AccountData:
        """The latest immutable view of the account."""
        return self.client.data

    def selected_card(self, evse_id: str) -> str | None:
        """The uid of the card sessions start with at this charge point (None: no card)."""
        uid = self._selected_cards.get(evse_id)
        cards = self.data.cards or ()
        return uid if any(card.uid == uid and card.valid for card in cards) else None

    def select_card(self, evse_id: str, uid: str | None) -> None:
        """Start this charge point's sessions with the card ``uid`` (None: no card)."""
        if uid is None:
            self._selected_cards.pop(evse_id, None)
        else:
            self._selected_cards[evse_id] = uid

    @callback
    def async_add_listener(self, update: UpdateListener, evse_id: str | None) -> CALLBACK_TYPE:
        """Call ``update`` when the charge point (None: the account) or the connection changes."""
        listeners = self._listeners.setdefault(evse_id, [])
        listeners.append(update)

        @callback
        def remove() -> None:
            listeners.remove(update)

        return remove

    @callback
    def async_add_charge_point_listener(self, listener: ChargePointsListener) -> CALLBACK_TYPE:
        """Call ``listener(evse_ids)`` when charge points join the account after setup."""
        self._charge_point_listeners.append(listener)

        @callback
        def remove() -> None:
            self._charge_point_listeners.remove(listener)

        return remove

    @callback
    def _notify(self, evse_id: str | None, changed: frozenset[str] | None = None) -> None:
        for update in list(self._listeners.get(evse_id, ())):
            update(changed)

    @callback
    def _notify_status(self, evse_id: str) -> None:
        """Most statuses change one or two fields: entities of the others need not look."""
        data = self.data.charge_points.get(evse_id)
        status = data.status if data is not None else None
        changed = changed_status_fields(self._statuses.get(evse_id), status)
        self._statuses[evse_id] = status
        self._notify(evse_id, changed)

    @callback
    def _notify_all(self) -> None:
        """The seed's ``set_entities_unavailable`` and more: every entity re-reads its state.

        One charge point per turn of the event loop: a fleet's thousands of state writes in
        one callback would block everything else Home Assistant does for a second.
        """
        for evse_id in list(self._listeners):
            self.hass.loop.call_soon(self._notify, evse_id)

    # ------------------------------------------------------------------ the client's changes

    @callback
    def _on_client_update(self, update: Update) -> None:
        if update.kind is UpdateKind.CHARGE_POINTS:
            self._sync_charge_points()
            self._notify_all()
        elif update.kind in (UpdateKind.STATUS, UpdateKind.SETTINGS):
            if update.evse_id in self._joining_charge_points:
                self._announce_joined()
            if update.kind is UpdateKind.STATUS and update.evse_id is not None:
                self._notify_status(update.evse_id)
            else:
                self._notify(update.evse_id)
        elif update.kind is UpdateKind.GRID:
            self._notify(None)
        else:  # cards: every charge point's card choice may change
            self._notify_all()

    @callback
    def start_tracking_charge_points(self) -> None:
        """Remember the charge points set up now; later changes add or remove devices."""
        self._known_charge_points = set(self.data.charge_points)

    @callback
    def _sync_charge_points(self) -> None:
        current = set(self.data.charge_points)
        removed = self._known_charge_points - current
        self._known_charge_points -= removed
        if removed:
            self._remove_devices(removed)
        self._joining_charge_points = current - self._known_charge_points
        self._announce_joined()

    @callback
    def _announce_joined(self) -> None:
        """Hand charge points that joined to the platforms once their data is complete."""
        charge_points = self.data.charge_points
        ready = sorted(
            evse_id
            for evse_id in self._joining_charge_points
            if (data := charge_points.get(evse_id)) is not None
            and data.status is not None
            and data.settings is not None
        )
        if not ready:
            return
        self._joining_charge_points.difference_update(ready)
        self._known_charge_points.update(ready)
        LOGGER.info("New Blue Current charge points: %s", ", ".join(ready))
        for listener in list(self._charge_point_listeners):
            listener(ready)

    @callback
    def _remove_devices(self, evse_ids: set[str]) -> None:
        registry = dr.async_get(self.hass)
        for evse_id in evse_ids:
            device = charge_point_device(registry, self.entry.entry_id, evse_id)
            if device is not None:
                LOGGER.info("Blue Current charge point %s left the account", evse_id)
                registry.async_update_device(device.id, remove_config_entry_id=self.entry.entry_id)

    # ------------------------------------------------------------------ the connection loop

    @callback
    def set_connected(self, connected: bool) -> None:
        """Record the connection state; entities follow it."""
        if connected == self.health.connected:
            return
        self.health.connected = connected
        self._notify_all()

    async def run(self) -> None:
        """Listen; on a drop, reconnect with back-off until unloaded (the seed's start_loop)."""
        self.set_connected(True)  # setup waited for the snapshot already
        reconnected = False
        while True:
            up_since = time.monotonic()
            try:
                await self._listen(reconnected)
            except BlueCurrentError as err:
                if not await self._after_drop(err, time.monotonic() - up_since):
                    return
            reconnected = True

    async def _listen(self, reconnected: bool) -> None:
        """Receive until the connection ends; after a reconnect, come back with fresh data."""
        listening = asyncio.ensure_future(self.client.listen())
        try:
            if reconnected:
                try:
                    await self.client.wait_for_snapshot()
                except BlueCurrentError:
                    pass  # the connection ended first: the listener raises why
                else:
                    self._on_reconnected()
            await listening
        finally:
            if not listening.done():
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError, BlueCurrentError):
                    await listening

    async def _after_drop(self, error: BlueCurrentError, uptime: float) -> bool:
        """Handle a lost connection; reconnect. False: stop for good (unload, reauth)."""
        self.set_connected(False)
        if self._stopped:
            return False
        if uptime >= STABLE_CONNECTION:
            self.health.next_retry_delay = FIRST_RETRY_DELAY
        LOGGER.warning("Lost the connection to Blue Current (%s); reconnecting", error)
        while True:
            if not self._record_failure(error):
                return False
            await self.sleep(self._delay_for(error))
            try:
                await self.client.connect()
            except BlueCurrentError as err:
                error = err
                LOGGER.debug("Reconnecting to Blue Current failed: %s", err)
                continue
            return True

    def _record_failure(self, error: BlueCurrentError) -> bool:
        self.health.failed_attempts += 1
        self.health.last_error = str(error)
        self.health.last_error_at = dt_util.utcnow()
        if isinstance(error, InvalidApiTokenError):
            LOGGER.warning("Blue Current no longer accepts the API token; please reauthenticate")
            self.entry.async_start_reauth(self.hass)
            return False
        if isinstance(error, RequestLimitReachedError):
            self._raise_issue(ISSUE_REQUEST_LIMIT, {"reset_at": _local_time(error.reset_at)})
        elif isinstance(error, AlreadyConnectedError):
            self._raise_issue(ISSUE_ALREADY_CONNECTED, {})
        return True

    def _delay_for(self, error: BlueCurrentError) -> float:
        if isinstance(error, RequestLimitReachedError):
            # Every attempt before the reset would spend tomorrow's budget for nothing.
            self.health.waiting_for_limit_reset = error.reset_at
            wait = (error.reset_at - dt_util.utcnow()).total_seconds()
            return max(wait, 0.0) + random.uniform(1.0, 30.0)
        delay = self.health.next_retry_delay
        self.health.next_retry_delay = min(delay * 2, MAX_RETRY_DELAY)
        return delay * random.uniform(0.8, 1.2)

    @callback
    def _on_reconnected(self) -> None:
        self.health.reconnects += 1
        self.health.waiting_for_limit_reset = None
        for issue_id in (ISSUE_REQUEST_LIMIT, ISSUE_ALREADY_CONNECTED):
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(issue_id))
        LOGGER.info("Reconnected to Blue Current")
        self.set_connected(True)

    def _issue_id(self, issue: str) -> str:
        return f"{issue}_{self.entry.entry_id}"

    def _raise_issue(self, issue: str, placeholders: dict[str, str]) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id(issue),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=issue,
            translation_placeholders={"account": self.entry.title, **placeholders},
        )

    async def async_stop(self) -> None:
        """Disconnect (the seed's disconnect: an already closed connection is fine)."""
        self._stopped = True
        self._unsubscribe_client()
        self.set_connected(False)
        await self.client.disconnect()
        for issue_id in (ISSUE_REQUEST_LIMIT, ISSUE_ALREADY_CONNECTED):
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(issue_id))

    def diagnostics(self) -> dict[str, Any]:
        """The loop's health and the client's counters."""
        return {"health": asdict(self.health), "client": asdict(self.client.stats)}


def charge_point_device(
    registry: dr.DeviceRegistry, entry_id: str, evse_id: str
) -> dr.DeviceEntry | None:
    """The device of a charge point of an entry, on every supported Home Assistant."""
    if hasattr(registry, "async_get_device_by_identifier"):  # 2026.x: ids are per entry
        device: dr.DeviceEntry | None = registry.async_get_device_by_identifier(
            (DOMAIN, evse_id), entry_id
        )
        return device
    return registry.async_get_device(identifiers={(DOMAIN, evse_id)})


def _local_time(moment: datetime) -> str:
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M")
