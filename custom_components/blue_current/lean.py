"""Which charge point entities are registered, and which are enabled, by default and for fleets.

Every registered entity costs Home Assistant about 0.2 ms of setup and 3.6 KiB (disabled) to
8 KiB (enabled) of memory, so a fleet of 500 charge points pays for each entity 500 times. The
rules, applied by the entity stager (``entity.EntityStager``) to every platform's entities:

- **Lean by default.** Entities only for what a charge point has and the user uses:
  a smart-charging profile's times, numbers and boost appear when that profile is turned on
  (at runtime, when the service reports it). Per-phase values and diagnostics are registered
  disabled (Home Assistant's guidelines), as are rarely used controls (reset, reboot).
- **Fleet option** (per entry, options flow): only the values core shows plus the lifetime
  energy, all enabled: no more entities, and no more memory, per charge point than core.
  Everything else stays reachable: controls through the ``charge_point_command`` action (and
  the session actions), every value in diagnostics.
"""

from __future__ import annotations

from typing import Final

from homeassistant.helpers.entity import Entity

from .api import ChargePointData

# Option (entry.options): register the fleet's set only.
CONF_FLEET: Final = "fleet"

# Registered disabled by default (users who want them enable them).
DISABLED_BY_DEFAULT: Final = frozenset(
    {
        "online",  # diagnostic
        "session_duration",  # diagnostic
        "iec_61851_status",  # the vehicle status in IEC 61851 letters: for installers
        "tariff_price",  # diagnostic
        "tariff_start_price",  # diagnostic
        "reset",  # rarely used; also the charge_point_command action
        "reboot",  # rarely used; also the charge_point_command action
    }
)

# Registered only while one of these smart-charging profiles is on.
_DELAYED: Final = ("delayed_charging",)
_PRICE_BASED: Final = ("price_based_charging",)
_ANY_PROFILE: Final = ("delayed_charging", "price_based_charging")
WHILE_PROFILE_ON: Final[dict[str, tuple[str, ...]]] = {
    "delayed_charging_start": _DELAYED,
    "delayed_charging_end": _DELAYED,
    "departure_time": _PRICE_BASED,
    "minimum_charge": _PRICE_BASED,
    "battery_size": _PRICE_BASED,
    "boost": _ANY_PROFILE,
    "boosting": _ANY_PROFILE,
}

# What core shows by default (its enabled sensors).
CORE_SHOWN_KEYS: Final = frozenset(
    {
        "avg_voltage",
        "avg_current",
        "total_kw",
        "actual_kwh",
        "total_cost",
        "vehicle_status",
        "activity",
        "max_usage",
        "start_datetime",
        "stop_datetime",
        "offline_since",
    }
)
# The fleet's set: what core shows, and the lifetime energy for the Energy dashboard.
FLEET_KEYS: Final = CORE_SHOWN_KEYS | {"lifetime_energy"}


def _profile_on(data: ChargePointData, profile: str) -> bool:
    value = getattr(data, profile, None)
    return bool(getattr(value, "enabled", False))


def key_due(key: str | None, data: ChargePointData, fleet: bool) -> bool:
    """Whether the entity described by ``key`` (None: one without a description) is to be
    registered now (else it may be later, when data changes)."""
    if key is None:
        return not fleet
    if fleet:
        return key in FLEET_KEYS
    profiles = WHILE_PROFILE_ON.get(key)
    return profiles is None or any(_profile_on(data, profile) for profile in profiles)


def apply_defaults(entity: Entity, key: str | None) -> None:
    """Register ``entity`` (described by ``key``) disabled when the lean defaults say so (new
    registrations only)."""
    if key in DISABLED_BY_DEFAULT:
        entity._attr_entity_registry_enabled_default = False
