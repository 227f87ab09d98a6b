"""The connection to the Blue Current service: one per config entry (the seed's Connector).

It owns the protocol client, runs the connection loop (reconnect with back-off, the daily
request limit, repairs, reauthentication) and tells entities when what they show may have
changed. Entities read the client's immutable models; nothing here copies them.
"""

from __future__ import annotations

import asyncio
from asyncio import FIRST_COMPLETED, sleep
from collections.abc import Awaitable, Callable, Iterable
import contextlib
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from operator import attrgetter
import random
import time
from typing import Any, NoReturn

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util import dt as dt_util

from .api import (
    AccountData,
    AlreadyConnectedError,
    BlueCurrentClient,
    BlueCurrentConnectionError,
    BlueCurrentError,
    ChargeCard,
    ChargePoint,
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
    SNAPSHOT_TIMEOUT,
    STABLE_CONNECTION,
)
from .lean import CONF_FLEET

# The app's pseudo-card: a session started with it has no card [D].
APP_CARD_UID = "BCU-APP"
# Which entry's entities carry a shared charge point's unscoped unique ids (hass.data key).
_OWNERS_KEY = f"{DOMAIN}_charge_point_owners"

type BlueCurrentConfigEntry = ConfigEntry[BlueCurrentConnection]
type ChargePointsListener = Callable[[list[str]], None]
# Told which status fields changed; None: anything may have (connection, settings, cards).
type UpdateListener = Callable[[frozenset[str] | None], None]

_STATUS_FIELDS = tuple(f.name for f in fields(ChargePointStatus) if f.compare)
# Reads every compared field in one call (C), for a status message's diff.
_read_status_fields = attrgetter(*_STATUS_FIELDS)


def changed_status_fields(
    old: ChargePointStatus | None, new: ChargePointStatus | None
) -> frozenset[str] | None:
    """The fields that differ between two statuses (None when one of them is missing)."""
    if old is None or new is None:
        return None
    return frozenset(
        [
            name
            for name, before, after in zip(
                _STATUS_FIELDS, _read_status_fields(old), _read_status_fields(new), strict=True
            )
            if before != after
        ]
    )


class _Listeners:
    """One charge point's listeners, indexed by the status fields they read.

    A status message mostly changes one field (the session energy): only the few listeners
    that read it are called, not every entity of the charge point.
    """

    __slots__ = ("by_field", "every", "indexed")

    def __init__(self) -> None:
        """No listeners yet."""
        self.every: list[UpdateListener] = []  # called on every change
        self.indexed: list[UpdateListener] = []  # called on changes of the fields they read
        self.by_field: dict[str, list[UpdateListener]] = {}

    def add(self, update: UpdateListener, reads: frozenset[str] | None) -> None:
        if reads is None:
            self.every.append(update)
            return
        self.indexed.append(update)
        for name in reads:
            self.by_field.setdefault(name, []).append(update)

    def remove(self, update: UpdateListener, reads: frozenset[str] | None) -> None:
        if reads is None:
            self.every.remove(update)
            return
        self.indexed.remove(update)
        for name in reads:
            self.by_field[name].remove(update)

    def for_change(self, changed: frozenset[str] | None) -> list[UpdateListener]:
        """The listeners to call, each once (a copy: a listener may remove itself)."""
        if changed is None:
            return [*self.every, *self.indexed]
        if len(changed) == 1:
            return [*self.every, *self.by_field.get(next(iter(changed)), ())]
        called = list(self.every)
        seen: set[int] = set()
        for name in changed:
            for update in self.by_field.get(name, ()):
                if id(update) not in seen:
                    seen.add(id(update))
                    called.append(update)
        return called


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
        self._listeners: dict[str | None, _Listeners] = {}
        # The status each charge point's entities last heard of, to tell them what changed.
        self._statuses: dict[str, ChargePointStatus | None] = {}
        self._charge_point_listeners: list[ChargePointsListener] = []
        self._known_charge_points: set[str] = set()
        # Joined after setup; announced to the platforms once their status and settings came.
        self._joining_charge_points: set[str] = set()
        # The card chosen per charge point: a uid, or None for "no card"; absent: the default.
        self._selected_cards: dict[str, str | None] = {}
        # Per charge point: whether this entry's entities carry core's unscoped unique ids.
        self._owns: dict[str, bool] = {}
        self._registered_owners: dict[str, str] | None = None
        self._unexpected_logged: set[str] = set()
        # Per charge point: the list item its entities' device info was made from, and it
        # (one shared by all its entities: thousands of identical copies otherwise).
        self.device_infos: dict[str, tuple[ChargePoint, DeviceInfo]] = {}
        self._task: asyncio.Task[None] | None = None
        # Set once the entities of setup are all registered (they are, in stages, after it).
        self.entities_registered = asyncio.Event()
        # The fleet option (lean.py) this connection's entities were made for.
        self.fleet = bool(entry.options.get(CONF_FLEET, False))
        self._unsubscribe_client = client.add_listener(self._on_client_update)
        # Waiting between attempts; tests replace it (or the module's ``sleep``) to observe it.
        self.sleep: Callable[[float], Awaitable[None]] = sleep

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
        """The uid of the card sessions start with at this charge point (None: no card).

        The user's choice while that card is valid; otherwise the charge point's default
        card from the service (sessions without a card lose their reimbursement), when valid.
        The card select shows exactly this, so what is shown is what is used.
        """
        if evse_id in self._selected_cards:
            chosen = self._selected_cards[evse_id]
            if chosen is None or self._valid_card(chosen) is not None:
                return chosen
        default = self.default_card(evse_id)
        return default.uid if default is not None else None

    def chosen_card(self, evse_id: str) -> tuple[bool, str | None]:
        """(whether the user chose, the uid chosen): what the card select stores."""
        return evse_id in self._selected_cards, self._selected_cards.get(evse_id)

    def default_card(self, evse_id: str) -> ChargeCard | None:
        """The charge point's default card from the service, if it is a valid card."""
        data = self.data.charge_points.get(evse_id)
        if data is None:
            return None
        settings_card = data.settings.default_card if data.settings is not None else None
        card = settings_card or data.charge_point.default_card
        if card is None or card.uid == APP_CARD_UID or not card.valid:
            return None
        # The account's list is fresher than the copy in the settings (validity, name).
        return self._valid_card(card.uid) if self.data.cards is not None else card

    def _valid_card(self, uid: str) -> ChargeCard | None:
        return next((c for c in self.data.cards or () if c.uid == uid and c.valid), None)

    def select_card(self, evse_id: str, uid: str | None) -> None:
        """Start this charge point's sessions with the card ``uid`` (None: no card)."""
        self._selected_cards[evse_id] = uid

    def forget_card_choice(self, evse_id: str) -> None:
        """Back to the charge point's default card."""
        self._selected_cards.pop(evse_id, None)

    def unique_id(self, key: str, evse_id: str) -> str:
        """A charge point entity's unique id: core's, or scoped when another entry has it.

        A charge point shared by two accounts is listed by both: the entry that had it first
        keeps core's ``{key}_{evse_id}`` (its history stays), the other's are scoped by
        customer id so that neither entry's entities collide.
        """
        owns = self._owns.get(evse_id)
        if owns is None:
            owns = self._owns[evse_id] = self._claim(evse_id)
        return f"{key}_{evse_id}" if owns else f"{key}_{evse_id}_{self.customer_id}"

    def _claim(self, evse_id: str) -> bool:
        """Whether this entry takes the unscoped ids of ``evse_id`` (first come, remembered)."""
        owners: dict[str, str] = self.hass.data.setdefault(_OWNERS_KEY, {})
        entry_id = self.entry.entry_id
        if self._registered_owners is None:
            self._registered_owners = _registered_owners(self.hass, entry_id)
        owner = owners.get(evse_id) or self._registered_owners.get(evse_id)
        if owner is None or owner == entry_id:
            owners[evse_id] = entry_id
            return True
        return False

    @callback
    def async_add_listener(
        self,
        update: UpdateListener,
        evse_id: str | None,
        reads_status: frozenset[str] | None = None,
    ) -> CALLBACK_TYPE:
        """Call ``update`` when the charge point (None: the account) or the connection changes.

        ``reads_status``: the status fields the listener depends on; a status that changed
        none of them does not call it (None: every change does).
        """
        self.async_listen(update, evse_id, reads_status)

        @callback
        def remove() -> None:
            self.async_unlisten(update, evse_id, reads_status)

        return remove

    @callback
    def async_listen(
        self, update: UpdateListener, evse_id: str | None, reads_status: frozenset[str] | None
    ) -> None:
        """``async_add_listener`` without the remover (entities, thousands of them, keep no
        closure): ``async_unlisten`` with the same arguments removes it."""
        listeners = self._listeners.get(evse_id)
        if listeners is None:
            listeners = self._listeners[evse_id] = _Listeners()
        listeners.add(update, reads_status)

    @callback
    def async_unlisten(
        self, update: UpdateListener, evse_id: str | None, reads_status: frozenset[str] | None
    ) -> None:
        """Stop calling a listener added by ``async_listen``."""
        listeners = self._listeners.get(evse_id)
        if listeners is not None:
            listeners.remove(update, reads_status)

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
        listeners = self._listeners.get(evse_id)
        if listeners is not None:
            for update in listeners.for_change(changed):
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
                # Only this one can have become complete: a scan of all joining charge points
                # per answer would cost a fleet's setup O(N²).
                self._announce_joined((update.evse_id,))
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
    def _announce_joined(self, candidates: Iterable[str] | None = None) -> None:
        """Hand charge points that joined to the platforms once their data is complete.

        ``candidates``: the joining charge points to look at (None: all of them).
        """
        charge_points = self.data.charge_points
        joining = self._joining_charge_points
        ready = sorted(
            evse_id
            for evse_id in (joining if candidates is None else candidates)
            if evse_id in joining
            and (data := charge_points.get(evse_id)) is not None
            and data.status is not None
            and data.settings is not None
        )
        if not ready:
            return
        self._joining_charge_points.difference_update(ready)
        self._known_charge_points.update(ready)
        # Debug: at every start all charge points "join" once their data is complete.
        LOGGER.debug("New Blue Current charge points: %s", ", ".join(ready))
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

    @callback
    def start(self, waiting_for: BlueCurrentError | None = None) -> None:
        """Run the connection loop in the background until ``async_stop``.

        ``waiting_for``: setup could not connect (the request limit): the loop starts by
        waiting for it to pass, with entities unavailable, instead of failing setup (Home
        Assistant would retry setup every minute, spending requests for nothing).
        """
        # An older version raised a repair for the request limit; it is no repair any more.
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_REQUEST_LIMIT))
        self._task = self.entry.async_create_background_task(
            self.hass, self.run(waiting_for), f"{DOMAIN} {self.entry.title}"
        )
        # Whatever ends the loop, entities must not stay "available" on a dead connection.
        self._task.add_done_callback(lambda _task: self.set_connected(False))

    async def run(self, waiting_for: BlueCurrentError | None = None) -> None:
        """Listen; on a drop, reconnect with back-off until unloaded (the seed's start_loop)."""
        if waiting_for is None:
            self.set_connected(True)  # setup waited for the snapshot already
        elif not await self._reconnect(waiting_for):
            return
        reconnected = waiting_for is not None
        while True:
            up_since = time.monotonic()
            error = await self._listen_until_dropped(reconnected)
            if not await self._after_drop(error, time.monotonic() - up_since):
                return
            reconnected = True

    async def _listen_until_dropped(self, reconnected: bool) -> BlueCurrentError:
        """Listen until the connection ends; return why (an unexpected error counts as a drop)."""
        try:
            await self._listen(reconnected)
        except BlueCurrentError as err:
            return err
        except Exception as err:  # the loop must outlive any bug
            self._log_unexpected(err, "while listening")
            with contextlib.suppress(Exception):
                await self.client.disconnect()
            return BlueCurrentConnectionError(f"Unexpected {type(err).__name__}")

    def _log_unexpected(self, err: Exception, context: str) -> None:
        """Log an error the loop did not expect once per kind, with its traceback."""
        kind = type(err).__name__
        if kind in self._unexpected_logged:
            LOGGER.debug("Unexpected %s %s (%s): %s", kind, context, self.entry.title, err)
            return
        self._unexpected_logged.add(kind)
        LOGGER.error(
            "Unexpected %s %s for Blue Current account %s; reconnecting",
            kind,
            context,
            self.entry.title,
            exc_info=err,
        )

    async def _listen(self, reconnected: bool) -> NoReturn:
        """Receive until the connection ends; after a reconnect, come back with fresh data."""
        listening = asyncio.ensure_future(self.client.listen())
        try:
            if reconnected:
                await self._wait_for_fresh_data(listening)
            await listening
        finally:
            if not listening.done():
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError, BlueCurrentError):
                    await listening

    async def _wait_for_fresh_data(self, listening: asyncio.Future[Any]) -> None:
        """Become available once the snapshot came, or after a deadline with what is known.

        An unanswered status request must not keep every entity unavailable while the rest
        of the data flows: after ``SNAPSHOT_TIMEOUT`` entities show what is known, and the
        missing answers update them when (if) they come. Listening ending first ends this.
        """
        snapshot = asyncio.ensure_future(self.client.wait_for_snapshot())
        try:
            done, _ = await asyncio.wait(
                (snapshot, listening), timeout=SNAPSHOT_TIMEOUT, return_when=FIRST_COMPLETED
            )
        finally:
            if not snapshot.done():
                snapshot.cancel()
            elif not snapshot.cancelled():
                # Retrieved here: when the connection ended, the listener says why.
                snapshot.exception()
        if listening in done:
            return  # the connection ended: awaiting listening raises why
        if snapshot not in done:
            LOGGER.debug(
                "Blue Current did not resend every status within %s s; showing what is known",
                SNAPSHOT_TIMEOUT,
            )
        elif snapshot.exception() is not None:
            return  # the connection ended first: the listener raises why
        self._on_reconnected()

    async def _after_drop(self, error: BlueCurrentError, uptime: float) -> bool:
        """Handle a lost connection; reconnect. False: stop for good (unload, reauth)."""
        self.set_connected(False)
        if self._stopped:
            return False
        if uptime >= STABLE_CONNECTION:
            self.health.next_retry_delay = FIRST_RETRY_DELAY
        # Home Assistant's log-when-unavailable rule: the drop once at info, the return once.
        LOGGER.info("Lost the connection to Blue Current (%s); reconnecting", error)
        return await self._reconnect(error)

    async def _reconnect(self, error: BlueCurrentError) -> bool:
        """Wait and try again until connected (True) or told to stop (False)."""
        while True:
            if self._stopped or not self._record_failure(error):
                return False
            await self.sleep(self._delay_for(error))  # async_stop cancels it
            try:
                await self.client.connect()
            except BlueCurrentError as err:
                error = err
                LOGGER.debug("Reconnecting to Blue Current failed: %s", err)
                continue
            except Exception as err:  # the loop must outlive any bug
                self._log_unexpected(err, "while reconnecting")
                error = BlueCurrentConnectionError(f"Unexpected {type(err).__name__}")
                continue
            self.health.waiting_for_limit_reset = None
            return True

    def _record_failure(self, error: BlueCurrentError) -> bool:
        self.health.failed_attempts += 1
        self.health.last_error = str(error)
        self.health.last_error_at = dt_util.utcnow()
        if isinstance(error, InvalidApiTokenError):
            LOGGER.warning("Blue Current no longer accepts the API token; please reauthenticate")
            self.entry.async_start_reauth(self.hass)
            return False
        if isinstance(error, AlreadyConnectedError):
            self._raise_issue(ISSUE_ALREADY_CONNECTED, {})
        return True

    def _delay_for(self, error: BlueCurrentError) -> float:
        if isinstance(error, RequestLimitReachedError):
            return self._wait_for_limit_reset(error)
        delay = self.health.next_retry_delay
        self.health.next_retry_delay = min(delay * 2, MAX_RETRY_DELAY)
        return delay * random.uniform(0.8, 1.2)

    def _wait_for_limit_reset(self, error: RequestLimitReachedError) -> float:
        """Every attempt before the reset would spend tomorrow's budget for nothing.

        No repair issue for this (Home Assistant's repair-issues rule: repairs are for what
        the user can fix, and this passes by itself at midnight). The wait is logged once at
        info and shown in diagnostics (``health.waiting_for_limit_reset``).
        """
        if self.health.waiting_for_limit_reset != error.reset_at:
            LOGGER.info(
                "Blue Current's daily request limit is reached for %s; no attempt before %s",
                self.entry.title,
                _local_time(error.reset_at),
            )
        self.health.waiting_for_limit_reset = error.reset_at
        wait = (error.reset_at - dt_util.utcnow()).total_seconds()
        return max(wait, 0.0) + random.uniform(1.0, 30.0)

    @callback
    def _on_reconnected(self) -> None:
        self.health.reconnects += 1
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_ALREADY_CONNECTED))
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
        """Disconnect (the seed's disconnect: an already closed connection is fine). Idempotent."""
        if not self._stopped:
            self._stopped = True
            self._unsubscribe_client()
            owners: dict[str, str] = self.hass.data.get(_OWNERS_KEY, {})
            for evse_id in [e for e, owner in owners.items() if owner == self.entry.entry_id]:
                del owners[evse_id]
        self.set_connected(False)
        if self._task is not None and not self._task.done():
            self._task.cancel()
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


def _registered_owners(hass: HomeAssistant, entry_id: str) -> dict[str, str]:
    """Evse id -> another entry whose registered entities carry its unscoped ids.

    One pass over the registry (a fleet has tens of thousands of entities): the last part of
    an unscoped ``{key}_{evse_id}`` is the evse id.
    """
    owners: dict[str, str] = {}
    for entity in er.async_get(hass).entities.values():
        if entity.platform == DOMAIN and entity.config_entry_id not in (None, entry_id):
            owners.setdefault(entity.unique_id.rsplit("_", 1)[-1], entity.config_entry_id)
    return owners


def _local_time(moment: datetime) -> str:
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M")
