"""Blue Current EV charge points in Home Assistant, over the Blue Current websocket API."""

from __future__ import annotations

import asyncio
from typing import NoReturn

from homeassistant.const import CONF_API_TOKEN, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .api import (
    DEFAULT_URL,
    AlreadyConnectedError,
    BlueCurrentClient,
    BlueCurrentError,
    InvalidApiTokenError,
    RequestLimitReachedError,
)
from .const import (
    CONF_ENDPOINT,
    CORE_GRID_KEYS,
    DOMAIN,
    LOGGER,
    PLATFORMS,
    REQUEST_TIMEOUT,
    SNAPSHOT_TIMEOUT,
    VERDICT_TIMEOUT,
)
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import entity_platforms_ready, start_entity_registration
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

__all__ = [
    "BlueCurrentConfigEntry",
    "async_migrate_entry",
    "async_setup",
    "async_setup_entry",
    "async_unload_entry",
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: BlueCurrentConfigEntry) -> bool:
    """Connect to the account, wait for its charge points, and set up their entities."""
    client = BlueCurrentClient(
        async_get_clientsession(hass),
        entry.data[CONF_API_TOKEN],
        url=entry.data.get(CONF_ENDPOINT, DEFAULT_URL),
        request_timeout=REQUEST_TIMEOUT,
        verdict_timeout=VERDICT_TIMEOUT,
    )
    connection: BlueCurrentConnection | None = None
    try:
        customer_id, waiting_for = await _open(entry, client)
        connection = BlueCurrentConnection(hass, entry, client, customer_id)
        connection.start(waiting_for)
        if waiting_for is None:
            await _wait_for_snapshot(client)
        connection.start_tracking_charge_points()
        # Back from core: it made its unscoped grid ids again meanwhile; ours keep the history.
        _adopt_core_grid_unique_ids(hass, entry, customer_id)
        entry.runtime_data = connection
        entry.async_on_unload(connection.async_stop)
        entry.async_on_unload(_disconnect_at_stop(hass, connection))
        # Core's values first (the sensor platform, set up first), the rest after, in bounded
        # batches (see EntityStager).
        sensor = [platform for platform in PLATFORMS if platform is Platform.SENSOR]
        await hass.config_entries.async_forward_entry_setups(entry, sensor)
        start_entity_registration(entry)
        others = [platform for platform in PLATFORMS if platform is not Platform.SENSOR]
        await hass.config_entries.async_forward_entry_setups(entry, others)
        entity_platforms_ready(entry)
    except BaseException:
        # Whatever stopped setup, the socket (and the loop, and the heartbeat timer) must not
        # outlive it: a retry would be refused as "already connected".
        if connection is not None:
            await connection.async_stop()
        else:
            await client.disconnect()
        raise
    return True


async def _open(
    entry: BlueCurrentConfigEntry, client: BlueCurrentClient
) -> tuple[str, RequestLimitReachedError | None]:
    """Validate the token and connect: the customer id, and the request limit if reached.

    At the request limit setup still succeeds (the loop waits for the reset): failing would
    make Home Assistant retry setup every minute or so, spending requests until midnight.
    """
    try:
        customer_id = await client.validate_token()
        await client.connect()
    except RequestLimitReachedError as err:
        known = client.customer_id or entry.unique_id
        if known is None:
            _raise_setup_error(err)
        return known, err
    except BlueCurrentError as err:
        _raise_setup_error(err)
    return customer_id, None


async def _wait_for_snapshot(client: BlueCurrentClient) -> None:
    """Wait, with a timeout, for every charge point's status and settings (core waits forever)."""
    try:
        async with asyncio.timeout(SNAPSHOT_TIMEOUT):
            await client.wait_for_snapshot()
    except (TimeoutError, BlueCurrentError) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="snapshot_timeout"
        ) from err


@callback
def _disconnect_at_stop(hass: HomeAssistant, connection: BlueCurrentConnection) -> CALLBACK_TYPE:
    """Disconnect when Home Assistant stops; returns what stops listening (once, at unload)."""
    stopped = False

    async def disconnect(_event: Event) -> None:
        nonlocal stopped
        stopped = True
        await connection.async_stop()

    unsubscribe = hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, disconnect)

    @callback
    def stop_listening() -> None:
        # A one-time listener that already fired is gone: removing it again is an error.
        if not stopped:
            unsubscribe()

    return stop_listening


def _raise_setup_error(err: BlueCurrentError) -> NoReturn:
    """Setup failed: reauthenticate for a bad token, retry later for everything else."""
    if isinstance(err, InvalidApiTokenError):
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_token"
        ) from err
    if isinstance(err, RequestLimitReachedError):
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="request_limit_reached",
            translation_placeholders={
                "reset_at": dt_util.as_local(err.reset_at).strftime("%Y-%m-%d %H:%M")
            },
        ) from err
    if isinstance(err, AlreadyConnectedError):
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="already_connected"
        ) from err
    raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="cannot_connect") from err


async def async_migrate_entry(hass: HomeAssistant, entry: BlueCurrentConfigEntry) -> bool:
    """Entries made by core (1.1): scope the grid sensors' unique ids by account (1.2)."""
    if entry.version > 1:
        return False  # made by a newer version of this integration: nothing to do here
    if entry.minor_version < 2:
        if entry.unique_id is None:
            LOGGER.error("Cannot migrate Blue Current entry %s: no customer id", entry.title)
            return False
        _adopt_core_grid_unique_ids(hass, entry, entry.unique_id)
        hass.config_entries.async_update_entry(entry, minor_version=2)
    return True


@callback
def _adopt_core_grid_unique_ids(
    hass: HomeAssistant, entry: BlueCurrentConfigEntry, customer_id: str
) -> None:
    """Scope core's account-less grid unique ids by customer id; entity ids stay.

    Only this entry's entities (core's ids clash between accounts, so another entry may own
    one). Where the scoped id exists already (back from core, which made its own again), the
    scoped one holds the history and the entity id: core's newer duplicate is removed.
    """
    registry = er.async_get(hass)
    for key in CORE_GRID_KEYS:
        entity_id = registry.async_get_entity_id(Platform.SENSOR, DOMAIN, key)
        entity = registry.async_get(entity_id) if entity_id is not None else None
        if entity is None or entity.config_entry_id != entry.entry_id:
            continue
        scoped = f"{key}_{customer_id}"
        if registry.async_get_entity_id(Platform.SENSOR, DOMAIN, scoped) is not None:
            registry.async_remove(entity.entity_id)
        else:
            registry.async_update_entity(entity.entity_id, new_unique_id=scoped)


async def async_unload_entry(hass: HomeAssistant, entry: BlueCurrentConfigEntry) -> bool:
    """Unload the platforms; the connection is closed by the registered cleanup."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
