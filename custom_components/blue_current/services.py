"""Actions: start and stop sessions, smart-charging schedules, current overrides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, time
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import BlueCurrentClient, CommandVerdict, OverrideSchedule
from .const import DOMAIN
from .coordinator import BlueCurrentConnection
from .entity import run_command
from .select import card_labels
from .session_manager import loaded_manager, note_session_start
from .sessions import select_sessions
from .verdicts import follow_verdict

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_CODES = dict(zip(WEEKDAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))

ATTR_CARD = "charging_card_id"  # core's name: a card id, uid or name
ATTR_DAYS = "days"
ATTR_START_TIME = "start_time"
ATTR_END_TIME = "end_time"
ATTR_DEPARTURE_TIME = "departure_time"
ATTR_MINIMUM_PERCENTAGE = "minimum_percentage"
ATTR_CURRENT_BATTERY_PERCENTAGE = "current_battery_percentage"
ATTR_BATTERY_SIZE = "battery_size"
ATTR_START_DAYS = "start_days"
ATTR_END_DAYS = "end_days"
ATTR_CURRENT = "current"
ATTR_SCHEDULE_ID = "schedule_id"

_DAYS = vol.All(cv.ensure_list, [vol.In(WEEKDAYS)], vol.Length(min=1))
_PERCENT = vol.All(vol.Coerce(int), vol.Range(min=0, max=100))

DEVICE_SCHEMA = vol.Schema({vol.Required(CONF_DEVICE_ID): cv.string})
START_SCHEMA = DEVICE_SCHEMA.extend({vol.Optional(ATTR_CARD): cv.string})
DELAYED_SCHEMA = DEVICE_SCHEMA.extend(
    {
        vol.Required(ATTR_DAYS): _DAYS,
        vol.Required(ATTR_START_TIME): cv.time,
        vol.Required(ATTR_END_TIME): cv.time,
    }
)
PRICE_BASED_SCHEMA = DEVICE_SCHEMA.extend(
    {
        vol.Optional(ATTR_DEPARTURE_TIME): cv.time,
        vol.Optional(ATTR_MINIMUM_PERCENTAGE): _PERCENT,
        vol.Optional(ATTR_CURRENT_BATTERY_PERCENTAGE): _PERCENT,
        vol.Optional(ATTR_BATTERY_SIZE): vol.All(vol.Coerce(float), vol.Range(min=1, max=250)),
    }
)
OVERRIDE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_DEVICE_ID): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Required(ATTR_START_TIME): cv.time,
        vol.Required(ATTR_END_TIME): cv.time,
        vol.Required(ATTR_START_DAYS): _DAYS,
        vol.Required(ATTR_END_DAYS): _DAYS,
        vol.Required(ATTR_CURRENT): vol.All(vol.Coerce(float), vol.Range(min=0)),
    }
)
CLEAR_OVERRIDE_SCHEMA = DEVICE_SCHEMA.extend({vol.Required(ATTR_SCHEDULE_ID): cv.string})
ATTR_COMMAND = "command"
# Every control of a charge point, also without its entity (the fleet set registers none).
CHARGE_POINT_COMMANDS: dict[str, Callable[[BlueCurrentClient, str], Awaitable[Any]]] = {
    "block": lambda client, evse_id: client.set_blocked(evse_id, True),
    "unblock": lambda client, evse_id: client.set_blocked(evse_id, False),
    "reset": lambda client, evse_id: client.soft_reset(evse_id),
    "reboot": lambda client, evse_id: client.reboot(evse_id),
    "boost": lambda client, evse_id: client.boost(evse_id, True),
    "plug_and_charge_on": lambda client, evse_id: client.set_plug_and_charge(evse_id, True),
    "plug_and_charge_off": lambda client, evse_id: client.set_plug_and_charge(evse_id, False),
    "linked_charge_cards_only_on": lambda client, evse_id: client.set_linked_charge_cards_only(
        evse_id, True
    ),
    "linked_charge_cards_only_off": lambda client, evse_id: client.set_linked_charge_cards_only(
        evse_id, False
    ),
    "delayed_charging_on": lambda client, evse_id: client.set_delayed_charging(evse_id, True),
    "delayed_charging_off": lambda client, evse_id: client.set_delayed_charging(evse_id, False),
    "price_based_charging_on": lambda client, evse_id: client.set_price_based_charging(
        evse_id, True
    ),
    "price_based_charging_off": lambda client, evse_id: client.set_price_based_charging(
        evse_id, False
    ),
}
COMMAND_SCHEMA = DEVICE_SCHEMA.extend({vol.Required(ATTR_COMMAND): vol.In(CHARGE_POINT_COMMANDS)})
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_START = "start"
ATTR_END = "end"
ATTR_SESSION_CARD = "card"
LIST_SESSIONS_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
        vol.Optional(ATTR_SESSION_CARD): cv.string,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _charge_point(hass: HomeAssistant, device_id: str) -> tuple[BlueCurrentConnection, str]:
    """The connection of a charge point device and its evse id; translated errors otherwise."""
    device = dr.async_get(hass).async_get(device_id)
    evse_id = (
        next((key for domain, key in device.identifiers if domain == DOMAIN), None)
        if device is not None
        else None
    )
    if device is None or evse_id is None:
        raise _invalid("invalid_device", device_id=device_id)
    # 2026.x: a device belongs to one entry (config_entry_id); config_entries warns there.
    entry_ids: set[str] = (
        {device.config_entry_id} if hasattr(device, "config_entry_id") else device.config_entries
    )
    for entry_id in entry_ids:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        if entry.state is not ConfigEntryState.LOADED:
            raise _invalid("entry_not_loaded", device_id=device_id)
        connection: BlueCurrentConnection = entry.runtime_data
        if evse_id not in connection.data.charge_points:
            break
        return connection, evse_id
    raise _invalid("invalid_device", device_id=device_id)


def _card_uid(connection: BlueCurrentConnection, evse_id: str, wanted: str | None) -> str | None:
    """The uid for a card given by id, uid or name; the selected card when none is given."""
    if wanted is None:
        return connection.selected_card(evse_id)
    cards = connection.data.cards or ()
    for label, card in card_labels(cards).items():
        if wanted in (card.card_id, card.uid, card.name, label):
            return card.uid
    raise _invalid("unknown_card", card=wanted)


def _schedule_response(schedule: OverrideSchedule) -> dict[str, Any]:
    return {
        "schedule_id": schedule.schedule_id,
        "charge_points": list(schedule.charge_points),
        "start_time": schedule.start_time.isoformat() if schedule.start_time else None,
        "end_time": schedule.stop_time.isoformat() if schedule.stop_time else None,
        "start_days": list(schedule.start_days),
        "end_days": list(schedule.stop_days),
        "current": schedule.current,
    }


async def _start_session(call: ServiceCall) -> None:
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    uid = _card_uid(connection, evse_id, call.data.get(ATTR_CARD))
    # Before sending: the session's first status may come before the acceptance is handled.
    note_session_start(call.hass, connection.entry.entry_id, evse_id, uid)
    verdict = await run_command(
        connection, lambda: connection.client.start_session(evse_id, uid), evse_id
    )
    follow_verdict(connection, verdict, _name(connection, evse_id))


async def _stop_session(call: ServiceCall) -> None:
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    verdict = await run_command(
        connection, lambda: connection.client.stop_session(evse_id), evse_id
    )
    follow_verdict(connection, verdict, _name(connection, evse_id))


def _name(connection: BlueCurrentConnection, evse_id: str) -> str:
    data = connection.data.charge_points.get(evse_id)
    return data.charge_point.display_name if data is not None else evse_id


async def _charge_point_command(call: ServiceCall) -> None:
    """A control of a charge point: block, reset, boost, a setting or a profile on or off."""
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    command = CHARGE_POINT_COMMANDS[call.data[ATTR_COMMAND]]
    answer = await run_command(connection, lambda: command(connection.client, evse_id), evse_id)
    if isinstance(answer, CommandVerdict):
        follow_verdict(connection, answer, _name(connection, evse_id))


async def _set_delayed_charging_schedule(call: ServiceCall) -> None:
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    days = sorted({WEEKDAYS.index(day) + 1 for day in call.data[ATTR_DAYS]})
    start: time = call.data[ATTR_START_TIME]
    end: time = call.data[ATTR_END_TIME]
    await run_command(
        connection,
        lambda: connection.client.save_delayed_charging_schedule(evse_id, days, start, end),
        evse_id,
    )


async def _set_price_based_charging_settings(call: ServiceCall) -> None:
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    changes = {
        "departure_time": call.data.get(ATTR_DEPARTURE_TIME),
        "minimum_pct": call.data.get(ATTR_MINIMUM_PERCENTAGE),
        "current_battery_pct": call.data.get(ATTR_CURRENT_BATTERY_PERCENTAGE),
        "battery_size_kwh": call.data.get(ATTR_BATTERY_SIZE),
    }
    if all(value is None for value in changes.values()):
        raise _invalid("nothing_to_change")
    await run_command(
        connection,
        lambda: connection.client.update_price_based_charging(evse_id, **changes),
        evse_id,
    )


def _override_targets(call: ServiceCall) -> tuple[BlueCurrentConnection, list[str]]:
    """The charge points of one account an override is for, with the current checked."""
    targets = [_charge_point(call.hass, device_id) for device_id in call.data[CONF_DEVICE_ID]]
    connection = targets[0][0]
    if any(other is not connection for other, _ in targets):
        raise _invalid("mixed_accounts")
    current: float = call.data[ATTR_CURRENT]
    for _, evse_id in targets:
        status = connection.data.charge_points[evse_id].status
        limit = status.max_usage if status is not None and status.max_usage else None
        if limit is not None and current > limit:
            raise _invalid(
                "current_out_of_range",
                evse_id=evse_id,
                current=f"{current:g}",
                maximum=f"{limit:g}",
            )
    return connection, [evse_id for _, evse_id in targets]


async def _set_current_override(call: ServiceCall) -> ServiceResponse:
    connection, evse_ids = _override_targets(call)
    schedule: OverrideSchedule | None = await run_command(
        connection,
        lambda: connection.client.set_current_override(
            evse_ids,
            start_time=call.data[ATTR_START_TIME],
            stop_time=call.data[ATTR_END_TIME],
            start_days=[WEEKDAY_CODES[day] for day in call.data[ATTR_START_DAYS]],
            stop_days=[WEEKDAY_CODES[day] for day in call.data[ATTR_END_DAYS]],
            current=call.data[ATTR_CURRENT],
        ),
        evse_ids[0],
    )
    # The service did it even when its answer carried no schedule we could read.
    return {"schedule": _schedule_response(schedule) if schedule is not None else None}


async def _clear_current_override(call: ServiceCall) -> None:
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    schedule_id = call.data[ATTR_SCHEDULE_ID]
    await run_command(
        connection, lambda: connection.client.clear_current_override(schedule_id), evse_id
    )


async def _list_current_overrides(call: ServiceCall) -> ServiceResponse:
    connection, evse_id = _charge_point(call.hass, call.data[CONF_DEVICE_ID])
    schedules: list[OverrideSchedule] = await run_command(
        connection, connection.client.list_current_overrides, evse_id
    )
    return {"schedules": [_schedule_response(schedule) for schedule in schedules]}


def _aware(moment: datetime | None) -> datetime | None:
    """A time without zone is Home Assistant's local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt_util.get_default_time_zone())


async def _list_sessions(call: ServiceCall) -> ServiceResponse:
    """The logged sessions of a charge point or an account, by period and card."""
    device_id = call.data.get(CONF_DEVICE_ID)
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if (device_id is None) == (entry_id is None):
        raise _invalid("list_sessions_target")
    start, end = _aware(call.data.get(ATTR_START)), _aware(call.data.get(ATTR_END))
    if start is not None and end is not None and end <= start:
        raise _invalid("invalid_period")
    evse_ids: frozenset[str] | None = None
    if device_id is not None:
        connection, evse_id = _charge_point(call.hass, device_id)
        entry_id, evse_ids = connection.entry.entry_id, frozenset({evse_id})
    else:
        entry = call.hass.config_entries.async_get_entry(str(entry_id))
        if entry is None or entry.domain != DOMAIN:
            raise _invalid("invalid_config_entry", config_entry_id=str(entry_id))
    manager = loaded_manager(call.hass, str(entry_id))
    if manager is None:
        raise _invalid("config_entry_not_loaded", config_entry_id=str(entry_id))
    names = {
        evse_id: data.charge_point.display_name
        for evse_id, data in manager.connection.data.charge_points.items()
    }
    records = select_sessions(
        manager.records,
        evse_ids=evse_ids,
        start=start,
        end=end,
        card=call.data.get(ATTR_SESSION_CARD),
    )
    return {
        "sessions": [
            {"charge_point": names.get(record.evse_id, record.evse_id), **record.as_dict()}
            for record in sorted(records, key=lambda record: record.start)
        ]
    }


_SERVICES: tuple[
    tuple[
        str,
        vol.Schema,
        Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]],
        SupportsResponse,
    ],
    ...,
] = (
    ("start_charge_session", START_SCHEMA, _start_session, SupportsResponse.NONE),
    ("stop_charge_session", DEVICE_SCHEMA, _stop_session, SupportsResponse.NONE),
    ("charge_point_command", COMMAND_SCHEMA, _charge_point_command, SupportsResponse.NONE),
    (
        "set_delayed_charging_schedule",
        DELAYED_SCHEMA,
        _set_delayed_charging_schedule,
        SupportsResponse.NONE,
    ),
    (
        "set_price_based_charging_settings",
        PRICE_BASED_SCHEMA,
        _set_price_based_charging_settings,
        SupportsResponse.NONE,
    ),
    ("set_current_override", OVERRIDE_SCHEMA, _set_current_override, SupportsResponse.OPTIONAL),
    (
        "clear_current_override",
        CLEAR_OVERRIDE_SCHEMA,
        _clear_current_override,
        SupportsResponse.NONE,
    ),
    ("list_current_overrides", DEVICE_SCHEMA, _list_current_overrides, SupportsResponse.ONLY),
    ("list_sessions", LIST_SESSIONS_SCHEMA, _list_sessions, SupportsResponse.ONLY),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, not per entry)."""
    for name, schema, handler, response in _SERVICES:
        hass.services.async_register(
            DOMAIN,
            name,
            handler,
            # 2026.x types schemas as probatio's (voluptuous' successor); both work at runtime.
            schema=schema,  # type: ignore[arg-type,unused-ignore]
            supports_response=response,
        )
