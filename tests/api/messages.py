"""Server messages as docs/design.md describes them, for the parser tests."""

from __future__ import annotations

import json
from typing import Any

from custom_components.blue_current.api.parsing import ServerMessage, parse_message

EVSE_ID = "BCU100001"


def status_data(**changes: Any) -> dict[str, Any]:
    """A whole CH_STATUS ``data`` of a charge point charging on three phases."""
    data: dict[str, Any] = {
        "evse_id": EVSE_ID,
        "actual_v1": 230.0,
        "actual_v2": 231.0,
        "actual_v3": 229.0,
        "actual_p1": 16.0,
        "actual_p2": 16.0,
        "actual_p3": 16.0,
        "actual_kwh": 12.5,
        "activity": "charging",
        "vehicle_status": "C",
        "start_datetime": "20240115 08:30:00",
        "stop_datetime": "",
        "offline_since": "",
        "total_cost": 3.75,
        "max_usage": 32,
        "smartcharging_max_usage": 20,
        "max_offline": 6,
        "boosting": False,
    }
    data.update(changes)
    return data


def settings_data(**changes: Any) -> dict[str, Any]:
    """A whole CH_SETTINGS ``data``."""
    data: dict[str, Any] = {
        "evse_id": EVSE_ID,
        "plug_and_charge": {"value": True, "permission": "write"},
        "public_charging": {"value": False, "permission": "read"},
        "smart_charging": True,
        "chargepoint_name": "Driveway",
        "led_intensity": 60,
        "delayed_charging": {
            "value": True,
            "start_time": "22:00",
            "end_time": "06:30",
            "selected_days": [1, 2, 3, 4, 5],
        },
        "price_based_charging": {
            "value": False,
            "expected_leave_time": "07:45",
            "expected_kwh": 30,
            "minimum_kwh": 5.5,
            "minimum_pct": 20,
            "battery_size_kwh": 77,
            "current_battery_pct": 40,
        },
    }
    data.update(changes)
    return data


def charge_point_item(evse_id: str = EVSE_ID, **changes: Any) -> dict[str, Any]:
    """One item of CHARGE_POINTS ``data``."""
    item: dict[str, Any] = {
        "evse_id": evse_id,
        "model_type": "H:MOVE-2W-32A",
        "name": "Driveway",
        "smart_charging": False,
        "chargepoint_type": "HIDDEN",
        "is_cable": True,
        "activity": "available",
        "plug_and_charge": {"value": False, "permission": "write"},
        "public_charging": {"value": True, "permission": "write"},
    }
    item.update(changes)
    return item


def schedule_item(**changes: Any) -> dict[str, Any]:
    """One current-override schedule."""
    item: dict[str, Any] = {
        "schedule_id": 7,
        "chargepoints": [EVSE_ID, "BCU100002"],
        "override_start_time": "17:00",
        "override_end_time": "21:00",
        "override_start_days": "MO,TU",
        "override_end_days": "MO,TU",
        "override_value": 10.0,
    }
    item.update(changes)
    return item


def bodies() -> dict[str, dict[str, Any]]:
    """One well-formed body of every server object the client reads."""
    return {
        "HELLO": {"object": "HELLO", "success": True},
        "CHARGE_POINTS": {
            "object": "CHARGE_POINTS",
            "data": [charge_point_item(), charge_point_item("BCU100002", name="")],
        },
        "CH_STATUS": {"object": "CH_STATUS", "evse_id": EVSE_ID, "data": status_data()},
        "CH_SETTINGS": {"object": "CH_SETTINGS", "evse_id": EVSE_ID, "data": settings_data()},
        "GRID_STATUS": {
            "object": "GRID_STATUS",
            "data": {
                "id": "GRID-1",
                "grid_actual_p1": 12.0,
                "grid_actual_p2": 8.0,
                "grid_actual_p3": 0.0,
                "grid_max_install": 40,
                "grid_max_reserved": 35,
            },
        },
        "GRID_CURRENT": {
            "object": "GRID_CURRENT",
            "grid_actual_p1": 14.0,
            "grid_actual_p2": 9.0,
            "grid_actual_p3": 1.0,
        },
        "CHARGE_CARDS": {
            "object": "CHARGE_CARDS",
            "cards": [
                {"uid": "04AABBCC", "id": "C-1", "name": "Work", "valid": True},
                {"uid": "04DDEEFF", "id": 2, "name": "Old", "valid": False},
            ],
        },
        "STATUS_SET_PLUG_AND_CHARGE": {
            "object": "STATUS_SET_PLUG_AND_CHARGE",
            "evse_id": EVSE_ID,
            "result": {"setting": "plug_and_charge: true"},
        },
        "STATUS_START_SESSION": {
            "object": "STATUS_START_SESSION",
            "evse_id": EVSE_ID,
            "error": "",
        },
        "RECEIVED_SET_DELAYED_CHARGING": {
            "object": "RECEIVED_SET_DELAYED_CHARGING",
            "evse_id": EVSE_ID,
            "error": "",
        },
        "LIST_OVERRIDE_CURRENT": {"object": "LIST_OVERRIDE_CURRENT", "data": [schedule_item()]},
        "POST_SET_OVERRIDE_CURRENT": {
            "object": "POST_SET_OVERRIDE_CURRENT",
            "data": schedule_item(),
        },
        "POST_CLEAR_OVERRIDE_CURRENT": {
            "object": "POST_CLEAR_OVERRIDE_CURRENT",
            "success": True,
            "schedule_id": 7,
        },
        "ERROR": {"object": "ERROR", "error": 2, "message": "Not authorized"},
        "STATUS_API_TOKEN": {
            "object": "STATUS_API_TOKEN",
            "success": True,
            "token": "session-secret",
            "customer_id": "C1",
        },
        "ACCOUNT": {
            "object": "ACCOUNT",
            "login": "owner@example.com",
            "customer_id": "C1",
            "full_name": "Owner",
        },
    }


def message(body: dict[str, Any]) -> ServerMessage:
    """Decode ``body`` the way the client decodes a frame."""
    return parse_message(json.dumps(body))


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document that holds a value."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += json_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += json_paths(child, (*prefix, index))
    return found
