"""What the service answers to each request, and how each changes the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import json
import re
from typing import Any

from . import wire
from .model import APP_SESSION_TOKEN, OverrideSchedule, SimAccount, SimChargePoint

type Message = dict[str, Any]
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class CommandContext:
    """What a request is served with."""

    accounts: dict[str, SimAccount]
    account: SimAccount | None  # known from an earlier HELLO on this connection
    now: datetime
    refusal: str | None = None  # an injected failure for this request


@dataclass(slots=True)
class Reply:
    """The messages that answer a request; ``changed`` asks for pushes of what changed."""

    messages: list[Message] = field(default_factory=list)
    account: SimAccount | None = None
    changed: bool = False


class RefusedError(Exception):
    """The command cannot be carried out; the text goes into the acknowledgement."""


def _error(code_and_text: tuple[int, str]) -> Reply:
    return Reply([wire.error(*code_and_text)])


def handle_command(context: CommandContext, request: Message) -> Reply:
    """Answer one request."""
    command = request["command"]
    if command == "VALIDATE_API_TOKEN":
        return _validate(context, request)
    account = _authorized(context, request)
    if account is None:
        return _error(wire.ERROR_INVALID_AUTH)
    handler = _ACCOUNT_COMMANDS.get(command)
    if handler is not None:
        reply = handler(account, request)
    elif command in _CHARGE_POINT_COMMANDS or command == "GET_GRID_STATUS":
        reply = _charge_point_command(context, account, request)
    else:
        return _error(wire.ERROR_UNKNOWN_COMMAND)
    reply.account = account
    return reply


def _validate(context: CommandContext, request: Message) -> Reply:
    account = context.accounts.get(str(request.get("token", "")))
    if context.refusal is not None or account is None:
        # [guess] the error text of a refused token
        return Reply(
            [{"object": "STATUS_API_TOKEN", "success": False, "error": "Invalid api token"}]
        )
    return Reply(
        [
            {
                "object": "STATUS_API_TOKEN",
                "success": True,
                "token": account.session_token,
                "customer_id": account.customer_id,
            }
        ]
    )


def _authorized(context: CommandContext, request: Message) -> SimAccount | None:
    authorization = request.get("Authorization")
    if not isinstance(authorization, str) or not authorization.startswith("Token "):
        return None
    session_token = authorization.removeprefix("Token ")
    for account in context.accounts.values():
        if account.session_token == session_token:
            return account
    return None


# ------------------------------------------------------------------------ account commands


def _account(account: SimAccount, _request: Message) -> Reply:
    # [guess] object name and every field but `login`
    return Reply(
        [
            {
                "object": "ACCOUNT",
                "login": account.email,
                "customer_id": account.customer_id,
                "full_name": "Simulated Owner",
            }
        ]
    )


def _hello(_account: SimAccount, _request: Message) -> Reply:
    return Reply([{"object": "HELLO", "success": True}])  # [guess] fields


def _list_charge_points(account: SimAccount, _request: Message) -> Reply:
    return Reply([wire.charge_points(account)])


def _list_cards(account: SimAccount, _request: Message) -> Reply:
    return Reply([wire.cards(account)])


def _list_overrides(account: SimAccount, _request: Message) -> Reply:
    schedules = [wire.override_schedule(s) for s in account.overrides.values()]
    return Reply([{"object": "LIST_OVERRIDE_CURRENT", "data": schedules}])


def _days(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise RefusedError("Invalid days")
    days = [str(day).upper() for day in value]
    if any(day not in WEEKDAYS for day in days):
        raise RefusedError("Invalid days")
    return days


def _time(value: Any) -> str:
    if not isinstance(value, str) or not _HH_MM.match(value):
        raise RefusedError("Invalid time")
    return value


def _override_fields(account: SimAccount, request: Message, schedule_id: int) -> OverrideSchedule:
    charge_points = request.get("chargepoints")
    if not isinstance(charge_points, list) or not charge_points:
        raise RefusedError("No charge points")
    if any(evse_id not in account.charge_points for evse_id in charge_points):
        raise RefusedError("Unknown charge point")
    value = request.get("overridevalue")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 80:
        raise RefusedError("Invalid current")
    return OverrideSchedule(
        schedule_id=schedule_id,
        charge_points=[str(e) for e in charge_points],
        start_time=_time(request.get("overridestarttime")),
        end_time=_time(request.get("overridestoptime")),
        start_days=_days(request.get("overridestartdays")),
        end_days=_days(request.get("overridestopdays")),
        value=float(value),
    )


def _set_override(account: SimAccount, request: Message) -> Reply:
    command = request["command"]
    if command == "POST_SET_OVERRIDE_CURRENT":
        schedule_id: int | None = account.new_schedule_id()
    else:
        schedule_id = _known_schedule(account, request)
    if schedule_id is None:
        return _error(wire.ERROR_UNKNOWN)  # [guess] unknown schedule id
    try:
        schedule = _override_fields(account, request, schedule_id)
    except RefusedError:
        return _error(wire.ERROR_UNKNOWN)  # [guess] how a bad schedule is refused
    account.overrides[schedule_id] = schedule
    account.apply_overrides()
    return Reply([{"object": command, "data": wire.override_schedule(schedule)}], changed=True)


def _known_schedule(account: SimAccount, request: Message) -> int | None:
    try:
        schedule_id = int(request.get("schedule_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return schedule_id if schedule_id in account.overrides else None


def _clear_override(account: SimAccount, request: Message) -> Reply:
    schedule_id = _known_schedule(account, request)
    if schedule_id is None:
        return _error(wire.ERROR_UNKNOWN)  # [guess]
    del account.overrides[schedule_id]
    account.apply_overrides()
    return Reply(
        [{"object": "POST_CLEAR_OVERRIDE_CURRENT", "success": True, "schedule_id": schedule_id}],
        changed=True,
    )


_ACCOUNT_COMMANDS: dict[str, Callable[[SimAccount, Message], Reply]] = {
    "GET_ACCOUNT": _account,
    "HELLO": _hello,
    "GET_CHARGE_POINTS": _list_charge_points,
    "GET_CHARGE_CARDS": _list_cards,
    "LIST_OVERRIDE_CURRENT": _list_overrides,
    "POST_SET_OVERRIDE_CURRENT": _set_override,
    "POST_EDIT_OVERRIDE_CURRENT": _set_override,
    "POST_CLEAR_OVERRIDE_CURRENT": _clear_override,
}

# ------------------------------------------------------------------------ charge point commands


def _received(command: str, evse_id: str, error: str = "") -> Message:
    return {"object": f"RECEIVED_{command}", "evse_id": evse_id, "error": error}


def _status_ack(command: str, evse_id: str, error: str = "") -> Message:
    return {"object": f"STATUS_{command}", "evse_id": evse_id, "error": error}


def _bool(request: Message) -> bool:
    value = request.get("value")
    if not isinstance(value, bool):
        raise RefusedError("Invalid value")
    return value


def _setting_reply(command: str, cp: SimChargePoint, name: str, value: bool, error: str) -> Reply:
    confirmation: Message = {
        "object": f"STATUS_{command}",
        "evse_id": cp.evse_id,
        "result": {"setting": f"{name}: {str(value).lower()}"},
    }
    if error:
        confirmation["error"] = error  # [guess] how a refused setting is reported
    return Reply([_received(command, cp.evse_id), confirmation], changed=not error)


def _plug_and_charge(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
    error = _setting_error(context, cp.plug_and_charge_editable)
    wanted = _bool(request)
    if not error:
        cp.plug_and_charge = wanted
    return _setting_reply("SET_PLUG_AND_CHARGE", cp, "plug_and_charge", cp.plug_and_charge, error)


def _public_charging(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
    error = _setting_error(context, cp.public_charging_editable)
    wanted = _bool(request)
    if not error:
        cp.public_charging = wanted
    return _setting_reply("SET_PUBLIC_CHARGING", cp, "public_charging", cp.public_charging, error)


def _setting_error(context: CommandContext, editable: bool) -> str:
    if context.refusal is not None:
        return context.refusal
    return "" if editable else "Not permitted"  # [guess] text


def _acknowledged(
    change: Callable[[CommandContext, SimChargePoint, Message], None],
) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    """A command answered RECEIVED_<command> then STATUS_<command>, both with ``error``."""

    def serve(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
        command = request["command"]
        try:
            if context.refusal is not None:
                raise RefusedError(context.refusal)
            change(context, cp, request)
        except RefusedError as refusal:
            reason = str(refusal)
            return Reply([_received(command, cp.evse_id), _status_ack(command, cp.evse_id, reason)])
        return Reply(
            [_received(command, cp.evse_id), _status_ack(command, cp.evse_id)], changed=True
        )

    return serve


def _received_only(
    change: Callable[[CommandContext, SimChargePoint, Message], None],
) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    """A profile command: only RECEIVED_<command>, its ``error`` a refusal [guess]."""

    def serve(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
        command = request["command"]
        try:
            if context.refusal is not None:
                raise RefusedError(context.refusal)
            change(context, cp, request)
        except RefusedError as refusal:
            return Reply([_received(command, cp.evse_id, str(refusal))])
        return Reply([_received(command, cp.evse_id)], changed=True)

    return serve


def _require_online(cp: SimChargePoint) -> None:
    if not cp.online:
        raise RefusedError("Charge point is offline")  # [guess] text


def _block(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    _require_online(cp)
    blocked = request["command"] == "SET_INOPERATIVE"
    if blocked and cp.charging:
        cp.stop_session(_context.now)
    cp.blocked = blocked


def _restart(_context: CommandContext, cp: SimChargePoint, _request: Message) -> None:
    _require_online(cp)
    cp.reboots += 1


def _start_session(context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    _require_online(cp)
    token = request.get("session_token")
    if not isinstance(token, str) or not token:
        raise RefusedError("Invalid session token")
    card: str | None = None
    if token != APP_SESSION_TOKEN:
        account = next(
            (a for a in context.accounts.values() if cp.evse_id in a.charge_points), None
        )
        if account is None or not any(c.uid == token and c.valid for c in account.cards):
            raise RefusedError("Unknown charge card")  # [guess] text
        card = token
    if cp.blocked:
        raise RefusedError("Charge point is blocked")
    if cp.charging:
        raise RefusedError("Session already active")
    if not cp.vehicle_connected:
        raise RefusedError("No vehicle connected")
    cp.start_session(context.now, card)


def _stop_session(context: CommandContext, cp: SimChargePoint, _request: Message) -> None:
    if not cp.charging:
        raise RefusedError("No active session")  # [guess] text
    cp.stop_session(context.now)


def _delayed(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    cp.delayed.enabled = _bool(request)
    if cp.delayed.enabled:
        cp.price_based.enabled = False  # one profile at a time [guess]


def _price_based(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    cp.price_based.enabled = _bool(request)
    if cp.price_based.enabled:
        cp.delayed.enabled = False


def _delayed_schedule(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    raw_days = request.get("days")
    try:
        days = json.loads(raw_days) if isinstance(raw_days, str) else None
    except json.JSONDecodeError:
        days = None
    if not isinstance(days, list) or not days or any(d not in range(1, 8) for d in days):
        raise RefusedError("Invalid days")
    cp.delayed.start_time = _time(request.get("start_time"))
    cp.delayed.end_time = _time(request.get("end_time"))
    cp.delayed.days = sorted(set(days))


def _price_settings(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    price = cp.price_based
    if (departure := request.get("expected_departure_time")) is not None:
        price.expected_leave_time = _time(departure)
    for field_name, low, high in (
        ("current_battery_pct", 0, 100),
        ("minimum_pct", 0, 100),
        ("battery_size_kwh", 1, 250),
    ):
        value = request.get(field_name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise RefusedError(f"Invalid {field_name}")
        setattr(price, field_name, value)
    price.minimum_kwh = round(price.battery_size_kwh * price.minimum_pct / 100, 1)


def _boost(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    cp.boosting = _bool(request) and cp.charging


def _override_delayed(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    cp.delayed.window_overridden = _bool(request)


def _query(kind: str) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    def serve(_context: CommandContext, cp: SimChargePoint, _request: Message) -> Reply:
        return Reply([wire.status(cp) if kind == "status" else wire.settings(cp)])

    return serve


_CHARGE_POINT_COMMANDS: dict[str, Callable[[CommandContext, SimChargePoint, Message], Reply]] = {
    "GET_CH_STATUS": _query("status"),
    "GET_CH_SETTINGS": _query("settings"),
    "SET_PLUG_AND_CHARGE": _plug_and_charge,
    "SET_PUBLIC_CHARGING": _public_charging,
    "SET_OPERATIVE": _acknowledged(_block),  # [guess] STATUS_SET_OPERATIVE
    "SET_INOPERATIVE": _acknowledged(_block),
    "SOFT_RESET": _acknowledged(_restart),
    "REBOOT": _acknowledged(_restart),
    "START_SESSION": _acknowledged(_start_session),
    "STOP_SESSION": _acknowledged(_stop_session),
    "SET_DELAYED_CHARGING": _received_only(_delayed),
    "SAVE_SCHEDULE_DELAYED_CHARGING": _received_only(_delayed_schedule),
    "SET_PRICE_BASED_CHARGING": _received_only(_price_based),
    "PATCH_PRICE_BASED_CHARGING_SETTINGS": _received_only(_price_settings),
    "OVERRIDE_CHARGING_PROFILES": _received_only(_boost),
    "OVERRIDE_DELAYED_CHARGING_TIMEOUT": _received_only(_override_delayed),
}


def _charge_point_command(context: CommandContext, account: SimAccount, request: Message) -> Reply:
    command = request["command"]
    evse_id = request.get("evse_id")
    if command == "GET_GRID_STATUS":
        if evse_id not in account.charge_points:
            return _error(wire.ERROR_NOT_AUTHORIZED)
        return Reply([wire.grid_status(account)])
    charge_point = account.charge_points.get(evse_id) if isinstance(evse_id, str) else None
    if charge_point is None:
        return _error(wire.ERROR_NOT_AUTHORIZED)
    try:
        return _CHARGE_POINT_COMMANDS[command](context, charge_point, request)
    except RefusedError as refusal:
        return Reply([_received(command, charge_point.evse_id, str(refusal))])
