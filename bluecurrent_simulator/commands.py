"""What the service answers to each request, and how each changes the model.

Answers come in the recorded shapes by default (docs/design.md "Wire decisions"); with
``shapes="guessed"`` the simulator's first, guessed shapes. A charge point's own verdict
(``STATUS_<COMMAND>``, or the activity change after a block) is a ``Verdict``: the server
delivers it after the simulator's ``verdict_delay``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
import json
import re
from typing import Any

from . import wire
from .model import APP_SESSION_TOKEN, OverrideSchedule, SimAccount, SimChargePoint

type Message = dict[str, Any]
# Applied when the charge point answers (``now`` then); returns the frames to send.
type Verdict = Callable[[datetime], list[Message]]
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The charge point's verdict words [T]; any other text in ``fail_next`` is passed on as is.
REJECTED = "REJECTED"
TIMEOUT = "TIMEOUT"


@dataclass(frozen=True, slots=True)
class CommandContext:
    """What a request is served with."""

    accounts: dict[str, SimAccount]
    account: SimAccount | None  # known from an earlier HELLO on this connection
    now: datetime
    refusal: str | None = None  # an injected failure for this request
    shapes: wire.Shapes = "recorded"

    @property
    def recorded(self) -> bool:
        """Whether answers take the recorded shapes."""
        return self.shapes == "recorded"


@dataclass(slots=True)
class Reply:
    """The messages that answer a request; ``changed`` asks for pushes of what changed."""

    messages: list[Message] = field(default_factory=list)
    account: SimAccount | None = None
    changed: bool = False
    verdicts: list[Verdict] = field(default_factory=list)


class RefusedError(Exception):
    """The command cannot be carried out.

    ``text`` goes into guessed-shape acknowledgements; ``word`` is what the charge point's
    recorded verdict says (``REJECTED`` or ``TIMEOUT`` [T]).
    """

    def __init__(self, text: str, word: str = REJECTED) -> None:
        """Keep both wordings."""
        super().__init__(text)
        self.word = word


def _flow_id(request: Message) -> str | None:
    value = request.get("flow_id")
    return value if isinstance(value, str) else None


def _error(context: CommandContext, request: Message, code_and_text: tuple[int, str]) -> Reply:
    flow_id = _flow_id(request) if context.recorded else None
    return Reply([wire.error(*code_and_text, flow_id=flow_id)])


def handle_command(context: CommandContext, request: Message) -> Reply:
    """Answer one request."""
    command = request["command"]
    if command == "VALIDATE_API_TOKEN":
        return _validate(context, request)
    account = _authorized(context, request)
    if account is None:
        return _error(context, request, wire.ERROR_INVALID_AUTH)
    handler = _ACCOUNT_COMMANDS.get(command)
    if handler is not None:
        reply = handler(context, account, request)
    elif command in _CHARGE_POINT_COMMANDS or command == "GET_GRID_STATUS":
        reply = _charge_point_command(context, account, request)
    else:
        return _error(context, request, wire.ERROR_UNKNOWN_COMMAND)
    reply.account = account
    return reply


def _validate(context: CommandContext, request: Message) -> Reply:
    account = context.accounts.get(str(request.get("token", "")))
    if context.refusal is not None or account is None:
        # Recorded: an empty error text [T]; the guessed shapes had a text.
        text = "" if context.recorded else "Invalid api token"
        return Reply([{"object": "STATUS_API_TOKEN", "success": False, "error": text}])
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


def _account(context: CommandContext, account: SimAccount, _request: Message) -> Reply:
    return Reply([wire.account_details(account, context.shapes)])


def _hello(context: CommandContext, _account: SimAccount, _request: Message) -> Reply:
    return Reply([wire.hello(context.shapes)])


def _list_charge_points(context: CommandContext, account: SimAccount, _request: Message) -> Reply:
    return Reply([wire.charge_points(account, context.shapes)])


def _list_cards(context: CommandContext, account: SimAccount, _request: Message) -> Reply:
    return Reply([wire.cards(account, context.shapes)])


def _list_overrides(context: CommandContext, account: SimAccount, _request: Message) -> Reply:
    schedules = [wire.override_schedule(s, context.shapes) for s in account.overrides.values()]
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


def _set_override(context: CommandContext, account: SimAccount, request: Message) -> Reply:
    command = request["command"]
    if context.refusal is not None:  # fail_next: refused like a bad schedule [guess]
        return _error(context, request, (wire.ERROR_UNKNOWN[0], context.refusal or "refused"))
    if command == "POST_SET_OVERRIDE_CURRENT":
        schedule_id: int | None = account.new_schedule_id()
    else:
        schedule_id = _known_schedule(account, request)
    if schedule_id is None:
        return _error(context, request, wire.ERROR_UNKNOWN)  # [guess] unknown schedule id
    try:
        schedule = _override_fields(account, request, schedule_id)
    except RefusedError:
        return _error(context, request, wire.ERROR_UNKNOWN)  # [guess] how a bad one is refused
    account.overrides[schedule_id] = schedule
    account.apply_overrides()
    data = wire.override_schedule(schedule, context.shapes)
    return Reply([{"object": command, "data": data}], changed=True)


def _known_schedule(account: SimAccount, request: Message) -> int | None:
    # Sent as a string by the vendor's edit and as an int by its clear [T]: take both.
    try:
        schedule_id = int(request.get("schedule_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return schedule_id if schedule_id in account.overrides else None


def _clear_override(context: CommandContext, account: SimAccount, request: Message) -> Reply:
    schedule_id = _known_schedule(account, request)
    if schedule_id is None:
        return _error(context, request, wire.ERROR_UNKNOWN)  # [guess]
    del account.overrides[schedule_id]
    account.apply_overrides()
    confirmation: Message = {"object": "POST_CLEAR_OVERRIDE_CURRENT", "success": True}
    if not context.recorded:
        confirmation["schedule_id"] = schedule_id
    # [guess] the recorded fields: nothing is known but the object's arrival.
    return Reply([confirmation], changed=True)


_ACCOUNT_COMMANDS: dict[str, Callable[[CommandContext, SimAccount, Message], Reply]] = {
    "GET_ACCOUNT": _account,
    "HELLO": _hello,
    "GET_CHARGE_POINTS": _list_charge_points,
    "GET_CHARGE_CARDS": _list_cards,
    "LIST_OVERRIDE_CURRENT": _list_overrides,
    "POST_SET_OVERRIDE_CURRENT": _set_override,
    "POST_EDIT_OVERRIDE_CURRENT": _set_override,
    "POST_CLEAR_OVERRIDE_CURRENT": _clear_override,
}

# ------------------------------------------------------------------------ acknowledgements


def _received(
    context: CommandContext, request: Message, evse_id: str, error: str = "", ok: bool = True
) -> Message:
    """``RECEIVED_<COMMAND>``: recorded without evse_id, with ``success`` [T]."""
    name = f"RECEIVED_{request['command']}"
    if not context.recorded:
        return {"object": name, "evse_id": evse_id, "error": error}
    # [guess] an acceptance carries success true; only the refusal is recorded [T].
    frame: Message = {"object": name, "success": ok, "error": error}
    if (flow_id := _flow_id(request)) is not None:
        frame["flow_id"] = flow_id  # [P] matches answers by the flow_id it sent
    return frame


def _refused_receipt(context: CommandContext, request: Message, evse_id: str, text: str) -> Reply:
    return Reply([_received(context, request, evse_id, text, ok=False)])


def _status(
    context: CommandContext, request: Message, evse_id: str, error: str = "", ok: bool = True
) -> Message:
    """``STATUS_<COMMAND>``: a verdict; recorded with success, flow_id, result, error [D][T]."""
    command = request["command"]
    name = f"STATUS_{command}"
    if not context.recorded:
        return {"object": name, "evse_id": evse_id, "error": error}
    frame: Message = {"object": name, "success": ok, "flow_id": _flow_id(request) or ""}
    if command != "STOP_SESSION":  # STATUS_STOP_SESSION has neither [D]
        frame |= {"evse_id": evse_id, "result": {}}
    return frame | {"error": error}


def _bool(request: Message) -> bool:
    value = request.get("value")
    if not isinstance(value, bool):
        raise RefusedError("Invalid value")
    return value


# ------------------------------------------------------------------------ settings


def _switch(name: str) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    """SET_PLUG_AND_CHARGE / SET_PUBLIC_CHARGING: RECEIVED, then STATUS_ with the setting."""

    def serve(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
        wanted = _bool(request)
        refused = context.refusal is not None or cp.permission(name) != "write"
        if not refused:
            setattr(cp, name, wanted)
        value: bool = getattr(cp, name)
        received = _received(context, request, cp.evse_id)
        if not context.recorded:
            confirmation = _guessed_setting(context, request, cp, name, refused)
            return Reply([received, confirmation], changed=not refused)
        # A setting without write permission: success false with an empty error [guess].
        status = _status(context, request, cp.evse_id, context.refusal or "", ok=not refused)
        status["result"] = {"setting": f"set {str(value).lower()}"}  # [T]
        return Reply([received, status], changed=not refused)

    return serve


def _guessed_setting(
    context: CommandContext, request: Message, cp: SimChargePoint, name: str, refused: bool
) -> Message:
    value: bool = getattr(cp, name)
    confirmation: Message = {
        "object": f"STATUS_{request['command']}",
        "evse_id": cp.evse_id,
        "result": {"setting": f"{name}: {str(value).lower()}"},
    }
    if refused:
        confirmation["error"] = context.refusal or "Not permitted"
    return confirmation


# ------------------------------------------------------------------------ verdict commands


def _verdict_command(
    change: Callable[[CommandContext, SimChargePoint, Message], None],
) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    """RECEIVED_<command> now; the charge point's STATUS_<command> as a later verdict."""

    def serve(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
        def verdict(now: datetime) -> list[Message]:
            if context.refusal is not None:
                return [_status(context, request, cp.evse_id, context.refusal, ok=False)]
            try:
                change(replace(context, now=now), cp, request)
            except RefusedError as refusal:
                reason = refusal.word if context.recorded else str(refusal)
                return [_status(context, request, cp.evse_id, reason, ok=False)]
            return [_status(context, request, cp.evse_id)]

        return Reply([_received(context, request, cp.evse_id)], verdicts=[verdict])

    return serve


def _require_online(cp: SimChargePoint) -> None:
    if not cp.online:
        raise RefusedError("Charge point is offline", TIMEOUT)  # it cannot answer


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
            raise RefusedError("Unknown charge card")
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
        raise RefusedError("No active session")
    cp.stop_session(context.now)


def _stop(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
    """STOP_SESSION: with no session the RECEIVED_ itself refuses it [T]."""
    if context.recorded and not cp.charging and context.refusal is None:
        text = f"no active session for chargepoint: {cp.evse_id}"
        return _refused_receipt(context, request, cp.evse_id, text)
    return _verdict_command(_stop_session)(context, cp, request)


def _block(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
    """SET_OPERATIVE / SET_INOPERATIVE.

    Recorded: RECEIVED_ now, then the charge point applies it and the pushed CH_STATUS shows
    the new activity; no STATUS_SET_... [D][R]. An offline charge point never applies it.
    Guessed: RECEIVED_ and STATUS_SET_... like the other verdicts.
    """
    if not context.recorded:
        return _verdict_command(_apply_block)(context, cp, request)
    if context.refusal is not None:
        return _refused_receipt(context, request, cp.evse_id, context.refusal)

    def verdict(now: datetime) -> list[Message]:
        if cp.online:
            _apply_block(replace(context, now=now), cp, request)
        return []

    return Reply([_received(context, request, cp.evse_id)], verdicts=[verdict])


def _apply_block(context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    _require_online(cp)
    blocked = request["command"] == "SET_INOPERATIVE"
    if blocked and cp.charging:
        cp.stop_session(context.now)
    cp.blocked = blocked


# ------------------------------------------------------------------------ profile commands


def _received_only(
    change: Callable[[CommandContext, SimChargePoint, Message], None],
    setting: str | None = None,
) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    """A profile command: only RECEIVED_<command>, then pushed settings [guess]."""

    def serve(context: CommandContext, cp: SimChargePoint, request: Message) -> Reply:
        if context.refusal is not None:
            return _refused_receipt(context, request, cp.evse_id, context.refusal)
        if context.recorded and setting is not None and cp.permission(setting) != "write":
            return _refused_receipt(context, request, cp.evse_id, "")  # [guess] success false
        try:
            change(context, cp, request)
        except RefusedError as refusal:
            return _refused_receipt(context, request, cp.evse_id, str(refusal))
        return Reply([_received(context, request, cp.evse_id)], changed=True)

    return serve


def _delayed(context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    cp.delayed.enabled = _bool(request)
    # The service leaves the other profile alone; the vendor's integration switches it off
    # itself [A]. The guessed shapes switched it off here.
    if cp.delayed.enabled and not context.recorded:
        cp.price_based.enabled = False


def _price_based(context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    cp.price_based.enabled = _bool(request)
    if cp.price_based.enabled and not context.recorded:
        cp.delayed.enabled = False


def _schedule_days(raw: Any) -> list[int]:
    """``"[1,2,3]"`` as the vendor library sends it, or ``"1,2,3"`` as [D] shows it."""
    if not isinstance(raw, str):
        raise RefusedError("Invalid days")
    try:
        days = json.loads(raw if raw.strip().startswith("[") else f"[{raw}]")
    except json.JSONDecodeError:
        days = None
    if not isinstance(days, list) or not days or any(d not in range(1, 8) for d in days):
        raise RefusedError("Invalid days")
    return sorted(set(days))


def _delayed_schedule(_context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    days = _schedule_days(request.get("days"))
    cp.delayed.start_time = _time(request.get("start_time"))
    cp.delayed.end_time = _time(request.get("end_time"))
    cp.delayed.days = days


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


def _boost(context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    """OVERRIDE_CHARGING_PROFILES: the price-based profile's boost [A]."""
    wanted = _bool(request)
    # [guess] recorded: without the price-based profile it changes nothing.
    applies = cp.price_based.enabled or not context.recorded
    cp.boosting = wanted and cp.charging and applies


def _override_delayed(context: CommandContext, cp: SimChargePoint, request: Message) -> None:
    """OVERRIDE_DELAYED_CHARGING_TIMEOUT: charge now despite the delayed window [A]."""
    wanted = _bool(request)
    if cp.delayed.enabled or not context.recorded:  # [guess] otherwise it changes nothing
        cp.delayed.window_overridden = wanted
        cp.update_delay(context.now)


def _query(kind: str) -> Callable[[CommandContext, SimChargePoint, Message], Reply]:
    def serve(context: CommandContext, cp: SimChargePoint, _request: Message) -> Reply:
        if kind == "status":
            cp.update_delay(context.now)
            return Reply([wire.status(cp, context.shapes)])
        return Reply([wire.settings(cp, context.shapes)])

    return serve


_CHARGE_POINT_COMMANDS: dict[str, Callable[[CommandContext, SimChargePoint, Message], Reply]] = {
    "GET_CH_STATUS": _query("status"),
    "GET_CH_SETTINGS": _query("settings"),
    "SET_PLUG_AND_CHARGE": _switch("plug_and_charge"),
    "SET_PUBLIC_CHARGING": _switch("public_charging"),
    "SET_OPERATIVE": _block,
    "SET_INOPERATIVE": _block,
    "SOFT_RESET": _verdict_command(_restart),
    "REBOOT": _verdict_command(_restart),
    "START_SESSION": _verdict_command(_start_session),
    "STOP_SESSION": _stop,
    "SET_DELAYED_CHARGING": _received_only(_delayed, "delayed_charging"),
    "SAVE_SCHEDULE_DELAYED_CHARGING": _received_only(_delayed_schedule, "delayed_charging"),
    "SET_PRICE_BASED_CHARGING": _received_only(_price_based, "price_based_charging"),
    "PATCH_PRICE_BASED_CHARGING_SETTINGS": _received_only(_price_settings, "price_based_charging"),
    "OVERRIDE_CHARGING_PROFILES": _received_only(_boost),
    "OVERRIDE_DELAYED_CHARGING_TIMEOUT": _received_only(_override_delayed),
}


def _charge_point_command(context: CommandContext, account: SimAccount, request: Message) -> Reply:
    command = request["command"]
    evse_id = request.get("evse_id")
    # Another account's (or no) charge point: code 2, recorded as "forbidden" [R].
    not_yours = wire.ERROR_FORBIDDEN if context.recorded else wire.ERROR_NOT_AUTHORIZED
    if command == "GET_GRID_STATUS":
        if evse_id not in account.charge_points:
            return _error(context, request, not_yours)
        return Reply([wire.grid_status(account, context.shapes, str(evse_id))])
    charge_point = account.charge_points.get(evse_id) if isinstance(evse_id, str) else None
    if charge_point is None:
        return _error(context, request, not_yours)
    try:
        return _CHARGE_POINT_COMMANDS[command](context, charge_point, request)
    except RefusedError as refusal:
        return _refused_receipt(context, request, charge_point.evse_id, str(refusal))
