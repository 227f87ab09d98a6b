"""``SessionTracker.follow_values``: the shortcut for statuses that change only values.

The session manager takes it for most statuses (the session energy grows) instead of ``feed``;
whatever the statuses, both must leave the same memory and report the same events.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.blue_current.api import Activity, ChargePointStatus, VehicleStatus
from custom_components.blue_current.session_manager import _SESSION_FIELDS
from custom_components.blue_current.sessions import (
    CardSource,
    SessionCard,
    SessionTracker,
    TrackerMemory,
)

pytestmark = pytest.mark.filterwarnings("ignore:It looks like `register_random`")

AMS = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 20, 18, 30, tzinfo=AMS)
MOMENTS = [None, T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 - timedelta(hours=1)]
CARD = SessionCard("UID1", "NL-BCU-C00001", "Card 1", CardSource.DEFAULT)

_STATUSES = st.builds(
    ChargePointStatus,
    evse_id=st.just("BCU1"),
    activity=st.sampled_from([None, *Activity, "invented"]),
    vehicle_status=st.sampled_from([None, *VehicleStatus, "x"]),
    session_start=st.sampled_from(MOMENTS),
    session_stop=st.sampled_from(MOMENTS),
    offline_since=st.sampled_from(MOMENTS),
    session_energy_kwh=st.sampled_from([None, 0.0, 1.5, 2.5]),
    session_cost=st.sampled_from([None, 0.0, 0.5]),
    current_l1=st.sampled_from([None, 0.0, 16.0]),
)
_MEMORIES = st.none() | st.builds(
    TrackerMemory,
    started=st.sampled_from(MOMENTS),
    ended=st.sampled_from(MOMENTS),
    energy_kwh=st.sampled_from([None, 3.0]),
)


@settings(max_examples=500, deadline=None)
@given(
    _MEMORIES,
    st.lists(st.tuples(_STATUSES, st.booleans(), st.booleans()), min_size=1, max_size=12),
)
def test_follow_values_is_feed_without_events(
    memory: TrackerMemory | None,
    steps: list[tuple[ChargePointStatus, bool, bool]],
) -> None:
    """Statuses that repeat their session fields (drawn often) take the shortcut."""
    plain = SessionTracker("BCU1", None if memory is None else TrackerMemory(**vars_of(memory)))
    quick = SessionTracker("BCU1", None if memory is None else TrackerMemory(**vars_of(memory)))
    old: ChargePointStatus | None = None
    for status, repeat_session, late in steps:
        new = status
        if repeat_session and old is not None:
            # Same session fields as the status before, other values anew.
            new = ChargePointStatus(
                evse_id="BCU1",
                activity=old.activity,
                vehicle_status=old.vehicle_status,
                session_start=old.session_start,
                session_stop=old.session_stop,
                offline_since=status.offline_since,
                session_energy_kwh=status.session_energy_kwh,
                session_cost=status.session_cost,
                current_l1=status.current_l1,
            )
        expected = plain.feed(old, new, late=late, card=CARD, currency="EUR")
        if old is not None and quick.follow_values(old, new):
            events = []
        else:
            events = quick.feed(old, new, late=late, card=CARD, currency="EUR")
        assert [(e.event_type, e.attributes) for e in events] == [
            (e.event_type, e.attributes) for e in expected
        ]
        assert quick.memory == plain.memory
        old = new


def vars_of(memory: TrackerMemory) -> dict[str, object]:
    return {field.name: getattr(memory, field.name) for field in fields(memory)}


def test_follow_values_takes_energy_of_the_running_session() -> None:
    tracker = SessionTracker("BCU1")
    running = ChargePointStatus(
        evse_id="BCU1",
        activity=Activity.CHARGING,
        vehicle_status=VehicleStatus.READY,
        session_start=T0,
        session_energy_kwh=1.0,
    )
    tracker.feed(None, running, late=False, card=CARD, currency="EUR")
    more = ChargePointStatus(**{**vars_of_status(running), "session_energy_kwh": 1.25})
    assert tracker.follow_values(running, more)
    assert tracker.memory.energy_kwh == 1.25
    stopped = ChargePointStatus(**{**vars_of_status(more), "session_stop": T0 + timedelta(1)})
    assert not tracker.follow_values(more, stopped)


def vars_of_status(status: ChargePointStatus) -> dict[str, object]:
    return {field.name: getattr(status, field.name) for field in fields(status)}


def test_session_fields_are_status_fields() -> None:
    """The session manager listens to these: a renamed field would silence it."""
    assert {field.name for field in fields(ChargePointStatus)} >= _SESSION_FIELDS
