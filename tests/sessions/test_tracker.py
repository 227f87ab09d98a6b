"""The session tracker: which events consecutive statuses of a charge point mean."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from custom_components.blue_current.api import Activity, ChargePointStatus, VehicleStatus
from custom_components.blue_current.sessions import (
    CardSource,
    EventType,
    SessionCard,
    SessionRecord,
    SessionTracker,
    TrackerMemory,
    select_sessions,
    spread_over_hours,
)

AMS = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 20, 18, 30, tzinfo=AMS)
CARD = SessionCard("UID1", "NL-BCU-C00001", "Card 1", CardSource.DEFAULT)

IDLE = ChargePointStatus(
    evse_id="BCU1",
    activity=Activity.AVAILABLE,
    vehicle_status=VehicleStatus.STANDBY,
    session_energy_kwh=0.0,
    session_cost=0.0,
)


def plugged(status: ChargePointStatus) -> ChargePointStatus:
    return replace(status, vehicle_status=VehicleStatus.VEHICLE_DETECTED)


def charging(start: datetime, kwh: float = 0.0) -> ChargePointStatus:
    return replace(
        IDLE,
        activity=Activity.CHARGING,
        vehicle_status=VehicleStatus.READY,
        session_start=start,
        session_energy_kwh=kwh,
        session_cost=round(kwh * 0.35, 2),
    )


def stopped(start: datetime, stop: datetime, kwh: float) -> ChargePointStatus:
    return replace(
        charging(start, kwh),
        activity=Activity.AVAILABLE,
        vehicle_status=VehicleStatus.VEHICLE_DETECTED,
        session_stop=stop,
    )


def feed(
    tracker: SessionTracker,
    old: ChargePointStatus | None,
    new: ChargePointStatus,
    *,
    late: bool = False,
) -> list[tuple[EventType, dict[str, object]]]:
    events = tracker.feed(old, new, late=late, card=CARD, currency="EUR")
    return [(event.event_type, event.attributes) for event in events]


def types(events: list[tuple[EventType, dict[str, object]]]) -> list[EventType]:
    return [kind for kind, _ in events]


def test_a_whole_session_live() -> None:
    """Plug in, start, charge, stop, unplug: each event once, in order, none late."""
    tracker = SessionTracker("BCU1", TrackerMemory())
    seen = []
    statuses = [
        IDLE,
        plugged(IDLE),
        charging(T0),
        charging(T0, 3.0),
        charging(T0, 7.5),
        stopped(T0, T0 + timedelta(hours=2), 7.5),
        replace(stopped(T0, T0 + timedelta(hours=2), 7.5), vehicle_status=VehicleStatus.STANDBY),
    ]
    old = None
    for status in statuses:
        seen += feed(tracker, old, status)
        old = status
    assert types(seen) == [
        EventType.VEHICLE_PLUGGED_IN,
        EventType.SESSION_STARTED,
        EventType.SESSION_ENDED,
        EventType.VEHICLE_UNPLUGGED,
    ]
    started = seen[1][1]
    assert started["start"] == T0.isoformat()
    assert started["card_id"] == "NL-BCU-C00001"
    assert started["card_source"] == "default"
    ended = seen[2][1]
    assert ended["energy_kwh"] == 7.5
    assert ended["cost"] == 2.62
    assert ended["currency"] == "EUR"
    assert ended["duration_minutes"] == 120.0
    assert ended["card_name"] == "Card 1"
    assert ended["start"] == T0.isoformat()
    assert ended["end"] == (T0 + timedelta(hours=2)).isoformat()
    assert all(attributes["late"] is False for _, attributes in seen)


def test_offline_and_online() -> None:
    tracker = SessionTracker("BCU1", TrackerMemory())
    offline = replace(IDLE, activity=Activity.OFFLINE, offline_since=T0)
    assert feed(tracker, IDLE, offline) == [
        (EventType.CHARGE_POINT_OFFLINE, {"offline_since": T0.isoformat(), "late": False})
    ]
    assert feed(tracker, offline, IDLE) == [(EventType.CHARGE_POINT_ONLINE, {"late": False})]
    assert feed(tracker, IDLE, IDLE) == []


def test_unknown_states_are_no_transitions() -> None:
    """A vehicle error or a status without activity says nothing about plugs or online."""
    tracker = SessionTracker("BCU1", TrackerMemory())
    error = replace(IDLE, vehicle_status=VehicleStatus.VEHICLE_ERROR, activity=None)
    assert feed(tracker, plugged(IDLE), error) == []
    assert feed(tracker, error, IDLE) == []


def test_repeated_statuses_report_nothing_twice() -> None:
    tracker = SessionTracker("BCU1", TrackerMemory())
    assert types(feed(tracker, plugged(IDLE), charging(T0))) == [EventType.SESSION_STARTED]
    assert feed(tracker, charging(T0), charging(T0)) == []
    end = stopped(T0, T0 + timedelta(hours=1), 5.0)
    assert types(feed(tracker, charging(T0, 4.0), end)) == [EventType.SESSION_ENDED]
    assert feed(tracker, end, end) == []
    # The service resends the ended session (a reconnect's snapshot): still nothing.
    assert feed(tracker, None, end, late=True) == []


def test_a_session_that_ended_during_a_gap_is_reported_once_and_late() -> None:
    tracker = SessionTracker("BCU1", TrackerMemory())
    feed(tracker, IDLE, charging(T0))
    feed(tracker, charging(T0), charging(T0, 2.0))
    end = stopped(T0, T0 + timedelta(hours=3), 11.0)
    events = feed(tracker, charging(T0, 2.0), end, late=True)
    assert types(events) == [EventType.SESSION_ENDED]
    assert events[0][1]["late"] is True
    assert events[0][1]["energy_kwh"] == 11.0
    assert events[0][1]["partial"] is False
    assert feed(tracker, end, end) == []


def test_a_session_wholly_inside_a_gap_is_reported_ended_late() -> None:
    tracker = SessionTracker("BCU1", TrackerMemory())
    feed(tracker, IDLE, stopped(T0 - timedelta(days=1), T0 - timedelta(hours=20), 1.0))
    end = stopped(T0, T0 + timedelta(hours=1), 4.0)
    events = feed(tracker, plugged(IDLE), end, late=True)
    assert types(events) == [EventType.SESSION_ENDED]
    assert events[0][1]["late"] is True


def test_a_session_replaced_unseen_ends_with_what_was_seen() -> None:
    """Back from a gap, another session runs: the one followed ended unseen (partial)."""
    tracker = SessionTracker("BCU1", TrackerMemory())
    feed(tracker, IDLE, charging(T0))
    feed(tracker, charging(T0), charging(T0, 6.0))
    later = T0 + timedelta(hours=5)
    events = feed(tracker, charging(T0, 6.0), charging(later, 0.5), late=True)
    assert types(events) == [EventType.SESSION_ENDED, EventType.SESSION_STARTED]
    ended = events[0][1]
    assert ended["start"] == T0.isoformat()
    assert ended["end"] is None
    assert ended["energy_kwh"] == 6.0
    assert ended["partial"] is True
    assert ended["late"] is True
    assert events[1][1]["start"] == later.isoformat()


def test_the_first_status_ever_is_history() -> None:
    """A charge point never seen: its last session is not ours to report; a running one is."""
    tracker = SessionTracker("BCU1")
    end = stopped(T0, T0 + timedelta(hours=1), 4.0)
    assert feed(tracker, None, end, late=True) == []
    assert feed(tracker, end, end) == []

    running = SessionTracker("BCU2")
    assert feed(running, None, charging(T0, 1.0), late=True) == []
    events = feed(running, charging(T0, 1.0), stopped(T0, T0 + timedelta(hours=1), 4.0))
    assert types(events) == [EventType.SESSION_ENDED]


def test_a_restart_with_memory_repeats_nothing_and_reports_what_ended() -> None:
    tracker = SessionTracker("BCU1", TrackerMemory())
    feed(tracker, IDLE, charging(T0))
    stored = TrackerMemory.from_dict(tracker.memory.as_dict())
    assert stored == tracker.memory

    # Restarted while the session still runs: nothing new.
    again = SessionTracker("BCU1", TrackerMemory.from_dict(stored.as_dict()))
    assert feed(again, None, charging(T0, 3.0), late=True) == []

    # Restarted after it ended: reported once, late, with the card it started with.
    after = SessionTracker("BCU1", TrackerMemory.from_dict(stored.as_dict()))
    end = stopped(T0, T0 + timedelta(hours=1), 4.0)
    events = after.feed(None, end, late=True, card=None, currency="EUR")
    assert [event.event_type for event in events] == [EventType.SESSION_ENDED]
    record = events[0].record
    assert record is not None
    assert record.late
    assert record.card == CARD
    restarted = SessionTracker("BCU1", TrackerMemory.from_dict(after.memory.as_dict()))
    assert feed(restarted, None, end, late=True) == []


def test_an_older_session_is_never_reported() -> None:
    tracker = SessionTracker("BCU1", TrackerMemory())
    feed(tracker, IDLE, charging(T0))
    feed(tracker, charging(T0), stopped(T0, T0 + timedelta(hours=1), 2.0))
    stale = stopped(T0 - timedelta(days=1), T0 - timedelta(hours=20), 9.0)
    assert feed(tracker, None, stale, late=True) == []


def test_record_round_trip_and_unreadable_forms() -> None:
    record = SessionRecord(
        evse_id="BCU1",
        start=T0,
        end=T0 + timedelta(minutes=90),
        energy_kwh=5.25,
        cost=1.84,
        currency="EUR",
        card=CARD,
        late=True,
    )
    assert SessionRecord.from_dict(record.as_dict()) == record
    assert SessionRecord.from_dict({"evse_id": "BCU1"}) is None
    assert SessionRecord.from_dict("nonsense") is None
    assert TrackerMemory.from_dict(None) == TrackerMemory()
    assert SessionCard.from_dict({"source": "stolen"}) is None


def test_spread_over_hours() -> None:
    """By the time spent in each clock hour, keyed by the hour's start in UTC."""
    start = datetime(2026, 11, 20, 18, 30, tzinfo=AMS)  # 17:30 UTC
    shares = spread_over_hours(start, start + timedelta(hours=2), 8.0)
    assert shares == {
        datetime(2026, 11, 20, 17, tzinfo=UTC): pytest.approx(2.0),
        datetime(2026, 11, 20, 18, tzinfo=UTC): pytest.approx(4.0),
        datetime(2026, 11, 20, 19, tzinfo=UTC): pytest.approx(2.0),
    }
    assert spread_over_hours(start, start, 1.0) == {datetime(2026, 11, 20, 17, tzinfo=UTC): 1.0}
    inside = spread_over_hours(start, start + timedelta(minutes=20), 1.0)
    assert inside == {datetime(2026, 11, 20, 17, tzinfo=UTC): pytest.approx(1.0)}


def test_select_sessions() -> None:
    def record(evse_id: str, hours: int, card: SessionCard | None) -> SessionRecord:
        start = T0 + timedelta(hours=hours)
        return SessionRecord(evse_id, start, start + timedelta(hours=1), 1.0, 0.35, "EUR", card)

    other = SessionCard("UID2", "NL-BCU-C00002", "Neighbour", CardSource.INTEGRATION)
    records = [record("BCU1", 0, CARD), record("BCU2", 2, other), record("BCU1", 4, None)]
    assert select_sessions(records) == records
    assert select_sessions(records, evse_ids=frozenset({"BCU1"})) == [records[0], records[2]]
    assert select_sessions(records, card="neighbour") == [records[1]]
    assert select_sessions(records, card="UID1") == [records[0]]
    assert select_sessions(records, card="NL-BCU-C00002") == [records[1]]
    # Overlap: ended at or after start, began before end.
    window_start, window_end = T0 + timedelta(hours=1), T0 + timedelta(hours=4)
    chosen = select_sessions(records, start=window_start, end=window_end)
    assert chosen == [records[0], records[1]]


def test_spread_of_absurd_times_stays_small() -> None:
    """A session of years (wrong times from the service) is one hour, the one it ended in."""
    start = datetime(2020, 1, 1, 0, 30, tzinfo=UTC)
    end = datetime(2026, 11, 20, 17, 45, tzinfo=UTC)
    assert spread_over_hours(start, end, 3.0) == {datetime(2026, 11, 20, 17, tzinfo=UTC): 3.0}
    two_weeks = spread_over_hours(start, start + timedelta(days=14), 336.0)
    assert len(two_weeks) == 14 * 24 + 1
