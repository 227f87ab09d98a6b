"""The simulator's model: the delayed-charging window that holds a session."""

from __future__ import annotations

from datetime import datetime

import pytest

from bluecurrent_simulator.model import AMSTERDAM, DelayedChargingProfile

# 2026-01-05 is a Monday (isoweekday 1).
MONDAY = datetime(2026, 1, 5, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("hour", "minute", "days", "allowed"),
    [
        (23, 30, [1], True),  # Monday night, inside 23:00-07:00
        (6, 59, [7], True),  # Monday early: Sunday's window runs past midnight
        (6, 59, [1], False),  # ... but only if Sunday is one of its days
        (7, 0, [7], False),  # the window ends at 07:00
        (12, 0, [1, 2, 3, 4, 5, 6, 7], False),  # midday: outside
    ],
)
def test_overnight_window(hour: int, minute: int, days: list[int], allowed: bool) -> None:
    """A window that ends before it starts belongs to the day it starts on."""
    profile = DelayedChargingProfile(enabled=True, start_time="23:00", end_time="07:00", days=days)
    assert profile.allows(MONDAY.replace(hour=hour, minute=minute)) is allowed


def test_daytime_window() -> None:
    """A window within one day: its start is inside, its end is not."""
    profile = DelayedChargingProfile(enabled=True, start_time="10:00", end_time="14:00", days=[1])
    assert profile.allows(MONDAY.replace(hour=10))
    assert not profile.allows(MONDAY.replace(hour=14))
    assert not profile.allows(MONDAY.replace(day=6, hour=11))  # Tuesday
