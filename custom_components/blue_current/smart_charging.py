"""Smart charging as one choice: off, delayed or price-based.

The service runs one smart-charging profile at a time, but it keeps a switch for each and does
not turn one off when the other goes on (the client does: ``BlueCurrentClient.
set_delayed_charging`` / ``set_price_based_charging``). One select says what is true and
cannot be set to something the service would not do.

The two profile switches stay, for automations and dashboards that use them, but are disabled
by default for new installations (``switch.py``): an existing installation keeps its enabled
switches, a new one shows the select only. Nothing is migrated or removed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.exceptions import ServiceValidationError

from .api import ChargePointData, DelayedCharging, PriceBasedCharging
from .const import DOMAIN
from .coordinator import BlueCurrentConnection
from .entity import ChargePointEntity, run_command

OFF = "off"
DELAYED = "delayed"
PRICE_BASED = "price_based"

SMART_CHARGING_MODE = SelectEntityDescription(
    key="smart_charging_mode", translation_key="smart_charging_mode"
)


def _profiles(
    data: ChargePointData,
) -> dict[str, DelayedCharging | PriceBasedCharging]:
    """The profiles the service reports, by mode (settings, else the charge point list)."""
    found: dict[str, DelayedCharging | PriceBasedCharging] = {}
    if data.delayed_charging is not None:
        found[DELAYED] = data.delayed_charging
    if data.price_based_charging is not None:
        found[PRICE_BASED] = data.price_based_charging
    return found


def smart_charging_selects(
    connection: BlueCurrentConnection, evse_id: str
) -> list[SmartChargingModeSelect]:
    """The select, for charge points that report at least one profile."""
    if not _profiles(connection.data.charge_points[evse_id]):
        return []
    return [SmartChargingModeSelect(connection, SMART_CHARGING_MODE, evse_id)]


class SmartChargingModeSelect(ChargePointEntity, SelectEntity):
    """Which smart-charging profile is on; choosing one turns the other off."""

    # Nothing it shows comes from the status.
    _reads_status: frozenset[str] = frozenset()

    def _reported(self) -> dict[str, DelayedCharging | PriceBasedCharging]:
        data = self.charge_point
        return _profiles(data) if data is not None else {}

    @property
    def options(self) -> list[str]:
        """Off, and the profiles this charge point has."""
        return [OFF, *self._reported()]

    @property
    def current_option(self) -> str | None:
        """The profile that is on; unknown when both are (set so elsewhere)."""
        on = [mode for mode, profile in self._reported().items() if profile.enabled]
        if not on:
            return OFF
        return on[0] if len(on) == 1 else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Say so when the owner does not let this account change a profile."""
        if all(profile.editable for profile in self._reported().values()):
            return None
        return {"editable": False}

    def shown_value(self) -> Any:
        """The choice and the choices."""
        return (self.current_option, tuple(self.options))

    async def async_select_option(self, option: str) -> None:
        """Turn ``option``'s profile on (the other off), or every profile off."""
        profiles = self._reported()
        if option != OFF and option not in profiles:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_smart_charging_mode",
                translation_placeholders={"evse_id": self.evse_id, "mode": option},
            )
        # Every profile that changes must be editable: the chosen one, and those on now.
        changing = {
            mode: profile
            for mode, profile in profiles.items()
            if (mode == option) != profile.enabled
        }
        if any(not profile.editable for profile in changing.values()):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="setting_not_editable",
                translation_placeholders={"evse_id": self.evse_id},
            )
        client = self.connection.client
        setters: dict[str, Callable[[str, bool], Awaitable[None]]] = {
            DELAYED: client.set_delayed_charging,
            PRICE_BASED: client.set_price_based_charging,
        }
        if option != OFF:
            if changing:
                # The client turns the other profile off first (the service would not).
                on = partial(setters[option], self.evse_id, True)
                await run_command(self.connection, on, self.evse_id)
            return
        for mode in changing:
            off = partial(setters[mode], self.evse_id, False)
            await run_command(self.connection, off, self.evse_id)
