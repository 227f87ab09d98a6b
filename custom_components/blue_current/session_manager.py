"""Sessions of one account: events, the session log, card totals and long-term statistics.

One ``SessionManager`` per config entry. It follows every charge point's status through the
connection, lets ``sessions.SessionTracker`` tell what happened, and then:

- hands events to the charge point's event entity (held back while the connection is down,
  so that an entity shows them once it is available again);
- logs every ended session in a ``Store`` (the last ``MAX_SESSIONS``), together with what
  each tracker must remember and the totals per card, so that a restart repeats nothing;
- adds each ended session's energy and cost to the charge point's external statistics,
  spread over the hours it ran.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import re
from typing import Any, cast

from homeassistant.const import UnitOfEnergy
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import ChargePointStatus
from .const import DOMAIN, LOGGER
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .sessions import (
    CardSource,
    ChargeEvent,
    EventType,
    SessionCard,
    SessionRecord,
    SessionTracker,
    TrackerMemory,
    spread_over_hours,
)

STORE_VERSION = 1
# Ended sessions kept per account (the oldest go first).
MAX_SESSIONS = 1000
# A session that appears this soon after a start command from Home Assistant is that command's.
START_HINT_WINDOW = timedelta(minutes=10)
# Events held for a charge point while nobody can show them (connection down, entity not yet
# added); beyond this the oldest go.
MAX_HELD_EVENTS = 50
# Saving: soon after a session changed, lazily for the running session's values.
SAVE_SOON = 1.0
SAVE_LAZILY = 60.0
STATISTICS_SOURCE = DOMAIN
# Session starts further ahead of Home Assistant's clock than this are ignored. Generous: the
# simulator's clock may run ahead (time scaling) by days.
FUTURE_LIMIT = timedelta(days=365)
# [guess] The currency of ``total_cost`` when no tariff names one: the service is Dutch. An
# ISO 4217 code, as the tariff sends it and the Energy dashboard expects.
DEFAULT_CURRENCY = "EUR"

_MANAGERS: str = f"{DOMAIN}_session_managers"
# The status fields sessions and events are read from: a status that changes none of them
# (currents, voltages, limits) cannot start, end or show anything.
_SESSION_FIELDS = frozenset(
    {
        "activity",
        "vehicle_status",
        "offline_since",
        "session_start",
        "session_stop",
        "session_energy_kwh",
        "session_cost",
    }
)

type EventListener = Callable[[ChargeEvent], None]
type RecordListener = Callable[[SessionRecord], None]


@dataclass(slots=True)
class CardTotal:
    """Energy and cost of the ended sessions of one card (for reimbursement)."""

    key: str  # the card's uid (or its id when the uid is unknown)
    card_id: str | None
    name: str | None
    energy_kwh: float = 0.0
    cost: float = 0.0
    currency: str | None = None
    sessions: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "key": self.key,
            "card_id": self.card_id,
            "name": self.name,
            "energy_kwh": self.energy_kwh,
            "cost": self.cost,
            "currency": self.currency,
            "sessions": self.sessions,
        }

    @classmethod
    def from_dict(cls, stored: object) -> CardTotal | None:
        """The stored form read back; None when unreadable."""
        if not isinstance(stored, dict) or not isinstance(stored.get("key"), str):
            return None

        def number(name: str) -> float:
            value = stored.get(name)
            return float(value) if isinstance(value, int | float) and value >= 0 else 0.0

        def text(name: str) -> str | None:
            value = stored.get(name)
            return value if isinstance(value, str) else None

        return cls(
            key=stored["key"],
            card_id=text("card_id"),
            name=text("name"),
            energy_kwh=number("energy_kwh"),
            cost=number("cost"),
            currency=text("currency"),
            sessions=int(number("sessions")),
        )


def card_key(card: SessionCard | None) -> str | None:
    """The key a card's totals are kept under; None for a session without a card."""
    if card is None:
        return None
    return card.uid or card.card_id


def statistic_id(kind: str, evse_id: str) -> str:
    """``blue_current:energy_bcu100001``: the external statistic of a charge point."""
    return f"{DOMAIN}:{kind}_{re.sub(r'[^a-z0-9_]', '_', evse_id.lower())}"


async def async_get_session_manager(
    hass: HomeAssistant, entry: BlueCurrentConfigEntry
) -> SessionManager:
    """The entry's manager, created (and its log loaded) by the first platform that asks."""
    managers: dict[str, asyncio.Future[SessionManager]] = hass.data.setdefault(_MANAGERS, {})
    future = managers.get(entry.entry_id)
    if future is None:
        future = managers[entry.entry_id] = hass.loop.create_future()
        try:
            manager = await SessionManager.async_load(hass, entry)
        except BaseException as err:
            del managers[entry.entry_id]
            future.set_exception(err)
            future.exception()  # retrieved: the waiters re-raise it
            raise
        future.set_result(manager)
        entry.async_on_unload(manager.async_stop)
        manager.start()
    return await asyncio.shield(future)


@callback
def note_session_start(hass: HomeAssistant, entry_id: str, evse_id: str, uid: str | None) -> None:
    """Home Assistant asked ``evse_id`` to start a session with card ``uid`` (None: none)."""
    future = hass.data.get(_MANAGERS, {}).get(entry_id)
    if future is not None and future.done() and not future.exception():
        future.result().note_start(evse_id, uid)


def loaded_manager(hass: HomeAssistant, entry_id: str) -> SessionManager | None:
    """The manager of a loaded entry (None when it has none)."""
    future = hass.data.get(_MANAGERS, {}).get(entry_id)
    if future is None or not future.done() or future.exception():
        return None
    manager: SessionManager = future.result()
    return manager


class SessionManager:
    """The sessions of one account."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: BlueCurrentConfigEntry,
        store: Store[dict[str, Any]],
        stored: dict[str, Any] | None,
    ) -> None:
        """Take over what was stored (None: nothing yet)."""
        self.hass = hass
        self.entry = entry
        self.connection: BlueCurrentConnection = entry.runtime_data
        self._store = store
        stored = stored if isinstance(stored, dict) else {}
        self.records: deque[SessionRecord] = deque(maxlen=MAX_SESSIONS)
        for item in stored.get("sessions", ()):
            record = SessionRecord.from_dict(item)
            if record is not None:
                self.records.append(record)
        memories = stored.get("charge_points")
        self._memories: dict[str, TrackerMemory] = {
            evse_id: TrackerMemory.from_dict(memory)
            for evse_id, memory in (memories.items() if isinstance(memories, dict) else ())
        }
        self.card_totals: dict[str, CardTotal] = {}
        for item in stored.get("cards", ()):
            total = CardTotal.from_dict(item)
            if total is not None:
                self.card_totals[total.key] = total
        self._trackers: dict[str, SessionTracker] = {}
        self._last: dict[str, ChargePointStatus] = {}
        # Per charge point: the last session start found not too far ahead of the clock.
        self._plausible_starts: dict[str, datetime] = {}
        self._held: dict[str, deque[ChargeEvent]] = {}
        self._event_listeners: dict[str, list[EventListener]] = {}
        self._record_listeners: list[RecordListener] = []
        self._hints: dict[str, tuple[str | None, datetime]] = {}
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._connected = self.connection.connected
        self._statistics_lock = asyncio.Lock()
        self._statistics_tasks: set[asyncio.Task[None]] = set()
        # Per statistic: the last hour written and its sum.
        self._last_sums: dict[str, tuple[datetime, float]] = {}
        self._stopped = False

    @classmethod
    async def async_load(cls, hass: HomeAssistant, entry: BlueCurrentConfigEntry) -> SessionManager:
        """Load the entry's session log."""
        store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.sessions.{entry.entry_id}"
        )
        return cls(hass, entry, store, await store.async_load())

    # ------------------------------------------------------------------ following statuses

    @callback
    def start(self) -> None:
        """Follow every charge point; what the statuses show now is compared with the memory."""
        self._unsubscribe.append(
            self.connection.async_add_charge_point_listener(self._follow_charge_points)
        )
        self._follow_charge_points(list(self.connection.data.charge_points))

    @callback
    def _follow_charge_points(self, evse_ids: list[str]) -> None:
        for evse_id in evse_ids:
            if evse_id in self._trackers:
                continue
            memory = self._memories.get(evse_id)
            self._trackers[evse_id] = SessionTracker(evse_id, memory)
            self._memories[evse_id] = self._trackers[evse_id].memory

            @callback
            def update(_changed: frozenset[str] | None, evse_id: str = evse_id) -> None:
                self._on_update(evse_id)

            self._unsubscribe.append(
                self.connection.async_add_listener(update, evse_id, _SESSION_FIELDS)
            )
            # What happened before this start (a restart) is reported late.
            self._on_update(evse_id, late=True)

    @callback
    def _on_update(self, evse_id: str, late: bool | None = None) -> None:
        self._follow_connection()
        data = self.connection.data.charge_points.get(evse_id)
        status = data.status if data is not None else None
        tracker = self._trackers.get(evse_id)
        if status is None or tracker is None:
            return
        start = status.session_start
        if start is not None and start != self._plausible_starts.get(evse_id):
            if start - dt_util.utcnow() > FUTURE_LIMIT:
                # A session "starting" years ahead would hide every real one after it (sessions
                # are told apart by their start): such times are the service's mistake.
                status = replace(status, session_start=None, session_stop=None)
            else:
                # Checked once: a session's start repeats in every status, and a start that
                # was not too far ahead never is again (the clock only moves on).
                self._plausible_starts[evse_id] = start
        old = self._last.get(evse_id)
        if old is not None and old == status:
            return
        self._last[evse_id] = status
        if old is not None and tracker.follow_values(old, status):
            # Most statuses: only the running session's values (energy, cost) changed.
            self._save(SAVE_LAZILY)
            return
        memory = tracker.memory
        before = (memory.started, memory.ended)
        start = status.session_start
        new_session = (
            start is not None
            and start != memory.started
            and (memory.ended is None or start > memory.ended)
        )
        card = self._card_for(evse_id) if new_session else memory.card
        tariff = data.charge_point.tariff if data is not None else None
        events = tracker.feed(
            old,
            status,
            # Statuses that arrive while reconnecting show what happened while away.
            late=late if late is not None else not self.connection.connected,
            card=card,
            currency=(tariff.currency if tariff is not None else None) or DEFAULT_CURRENCY,
        )
        self._save(SAVE_SOON if (memory.started, memory.ended) != before else SAVE_LAZILY)
        for event in events:
            if event.record is not None:
                self._log(event.record)
            self._deliver(evse_id, event)

    @callback
    def _follow_connection(self) -> None:
        """Hand on the events held while the connection was down, once it is back."""
        connected = self.connection.connected
        if connected == self._connected:
            return
        self._connected = connected
        if connected:
            for evse_id in list(self._held):
                self._flush(evse_id)

    def _card_for(self, evse_id: str) -> SessionCard | None:
        """The card Home Assistant started this session with, else the default card [guess]."""
        # The first session that appears after Home Assistant asked for one is that one (by
        # Home Assistant's clock: the service's may differ).
        hint = self._hints.pop(evse_id, None)
        if hint is not None and dt_util.utcnow() - hint[1] <= START_HINT_WINDOW:
            uid = hint[0]
            if uid is None:
                return SessionCard(None, None, None, CardSource.INTEGRATION)
            card = next((c for c in self.connection.data.cards or () if c.uid == uid), None)
            return SessionCard(
                uid,
                card.card_id if card else None,
                card.name if card else None,
                CardSource.INTEGRATION,
            )
        default = self.connection.default_card(evse_id)
        if default is None:
            return None
        return SessionCard(default.uid, default.card_id, default.name or None, CardSource.DEFAULT)

    @callback
    def note_start(self, evse_id: str, uid: str | None) -> None:
        """Remember that Home Assistant started a session at ``evse_id`` with ``uid``."""
        self._hints[evse_id] = (uid, dt_util.utcnow())

    # ------------------------------------------------------------------ events

    @callback
    def async_add_event_listener(self, evse_id: str, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener(event)`` for the charge point's events (held ones first)."""
        listeners = self._event_listeners.setdefault(evse_id, [])
        listeners.append(listener)
        self._flush(evse_id)

        @callback
        def remove() -> None:
            listeners.remove(listener)

        return remove

    @callback
    def _deliver(self, evse_id: str, event: ChargeEvent) -> None:
        held = self._held.setdefault(evse_id, deque(maxlen=MAX_HELD_EVENTS))
        held.append(event)
        self._flush(evse_id)

    @callback
    def _flush(self, evse_id: str) -> None:
        listeners = self._event_listeners.get(evse_id)
        held = self._held.get(evse_id)
        if not listeners or not held or not self.connection.connected:
            return
        while held:
            event = held.popleft()
            for listener in list(listeners):
                listener(event)

    # ------------------------------------------------------------------ the log

    @callback
    def async_add_record_listener(self, listener: RecordListener) -> CALLBACK_TYPE:
        """Call ``listener(record)`` for every session that ends from now on."""
        self._record_listeners.append(listener)

        @callback
        def remove() -> None:
            self._record_listeners.remove(listener)

        return remove

    @callback
    def _log(self, record: SessionRecord) -> None:
        self.records.append(record)
        key = card_key(record.card)
        if key is not None and record.card is not None:
            total = self.card_totals.get(key)
            if total is None:
                total = self.card_totals[key] = CardTotal(
                    key, record.card.card_id, record.card.name
                )
            total.energy_kwh += record.energy_kwh
            if record.cost is not None:
                total.cost += record.cost
                total.currency = total.currency or record.currency
            total.sessions += 1
        LOGGER.debug(
            "Session at %s from %s ended: %.3f kWh%s",
            record.evse_id,
            record.start,
            record.energy_kwh,
            " (reported late)" if record.late else "",
        )
        self._save(SAVE_SOON)
        for listener in list(self._record_listeners):
            listener(record)
        if (
            record.end is not None
            and "recorder" in self.hass.config.components
            and self._owns(record.evse_id)
        ):
            task = self.entry.async_create_background_task(
                self.hass,
                self._add_statistics(record),
                f"{DOMAIN} statistics {record.evse_id}",
            )
            self._statistics_tasks.add(task)
            task.add_done_callback(self._statistics_tasks.discard)

    def _owns(self, evse_id: str) -> bool:
        """Whether this entry keeps the charge point's statistics.

        A charge point shared with another configured account is in both accounts' streams;
        its statistics belong to the entry that has its unscoped ids, so it is counted once.
        """
        return self.connection.unique_id("statistics", evse_id) == f"statistics_{evse_id}"

    @callback
    def _save(self, delay: float) -> None:
        if not self._stopped:
            self._store.async_delay_save(self._stored, delay)

    def _stored(self) -> dict[str, Any]:
        return {
            "sessions": [record.as_dict() for record in self.records],
            "charge_points": {
                evse_id: memory.as_dict() for evse_id, memory in self._memories.items()
            },
            "cards": [total.as_dict() for total in self.card_totals.values()],
        }

    async def async_stop(self) -> None:
        """Stop following; write the log now."""
        self._stopped = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        managers: dict[str, Any] = self.hass.data.get(_MANAGERS, {})
        managers.pop(self.entry.entry_id, None)
        await self._store.async_save(self._stored())
        await self.async_wait_statistics()

    async def async_wait_statistics(self) -> None:
        """Wait until the statistics of every ended session are handed to the recorder."""
        while self._statistics_tasks:
            await asyncio.gather(*self._statistics_tasks, return_exceptions=True)

    # ------------------------------------------------------------------ statistics

    async def _add_statistics(self, record: SessionRecord) -> None:
        """Add the session's energy and cost to its charge point's hourly sums."""
        assert record.end is not None
        name = self._charge_point_name(record.evse_id)
        async with self._statistics_lock:
            await self._add_statistic(
                statistic_id("energy", record.evse_id),
                f"{name} charging energy",
                UnitOfEnergy.KILO_WATT_HOUR,
                "energy",
                spread_over_hours(record.start, record.end, record.energy_kwh),
            )
            if record.cost is not None:
                await self._add_statistic(
                    statistic_id("cost", record.evse_id),
                    f"{name} charging cost",
                    record.currency or DEFAULT_CURRENCY,
                    None,
                    spread_over_hours(record.start, record.end, record.cost),
                )

    def _charge_point_name(self, evse_id: str) -> str:
        data = self.connection.data.charge_points.get(evse_id)
        return data.charge_point.display_name if data is not None else evse_id

    async def _add_statistic(
        self,
        statistic: str,
        name: str,
        unit: str,
        unit_class: str | None,
        amounts: dict[datetime, float],
    ) -> None:
        """Add ``amounts`` (per hour) to the hourly sums, continuing from the last one.

        Sessions at one charge point follow each other, so only the last stored hour can be
        shared with a new session (one ended in it, the next began): that hour's row is
        rewritten with both. An hour before it (a clock that went back) counts in it, so that
        sums never go down.
        """
        # The recorder is an optional companion: imported only when it is loaded.
        from homeassistant.components.recorder.models import (  # noqa: PLC0415
            StatisticData,
            StatisticMeanType,
            StatisticMetaData,
        )
        from homeassistant.components.recorder.statistics import (  # noqa: PLC0415
            async_add_external_statistics,
        )

        if not amounts:
            return
        last_hour, running = await self._last_sum(statistic)
        hourly: dict[datetime, float] = {}
        for hour, amount in amounts.items():
            at = max(hour, last_hour) if last_hour is not None else hour
            hourly[at] = hourly.get(at, 0.0) + amount
        rows: list[StatisticData] = []
        for hour in sorted(hourly):
            running += hourly[hour]
            rows.append(StatisticData(start=hour, state=round(running, 4), sum=round(running, 4)))
        self._last_sums[statistic] = (max(hourly), running)
        metadata: dict[str, Any] = {
            "has_sum": True,
            "mean_type": StatisticMeanType.NONE,
            "name": name,
            "source": STATISTICS_SOURCE,
            "statistic_id": statistic,
            "unit_of_measurement": unit,
        }
        # Home Assistant 2025.4 has no unit_class; newer ones require it.
        if "unit_class" in StatisticMetaData.__annotations__:
            metadata["unit_class"] = unit_class
        async_add_external_statistics(self.hass, cast(StatisticMetaData, metadata), rows)

    async def _last_sum(self, statistic: str) -> tuple[datetime | None, float]:
        """The last hour with a sum, and that sum (None, 0 when there is none).

        What this manager wrote last is kept: the recorder imports in its queue, so reading
        back what was just added could miss it. Otherwise the recorder is asked.
        """
        if statistic in self._last_sums:
            return self._last_sums[statistic]
        from homeassistant.components.recorder.statistics import (  # noqa: PLC0415
            get_last_statistics,
        )
        from homeassistant.helpers.recorder import get_instance  # noqa: PLC0415

        last = await get_instance(self.hass).async_add_executor_job(
            get_last_statistics, self.hass, 1, statistic, False, {"sum"}
        )
        rows = last.get(statistic)
        if not rows:
            return None, 0.0
        return dt_util.utc_from_timestamp(rows[0]["start"]), float(rows[0].get("sum") or 0.0)


__all__ = [
    "MAX_SESSIONS",
    "CardTotal",
    "EventType",
    "SessionManager",
    "async_get_session_manager",
    "loaded_manager",
    "note_session_start",
    "statistic_id",
]
