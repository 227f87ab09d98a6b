"""The requests the client sends, and which server objects answer each.

The JSON of every request matches what the vendor's ``bluecurrent_api`` sends for the same
operation (tests/api/test_conformance.py holds the two side by side), except where a builder's
docstring names a difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
import json
from typing import Any, Final

from .const import APP_CARD_UID, CARD_LIMIT, HELLO_HEADER

WEEKDAY_CODES: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# What ``json.dumps`` (``ensure_ascii``) writes a str as, quotes included.
_json_string: Final[Callable[[str], str]] = json.encoder.encode_basestring_ascii

_TEXT_OR_NONE: Final = frozenset({str, type(None)})


@dataclass(frozen=True, slots=True)
class Request:
    """One request: its command, the charge point it is about and its other fields."""

    command: str
    evse_id: str | None = None
    # Hidden from reprs: VALIDATE_API_TOKEN carries the API token here.
    fields: Mapping[str, Any] = field(default_factory=dict, repr=False)
    # The server objects that answer it (besides RECEIVED_<command>, which only ever refuses
    # unless it is listed here).
    answered_by: frozenset[str] = frozenset()

    def encode(self, authorization: str | None = None) -> str:
        """The JSON text of this request, with ``"Authorization"`` when given."""
        if (
            not self.fields
            and {
                type(self.command),
                type(self.evse_id),
                type(authorization),
            }
            <= _TEXT_OR_NONE
        ):
            # A snapshot sends two of these per charge point: written as ``json.dumps`` writes
            # them (same separators, same escapes), without its generic walk.
            text = '{"command": ' + _json_string(self.command)
            if self.evse_id is not None:
                text += ', "evse_id": ' + _json_string(self.evse_id)
            if authorization is not None:
                text += ', "Authorization": ' + _json_string(authorization)
            return text + "}"
        payload: dict[str, Any] = {"command": self.command}
        if self.evse_id is not None:
            payload["evse_id"] = self.evse_id
        payload.update(self.fields)
        if authorization is not None:
            payload["Authorization"] = authorization
        return json.dumps(payload)


def _request(
    command: str, evse_id: str | None = None, answer: str | None = None, **fields: Any
) -> Request:
    return Request(command, evse_id, fields, frozenset((answer,)) if answer else frozenset())


def _accepted_then_verdict(command: str, evse_id: str, **fields: Any) -> Request:
    """A command the service accepts (``RECEIVED_``) long before its verdict (``STATUS_``).

    Either answers the request: the verdict of a charge point can take about 30 s [R], so the
    acceptance is what a caller waits for; the client follows the verdict separately.
    """
    return Request(
        command, evse_id, fields, frozenset({f"RECEIVED_{command}", f"STATUS_{command}"})
    )


# Commands whose STATUS_<command> is a charge point's verdict, arriving after the acceptance.
VERDICT_COMMANDS: Final = frozenset({"SOFT_RESET", "REBOOT", "START_SESSION", "STOP_SESSION"})


def _hh_mm(moment: time) -> str:
    return moment.strftime("%H:%M")


def _weekday_list(days: Iterable[str]) -> list[str]:
    codes = [day.upper() for day in days]
    if unknown := [code for code in codes if code not in WEEKDAY_CODES]:
        raise ValueError(f"not weekday codes (MO..SU): {unknown}")
    return codes


# Short connections


def validate_api_token(api_token: str) -> Request:
    """Exchange the API token for a session token and the customer id."""
    return _request("VALIDATE_API_TOKEN", answer="STATUS_API_TOKEN", token=api_token)


def get_account() -> Request:
    """The account the session belongs to (its ``login`` is the e-mail address)."""
    return _request("GET_ACCOUNT", answer="ACCOUNT")


# The long connection: reading


def hello() -> Request:
    """Open the long connection's conversation."""
    return _request("HELLO", answer="HELLO", header=HELLO_HEADER)


def get_charge_points() -> Request:
    """List the account's charge points."""
    return _request("GET_CHARGE_POINTS", answer="CHARGE_POINTS")


def get_status(evse_id: str) -> Request:
    """The live status of one charge point."""
    return _request("GET_CH_STATUS", evse_id, "CH_STATUS")


def get_settings(evse_id: str) -> Request:
    """The settings of one charge point."""
    return _request("GET_CH_SETTINGS", evse_id, "CH_SETTINGS")


def get_grid_status(evse_id: str) -> Request:
    """The grid connection's currents, as the given charge point sees them."""
    return _request("GET_GRID_STATUS", evse_id, "GRID_STATUS")


def get_charge_cards() -> Request:
    """The account's charge cards."""
    return _request("GET_CHARGE_CARDS", answer="CHARGE_CARDS", limit=CARD_LIMIT)


# The long connection: commands


def set_plug_and_charge(evse_id: str, on: bool) -> Request:
    """Plug & charge on or off."""
    return _request("SET_PLUG_AND_CHARGE", evse_id, "STATUS_SET_PLUG_AND_CHARGE", value=on)


def set_public_charging(evse_id: str, on: bool) -> Request:
    """Public charging on or off ("linked charge cards only" is its negation)."""
    return _request("SET_PUBLIC_CHARGING", evse_id, "STATUS_SET_PUBLIC_CHARGING", value=on)


def set_blocked(evse_id: str, blocked: bool) -> Request:
    """Block (SET_INOPERATIVE) or unblock (SET_OPERATIVE) a charge point.

    The service answers ``RECEIVED_<command>`` and then a ``CH_STATUS`` whose ``activity``
    changes; a ``STATUS_<command>`` may never come on this endpoint [D][R].
    """
    command = "SET_INOPERATIVE" if blocked else "SET_OPERATIVE"
    return Request(command, evse_id, {}, frozenset({f"RECEIVED_{command}", f"STATUS_{command}"}))


def soft_reset(evse_id: str) -> Request:
    """Restart a charge point's software."""
    return _accepted_then_verdict("SOFT_RESET", evse_id)


def reboot(evse_id: str) -> Request:
    """Reboot a charge point."""
    return _accepted_then_verdict("REBOOT", evse_id)


def start_session(evse_id: str, card_uid: str | None) -> Request:
    """Start charging with a card's uid, or without a card (``BCU-APP``) when None."""
    return _accepted_then_verdict("START_SESSION", evse_id, session_token=card_uid or APP_CARD_UID)


def stop_session(evse_id: str) -> Request:
    """Stop the running session."""
    return _accepted_then_verdict("STOP_SESSION", evse_id)


def set_delayed_charging(evse_id: str, on: bool) -> Request:
    """The delayed-charging profile on or off."""
    return _profile_command("SET_DELAYED_CHARGING", evse_id, value=on)


def save_delayed_charging_schedule(
    evse_id: str, days: Iterable[int], start: time, end: time
) -> Request:
    """The delayed-charging window: weekdays (1 = Monday) and the times it opens and closes."""
    day_list = list(days)
    if not all(isinstance(day, int) and 1 <= day <= 7 for day in day_list):
        raise ValueError("days must be 1 (Monday) to 7 (Sunday)")
    return _profile_command(
        "SAVE_SCHEDULE_DELAYED_CHARGING",
        evse_id,
        # The service wants the list as text, "[1,2,3]", as the vendor sends it.
        days="[" + ",".join(str(day) for day in day_list) + "]",
        start_time=_hh_mm(start),
        end_time=_hh_mm(end),
    )


def set_price_based_charging(evse_id: str, on: bool) -> Request:
    """The price-based profile on or off."""
    return _profile_command("SET_PRICE_BASED_CHARGING", evse_id, value=on)


def update_price_based_charging(
    evse_id: str,
    *,
    departure_time: time | None = None,
    current_battery_pct: int | None = None,
    minimum_pct: int | None = None,
    battery_size_kwh: float | None = None,
) -> Request:
    """Change the price-based profile's settings; fields left None are not sent."""
    changes = {
        "expected_departure_time": _hh_mm(departure_time) if departure_time else None,
        "current_battery_pct": current_battery_pct,
        "minimum_pct": minimum_pct,
        "battery_size_kwh": battery_size_kwh,
    }
    sent = {key: value for key, value in changes.items() if value is not None}
    return _profile_command("PATCH_PRICE_BASED_CHARGING_SETTINGS", evse_id, **sent)


def boost(evse_id: str, on: bool) -> Request:
    """Charge now, overriding the price-based profile (or stop doing so)."""
    return _profile_command("OVERRIDE_CHARGING_PROFILES", evse_id, value=on)


def override_delayed_charging(evse_id: str, on: bool) -> Request:
    """Charge now, ignoring the delayed-charging window (or stop doing so)."""
    return _profile_command("OVERRIDE_DELAYED_CHARGING_TIMEOUT", evse_id, value=on)


def _profile_command(command: str, evse_id: str, **fields: Any) -> Request:
    # Profile commands are acknowledged by RECEIVED_<command> [T]; a STATUS_<command>, if one
    # ever comes, answers as well.
    return Request(
        command, evse_id, fields, frozenset({f"RECEIVED_{command}", f"STATUS_{command}"})
    )


def list_current_overrides() -> Request:
    """List the current-override schedules."""
    return _request("LIST_OVERRIDE_CURRENT", answer="LIST_OVERRIDE_CURRENT")


def set_current_override(
    charge_points: Iterable[str],
    *,
    start_time: time,
    stop_time: time,
    start_days: Iterable[str],
    stop_days: Iterable[str],
    current: float,
) -> Request:
    """Schedule an override of the current the given charge points may use."""
    return _request(
        "POST_SET_OVERRIDE_CURRENT",
        answer="POST_SET_OVERRIDE_CURRENT",
        **_override_fields(
            charge_points,
            start_time=start_time,
            stop_time=stop_time,
            start_days=start_days,
            stop_days=stop_days,
            current=current,
        ),
    )


def edit_current_override(
    schedule_id: str,
    charge_points: Iterable[str],
    *,
    start_time: time,
    stop_time: time,
    start_days: Iterable[str],
    stop_days: Iterable[str],
    current: float,
) -> Request:
    """Change a current-override schedule.

    Differs from the vendor on purpose: ``schedule_id`` is sent as the number the service
    listed, as ``POST_CLEAR_OVERRIDE_CURRENT`` sends it; the vendor forwards its caller's text.
    """
    return _request(
        "POST_EDIT_OVERRIDE_CURRENT",
        answer="POST_EDIT_OVERRIDE_CURRENT",
        schedule_id=_wire_schedule_id(schedule_id),
        **_override_fields(
            charge_points,
            start_time=start_time,
            stop_time=stop_time,
            start_days=start_days,
            stop_days=stop_days,
            current=current,
        ),
    )


def clear_current_override(schedule_id: str) -> Request:
    """Remove a current-override schedule."""
    return _request(
        "POST_CLEAR_OVERRIDE_CURRENT",
        answer="POST_CLEAR_OVERRIDE_CURRENT",
        schedule_id=_wire_schedule_id(schedule_id),
    )


def _wire_schedule_id(schedule_id: str) -> int | str:
    # [guess] [D]'s requests send the id as a number, the vendor's library forwards text [T]:
    # digits go as a number, anything else (``"SCHEDULE-1"`` [A]) untouched. A recorded
    # POST_CLEAR_OVERRIDE_CURRENT of an existing schedule would settle it.
    return int(schedule_id) if schedule_id.isascii() and schedule_id.isdigit() else schedule_id


def _override_fields(
    charge_points: Iterable[str],
    *,
    start_time: time,
    stop_time: time,
    start_days: Iterable[str],
    stop_days: Iterable[str],
    current: float,
) -> Mapping[str, Any]:
    return {
        "chargepoints": list(charge_points),
        "overridestarttime": _hh_mm(start_time),
        "overridestartdays": _weekday_list(start_days),
        "overridestoptime": _hh_mm(stop_time),
        "overridestopdays": _weekday_list(stop_days),
        "overridevalue": float(current),
    }
