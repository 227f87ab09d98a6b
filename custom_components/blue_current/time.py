"""Times of the smart-charging profiles: the delayed-charging window and the departure time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import BlueCurrentClient, ChargePointSettings
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities, run_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class ProfileTimeDescription(TimeEntityDescription):
    """A time of a smart-charging profile and how it is saved."""

    value_fn: Callable[[ChargePointSettings], time | None]
    set_fn: Callable[[BlueCurrentClient, ChargePointSettings, time], Awaitable[Any]]


def _save_window(
    start: bool,
) -> Callable[[BlueCurrentClient, ChargePointSettings, time], Awaitable[Any]]:
    """The service saves the window whole: keep the other end and the days as they are."""

    def save(
        client: BlueCurrentClient, settings: ChargePointSettings, value: time
    ) -> Awaitable[Any]:
        window = settings.delayed_charging
        other = (window.end_time if start else window.start_time) if window else None
        if window is None or other is None:
            # The service sent a window without its other end: there is nothing to keep, and
            # inventing one would change the schedule behind the user's back.
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="delayed_window_incomplete",
                translation_placeholders={"evse_id": settings.evse_id},
            )
        return client.save_delayed_charging_schedule(
            settings.evse_id,
            list(window.days),
            value if start else other,
            other if start else value,
        )

    return save


TIMES: tuple[ProfileTimeDescription, ...] = (
    ProfileTimeDescription(
        key="delayed_charging_start",
        translation_key="delayed_charging_start",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: s.delayed_charging.start_time if s.delayed_charging else None,
        set_fn=_save_window(start=True),
    ),
    ProfileTimeDescription(
        key="delayed_charging_end",
        translation_key="delayed_charging_end",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: s.delayed_charging.end_time if s.delayed_charging else None,
        set_fn=_save_window(start=False),
    ),
    ProfileTimeDescription(
        key="departure_time",
        translation_key="departure_time",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: (
            s.price_based_charging.departure_time if s.price_based_charging else None
        ),
        set_fn=lambda client, s, value: client.update_price_based_charging(
            s.evse_id, departure_time=value
        ),
    ),
)


def charge_point_times(connection: BlueCurrentConnection, evse_id: str) -> list[ProfileTime]:
    """The profile times the service reports for this charge point."""
    settings = connection.data.charge_points[evse_id].settings
    if settings is None:
        return []
    return [
        ProfileTime(connection, description, evse_id)
        for description in TIMES
        if description.value_fn(settings) is not None
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the profile times of every charge point."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_times)


class ProfileTime(ChargePointEntity, TimeEntity):
    """A time of a smart-charging profile; changed once the service accepts it."""

    # Nothing it shows comes from the status.
    _reads_status: frozenset[str] = frozenset()

    entity_description: ProfileTimeDescription

    def _settings(self) -> ChargePointSettings | None:
        data = self.charge_point
        return data.settings if data is not None else None

    @property
    def native_value(self) -> time | None:
        """The time the service reports."""
        settings = self._settings()
        return self.entity_description.value_fn(settings) if settings is not None else None

    def shown_value(self) -> Any:
        """The state."""
        return self.native_value

    async def async_set_value(self, value: time) -> None:
        """Save the new time."""
        settings = self._settings()
        if settings is None:  # it left the account meanwhile
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="not_connected",
                translation_placeholders={"evse_id": self.evse_id},
            )
        await run_command(
            self.connection,
            lambda: self.entity_description.set_fn(self.connection.client, settings, value),
            self.evse_id,
        )
