"""Diagnostics: what support needs to see, with credentials and personal data redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .api import ChargePointData
from .coordinator import BlueCurrentConfigEntry

TO_REDACT = {
    CONF_API_TOKEN,
    "title",
    "unique_id",
    "email",
    "customer_id",
    "uid",
    "card_id",
    "name",
    "customer_name",  # the card holder, a person
    "location",
    "session_card",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BlueCurrentConfigEntry
) -> dict[str, Any]:
    """The entry, the connection's health and everything known about the account."""
    connection = entry.runtime_data
    data = connection.data
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "connection": connection.diagnostics(),
            "charge_points": [_charge_point(cp) for cp in data.charge_points.values()],
            "grid": asdict(data.grid) if data.grid is not None else None,
            "cards": [asdict(card) for card in data.cards or ()],
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: BlueCurrentConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """One charge point (or the grid connection) and the connection's health."""
    connection = entry.runtime_data
    evse_ids = [key for domain, key in device.identifiers if domain == entry.domain]
    charge_point = connection.data.charge_points.get(evse_ids[0]) if evse_ids else None
    return async_redact_data(
        {
            "connection": connection.diagnostics(),
            "charge_point": _charge_point(charge_point) if charge_point is not None else None,
        },
        TO_REDACT,
    )


def _charge_point(data: ChargePointData) -> dict[str, Any]:
    summary = asdict(data)
    if data.status is not None:
        summary["status"]["reported"] = sorted(data.status.reported)
        summary["status"]["power_kw"] = data.status.power_kw
    return summary
