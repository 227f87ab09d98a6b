"""Turns the service's JSON into the models of ``models.py``.

This is the only module that reads the fields of server messages. Every public function raises
``ParseError`` and nothing else, whatever it is given: a message the service garbled must never
take the connection down. Unknown objects and unknown fields are ignored; ``null`` is read as
"no value". Error texts name fields and types, never values (a value could be a credential).

Tolerance is per field: a known field in a shape we did not expect reads as unknown (``None``)
and is logged once, at debug, by name; the rest of the message is read. Only what makes the
message meaningless (no ``data``, no charge point it is about) drops the whole message, and a
list (charge points, cards, schedules) loses only the items it cannot identify.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
import functools
import json
import logging
import operator
import re
from typing import Any, Final, cast

from .const import APP_CARD_UID, SERVICE_TIMEZONE
from .exceptions import ParseError
from .models import (
    Account,
    Activity,
    ChargeCard,
    ChargePoint,
    ChargePointSettings,
    ChargePointStatus,
    CommandAcknowledgement,
    DelayedCharging,
    GridStatus,
    OverrideSchedule,
    PriceBasedCharging,
    Setting,
    Tariff,
    VehicleStatus,
)

_orjson_loads: Callable[[bytes], Any] | None
try:
    # Optional: several times faster than ``json``, and always there in Home Assistant.
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - the client stands without it
    _orjson_loads = None

_LOGGER = logging.getLogger(__name__)

type _Converter = Callable[[Any], Any]
type _FieldTable = Mapping[str, tuple[str, _Converter]]

_UNEXPECTED: Final = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)


@dataclass(frozen=True, slots=True)
class ServerMessage:
    """One decoded server message: its ``object`` name and the whole JSON object."""

    name: str
    body: Mapping[str, Any] = field(repr=False)
    # The top-level evse id, when the message names one; replies are matched on it.
    evse_id: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceError:
    """An ``ERROR`` object: a numeric code and the service's words for it."""

    code: int | None
    message: str


@dataclass(frozen=True, slots=True)
class TokenValidation:
    """The answer to ``VALIDATE_API_TOKEN``."""

    success: bool
    customer_id: str | None
    error: str
    # The session token every later request carries; never shown.
    session_token: str | None = field(default=None, repr=False)


def _never_raise_other[**P, R](parser: Callable[P, R]) -> Callable[P, R]:
    """Turn any slip on unexpected input into ParseError: the only error parsers may raise."""

    @functools.wraps(parser)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return parser(*args, **kwargs)
        except _UNEXPECTED as err:
            raise ParseError(f"unreadable input ({type(err).__name__})") from None

    return guarded


# ---------------------------------------------------------------------------------------------
# Values


def _kind(raw: object) -> str:
    return type(raw).__name__


# No reading of a charge point comes near this; beyond it, products of readings (power)
# overflow to infinity, which no state can show.
_LARGEST_NUMBER: Final = 1e12


def _number(raw: object) -> float | None:
    # Read a dozen times per status: the usual case first. NaN fails both comparisons, and an
    # int is compared before converting (one too large for a float would raise OverflowError).
    if type(raw) is float:
        if -_LARGEST_NUMBER <= raw <= _LARGEST_NUMBER:
            return raw
    elif type(raw) is int:
        if -_LARGEST_NUMBER <= raw <= _LARGEST_NUMBER:
            return float(raw)
    elif raw is None:
        return None
    else:
        raise ParseError(f"expected a number, got {_kind(raw)}")
    raise ParseError("not a number any charge point reports")


def _required_number(raw: object) -> float:
    value = _number(raw)
    if value is None:
        raise ParseError("missing")
    return value


def _integer(raw: object) -> int | None:
    value = _number(raw)
    if value is None:
        return None
    if not value.is_integer():
        raise ParseError("expected a whole number")
    return int(value)


def _bool(raw: object) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    raise ParseError(f"expected true or false, got {_kind(raw)}")


def _text(raw: object) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    raise ParseError(f"expected text, got {_kind(raw)}")


def _identifier(raw: object) -> str | None:
    """An id the service may send as text or as a number (cards, grids, schedules)."""
    if raw is None or isinstance(raw, str):
        return raw
    if type(raw) is int:
        return str(raw)
    raise ParseError(f"expected an id, got {_kind(raw)}")


def _required_text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{key}: missing or not text")
    return value


def _mapping(raw: object, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise ParseError(f"{what}: expected an object, got {_kind(raw)}")
    return raw


def _list(raw: object, what: str) -> list[Any]:
    if not isinstance(raw, list):
        raise ParseError(f"{what}: expected a list, got {_kind(raw)}")
    return raw


_TIMESTAMP: Final = re.compile(
    r"(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:([+-])(\d{2}):?(\d{2}))?", re.ASCII
)


@functools.lru_cache(maxsize=64)
def _fixed_offset(sign: str, hours: str, minutes: str) -> timezone:
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-offset if sign == "-" else offset)


@_never_raise_other
def parse_timestamp(raw: object) -> datetime | None:
    """Read ``"YYYYMMDD HH:MM:SS"`` (Dutch time) or with a ``+hhmm`` offset; ``""`` is None.

    ISO 8601 is accepted as well, in case the service ever switches.
    """
    return _timestamp(raw)


def _timestamp(raw: object) -> datetime | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ParseError(f"expected a timestamp, got {_kind(raw)}")
    return _timestamp_text(raw)


# A session's start time repeats in every status push: read each text once. Sized for a fleet
# (each charge point its own start; a cache smaller than the fleet misses on every message).
@functools.lru_cache(maxsize=1024)
def _timestamp_text(raw: str) -> datetime:
    match = _TIMESTAMP.fullmatch(raw)
    if match is None:
        return _iso_timestamp(raw)
    year, month, day, hour, minute, second, sign, offset_h, offset_m = match.groups()
    zone = SERVICE_TIMEZONE if sign is None else _fixed_offset(sign, offset_h, offset_m)
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        raise ParseError("not a valid date and time") from None


def _iso_timestamp(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ParseError("not a timestamp") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SERVICE_TIMEZONE)


_CLOCK_TIME: Final = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)


def _clock_time(raw: object) -> time | None:
    """Read ``"HH:MM"`` (or ``"HH:MM:SS"``); ``""`` is None."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ParseError(f"expected a time, got {_kind(raw)}")
    match = _CLOCK_TIME.fullmatch(raw)
    if match is None:
        raise ParseError("not a time of day")
    hour, minute, second = match.groups()
    try:
        return time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ParseError("not a time of day") from None


_VEHICLE_STATUSES: Final = {
    "A": VehicleStatus.STANDBY,
    "B": VehicleStatus.VEHICLE_DETECTED,
    "C": VehicleStatus.READY,
    "D": VehicleStatus.READY,  # D is C with ventilation: for a user, both are "ready"
    "E": VehicleStatus.NO_POWER,
    "F": VehicleStatus.VEHICLE_ERROR,
} | {status.value: status for status in VehicleStatus}


def _vehicle_status(raw: object) -> VehicleStatus | str | None:
    """Read an IEC 61851 state letter or the words the vendor's examples show.

    A code we do not know is kept as its text (lower case): shown as it came, not as unknown.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ParseError(f"expected a status code, got {_kind(raw)}")
    code = raw.strip()
    if not code:
        return None
    known = _VEHICLE_STATUSES.get(code) or _VEHICLE_STATUSES.get(code.upper())
    return known or _VEHICLE_STATUSES.get(code.lower()) or code.lower()


_ACTIVITIES: Final = {activity.value: activity for activity in Activity}


def _activity(raw: object) -> Activity | str | None:
    """Read an activity; one the service invents is kept as its text (lower case)."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ParseError(f"expected an activity, got {_kind(raw)}")
    word = raw.strip().lower()
    return _ACTIVITIES.get(word, word) or None


def _flag(raw: object) -> bool | None:
    """A yes/no the service sends as a boolean or as the integer 1/0 (cards' ``valid``)."""
    if raw is None or isinstance(raw, bool):
        return raw
    if type(raw) is int and raw in (0, 1):
        return bool(raw)
    raise ParseError(f"expected true/false or 1/0, got {_kind(raw)}")


def _editable(permission: object) -> bool:
    """Only ``"write"`` lets this account change a setting (``"read"``, ``"none"`` do not).

    [guess] A setting sent without any permission (the 2022 form of ``CHARGE_POINTS``: plain
    booleans) is taken as editable, as the vendor's library, which ignores permissions, does;
    a recording of such an account's ``CH_SETTINGS`` would settle it.
    """
    if permission is None:
        return True
    return isinstance(permission, str) and permission.strip().lower() == "write"


def _permission(raw: object) -> bool:
    """Whether a profile or setting object grants ``"write"``; no object: editable."""
    return _editable(raw.get("permission")) if isinstance(raw, dict) else True


def _setting_of[T](convert: Callable[[Any], T | None]) -> Callable[[object], Setting[T] | None]:
    """A reader of a setting sent as a bare value or as ``{"value": ..., "permission": ...}``."""

    def read(raw: object) -> Setting[T] | None:
        if raw is None:
            return None
        if isinstance(raw, dict):
            value = convert(raw.get("value"))
            if value is None:
                raise ParseError("value: missing")
            return Setting(value, editable=_editable(raw.get("permission")))
        value = convert(raw)
        return None if value is None else Setting(value, editable=True)

    return read


_setting = _setting_of(_flag)
_number_setting = _setting_of(_integer)


def _days(raw: object) -> tuple[int, ...]:
    """Read weekdays, 1 = Monday: a list, or the ``"[1,2,3]"`` text commands send."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        # [guess] the service may echo the text form SAVE_SCHEDULE_DELAYED_CHARGING sends;
        # recorded settings carry a list [R]. A CH_SETTINGS right after a save would settle it.
        parts: list[Any] = [part for part in raw.strip("[] ").split(",") if part.strip()]
        if not all(part.strip().isascii() and part.strip().isdigit() for part in parts):
            raise ParseError("expected weekday numbers")
        parts = [int(part) for part in parts]
    else:
        parts = _list(raw, "days")
    days = []
    for part in parts:
        day = _integer(part)
        if day is None or not 1 <= day <= 7:
            raise ParseError("expected 1 (Monday) to 7 (Sunday)")
        days.append(day)
    return tuple(days)


def _weekday_codes(raw: object) -> tuple[str, ...]:
    """Read ``"MO,TU"`` (or a list of codes)."""
    if raw is None:
        return ()
    parts = raw.split(",") if isinstance(raw, str) else _list(raw, "days")
    codes = tuple(_text(part) or "" for part in parts)
    return tuple(code.strip().upper() for code in codes if code.strip())


def _evse_ids(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    ids = tuple(_identifier(item) for item in _list(raw, "chargepoints"))
    return tuple(evse_id for evse_id in ids if evse_id)


# ---------------------------------------------------------------------------------------------
# Field tables: the service's field name -> (the model's attribute, how to read it)


# Fields already reported as unreadable: each is logged once per process, not per message.
_UNREADABLE_LOGGED: set[str] = set()


def _apply(
    table: _FieldTable, data: Mapping[str, Any], values: dict[str, Any], where: str = ""
) -> None:
    """Read every field of ``data`` that ``table`` knows into ``values``.

    A field in a shape we did not expect costs that field only: it reads as unknown (None).
    """
    for key, raw in data.items():
        spec = table.get(key)
        if spec is None:
            continue
        attribute, convert = spec
        try:
            values[attribute] = convert(raw)
        except (ParseError, *_UNEXPECTED) as err:
            values[attribute] = None
            _log_unreadable(f"{where}{key}", err)


def _log_unreadable(name: str, error: Exception) -> None:
    if name in _UNREADABLE_LOGGED:
        return
    _UNREADABLE_LOGGED.add(name)
    reason = error if isinstance(error, ParseError) else type(error).__name__
    _LOGGER.debug("Read %s as unknown: %s (logged once)", name, reason)


def _tolerant[T](convert: Callable[[Any], T], raw: object, name: str) -> T | None:
    """``convert(raw)``, or None (logged once by ``name``) when its shape is unexpected."""
    try:
        return convert(raw)
    except (ParseError, *_UNEXPECTED) as err:
        _log_unreadable(name, err)
        return None


_STATUS_FIELDS: Final[_FieldTable] = {
    "activity": ("activity", _activity),
    "vehicle_status": ("vehicle_status", _vehicle_status),
    "actual_v1": ("voltage_l1", _number),
    "actual_v2": ("voltage_l2", _number),
    "actual_v3": ("voltage_l3", _number),
    "actual_p1": ("current_l1", _number),
    "actual_p2": ("current_l2", _number),
    "actual_p3": ("current_l3", _number),
    "actual_kwh": ("session_energy_kwh", _number),
    "total_cost": ("session_cost", _number),
    "start_datetime": ("session_start", _timestamp),
    "stop_datetime": ("session_stop", _timestamp),
    "offline_since": ("offline_since", _timestamp),
    "max_usage": ("max_usage", _number),
    "smartcharging_max_usage": ("smart_charging_max_usage", _number),
    "max_offline": ("max_offline", _number),
    "boosting": ("boosting", _flag),
}
_STATUS_ATTRIBUTES: Final = tuple(attribute for attribute, _ in _STATUS_FIELDS.values())


def _capacity_tariff_max(raw: object) -> float | None:
    return _number(_mapping(raw, "capacity_tariff").get("capacitytariffmaxkwh"))


# Pseudo-cards that mean "no card": the app's [D], and plug & charge's home use [R][P].
NO_CARD_UIDS: Final = frozenset({APP_CARD_UID, "BCU_HOME_USE"})


def _card_or_none(raw: object) -> ChargeCard | None:
    """A card object (``default_card``); one without a uid, or a pseudo-card, is no card."""
    if raw is None or raw == "" or (isinstance(raw, dict) and not raw.get("uid")):
        return None
    card = _charge_card(_mapping(raw, "card"))
    return None if card.uid in NO_CARD_UIDS else card


_SETTINGS_FIELDS: Final[_FieldTable] = {
    "plug_and_charge": ("plug_and_charge", _setting),
    "public_charging": ("public_charging", _setting),
    "smart_charging": ("smart_charging", _flag),
    "chargepoint_name": ("name", _text),
    "led_intensity": ("led_intensity", _number_setting),
    "led_interaction": ("led_interaction", _setting),
    "capacity_tariff": ("capacity_tariff", _setting),
    "default_card": ("default_card", _card_or_none),
}
_SETTINGS_ATTRIBUTES: Final = (
    *(attribute for attribute, _ in _SETTINGS_FIELDS.values()),
    "capacity_tariff_max_kwh",
    "delayed_charging",
    "price_based_charging",
)

_DELAYED_CHARGING_FIELDS: Final[_FieldTable] = {
    "value": ("enabled", _flag),
    "permission": ("editable", _editable),
    "start_time": ("start_time", _clock_time),
    "end_time": ("end_time", _clock_time),
    "selected_days": ("days", _days),
}

_PRICE_BASED_CHARGING_FIELDS: Final[_FieldTable] = {
    "value": ("enabled", _flag),
    "permission": ("editable", _editable),
    "expected_leave_time": ("departure_time", _clock_time),
    "expected_kwh": ("expected_kwh", _number),
    "minimum_kwh": ("minimum_kwh", _number),
    "minimum_pct": ("minimum_pct", _integer),
    "battery_size_kwh": ("battery_size_kwh", _number),
    "current_battery_pct": ("current_battery_pct", _integer),
}

_GRID_FIELDS: Final[_FieldTable] = {
    "grid_actual_p1": ("current_l1", _number),
    "grid_actual_p2": ("current_l2", _number),
    "grid_actual_p3": ("current_l3", _number),
    "id": ("grid_id", _identifier),
    "grid_max_install": ("max_installed", _number),
    "grid_max_reserved": ("max_reserved", _number),
}
_GRID_ATTRIBUTES: Final = tuple(attribute for attribute, _ in _GRID_FIELDS.values())


def _previous_values(previous: object | None, attributes: tuple[str, ...]) -> dict[str, Any]:
    if previous is None:
        return {}
    values = operator.attrgetter(*attributes)(previous)
    return dict(zip(attributes, values, strict=True))


# ---------------------------------------------------------------------------------------------
# Fast paths
#
# A snapshot reads a CHARGE_POINTS item and a CH_SETTINGS per charge point. Through the field
# tables (a lookup, a guard and a closure or two per field, a dict per object) that was most
# of the client's setup CPU. The readers below read the same fields directly, for objects in
# the shapes the service sends: they raise at the first thing out of the ordinary and never
# log, and their callers then read the object through the tables, which decide (and log once)
# what is unreadable. Whatever they return, the tables return too: tests/api/test_fast_paths.py
# holds the two side by side on every corpus frame and on mutated frames.

# A default of ``dict.get`` no JSON value can be: "absent" differs from ``null`` when a push
# merges into what was known.
_ABSENT: Final[Any] = object()

# The few settings there are, shared instead of built per message (they are immutable).
_FLAG_SETTINGS: Final = {
    (value, editable): Setting(value, editable)
    for value in (True, False)
    for editable in (True, False)
}
_PERMISSIONS: Final[Mapping[str | None, bool]] = {
    None: True,
    "write": True,
    "read": False,
    "none": False,
}


def _switch(raw: dict[str, Any]) -> tuple[bool, bool] | None:
    """``(value, editable)`` of ``{"value": bool, "permission": word}``; None if otherwise."""
    value = raw.get("value")
    permission = raw.get("permission")
    if (value is not True and value is not False) or type(permission) not in _WORD_OR_NONE:
        return None
    editable = _PERMISSIONS.get(permission)
    return value, _editable(permission) if editable is None else editable


_WORD_OR_NONE: Final = frozenset({str, type(None)})


def _flag_setting_fast(raw: object) -> Setting[bool] | None:
    """``_setting``, without building the common ``{"value": bool, "permission": word}``."""
    if type(raw) is dict and (switch := _switch(raw)) is not None:
        return _FLAG_SETTINGS[switch]
    return _setting(raw)


# A CHARGE_POINTS item carries only a profile's on/off and permission [R]: so few distinct
# profiles that they are shared too.
_SWITCH_KEYS: Final = frozenset({"value", "permission"})
_DELAYED_SWITCHES: Final = {
    (value, editable): DelayedCharging(value, editable=editable)
    for value in (True, False)
    for editable in (True, False)
}
_PRICE_BASED_SWITCHES: Final = {
    (value, editable): PriceBasedCharging(value, editable=editable)
    for value in (True, False)
    for editable in (True, False)
}


@functools.lru_cache(maxsize=256)
def _clock_text(raw: str) -> time | None:
    return _clock_time(raw)


def _clock_time_fast(raw: object) -> time | None:
    """``_clock_time``; a profile's few times of day repeat over a fleet: read each once."""
    return _clock_text(raw) if type(raw) is str else _clock_time(raw)


def _days_fast(raw: object) -> tuple[int, ...]:
    """``_days``, for the usual list of weekday numbers without converting each."""
    if type(raw) is list and all(type(day) is int and 1 <= day <= 7 for day in raw):
        return tuple(raw)
    return _days(raw)


def _card_fast(raw: object) -> ChargeCard | None:
    """``_card_or_none``."""
    if raw is None or raw == "":
        return None
    if type(raw) is not dict:
        raise ParseError("card")
    get = raw.get
    if not get("uid"):
        return None
    valid = _flag(get("valid"))
    card = ChargeCard(
        uid=_required_text(raw, "uid"),
        card_id=_identifier(get("id")) or "",
        name=_text(get("name")) or "",
        valid=True if valid is None else valid,
        customer_name=_text(get("customer_name")),
        created=_timestamp(get("date_created")),
        became_invalid=_timestamp(get("date_became_invalid")),
    )
    # Read whole before it is dropped: an unreadable field is the tables' to log.
    return None if card.uid in NO_CARD_UIDS else card


def _tariff_fast(raw: object) -> Tariff | None:
    """``_tariff``."""
    if raw is None:
        return None
    if type(raw) is not dict:
        raise ParseError("tariff")
    get = raw.get
    return Tariff(
        tariff_id=_identifier(get("tariff_id")),
        price_per_kwh=_number(get("price_in_vat")),
        price_per_kwh_ex_vat=_number(get("price_ex_vat")),
        start_price=_number(get("start_price_in_vat")),
        start_price_ex_vat=_number(get("start_price_ex_vat")),
        currency=_text(get("currency")),
    )


def _shared_switch[P: (DelayedCharging, PriceBasedCharging)](
    raw: object, previous: P | None, shared: Mapping[tuple[bool, bool], P]
) -> P | None:
    """The shared profile a list item's ``{"value", "permission"}`` reads as, if it is one."""
    if type(raw) is not dict:
        raise ParseError("expected an object")
    if previous is None and raw.keys() == _SWITCH_KEYS and (switch := _switch(raw)):
        return shared[switch]
    return None


def _delayed_fast(raw: object, previous: DelayedCharging | None) -> DelayedCharging | None:
    """``_profile`` of ``delayed_charging``, merged into ``previous`` as it merges."""
    if raw is None:
        return None
    if (shared := _shared_switch(raw, previous, _DELAYED_SWITCHES)) is not None:
        return shared
    enabled: bool | None = None
    start: time | None = None
    end: time | None = None
    days: tuple[int, ...] = ()
    editable = True
    if previous is not None:
        enabled, start, end = previous.enabled, previous.start_time, previous.end_time
        days, editable = previous.days, previous.editable
    get = cast(dict[str, Any], raw).get  # a dict: _shared_switch said so
    if (value := get("value", _ABSENT)) is not _ABSENT:
        enabled = _flag(value)
    if (value := get("permission", _ABSENT)) is not _ABSENT:
        editable = _editable(value)
    if (value := get("start_time", _ABSENT)) is not _ABSENT:
        start = _clock_time_fast(value)
    if (value := get("end_time", _ABSENT)) is not _ABSENT:
        end = _clock_time_fast(value)
    if (value := get("selected_days", _ABSENT)) is not _ABSENT:
        days = _days_fast(value)
    if enabled is None:
        raise ParseError("delayed_charging.value: missing")
    return DelayedCharging(enabled, start, end, days, editable)


def _price_based_fast(
    raw: object, previous: PriceBasedCharging | None
) -> PriceBasedCharging | None:
    """``_profile`` of ``price_based_charging``, merged into ``previous`` as it merges."""
    if raw is None:
        return None
    if (shared := _shared_switch(raw, previous, _PRICE_BASED_SWITCHES)) is not None:
        return shared
    enabled: bool | None = None
    departure: time | None = None
    expected_kwh: float | None = None
    minimum_kwh: float | None = None
    minimum_pct: int | None = None
    battery_kwh: float | None = None
    battery_pct: int | None = None
    editable = True
    if previous is not None:
        enabled, departure = previous.enabled, previous.departure_time
        expected_kwh, minimum_kwh = previous.expected_kwh, previous.minimum_kwh
        minimum_pct, battery_kwh = previous.minimum_pct, previous.battery_size_kwh
        battery_pct, editable = previous.current_battery_pct, previous.editable
    get = cast(dict[str, Any], raw).get  # a dict: _shared_switch said so
    if (value := get("value", _ABSENT)) is not _ABSENT:
        enabled = _flag(value)
    if (value := get("permission", _ABSENT)) is not _ABSENT:
        editable = _editable(value)
    if (value := get("expected_leave_time", _ABSENT)) is not _ABSENT:
        departure = _clock_time_fast(value)
    if (value := get("expected_kwh", _ABSENT)) is not _ABSENT:
        expected_kwh = _number(value)
    if (value := get("minimum_kwh", _ABSENT)) is not _ABSENT:
        minimum_kwh = _number(value)
    if (value := get("minimum_pct", _ABSENT)) is not _ABSENT:
        minimum_pct = _integer(value)
    if (value := get("battery_size_kwh", _ABSENT)) is not _ABSENT:
        battery_kwh = _number(value)
    if (value := get("current_battery_pct", _ABSENT)) is not _ABSENT:
        battery_pct = _integer(value)
    if enabled is None:
        raise ParseError("price_based_charging.value: missing")
    return PriceBasedCharging(
        enabled=enabled,
        departure_time=departure,
        expected_kwh=expected_kwh,
        minimum_kwh=minimum_kwh,
        minimum_pct=minimum_pct,
        battery_size_kwh=battery_kwh,
        current_battery_pct=battery_pct,
        editable=editable,
    )


_STATUS_KEYS: Final = frozenset(_STATUS_FIELDS)


def _status_fast(data: Mapping[str, Any], evse_id: str) -> ChargePointStatus:
    """``parse_status`` of a status that sends every field."""
    return ChargePointStatus(
        evse_id=evse_id,
        activity=_activity(data["activity"]),
        vehicle_status=_vehicle_status(data["vehicle_status"]),
        voltage_l1=_number(data["actual_v1"]),
        voltage_l2=_number(data["actual_v2"]),
        voltage_l3=_number(data["actual_v3"]),
        current_l1=_number(data["actual_p1"]),
        current_l2=_number(data["actual_p2"]),
        current_l3=_number(data["actual_p3"]),
        session_energy_kwh=_number(data["actual_kwh"]),
        session_cost=_number(data["total_cost"]),
        session_start=_timestamp(data["start_datetime"]),
        session_stop=_timestamp(data["stop_datetime"]),
        offline_since=_timestamp(data["offline_since"]),
        max_usage=_number(data["max_usage"]),
        smart_charging_max_usage=_number(data["smartcharging_max_usage"]),
        max_offline=_number(data["max_offline"]),
        boosting=_flag(data["boosting"]),
        reported=_STATUS_KEYS,
    )


def _charge_point_fast(raw: object) -> ChargePoint:
    """``_charge_point_by_table``: every field it reads maps ``null`` and absence alike."""
    if type(raw) is not dict:
        raise ParseError("charge point")
    get = raw.get
    return ChargePoint(
        evse_id=_required_text(raw, "evse_id"),
        model_type=_text(get("model_type")) or "",
        name=_text(get("name")) or "",
        smart_charging=bool(_flag(get("smart_charging"))),
        chargepoint_type=_text(get("chargepoint_type")),
        is_cable=_flag(get("is_cable")),
        activity=_activity(get("activity")),
        plug_and_charge=_flag_setting_fast(get("plug_and_charge")),
        public_charging=_flag_setting_fast(get("public_charging")),
        default_card=_card_fast(get("default_card")),
        tariff=_tariff_fast(get("tariff")),
        delayed_charging=_delayed_fast(get("delayed_charging"), None),
        price_based_charging=_price_based_fast(get("price_based_charging"), None),
    )


def _settings_fast(
    data: Mapping[str, Any], evse_id: str, previous: ChargePointSettings | None
) -> ChargePointSettings:
    """``_settings_by_table``: fields a push leaves out keep their ``previous`` values."""
    plug: Setting[bool] | None = None
    public: Setting[bool] | None = None
    smart: bool | None = None
    name: str | None = None
    led_intensity: Setting[int] | None = None
    led_interaction: Setting[bool] | None = None
    capacity: Setting[bool] | None = None
    capacity_max: float | None = None
    card: ChargeCard | None = None
    delayed: DelayedCharging | None = None
    price: PriceBasedCharging | None = None
    if previous is not None:
        plug, public, smart = (
            previous.plug_and_charge,
            previous.public_charging,
            previous.smart_charging,
        )
        name, led_intensity = previous.name, previous.led_intensity
        led_interaction, capacity = previous.led_interaction, previous.capacity_tariff
        capacity_max, card = previous.capacity_tariff_max_kwh, previous.default_card
        delayed, price = previous.delayed_charging, previous.price_based_charging
    get = data.get
    if (raw := get("plug_and_charge", _ABSENT)) is not _ABSENT:
        plug = _flag_setting_fast(raw)
    if (raw := get("public_charging", _ABSENT)) is not _ABSENT:
        public = _flag_setting_fast(raw)
    if (raw := get("smart_charging", _ABSENT)) is not _ABSENT:
        smart = _flag(raw)
    if (raw := get("chargepoint_name", _ABSENT)) is not _ABSENT:
        name = _text(raw)
    if (raw := get("led_intensity", _ABSENT)) is not _ABSENT:
        led_intensity = _number_setting(raw)
    if (raw := get("led_interaction", _ABSENT)) is not _ABSENT:
        led_interaction = _flag_setting_fast(raw)
    if (raw := get("capacity_tariff", _ABSENT)) is not _ABSENT:
        capacity = _flag_setting_fast(raw)
        capacity_max = _capacity_tariff_max(raw)
    if (raw := get("default_card", _ABSENT)) is not _ABSENT:
        card = _card_fast(raw)
    if (raw := get("delayed_charging", _ABSENT)) is not _ABSENT:
        delayed = _delayed_fast(raw, delayed)
    if (raw := get("price_based_charging", _ABSENT)) is not _ABSENT:
        price = _price_based_fast(raw, price)
    return ChargePointSettings(
        evse_id=evse_id,
        plug_and_charge=plug,
        public_charging=public,
        smart_charging=smart,
        name=name,
        led_intensity=led_intensity,
        led_interaction=led_interaction,
        capacity_tariff=capacity,
        capacity_tariff_max_kwh=capacity_max,
        default_card=card,
        delayed_charging=delayed,
        price_based_charging=price,
    )


# ---------------------------------------------------------------------------------------------
# Messages


# Digits mapped to "0": a run of 19 zeros afterwards is a number orjson may read otherwise.
_DIGITS_AS_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN: Final = b"0" * 19


def _decode(frame: str) -> Any:
    """``json.loads(frame)``, through orjson when that reads it the same.

    orjson refuses what ``json`` reads (NaN, 1e400, lone surrogates, deep nesting: ``json``
    decides those) and reads integers beyond 64 bits as floats, which ``json`` keeps exact:
    a frame with a run of 19 digits, the shortest such integer, is left to ``json``.
    """
    if _orjson_loads is not None:
        try:
            encoded = frame.encode()
        except UnicodeEncodeError:
            return json.loads(frame)
        if _LONG_DIGIT_RUN not in encoded.translate(_DIGITS_AS_ZERO):
            try:
                return _orjson_loads(encoded)
            except ValueError:
                pass
    return json.loads(frame)


@_never_raise_other
def parse_message(frame: str | bytes) -> ServerMessage:
    """Decode one websocket frame; binary frames and anything but a JSON object are malformed."""
    if not isinstance(frame, str):
        raise ParseError("binary frame")
    try:
        body = _decode(frame)
    except (ValueError, RecursionError):
        raise ParseError("not JSON") from None
    if not isinstance(body, dict):
        raise ParseError(f"expected a JSON object, got {_kind(body)}")
    name = body.get("object")
    if name is None:
        # The older documented override listing names itself under "command" [D].
        name = body.get("command")
    if not isinstance(name, str) or not name:
        raise ParseError("no object name")
    evse_id = body.get("evse_id")
    return ServerMessage(name, body, evse_id if isinstance(evse_id, str) and evse_id else None)


@dataclass(frozen=True, slots=True)
class ChargePointList:
    """A read ``CHARGE_POINTS``: the charge points, and whether any item was unreadable.

    An unreadable item may be a charge point we know: a list with one cannot tell that a
    charge point left the account.
    """

    charge_points: tuple[ChargePoint, ...]
    unreadable: int = 0


@_never_raise_other
def parse_charge_points(message: ServerMessage) -> ChargePointList:
    """Read ``CHARGE_POINTS``: every charge point of the account.

    An item without an evse id costs that item only.
    """
    items = _list(message.body.get("data"), "data")
    read = [_tolerant(_charge_point, item, "CHARGE_POINTS item") for item in items]
    charge_points = tuple(charge_point for charge_point in read if charge_point is not None)
    return ChargePointList(charge_points, len(read) - len(charge_points))


def _charge_point(raw: object) -> ChargePoint:
    try:
        return _charge_point_fast(raw)
    except (ParseError, *_UNEXPECTED):
        # Something in it is not as the service usually sends it: the field-by-field reading
        # decides, and logs what it could not read.
        return _charge_point_by_table(raw)


def _charge_point_by_table(raw: object) -> ChargePoint:
    item = _mapping(raw, "charge point")
    values: dict[str, Any] = {}
    _apply(_CHARGE_POINT_FIELDS, item, values, "CHARGE_POINTS.")
    return ChargePoint(
        evse_id=_required_text(item, "evse_id"),
        model_type=values.pop("model_type", None) or "",
        name=values.pop("name", None) or "",
        smart_charging=bool(values.pop("smart_charging", None)),
        **values,
    )


def _tariff(raw: object) -> Tariff | None:
    if raw is None:
        return None
    values: dict[str, Any] = {}
    _apply(_TARIFF_FIELDS, _mapping(raw, "tariff"), values, "tariff.")
    return Tariff(**values)


_TARIFF_FIELDS: Final[_FieldTable] = {
    "tariff_id": ("tariff_id", _identifier),
    "price_in_vat": ("price_per_kwh", _number),
    "price_ex_vat": ("price_per_kwh_ex_vat", _number),
    "start_price_in_vat": ("start_price", _number),
    "start_price_ex_vat": ("start_price_ex_vat", _number),
    "currency": ("currency", _text),
}


def _listed_profile[P: (DelayedCharging, PriceBasedCharging)](
    model: type[P], table: _FieldTable, key: str
) -> Callable[[object], P | None]:
    def read(raw: object) -> P | None:
        return _profile(model, table, raw, None, key)

    return read


_CHARGE_POINT_FIELDS: Final[_FieldTable] = {
    "model_type": ("model_type", _text),
    "name": ("name", _text),
    "smart_charging": ("smart_charging", _flag),
    "chargepoint_type": ("chargepoint_type", _text),
    "is_cable": ("is_cable", _flag),
    "activity": ("activity", _activity),
    "plug_and_charge": ("plug_and_charge", _setting),
    "public_charging": ("public_charging", _setting),
    "default_card": ("default_card", _card_or_none),
    "tariff": ("tariff", _tariff),
    "delayed_charging": (
        "delayed_charging",
        _listed_profile(DelayedCharging, _DELAYED_CHARGING_FIELDS, "delayed_charging"),
    ),
    "price_based_charging": (
        "price_based_charging",
        _listed_profile(PriceBasedCharging, _PRICE_BASED_CHARGING_FIELDS, "price_based_charging"),
    ),
}


def _data_with_evse_id(message: ServerMessage) -> tuple[Mapping[str, Any], str]:
    """The ``data`` object and whose it is (``data.evse_id``, else the top-level one).

    The app endpoint sends a status per socket under ``items`` instead [R]; the first socket
    stands for the charge point. [guess] this endpoint always sends ``data`` [T][D].
    """
    raw = message.body.get("data")
    if raw is None and isinstance(items := message.body.get("items"), list) and items:
        raw = items[0]
    data = _mapping(raw, "data")
    evse_id = data.get("evse_id", message.evse_id)
    if not isinstance(evse_id, str) or not evse_id:
        raise ParseError("evse_id: missing or not text")
    return data, evse_id


@_never_raise_other
def subject_evse_id(message: ServerMessage) -> str | None:
    """The charge point a ``CH_STATUS`` / ``CH_SETTINGS`` is about, when it says so."""
    data = message.body.get("data")
    evse_id = data.get("evse_id") if isinstance(data, dict) else None
    return evse_id if isinstance(evse_id, str) and evse_id else message.evse_id


@_never_raise_other
def parse_status(
    message: ServerMessage, previous: ChargePointStatus | None = None
) -> ChargePointStatus:
    """Read ``CH_STATUS``; fields a partial push leaves out keep their ``previous`` values."""
    data, evse_id = _data_with_evse_id(message)
    if data.keys() >= _STATUS_KEYS:
        # A whole status (what the service usually sends): nothing of a previous one stays.
        try:
            return _status_fast(data, evse_id)
        except (ParseError, *_UNEXPECTED):
            pass  # the tables decide (and log) what is unreadable
    return _status_by_table(data, evse_id, previous)


def _status_by_table(
    data: Mapping[str, Any], evse_id: str, previous: ChargePointStatus | None
) -> ChargePointStatus:
    """The field-by-field reading of CH_STATUS: an unreadable field costs itself only."""
    if previous is not None and previous.evse_id != evse_id:
        previous = None
    read = data.keys() & _STATUS_FIELDS.keys()
    # A whole status (what the service usually sends) replaces every field the previous one
    # had: only a partial push needs the previous values.
    if previous is None or read >= previous.reported:
        values: dict[str, Any] = {}
        reported = frozenset(read)
    else:
        values = _previous_values(previous, _STATUS_ATTRIBUTES)
        reported = previous.reported | read
    _apply(_STATUS_FIELDS, data, values, "CH_STATUS.")
    return ChargePointStatus(evse_id=evse_id, reported=reported, **values)


@_never_raise_other
def parse_settings(
    message: ServerMessage, previous: ChargePointSettings | None = None
) -> ChargePointSettings:
    """Read ``CH_SETTINGS``; fields a partial push leaves out keep their ``previous`` values."""
    data, evse_id = _data_with_evse_id(message)
    if previous is not None and previous.evse_id != evse_id:
        previous = None
    try:
        return _settings_fast(data, evse_id, previous)
    except (ParseError, *_UNEXPECTED):
        return _settings_by_table(data, evse_id, previous)


def _settings_by_table(
    data: Mapping[str, Any], evse_id: str, previous: ChargePointSettings | None
) -> ChargePointSettings:
    """The field-by-field reading of CH_SETTINGS: an unreadable field costs itself only."""
    values = _previous_values(previous, _SETTINGS_ATTRIBUTES)
    _apply(_SETTINGS_FIELDS, data, values, "CH_SETTINGS.")
    if "capacity_tariff" in data:
        values["capacity_tariff_max_kwh"] = _tolerant(
            _capacity_tariff_max, data["capacity_tariff"], "CH_SETTINGS.capacity_tariff.max"
        )
    for key, model, table in (
        ("delayed_charging", DelayedCharging, _DELAYED_CHARGING_FIELDS),
        ("price_based_charging", PriceBasedCharging, _PRICE_BASED_CHARGING_FIELDS),
    ):
        if key in data:
            values[key] = _tolerant(
                functools.partial(_profile, model, table, previous=values.get(key), key=key),
                data[key],
                f"CH_SETTINGS.{key}",
            )
    return ChargePointSettings(evse_id=evse_id, **values)


def _profile[P: (DelayedCharging, PriceBasedCharging)](
    model: type[P], table: _FieldTable, raw: object, previous: P | None, key: str
) -> P | None:
    """Read a smart-charging profile, merged into what was known like the rest of a push.

    A profile without a readable on/off (``value``) is unknown as a whole; its other fields
    cost themselves only.
    """
    if raw is None:
        return None
    data = _mapping(raw, key)
    attributes = tuple(attribute for attribute, _ in table.values())
    values = _previous_values(previous, attributes)
    _apply(table, data, values, f"{key}.")
    if values.get("enabled") is None:
        raise ParseError(f"{key}.value: missing")
    # Unreadable fields fall back to the model's defaults (no days, editable).
    return model(**{name: value for name, value in values.items() if value is not None})


@_never_raise_other
def parse_grid(message: ServerMessage, previous: GridStatus | None = None) -> GridStatus:
    """Read ``GRID_STATUS`` (fields in ``data``) or ``GRID_CURRENT`` (at the top level).

    A ``GRID_CURRENT`` push carries only the currents: the limits stay as last reported.
    """
    body = message.body
    data = body if message.name == "GRID_CURRENT" else _mapping(body.get("data"), "data")
    if not data.keys() & _GRID_FIELDS.keys():
        raise ParseError("no grid fields")
    values = _previous_values(previous, _GRID_ATTRIBUTES)
    _apply(_GRID_FIELDS, data, values, f"{message.name}.")
    return GridStatus(**values)


@_never_raise_other
def parse_charge_cards(message: ServerMessage) -> tuple[ChargeCard, ...]:
    """Read ``CHARGE_CARDS``: the cards are under ``cards`` (or ``data``).

    A card without a uid (nothing could start a session with it) costs that card only.
    """
    body = message.body
    items = _list(body["cards"] if "cards" in body else body.get("data"), "cards")
    return tuple(
        card
        for item in items
        if (card := _tolerant(_charge_card, item, "CHARGE_CARDS item")) is not None
    )


def _charge_card(raw: object) -> ChargeCard:
    item = _mapping(raw, "card")
    values: dict[str, Any] = {}
    _apply(_CARD_FIELDS, item, values, "card.")
    valid = values.pop("valid", None)
    return ChargeCard(
        uid=_required_text(item, "uid"),
        card_id=values.pop("card_id", None) or "",
        name=values.pop("name", None) or "",
        # [guess] a card that does not say whether it is valid is taken as valid ([A]'s
        # top-level default card has no ``valid``); a recorded card without it would settle it.
        valid=True if valid is None else valid,
        **values,
    )


_CARD_FIELDS: Final[_FieldTable] = {
    "id": ("card_id", _identifier),
    "name": ("name", _text),
    "valid": ("valid", _flag),
    "customer_name": ("customer_name", _text),
    "date_created": ("created", _timestamp),
    "date_became_invalid": ("became_invalid", _timestamp),
}


def _schedule_items(message: ServerMessage) -> Any:
    """Where the schedules are: ``data`` (the vendor's reading) or ``result`` (older docs)."""
    body = message.body
    return body["data"] if body.get("data") is not None else body.get("result")


@_never_raise_other
def parse_override_schedules(message: ServerMessage) -> tuple[OverrideSchedule, ...]:
    """Read ``LIST_OVERRIDE_CURRENT``: every current-override schedule.

    A schedule without an id (nothing could edit or clear it) costs that schedule only.
    """
    items = _schedule_items(message)
    if isinstance(items, dict):
        items = [items]
    return tuple(
        schedule
        for item in _list(items, "data")
        if (schedule := _tolerant(_override_schedule, item, "schedule")) is not None
    )


@_never_raise_other
def parse_override_schedule(message: ServerMessage) -> OverrideSchedule | None:
    """Read the schedule of ``POST_SET_OVERRIDE_CURRENT`` / ``POST_EDIT_OVERRIDE_CURRENT``.

    None when the answer carries none we can read: its arrival still confirms the command.
    """
    items = _schedule_items(message)
    if isinstance(items, list):
        items = items[0] if items else None
    return None if items is None else _tolerant(_override_schedule, items, "schedule")


def _override_schedule(raw: object) -> OverrideSchedule:
    item = _mapping(raw, "schedule")
    values: dict[str, Any] = {}
    _apply(_OVERRIDE_FIELDS, item, values, "schedule.")
    schedule_id = values.get("schedule_id")
    if not schedule_id:
        raise ParseError("schedule_id: missing")
    if not values.get("charge_points") and (single := values.get("charge_point")):
        values["charge_points"] = (single,)
    if not values.get("start_days") and (week := values.get("days_of_week")):
        values["start_days"] = values["stop_days"] = week
    return OverrideSchedule(
        schedule_id=schedule_id,
        charge_points=values.get("charge_points") or (),
        start_time=values.get("start_time"),
        stop_time=values.get("stop_time"),
        start_days=values.get("start_days") or (),
        stop_days=values.get("stop_days") or (),
        current=values.get("current"),
    )


# Three spellings: the vendor's library and integration read the first block [T][A]; the
# older documented example has the second [D]; the third is what this client guessed first
# (kept: reading more spellings costs nothing).
_OVERRIDE_FIELDS: Final[_FieldTable] = {
    "schedule_id": ("schedule_id", _identifier),
    "charge_points": ("charge_points", _evse_ids),
    "override_current": ("current", _number),
    "start_time": ("start_time", _clock_time),
    "stop_time": ("stop_time", _clock_time),
    "override_start_days": ("start_days", _weekday_codes),
    "override_end_days": ("stop_days", _weekday_codes),
    "days_of_week": ("days_of_week", _weekday_codes),
    "chargepoint_id": ("charge_point", _identifier),
    "chargepoints": ("charge_points", _evse_ids),
    "override_start_time": ("start_time", _clock_time),
    "override_end_time": ("stop_time", _clock_time),
    "override_value": ("current", _number),
}


@_never_raise_other
def parse_acknowledgement(message: ServerMessage) -> CommandAcknowledgement:
    """Read ``STATUS_<COMMAND>`` / ``RECEIVED_<COMMAND>``.

    A non-empty ``error`` or ``success: false`` is a refusal; either unreadable counts as
    not said.
    """
    command = message.name.removeprefix("RECEIVED_").removeprefix("STATUS_")
    body = message.body
    error = _tolerant(_text, body.get("error"), f"{message.name}.error") or ""
    success = _tolerant(_flag, body.get("success"), f"{message.name}.success")
    return CommandAcknowledgement(
        command=command, evse_id=message.evse_id, error=error.strip(), success=success
    )


@_never_raise_other
def parse_setting_confirmation(message: ServerMessage) -> bool | None:
    """Read the value a ``STATUS_SET_*`` confirms: ``result.setting`` says true or false."""
    result = message.body.get("result")
    if result is None or isinstance(result, bool):
        return result
    setting = _mapping(result, "result").get("setting")
    if isinstance(setting, bool) or setting is None:
        return setting
    if not isinstance(setting, str):
        raise ParseError(f"result.setting: expected text, got {_kind(setting)}")
    words = setting.lower()
    if "true" in words:
        return True
    if "false" in words:
        return False
    return None


@_never_raise_other
def parse_clear_confirmation(message: ServerMessage) -> bool:
    """Read ``POST_CLEAR_OVERRIDE_CURRENT``: whether the schedule is gone.

    Nothing is known of its fields [D][T]: its arrival confirms, unless it says
    ``success: false`` or carries an ``error`` text.
    """
    body = message.body
    success = _tolerant(_flag, body.get("success"), "POST_CLEAR_OVERRIDE_CURRENT.success")
    error = _tolerant(_text, body.get("error"), "POST_CLEAR_OVERRIDE_CURRENT.error")
    return success is not False and not error


@_never_raise_other
def parse_error(message: ServerMessage) -> ServiceError:
    """Read an ``ERROR`` object; a code that is not a number reads as unknown."""
    code = message.body.get("error")
    text = message.body.get("message")
    return ServiceError(
        code=code if type(code) is int else None,
        message=text if isinstance(text, str) else "",
    )


@_never_raise_other
def parse_token_validation(message: ServerMessage) -> TokenValidation:
    """Read ``STATUS_API_TOKEN``: on success, the session token and the customer id."""
    body = message.body
    success = _bool(body.get("success")) is True
    token = body.get("token")
    customer_id = _identifier(body.get("customer_id"))
    error = body.get("error")
    if success and (not isinstance(token, str) or not token):
        raise ParseError("token: missing")
    if success and not customer_id:
        raise ParseError("customer_id: missing")
    return TokenValidation(
        success=success,
        customer_id=customer_id,
        error=error if isinstance(error, str) else "",
        session_token=token if success else None,
    )


@_never_raise_other
def parse_account(message: ServerMessage, customer_id: str | None = None) -> Account:
    """Read ``ACCOUNT``: the e-mail address is its ``login``."""
    body = message.body
    reported_id = _identifier(body.get("customer_id"))
    return Account(
        customer_id=reported_id or customer_id or "",
        email=_required_text(body, "login"),
    )
