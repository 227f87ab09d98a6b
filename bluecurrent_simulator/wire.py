"""The model, as the Blue Current service would put it on the wire (see docs/design.md).

Two sets of shapes: ``"recorded"`` (the default) follows what public recordings and the
vendor's own code show (protocol.md "Evidence", docs/corpus.md; marks [D] [T] [A] [R] [H]);
``"guessed"`` keeps the shapes this simulator first had, for tests that need them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from .model import AMSTERDAM, ChargeCard, OverrideSchedule, SimAccount, SimChargePoint

type Wire = dict[str, Any]
type Shapes = Literal["recorded", "guessed"]
SHAPES: tuple[Shapes, ...] = ("recorded", "guessed")
APP_CARD = "BCU-APP"  # the app pseudo-card: no card [D]
HOME_USE_CARD = "BCU_HOME_USE"  # the plug & charge pseudo-card: no card [R]


def timestamp(moment: datetime | None, offset: bool = False) -> str:
    """``YYYYMMDD HH:MM:SS`` in Amsterdam time (with ``+HH:MM`` [T][H] if asked), or ``""``."""
    if moment is None:
        return ""
    local = moment.astimezone(AMSTERDAM)
    return local.strftime("%Y%m%d %H:%M:%S%:z" if offset else "%Y%m%d %H:%M:%S")


def permission(editable: bool) -> str:
    """The guessed shapes' word for whether a user may change a setting."""
    return "write" if editable else "read"


def _setting(charge_point: SimChargePoint, name: str, value: object) -> Wire:
    """A setting as ``{value, permission}`` [D][R]."""
    return {"value": value, "permission": charge_point.permission(name)}


def card(card: ChargeCard | None, pseudo: str = APP_CARD, customer_name: str = "") -> Wire:
    """A card object as settings carry it [R]; ``None`` is the pseudo-card."""
    if card is None:
        if pseudo == HOME_USE_CARD:  # recorded without name and valid [R]
            return {"customer_name": customer_name, "id": pseudo, "uid": pseudo}
        return {"customer_name": customer_name, "id": pseudo, "name": "", "uid": pseudo, "valid": 1}
    return {
        "customer_name": card.customer_name,
        "id": card.card_id,
        "name": card.name,
        "uid": card.uid,
        "valid": 1 if card.valid else 0,
    }


def _tariff(charge_point: SimChargePoint, with_permission: bool) -> Wire:
    """``tariff``: no ``permission`` in CHARGE_POINTS, one in CH_SETTINGS [R]."""
    price = charge_point.tariff_eur_per_kwh
    tariff: Wire = {
        "currency": "EUR",
        "price_ex_vat": round(price / 1.21, 4),
        "price_in_vat": price,
        "start_price_ex_vat": round(charge_point.tariff_start_eur / 1.21, 4),
        "start_price_in_vat": charge_point.tariff_start_eur,
        "tariff_id": "NLBCUT001",
        "vat_percentage": 21,
    }
    if with_permission:
        tariff["permission"] = charge_point.permission("tariff")
    return tariff


def _location() -> Wire:
    return {
        "city": "Amersfoort",
        "country": "NL",
        "housenumber": "1",
        "street": "Simulatorstraat",
        "x_coord": 52.15,
        "y_coord": 5.38,
        "zipcode": "1234AB",
    }


def _common_recorded(charge_point: SimChargePoint) -> Wire:
    """The fields CHARGE_POINTS items and CH_SETTINGS share [R]."""
    cp = charge_point
    return {
        "capacity_tariff": {
            "capacitytariffmaxkwh": cp.capacity_tariff_max_kwh,
            "permission": cp.permission("capacity_tariff"),
            "value": cp.capacity_tariff,
        },
        "chargepoint_type": cp.model.chargepoint_type,
        "default_card": card(cp.default_card),
        "evse_id": cp.evse_id,
        "is_cable": True,
        "led_interaction": _setting(cp, "led_interaction", cp.led_interaction),
        "location": _location(),
        "model_type": cp.model.name,
        "plug_and_charge": _setting(cp, "plug_and_charge", cp.plug_and_charge),
        "plug_and_charge_charge_card": card(cp.plug_and_charge_card, HOME_USE_CARD),
        "plug_and_charge_notification": _setting(
            cp, "plug_and_charge_notification", cp.plug_and_charge_notification
        ),
        "preferred_card": card(cp.preferred_card),
        "public_charging": _setting(cp, "public_charging", cp.public_charging),
        "publish_location": _setting(cp, "publish_location", cp.publish_location),
        "smart_charging": cp.smart_charging,
        "smart_charging_dynamic": cp.smart_charging_dynamic,
    }


def _guessed_settings(cp: SimChargePoint) -> Wire:
    """The two settings as the first guesses sent them: ``{value, permission}``."""
    return {
        "plug_and_charge": {
            "value": cp.plug_and_charge,
            "permission": permission(cp.plug_and_charge_editable),
        },
        "public_charging": {
            "value": cp.public_charging,
            "permission": permission(cp.public_charging_editable),
        },
    }


def charge_point_summary(charge_point: SimChargePoint, shapes: Shapes = "recorded") -> Wire:
    """An item of ``CHARGE_POINTS``: [R]'s recording, or the guessed form."""
    cp = charge_point
    if shapes == "guessed":
        return {
            "evse_id": cp.evse_id,
            "model_type": cp.model.name,
            "name": cp.name,
            "smart_charging": cp.smart_charging,
            "chargepoint_type": "HIDDEN" if cp.model.phases == 1 else "PUBLIC",
            "is_cable": True,
            "activity": cp.activity,
            **_guessed_settings(cp),
        }
    return _common_recorded(cp) | {
        "activity": cp.activity,
        # Only value and permission here; the schedule is in CH_SETTINGS [R].
        "delayed_charging": _setting(cp, "delayed_charging", cp.delayed.enabled),
        "name": cp.name,
        "price_based_charging": _setting(cp, "price_based_charging", cp.price_based.enabled),
        "socket_id": 1,
        "socket_ids": [1],
        "tariff": _tariff(cp, with_permission=False),
    }


def charge_points(account: SimAccount, shapes: Shapes = "recorded") -> Wire:
    """``CHARGE_POINTS``."""
    return {
        "object": "CHARGE_POINTS",
        "data": [charge_point_summary(cp, shapes) for cp in account.charge_points.values()],
    }


def status(charge_point: SimChargePoint, shapes: Shapes = "recorded") -> Wire:
    """``CH_STATUS``: the whole live status ([T]'s fields, plus ``boosting`` [R])."""
    v1, v2, v3 = charge_point.voltages()
    i1, i2, i3 = charge_point.currents()
    offset = shapes == "recorded"  # +HH:MM offsets [T][H]
    data: Wire = {
        "evse_id": charge_point.evse_id,
        "actual_v1": v1,
        "actual_v2": v2,
        "actual_v3": v3,
        "actual_p1": i1,
        "actual_p2": i2,
        "actual_p3": i3,
        "actual_kwh": round(charge_point.session_energy_kwh, 3),
        "activity": charge_point.activity,
        "vehicle_status": charge_point.vehicle_status,
        "start_datetime": timestamp(charge_point.session_start, offset),
        "stop_datetime": timestamp(charge_point.session_stop, offset),
        "offline_since": timestamp(charge_point.offline_since, offset),
        "total_cost": round(charge_point.session_cost, 2),
        "max_usage": charge_point.max_usage,
        "smartcharging_max_usage": charge_point.smartcharging_max_usage,
        "max_offline": charge_point.max_offline,
        "boosting": charge_point.boosting,
    }
    return {"object": "CH_STATUS", "evse_id": charge_point.evse_id, "data": data}


def _price_based(charge_point: SimChargePoint) -> Wire:
    price = charge_point.price_based
    return {
        "value": price.enabled,
        "expected_leave_time": price.expected_leave_time,  # [P] reads this name
        "expected_kwh": price.expected_kwh,
        "minimum_kwh": price.minimum_kwh,
        # [guess] the PATCH_PRICE_BASED_CHARGING_SETTINGS names, echoed back.
        "minimum_pct": price.minimum_pct,
        "battery_size_kwh": price.battery_size_kwh,
        "current_battery_pct": price.current_battery_pct,
    }


def _delayed(charge_point: SimChargePoint) -> Wire:
    delayed = charge_point.delayed
    return {
        "value": delayed.enabled,
        "start_time": delayed.start_time,
        "end_time": delayed.end_time,
        "selected_days": list(delayed.days),
    }


def settings(charge_point: SimChargePoint, shapes: Shapes = "recorded") -> Wire:
    """``CH_SETTINGS``: [R]'s recording, or the guessed form."""
    cp = charge_point
    if shapes == "guessed":
        data: Wire = {
            "evse_id": cp.evse_id,
            **_guessed_settings(cp),
            "smart_charging": cp.smart_charging,
            "chargepoint_name": cp.name,
            "led_intensity": cp.led_intensity,
            "delayed_charging": _delayed(cp),
            "price_based_charging": _price_based(cp),
        }
    else:
        data = _common_recorded(cp) | {
            "chargepoint_name": cp.name,
            "delayed_charging": _delayed(cp) | {"permission": cp.permission("delayed_charging")},
            "led_intensity": _setting(cp, "led_intensity", cp.led_intensity),
            # [R] recorded only {value, permission} (profile off); the rest from code [P].
            "price_based_charging": _price_based(cp)
            | {"permission": cp.permission("price_based_charging")},
            "tariff": _tariff(cp, with_permission=True),
        }
    return {"object": "CH_SETTINGS", "evse_id": cp.evse_id, "data": data}


def grid_status(
    account: SimAccount, shapes: Shapes = "recorded", evse_id: str | None = None
) -> Wire:
    """``GRID_STATUS``, the answer to ``GET_GRID_STATUS``: no evse_id, id ``GRID-<evse_id>``."""
    p1, p2, p3 = account.grid_currents()
    first = evse_id or next(iter(account.charge_points), None)
    grid_id = f"GRID-{first}" if shapes == "recorded" and first else account.grid_id
    return {
        "object": "GRID_STATUS",
        "data": {
            "id": grid_id,
            "grid_actual_p1": p1,
            "grid_actual_p2": p2,
            "grid_actual_p3": p3,
            "grid_max_install": account.grid_max_install,
            "grid_max_reserved": account.grid_max_reserved,
        },
    }


def grid_current(account: SimAccount) -> Wire:
    """``GRID_CURRENT``: the pushed form, currents at the top level [V][T]."""
    p1, p2, p3 = account.grid_currents()
    return {
        "object": "GRID_CURRENT",
        "grid_actual_p1": p1,
        "grid_actual_p2": p2,
        "grid_actual_p3": p3,
    }


def cards(account: SimAccount, shapes: Shapes = "recorded") -> Wire:
    """``CHARGE_CARDS``: cards under ``cards``; recorded: integer ``valid`` and dates [R]."""
    if shapes == "guessed":
        items = [
            {"uid": c.uid, "id": c.card_id, "name": c.name, "valid": c.valid} for c in account.cards
        ]
    else:
        items = [
            card(c)
            | {
                "date_became_invalid": c.date_became_invalid,
                "date_created": c.date_created,
                "date_modified": c.date_modified,
            }
            for c in account.cards
        ]
    return {"object": "CHARGE_CARDS", "cards": items}


def override_schedule(schedule: OverrideSchedule, shapes: Shapes = "recorded") -> Wire:
    """One current-override schedule: the vendor's keys [T][A], or the guessed ones."""
    if shapes == "guessed":
        return {
            "schedule_id": schedule.schedule_id,
            "chargepoints": list(schedule.charge_points),
            "override_start_time": schedule.start_time,
            "override_end_time": schedule.end_time,
            "override_start_days": ",".join(schedule.start_days),
            "override_end_days": ",".join(schedule.end_days),
            "override_value": schedule.value,
        }
    return {
        "schedule_id": str(schedule.schedule_id),
        "charge_points": list(schedule.charge_points),
        "override_current": schedule.value,
        "start_time": schedule.start_time,
        "stop_time": schedule.end_time,
        "override_start_days": ",".join(schedule.start_days),
        "override_end_days": ",".join(schedule.end_days),
    }


def account_details(account: SimAccount, shapes: Shapes = "recorded") -> Wire:
    """``ACCOUNT``: recorded without ``customer_id`` [R]."""
    if shapes == "guessed":
        return {
            "object": "ACCOUNT",
            "login": account.email,
            "customer_id": account.customer_id,
            "full_name": account.full_name,
        }
    return {
        "object": "ACCOUNT",
        "developer_mode_enabled": False,
        "email": account.email,
        "first_login_app": "2024-01-02T10:00:00",
        "full_name": account.full_name,
        "hubspot_user_identity": "simulated",
        "login": account.email,
        "marketing_target": "bluecurrent",
        "should_reset_password": False,
        "tel": "",
    }


def hello(shapes: Shapes = "recorded") -> Wire:
    """``HELLO``: bare when recorded [R]."""
    return {"object": "HELLO", "success": True} if shapes == "guessed" else {"object": "HELLO"}


def error(code: int, message: str, flow_id: str | None = None) -> Wire:
    """An ``ERROR`` object [V]; with the request's ``flow_id`` when it had one [P][guess]."""
    frame: Wire = {"object": "ERROR", "error": code, "message": message}
    if flow_id is not None:
        frame["flow_id"] = flow_id
    return frame


ERROR_UNKNOWN_COMMAND = (0, "Unknown command")
ERROR_INVALID_AUTH = (1, "Invalid Auth Token")
ERROR_NOT_AUTHORIZED = (2, "Not authorized")
ERROR_FORBIDDEN = (2, "forbidden")  # the recorded text of code 2 [R]
ERROR_UNKNOWN = (9, "Unknown error")
ERROR_REQUEST_LIMIT = (42, "Request limit reached")
