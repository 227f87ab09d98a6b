"""Blue Current EV charge points in Home Assistant, over the Blue Current websocket API."""

from __future__ import annotations

import asyncio
from typing import NoReturn

from homeassistant.const import CONF_API_TOKEN, EVENT_HOMEASSISTANT_STOP
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
    PLATFORMS,
    REQUEST_TIMEOUT,
    SNAPSHOT_TIMEOUT,
)
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

__all__ = ["BlueCurrentConfigEntry", "async_setup", "async_setup_entry", "async_unload_entry"]


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
    )
    try:
        customer_id = await client.validate_token()
        await client.connect()
    except BlueCurrentError as err:
        _raise_setup_error(err)

    try:
        connection = await _start_connection(hass, entry, client, customer_id)
    except BaseException:
        # Whatever stopped setup, the socket (and its heartbeat timer) must not outlive it.
        await client.disconnect()
        raise

    connection.start_tracking_charge_points()
    _migrate_core_grid_unique_ids(hass, entry, customer_id)
    entry.runtime_data = connection
    entry.async_on_unload(connection.async_stop)

    entry.async_on_unload(_disconnect_at_stop(hass, connection))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _start_connection(
    hass: HomeAssistant, entry: BlueCurrentConfigEntry, client: BlueCurrentClient, customer_id: str
) -> BlueCurrentConnection:
    """Start listening in the background; wait, with a timeout, for every charge point."""
    connection = BlueCurrentConnection(hass, entry, client, customer_id)
    entry.async_create_background_task(hass, connection.run(), f"{DOMAIN} {entry.title}")
    try:
        async with asyncio.timeout(SNAPSHOT_TIMEOUT):
            await client.wait_for_snapshot()
    except (TimeoutError, BlueCurrentError) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="snapshot_timeout"
        ) from err
    return connection


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


@callback
def _migrate_core_grid_unique_ids(
    hass: HomeAssistant, entry: BlueCurrentConfigEntry, customer_id: str
) -> None:
    """Scope core's account-less grid unique ids by customer id; entity ids stay."""
    registry = er.async_get(hass)
    for key in CORE_GRID_KEYS:
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, key)
        if entity_id is None:
            continue
        entity = registry.async_get(entity_id)
        if entity is None or entity.config_entry_id != entry.entry_id:
            continue
        registry.async_update_entity(entity_id, new_unique_id=f"{key}_{customer_id}")


async def async_unload_entry(hass: HomeAssistant, entry: BlueCurrentConfigEntry) -> bool:
    """Unload the platforms; the connection is closed by the registered cleanup."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
