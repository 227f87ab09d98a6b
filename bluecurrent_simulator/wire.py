"""The model, as the Blue Current service would put it on the wire (see docs/design.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .model import AMSTERDAM, OverrideSchedule, SimAccount, SimChargePoint

type Wire = dict[str, Any]


def timestamp(moment: datetime | None) -> str:
    """``YYYYMMDD HH:MM:SS`` in Amsterdam time, or ``""`` for none [V]."""
    if moment is None:
        return ""
    return moment.astimezone(AMSTERDAM).strftime("%Y%m%d %H:%M:%S")


def permission(editable: bool) -> str:
    """The service's word for whether a user may change a setting."""
    return "write" if editable else "read"  # [guess] the permission values


def charge_point_summary(charge_point: SimChargePoint) -> Wire:
    """An item of ``CHARGE_POINTS``."""
    return {
        "evse_id": charge_point.evse_id,
        "model_type": charge_point.model.name,
        "name": charge_point.name,
        "smart_charging": charge_point.smart_charging,
        # [P] fields, from the app endpoint of the same backend.
        "chargepoint_type": "HIDDEN" if charge_point.model.phases == 1 else "PUBLIC",  # [guess]
        "is_cable": True,
        "activity": charge_point.activity,
        "plug_and_charge": {
            "value": charge_point.plug_and_charge,
            "permission": permission(charge_point.plug_and_charge_editable),
        },
        "public_charging": {
            "value": charge_point.public_charging,
            "permission": permission(charge_point.public_charging_editable),
        },
    }


def charge_points(account: SimAccount) -> Wire:
    """``CHARGE_POINTS``."""
    return {
        "object": "CHARGE_POINTS",
        "data": [charge_point_summary(cp) for cp in account.charge_points.values()],
    }


def status(charge_point: SimChargePoint) -> Wire:
    """``CH_STATUS``: the whole live status."""
    v1, v2, v3 = charge_point.voltages()
    i1, i2, i3 = charge_point.currents()
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
        "start_datetime": timestamp(charge_point.session_start),
        "stop_datetime": timestamp(charge_point.session_stop),
        "offline_since": timestamp(charge_point.offline_since),
        "total_cost": round(charge_point.session_cost, 2),
        "max_usage": charge_point.max_usage,
        "smartcharging_max_usage": charge_point.smartcharging_max_usage,
        "max_offline": charge_point.max_offline,
        "boosting": charge_point.boosting,  # [P]
    }
    return {"object": "CH_STATUS", "evse_id": charge_point.evse_id, "data": data}


def settings(charge_point: SimChargePoint) -> Wire:
    """``CH_SETTINGS``."""
    delayed = charge_point.delayed
    price = charge_point.price_based
    data: Wire = {
        "evse_id": charge_point.evse_id,
        "plug_and_charge": {
            "value": charge_point.plug_and_charge,
            "permission": permission(charge_point.plug_and_charge_editable),
        },
        "public_charging": {
            "value": charge_point.public_charging,
            "permission": permission(charge_point.public_charging_editable),
        },
        "smart_charging": charge_point.smart_charging,
        # [P] fields.
        "chargepoint_name": charge_point.name,
        "led_intensity": charge_point.led_intensity,
        "delayed_charging": {
            "value": delayed.enabled,
            "start_time": delayed.start_time,
            "end_time": delayed.end_time,
            "selected_days": list(delayed.days),
        },
        "price_based_charging": {
            "value": price.enabled,
            "expected_leave_time": price.expected_leave_time,
            "expected_kwh": price.expected_kwh,
            "minimum_kwh": price.minimum_kwh,
            # [guess] the PATCH_PRICE_BASED_CHARGING_SETTINGS names, echoed back.
            "minimum_pct": price.minimum_pct,
            "battery_size_kwh": price.battery_size_kwh,
            "current_battery_pct": price.current_battery_pct,
        },
    }
    return {"object": "CH_SETTINGS", "evse_id": charge_point.evse_id, "data": data}


def grid_status(account: SimAccount) -> Wire:
    """``GRID_STATUS``: the answer to ``GET_GRID_STATUS``."""
    p1, p2, p3 = account.grid_currents()
    return {
        "object": "GRID_STATUS",
        "data": {
            "id": account.grid_id,
            "grid_actual_p1": p1,
            "grid_actual_p2": p2,
            "grid_actual_p3": p3,
            "grid_max_install": account.grid_max_install,
            "grid_max_reserved": account.grid_max_reserved,
        },
    }


def grid_current(account: SimAccount) -> Wire:
    """``GRID_CURRENT``: the pushed form, currents at the top level [V]."""
    p1, p2, p3 = account.grid_currents()
    return {
        "object": "GRID_CURRENT",
        "grid_actual_p1": p1,
        "grid_actual_p2": p2,
        "grid_actual_p3": p3,
    }


def cards(account: SimAccount) -> Wire:
    """``CHARGE_CARDS``: cards under ``cards`` [P]."""
    return {
        "object": "CHARGE_CARDS",
        "cards": [
            {"uid": c.uid, "id": c.card_id, "name": c.name, "valid": c.valid} for c in account.cards
        ],
    }


def override_schedule(schedule: OverrideSchedule) -> Wire:
    """One current-override schedule; days are comma-separated strings [V], the rest [guess]."""
    return {
        "schedule_id": schedule.schedule_id,
        "chargepoints": list(schedule.charge_points),
        "override_start_time": schedule.start_time,
        "override_end_time": schedule.end_time,
        "override_start_days": ",".join(schedule.start_days),
        "override_end_days": ",".join(schedule.end_days),
        "override_value": schedule.value,
    }


def error(code: int, message: str) -> Wire:
    """An ``ERROR`` object [V]."""
    return {"object": "ERROR", "error": code, "message": message}


ERROR_UNKNOWN_COMMAND = (0, "Unknown command")
ERROR_INVALID_AUTH = (1, "Invalid Auth Token")
ERROR_NOT_AUTHORIZED = (2, "Not authorized")
ERROR_UNKNOWN = (9, "Unknown error")
ERROR_REQUEST_LIMIT = (42, "Request limit reached")
