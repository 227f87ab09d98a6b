"""Base entities of the Blue Current integration (the seed's BlueCurrentEntity)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .api import (
    Activity,
    ChargePointData,
    CommandRefusedError,
    CommandTimeoutError,
    NoActiveProfileError,
    NotConnectedError,
)
from .api.exceptions import BlueCurrentError
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection

type EntityFactory = Callable[[BlueCurrentConnection, str], Iterable[Entity]]

# The Blue Current driver portal, where the API token comes from (the vendor's own integration
# sends users there: README of github.com/bluecurrent/ha-bluecurrent). The service reports no
# firmware or software version for a charge point, so devices carry no sw_version.
PORTAL_URL = "https://my.bluecurrent.nl/"


async def add_charge_point_entities(
    entry: BlueCurrentConfigEntry,
    async_add_entities: Callable[[Iterable[Entity]], None],
    factory: EntityFactory,
) -> None:
    """Add a platform's entities for every charge point, now and whenever one joins.

    One charge point at a time, letting the event loop run in between: Home Assistant adds a
    batch of entities in one go, and a fleet's thousands at once would block it for seconds.
    """
    connection = entry.runtime_data

    @callback
    def add(evse_ids: list[str]) -> None:
        for evse_id in evse_ids:
            if evse_id in connection.data.charge_points:  # it may have left meanwhile
                async_add_entities(factory(connection, evse_id))

    # Listening first: a charge point that joins while these are added is not missed.
    entry.async_on_unload(connection.async_add_charge_point_listener(add))
    for evse_id in list(connection.data.charge_points):
        add([evse_id])
        await asyncio.sleep(0)


class BlueCurrentEntity(Entity):
    """An entity fed by a ``BlueCurrentConnection``.

    It writes its state only when what it shows changed: the service resends whole statuses,
    and most of their fields rarely change.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    # The status fields (model names) the state depends on; None: re-read on every update.
    _reads_status: frozenset[str] | None = None

    def __init__(
        self,
        connection: BlueCurrentConnection,
        description: EntityDescription,
        evse_id: str | None,
    ) -> None:
        """Describe the entity; ``evse_id`` None means account level."""
        self.connection = connection
        self.entity_description = description
        self._evse_id = evse_id
        self._shown: tuple[Any, ...] | None = None
        # Descriptions that know which status fields they show say so (``reads_status``).
        reads: frozenset[str] | None = getattr(description, "reads_status", None)
        if reads is not None:
            self._reads_status = reads

    async def async_added_to_hass(self) -> None:
        """Follow the connection's changes of this entity's charge point (or account)."""
        await super().async_added_to_hass()
        self.async_on_remove(self.connection.async_add_listener(self._handle_update, self._evse_id))
        self._shown = self._what_is_shown()

    @callback
    def _handle_update(self, changed: frozenset[str] | None = None) -> None:
        """The seed's update_from_latest_data: write the state if what is shown changed.

        ``changed`` names the status fields a status update changed (None: anything may have).
        """
        if (
            changed is not None
            and self._reads_status is not None
            and changed.isdisjoint(self._reads_status)
        ):
            return
        shown = self._what_is_shown()
        if shown != self._shown:
            self._shown = shown
            self.async_write_ha_state()

    def _what_is_shown(self) -> tuple[Any, ...]:
        """Everything of the entity's state that a change must be written for."""
        if not self.available:
            # An unavailable entity shows nothing else: data arriving while it is (a resync
            # after a reconnect) is written once, when it becomes available.
            return (False,)
        return (True, self.shown_value(), self.extra_state_attributes)

    def shown_value(self) -> Any:
        """The entity's value (state) as the platform computes it."""
        raise NotImplementedError

    @property
    def available(self) -> bool:
        """Unavailable while the connection is down, or before there is data."""
        return self.connection.connected and self.has_data()

    def has_data(self) -> bool:
        """Whether the data this entity shows has arrived."""
        return True


class ChargePointEntity(BlueCurrentEntity):
    """An entity of one charge point (one device each)."""

    def __init__(
        self,
        connection: BlueCurrentConnection,
        description: EntityDescription,
        evse_id: str,
    ) -> None:
        """Give the entity its charge point's device and the unique id core uses."""
        super().__init__(connection, description, evse_id)
        self.evse_id = evse_id
        self._attr_unique_id = connection.unique_id(description.key, evse_id)
        charge_point = connection.data.charge_points[evse_id].charge_point
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, evse_id)},
            name=charge_point.display_name,
            manufacturer="Blue Current",
            model=charge_point.model_type or None,
            serial_number=evse_id,
            configuration_url=PORTAL_URL,
        )

    @property
    def charge_point(self) -> ChargePointData | None:
        """Everything known about this charge point (None once it left the account)."""
        return self.connection.data.charge_points.get(self.evse_id)

    def has_data(self) -> bool:
        """A charge point entity needs the charge point's status."""
        data = self.charge_point
        return data is not None and data.status is not None


class GridEntity(BlueCurrentEntity):
    """An entity of the account's grid connection."""

    def __init__(self, connection: BlueCurrentConnection, description: EntityDescription) -> None:
        """Scope the unique id by account: core's unscoped ids clash between accounts."""
        super().__init__(connection, description, None)
        self._attr_unique_id = f"{description.key}_{connection.customer_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"grid_{connection.customer_id}")},
            translation_key="grid_connection",
            manufacturer="Blue Current",
            model="Grid connection",
            configuration_url=PORTAL_URL,
        )

    def has_data(self) -> bool:
        """Grid entities need a grid status."""
        return self.connection.data.grid is not None


def is_blocked(data: ChargePointData) -> bool | None:
    """The seed's handle_activity rule: a blocked charge point reports activity unavailable."""
    if data.status is None or data.status.activity is None:
        return None
    return data.status.activity is Activity.UNAVAILABLE


async def run_command(
    connection: BlueCurrentConnection,
    command: Callable[[], Awaitable[Any]],
    evse_id: str | None = None,
) -> Any:
    """Run a client command; turn its failures into errors a user can read."""
    placeholders = {"evse_id": evse_id or "-"}
    if not connection.connected:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="not_connected",
            translation_placeholders=placeholders,
        )
    try:
        return await command()
    except NoActiveProfileError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_active_profile",
            translation_placeholders=placeholders,
        ) from err
    except CommandRefusedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_refused",
            translation_placeholders={**placeholders, "reason": err.reason},
        ) from err
    except CommandTimeoutError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_timeout",
            translation_placeholders=placeholders,
        ) from err
    except NotConnectedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="not_connected",
            translation_placeholders=placeholders,
        ) from err
    except ValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_argument",
            translation_placeholders={**placeholders, "reason": str(err)},
        ) from err
    except BlueCurrentError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={**placeholders, "reason": str(err)},
        ) from err
