"""Charging sessions told apart in the status stream: which events a status change means.

Pure: no Home Assistant, no I/O. ``SessionTracker`` is fed one charge point's statuses (the
one seen before and the new one) and returns the events they mean; the integration
(``session_manager.py``) stores what it remembers and hands the events on.

The service reports only the current (or last) session in ``CH_STATUS``: ``start_datetime``,
``stop_datetime``, ``actual_kwh`` and ``total_cost``. A session is identified by its start
time. It runs while it has a start and no stop at or after that start; it has ended once the
stop is at or after the start. The tracker remembers the start of the last session it
reported as started and as ended, so a reconnect (or a restart, with that memory stored)
reports nothing twice, and a session that ended while nobody listened is reported once, late.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from .api import Activity, ChargePointStatus, VehicleStatus


class EventType(StrEnum):
    """What the event entity of a charge point reports."""

    SESSION_STARTED = "session_started"
    SESSION_ENDED = "session_ended"
    VEHICLE_PLUGGED_IN = "vehicle_plugged_in"
    VEHICLE_UNPLUGGED = "vehicle_unplugged"
    CHARGE_POINT_OFFLINE = "charge_point_offline"
    CHARGE_POINT_ONLINE = "charge_point_online"


class CardSource(StrEnum):
    """How the card of a session is known."""

    # Home Assistant started the session with this card (or with none).
    INTEGRATION = "integration"
    # [guess] The charge point's default card: the service does not say which card started a
    # session on this endpoint (the app endpoint's transactions do: ``card_id``,
    # ``card_name``); a recording of a session started with another card would settle it.
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class SessionCard:
    """The card a session is attributed to."""

    uid: str | None
    card_id: str | None
    name: str | None
    source: CardSource

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "uid": self.uid,
            "card_id": self.card_id,
            "name": self.name,
            "source": self.source.value,
        }

    @classmethod
    def from_dict(cls, stored: object) -> SessionCard | None:
        """The stored form read back; None for anything unreadable."""
        if not isinstance(stored, dict):
            return None
        try:
            source = CardSource(str(stored.get("source")))
        except ValueError:
            return None
        return cls(
            _text(stored.get("uid")),
            _text(stored.get("card_id")),
            _text(stored.get("name")),
            source,
        )


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One ended session, as the log keeps it and ``session_ended`` reports it."""

    evse_id: str
    start: datetime
    end: datetime | None  # None: it ended unseen, while another session followed
    energy_kwh: float
    cost: float | None
    currency: str | None
    card: SessionCard | None
    # Reported after the fact: it ended while the connection was down (or Home Assistant was).
    late: bool = False
    # Ended unseen: energy and cost are the last values seen, not the session's final ones.
    partial: bool = False

    @property
    def duration(self) -> timedelta | None:
        """How long the session ran."""
        return self.end - self.start if self.end is not None else None

    def as_dict(self) -> dict[str, Any]:
        """The stored form, also the form actions and events show (times as ISO 8601)."""
        duration = self.duration
        card = self.card
        return {
            "evse_id": self.evse_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end is not None else None,
            "energy_kwh": round(self.energy_kwh, 3),
            "cost": round(self.cost, 2) if self.cost is not None else None,
            "currency": self.currency,
            "duration_minutes": (
                round(duration.total_seconds() / 60, 1) if duration is not None else None
            ),
            "card_uid": card.uid if card else None,
            "card_id": card.card_id if card else None,
            "card_name": card.name if card else None,
            "card_source": card.source.value if card else None,
            "late": self.late,
            "partial": self.partial,
        }

    @classmethod
    def from_dict(cls, stored: object) -> SessionRecord | None:
        """The stored form read back; None when it cannot be (never an exception)."""
        if not isinstance(stored, dict):
            return None
        evse_id = _text(stored.get("evse_id"))
        start = _moment(stored.get("start"))
        energy = _number(stored.get("energy_kwh"))
        if evse_id is None or start is None or energy is None:
            return None
        source = stored.get("card_source")
        card = None
        if source is not None:
            card = SessionCard.from_dict(
                {
                    "uid": stored.get("card_uid"),
                    "card_id": stored.get("card_id"),
                    "name": stored.get("card_name"),
                    "source": source,
                }
            )
        return cls(
            evse_id=evse_id,
            start=start,
            end=_moment(stored.get("end")),
            energy_kwh=energy,
            cost=_number(stored.get("cost")),
            currency=_text(stored.get("currency")),
            card=card,
            late=stored.get("late") is True,
            partial=stored.get("partial") is True,
        )

    def matches_card(self, wanted: str) -> bool:
        """Whether the session's card is ``wanted`` (its id, uid or name; any case)."""
        if self.card is None:
            return False
        folded = wanted.casefold()
        return any(
            value is not None and value.casefold() == folded
            for value in (self.card.card_id, self.card.uid, self.card.name)
        )


@dataclass(frozen=True, slots=True)
class ChargeEvent:
    """An event of a charge point, with its attributes (JSON-ready)."""

    event_type: EventType
    attributes: dict[str, Any]
    record: SessionRecord | None = None  # for session_ended


@dataclass(slots=True)
class TrackerMemory:
    """What a tracker must remember across reconnects and restarts (stored per charge point)."""

    started: datetime | None = None  # start of the last session reported as started
    ended: datetime | None = None  # start of the last session reported as ended
    card: SessionCard | None = None  # the card of the session ``started``
    energy_kwh: float | None = None  # last values seen of the session ``started``
    cost: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "started": self.started.isoformat() if self.started else None,
            "ended": self.ended.isoformat() if self.ended else None,
            "card": self.card.as_dict() if self.card else None,
            "energy_kwh": self.energy_kwh,
            "cost": self.cost,
        }

    @classmethod
    def from_dict(cls, stored: object) -> TrackerMemory:
        """The stored form read back; what is unreadable is forgotten."""
        if not isinstance(stored, dict):
            return cls()
        return cls(
            started=_moment(stored.get("started")),
            ended=_moment(stored.get("ended")),
            card=SessionCard.from_dict(stored.get("card")),
            energy_kwh=_number(stored.get("energy_kwh")),
            cost=_number(stored.get("cost")),
        )


_DEPARTURES = frozenset({EventType.VEHICLE_UNPLUGGED, EventType.CHARGE_POINT_OFFLINE})

# Vehicle states in which a vehicle is at the charge point (IEC 61851 B, C, D, E).
_PLUGGED = frozenset(
    {
        VehicleStatus.VEHICLE_DETECTED,
        VehicleStatus.READY,
        VehicleStatus.CHARGING,
        VehicleStatus.NO_POWER,
    }
)


def vehicle_plugged(status: ChargePointStatus) -> bool | None:
    """Whether a vehicle is connected; None when the status does not tell (error, unknown)."""
    value = status.vehicle_status
    if value is VehicleStatus.STANDBY:
        return False
    if value in _PLUGGED:
        return True
    return None


def charge_point_online(status: ChargePointStatus) -> bool | None:
    """Whether the charge point is connected to the service; None when not reported."""
    if status.activity is None:
        return None
    return status.activity is not Activity.OFFLINE


def session_running(status: ChargePointStatus) -> bool:
    """A session has started and not (yet) stopped."""
    start, stop = status.session_start, status.session_stop
    return start is not None and (stop is None or stop < start)


def session_ended(status: ChargePointStatus) -> bool:
    """The status shows a session that has stopped."""
    start, stop = status.session_start, status.session_stop
    return start is not None and stop is not None and stop >= start


class SessionTracker:
    """One charge point's events, from consecutive statuses."""

    def __init__(self, evse_id: str, memory: TrackerMemory | None = None) -> None:
        """Start from what was remembered; None: this charge point was never seen."""
        self.evse_id = evse_id
        self.memory = memory if memory is not None else TrackerMemory()
        # Never seen: the first status is taken as it is (history from before is not ours).
        self._baseline = memory is None

    def feed(
        self,
        old: ChargePointStatus | None,
        new: ChargePointStatus,
        *,
        late: bool,
        card: SessionCard | None,
        currency: str | None,
    ) -> list[ChargeEvent]:
        """The events that ``old`` -> ``new`` means.

        ``old`` is the status seen before (None after a restart); ``late``: ``new`` is the
        first status after a gap (a reconnect, a restart), so what it shows happened unseen.
        ``card``: who a session starting now is attributed to; ``currency``: of its cost.
        """
        if self._baseline:
            self._baseline = False
            self._adopt(new, card)
            return []
        arrivals: list[ChargeEvent] = []
        departures: list[ChargeEvent] = []
        if old is not None:
            for event in self._transitions(old, new, late):
                leaving = event.event_type in _DEPARTURES
                (departures if leaving else arrivals).append(event)
        # A session's events come between the vehicle's arrival and its departure.
        sessions = self._sessions(new, late=late, card=card, currency=currency)
        return [*arrivals, *sessions, *departures]

    def follow_values(self, old: ChargePointStatus, new: ChargePointStatus) -> bool:
        """Take ``new`` if, since ``old``, only values changed: True when taken.

        What a charging charge point reports most of the time (the session energy grows):
        ``feed`` would find no event in it and start or end no session, only remember the
        running session's values. ``old`` must be the status fed last.
        """
        if not (
            old.session_start == new.session_start
            and old.session_stop == new.session_stop
            # Known values are enum members: ``is`` tells the same state without doubt.
            and old.activity is new.activity
            and old.vehicle_status is new.vehicle_status
            and not self._baseline
        ):
            return False
        # ``old`` was fed: its session is followed (or reported ended), as ``feed`` leaves it.
        start = new.session_start
        if start is not None and _newer(start, self.memory.ended):
            self._remember_values(new)
        return True

    def _adopt(self, status: ChargePointStatus, card: SessionCard | None) -> None:
        """The first status ever: a finished session is history, a running one is followed."""
        start = status.session_start
        if session_ended(status):
            self.memory.started = self.memory.ended = start
        elif session_running(status):
            self.memory.started, self.memory.card = start, card
            self._remember_values(status)

    def _transitions(
        self, old: ChargePointStatus, new: ChargePointStatus, late: bool
    ) -> Iterator[ChargeEvent]:
        was_online, online = charge_point_online(old), charge_point_online(new)
        if was_online is not None and online is not None and was_online != online:
            if online:
                yield ChargeEvent(EventType.CHARGE_POINT_ONLINE, {"late": late})
            else:
                since = new.offline_since
                yield ChargeEvent(
                    EventType.CHARGE_POINT_OFFLINE,
                    {"offline_since": since.isoformat() if since else None, "late": late},
                )
        was_plugged, plugged = vehicle_plugged(old), vehicle_plugged(new)
        if was_plugged is not None and plugged is not None and was_plugged != plugged:
            kind = EventType.VEHICLE_PLUGGED_IN if plugged else EventType.VEHICLE_UNPLUGGED
            yield ChargeEvent(kind, {"late": late})

    def _sessions(
        self,
        status: ChargePointStatus,
        *,
        late: bool,
        card: SessionCard | None,
        currency: str | None,
    ) -> Iterator[ChargeEvent]:
        memory = self.memory
        start = status.session_start
        if start is None or not _newer(start, memory.ended):
            return  # no session, or one already reported as ended (or older)
        followed = memory.started
        if followed is not None and followed != memory.ended and _newer(start, followed):
            # The session we followed was replaced without a stop being seen: it ended unseen.
            yield self._ended(
                followed,
                end=None,
                energy=memory.energy_kwh or 0.0,
                cost=memory.cost,
                currency=currency,
                late=late,
                partial=True,
            )
        if memory.started != start:
            memory.started, memory.card = start, card
            memory.energy_kwh = memory.cost = None
            if session_running(status):
                yield ChargeEvent(
                    EventType.SESSION_STARTED,
                    {"start": start.isoformat(), "late": late, **_card_attributes(card)},
                )
        self._remember_values(status)
        if session_ended(status):
            yield self._ended(
                start,
                end=status.session_stop,
                energy=status.session_energy_kwh or 0.0,
                cost=status.session_cost,
                currency=currency,
                late=late,
                partial=False,
            )

    def _remember_values(self, status: ChargePointStatus) -> None:
        if status.session_energy_kwh is not None:
            self.memory.energy_kwh = status.session_energy_kwh
        if status.session_cost is not None:
            self.memory.cost = status.session_cost

    def _ended(
        self,
        start: datetime,
        *,
        end: datetime | None,
        energy: float,
        cost: float | None,
        currency: str | None,
        late: bool,
        partial: bool,
    ) -> ChargeEvent:
        memory = self.memory
        record = SessionRecord(
            evse_id=self.evse_id,
            start=start,
            end=end,
            energy_kwh=energy,
            cost=cost,
            currency=currency if cost is not None else None,
            card=memory.card if memory.started == start else None,
            late=late,
            partial=partial,
        )
        memory.ended = start
        return ChargeEvent(EventType.SESSION_ENDED, record.as_dict(), record)


def _newer(moment: datetime, than: datetime | None) -> bool:
    return than is None or moment > than


def _card_attributes(card: SessionCard | None) -> dict[str, Any]:
    return {
        "card_id": card.card_id if card else None,
        "card_name": card.name if card else None,
        "card_source": card.source.value if card else None,
    }


# The longest session spread over its hours (longer ones are times the service got wrong).
MAX_SPREAD = timedelta(days=14)


def spread_over_hours(start: datetime, end: datetime, amount: float) -> dict[datetime, float]:
    """``amount`` shared out over the clock hours ``start`` to ``end`` by time spent in each.

    Keys are the hours' starts in UTC (as statistics keep them). The service reports a
    session's total only, so an even rate over the session is assumed; a session without
    duration puts everything in the hour of its start.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first = start.replace(minute=0, second=0, microsecond=0)
    total_seconds = (end - start).total_seconds()
    if total_seconds <= 0:
        return {first: amount}
    if total_seconds > MAX_SPREAD.total_seconds():
        # No charging session lasts this long: times the service got wrong. The energy counts
        # in the hour the session ended rather than in thousands of hours.
        return {end.replace(minute=0, second=0, microsecond=0): amount}
    shares: dict[datetime, float] = {}
    hour = first
    while hour < end:
        following = hour + timedelta(hours=1)
        seconds = (min(following, end) - max(hour, start)).total_seconds()
        if seconds > 0:
            shares[hour] = amount * seconds / total_seconds
        hour = following
    return shares


def select_sessions(
    records: Iterable[SessionRecord],
    *,
    evse_ids: frozenset[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    card: str | None = None,
) -> list[SessionRecord]:
    """The records of those charge points that overlap ``start`` to ``end``, by card.

    A session overlaps when it ended at or after ``start`` and began before ``end``.
    """
    chosen = []
    for record in records:
        if evse_ids is not None and record.evse_id not in evse_ids:
            continue
        ended = record.end or record.start
        if start is not None and ended < start:
            continue
        if end is not None and record.start >= end:
            continue
        if card is not None and not record.matches_card(card):
            continue
        chosen.append(record)
    return chosen


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


__all__ = [
    "CardSource",
    "ChargeEvent",
    "EventType",
    "SessionCard",
    "SessionRecord",
    "SessionTracker",
    "TrackerMemory",
    "select_sessions",
    "spread_over_hours",
]
