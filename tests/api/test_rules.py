"""Rules with no socket in them: limit resets, rejection names, answer matching, requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
import json

import pytest

from custom_components.blue_current.api import (
    AlreadyConnectedError,
    BlueCurrentConnectionError,
    RequestLimitReachedError,
    requests,
)
from custom_components.blue_current.api.connection import (
    close_error,
    next_limit_reset,
    rejection_error,
)
from custom_components.blue_current.api.const import SERVICE_TIMEZONE
from custom_components.blue_current.api.parsing import ServerMessage
from custom_components.blue_current.api.pending import PendingRequests


@pytest.mark.parametrize(
    ("now", "reset"),
    [
        # An ordinary winter evening.
        (datetime(2024, 1, 15, 21, 0, tzinfo=SERVICE_TIMEZONE), date(2024, 1, 16)),
        # 23:30 UTC is already the next day in Amsterdam.
        (datetime(2024, 1, 15, 23, 30, tzinfo=UTC), date(2024, 1, 17)),
        # The night the clocks go forward, and the day after.
        (datetime(2024, 3, 30, 23, 30, tzinfo=SERVICE_TIMEZONE), date(2024, 3, 31)),
        (datetime(2024, 3, 31, 12, 0, tzinfo=SERVICE_TIMEZONE), date(2024, 4, 1)),
        # The day the clocks go back.
        (datetime(2024, 10, 27, 2, 30, tzinfo=SERVICE_TIMEZONE), date(2024, 10, 28)),
        # Exactly midnight: the next one.
        (datetime(2024, 1, 16, 0, 0, tzinfo=SERVICE_TIMEZONE), date(2024, 1, 17)),
    ],
)
def test_request_limit_resets_at_the_next_dutch_midnight(now: datetime, reset: date) -> None:
    """The budget renews at 00:00 Europe/Amsterdam, whatever zone the caller lives in."""
    expected = datetime.combine(reset, time(0), tzinfo=SERVICE_TIMEZONE)
    assert next_limit_reset(now) == expected
    assert next_limit_reset(now).tzinfo is SERVICE_TIMEZONE
    assert timedelta(0) < expected - now <= timedelta(hours=25)


def test_request_limit_error_carries_the_reset() -> None:
    """Without a clock given, the reset is the coming midnight."""
    error = close_error(4001)
    assert isinstance(error, RequestLimitReachedError)
    now = datetime.now(UTC)
    assert now < error.reset_at <= now + timedelta(hours=25)
    assert error.reset_at.astimezone(SERVICE_TIMEZONE).time() == time(0)


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (403, {"x-websocket-reject-reason": "Request limit reached"}, RequestLimitReachedError),
        (403, {"x-websocket-reject-reason": "request LIMIT reached."}, RequestLimitReachedError),
        (403, {"x-websocket-reject-reason": "Already connected"}, AlreadyConnectedError),
        (403, {"x-websocket-reject-reason": "Maintenance"}, BlueCurrentConnectionError),
        (503, {}, BlueCurrentConnectionError),
        (502, None, BlueCurrentConnectionError),
    ],
)
def test_upgrade_rejections_are_named_by_their_reason(
    status: int, headers: dict[str, str] | None, kind: type[Exception]
) -> None:
    """The ``x-websocket-reject-reason`` header decides; anything else is transient."""
    assert type(rejection_error(status, headers)) is kind


def test_close_codes() -> None:
    """4001 is the request limit; any other close is a dropped connection."""
    assert isinstance(close_error(4001), RequestLimitReachedError)
    for code in (1000, 1001, 1006, None):
        assert type(close_error(code)) is BlueCurrentConnectionError


def _answer(name: str, evse_id: str | None = None, **body: object) -> ServerMessage:
    return ServerMessage(name, {"object": name, **body}, evse_id)


async def test_answers_match_by_object_and_evse_id_oldest_first() -> None:
    """Two requests for one charge point are answered in order; another's answer skips them."""
    pending = PendingRequests()
    first = pending.add(requests.reboot("A"), 10, awaited=True)
    other = pending.add(requests.reboot("B"), 10, awaited=True)
    second = pending.add(requests.reboot("A"), 10, awaited=True)
    assert pending.take_answered(_answer("STATUS_REBOOT", "A"), refused=False) is first
    assert pending.take_answered(_answer("STATUS_REBOOT", "A"), refused=False) is second
    assert pending.take_answered(_answer("STATUS_REBOOT", "A"), refused=False) is None
    assert pending.take_answered(_answer("STATUS_SOFT_RESET", "B"), refused=False) is None
    assert pending.take_answered(_answer("STATUS_REBOOT", "B"), refused=False) is other


async def test_an_answer_without_evse_id_goes_to_the_oldest_asker() -> None:
    """GRID_STATUS names no charge point although it is asked for one."""
    pending = PendingRequests()
    first = pending.add(requests.get_grid_status("A"), 10, awaited=False)
    pending.add(requests.get_grid_status("B"), 10, awaited=False)
    assert pending.take_answered(_answer("GRID_STATUS"), refused=False) is first


async def test_received_answers_only_when_listed_or_refusing() -> None:
    """RECEIVED_<command> acknowledges commands that list it; for others it only can refuse."""
    pending = PendingRequests()
    plug = pending.add(requests.set_plug_and_charge("A", True), 10, awaited=True)
    profile = pending.add(requests.set_delayed_charging("A", True), 10, awaited=True)
    received_plug = _answer("RECEIVED_SET_PLUG_AND_CHARGE", "A", error="")
    assert pending.take_answered(received_plug, refused=False) is None
    assert pending.take_answered(received_plug, refused=True) is plug
    received_profile = _answer("RECEIVED_SET_DELAYED_CHARGING", "A", error="")
    assert pending.take_answered(received_profile, refused=False) is profile


@pytest.mark.parametrize(
    "build",
    [
        lambda: requests.reboot("A"),
        lambda: requests.soft_reset("A"),
        lambda: requests.start_session("A", None),
        lambda: requests.stop_session("A"),
        lambda: requests.set_blocked("A", True),
        lambda: requests.set_blocked("A", False),
    ],
)
async def test_acceptance_or_verdict_answers_commands_charge_points_carry_out(
    build: Callable[[], requests.Request],
) -> None:
    """RECEIVED_ (which names no charge point [R]) or STATUS_ answers them, whichever first."""
    for name in ("RECEIVED", "STATUS"):
        pending = PendingRequests()
        request = build()
        waiting = pending.add(request, 10, awaited=True)
        answer = _answer(f"{name}_{request.command}", None)
        assert pending.take_answered(answer, refused=False) is waiting


async def test_error_goes_to_the_oldest_live_request() -> None:
    """ERROR names nothing: the oldest unanswered request gets it; expired ones are skipped."""
    pending = PendingRequests()
    pending.add(requests.get_status("A"), -1, awaited=False)  # already expired
    oldest_live = pending.add(requests.get_settings("A"), 10, awaited=False)
    pending.add(requests.reboot("A"), 10, awaited=True)
    assert pending.take_oldest() is oldest_live
    assert len(pending) == 1


async def test_fail_all_fails_only_awaited_requests() -> None:
    """The connection ended: awaited requests get the error made for them."""
    pending = PendingRequests()
    awaited = pending.add(requests.reboot("A"), 10, awaited=True)
    pending.add(requests.get_status("A"), 10, awaited=False)
    pending.fail_all(lambda request: BlueCurrentConnectionError(request.command))
    assert awaited.answer is not None
    with pytest.raises(BlueCurrentConnectionError, match="REBOOT"):
        awaited.answer.result()
    assert len(pending) == 0


def test_requests_encode_authorization_and_hide_the_token() -> None:
    """Authorization is added at sending; the API token never shows in a repr."""
    validate = requests.validate_api_token("api-secret")
    assert "api-secret" not in repr(validate)
    assert json.loads(validate.encode()) == {
        "command": "VALIDATE_API_TOKEN",
        "token": "api-secret",
    }
    assert json.loads(requests.reboot("A").encode("Token s")) == {
        "command": "REBOOT",
        "evse_id": "A",
        "Authorization": "Token s",
    }


def test_request_arguments_are_checked() -> None:
    """Days outside 1..7 and unknown weekday codes are the caller's mistake."""
    with pytest.raises(ValueError, match="days"):
        requests.save_delayed_charging_schedule("A", [0], time(1), time(2))
    with pytest.raises(ValueError, match="weekday"):
        requests.set_current_override(
            ["A"],
            start_time=time(1),
            stop_time=time(2),
            start_days=["MON"],
            stop_days=["MO"],
            current=6,
        )


async def test_requests_pruned_by_an_answer_are_still_handed_out_as_expired() -> None:
    """A busy connection prunes on every answer: what expired there must not vanish.

    The snapshot's chase asks for expired requests; one an answer's pruning removed first
    would otherwise be neither asked again nor given up on, and the snapshot would wait forever.
    """
    pending = PendingRequests()
    expired = pending.add(requests.get_status("A"), -1, awaited=False)
    live = pending.add(requests.get_settings("B"), 10, awaited=False)
    assert pending.take_answered(_answer("CH_SETTINGS", "B"), refused=False) is live
    assert pending.take_expired() == [expired]
    assert pending.take_expired() == []
