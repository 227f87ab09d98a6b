"""A client for the Blue Current cloud's websocket API (EV charge points).

It depends on aiohttp alone, never on Home Assistant, so that it can be published on its own.
"""

from __future__ import annotations

from .client import BlueCurrentClient, CommandVerdict, UpdateListener
from .const import DEFAULT_URL
from .exceptions import (
    AlreadyConnectedError,
    BlueCurrentConnectionError,
    BlueCurrentError,
    CommandError,
    CommandRefusedError,
    CommandTimeoutError,
    InvalidApiTokenError,
    NoActiveProfileError,
    NotConnectedError,
    ParseError,
    RequestLimitReachedError,
)
from .models import (
    Account,
    AccountData,
    Activity,
    ChargeCard,
    ChargePoint,
    ChargePointData,
    ChargePointSettings,
    ChargePointStatus,
    CommandAcknowledgement,
    ConnectionStats,
    DelayedCharging,
    GridStatus,
    OverrideSchedule,
    PriceBasedCharging,
    Setting,
    Tariff,
    Update,
    UpdateKind,
    VehicleStatus,
)

__all__ = [
    "DEFAULT_URL",
    "Account",
    "AccountData",
    "Activity",
    "AlreadyConnectedError",
    "BlueCurrentClient",
    "BlueCurrentConnectionError",
    "BlueCurrentError",
    "ChargeCard",
    "ChargePoint",
    "ChargePointData",
    "ChargePointSettings",
    "ChargePointStatus",
    "CommandAcknowledgement",
    "CommandError",
    "CommandRefusedError",
    "CommandTimeoutError",
    "CommandVerdict",
    "ConnectionStats",
    "DelayedCharging",
    "GridStatus",
    "InvalidApiTokenError",
    "NoActiveProfileError",
    "NotConnectedError",
    "OverrideSchedule",
    "ParseError",
    "PriceBasedCharging",
    "RequestLimitReachedError",
    "Setting",
    "Tariff",
    "Update",
    "UpdateKind",
    "UpdateListener",
    "VehicleStatus",
]
