"""Base entities of the Blue Current integration (the seed's BlueCurrentEntity)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any
import weakref

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import EntityPlatform, async_get_current_platform

from .api import (
    Activity,
    ChargePointData,
    CommandRefusedError,
    CommandTimeoutError,
    NoActiveProfileError,
    NotConnectedError,
    Update,
    UpdateKind,
)
from .api.exceptions import BlueCurrentError
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .lean import CORE_SHOWN_KEYS, apply_defaults, key_due

type EntityFactory = Callable[[BlueCurrentConnection, str], Iterable[Entity]]

# The Blue Current driver portal, where the API token comes from (the vendor's own integration
# sends users there: README of github.com/bluecurrent/ha-bluecurrent). The service reports no
# firmware or software version for a charge point, so devices carry no sw_version.
PORTAL_URL = "https://my.bluecurrent.nl/"


# Entities per call into Home Assistant: it adds a batch in one step (about 0.2 ms an entity),
# so 50 keep each step near 10 ms (20 ms in asyncio debug mode) however large the fleet.
BATCH_ENTITIES = 50

type EntityAdder = Callable[[list[Entity]], Coroutine[Any, Any, None]]
_STAGERS: weakref.WeakKeyDictionary[BlueCurrentConnection, EntityStager] = (
    weakref.WeakKeyDictionary()
)


def _first(entity: Entity) -> bool:
    """One of core's values, enabled, with a value to show now (the first stage)."""
    description = getattr(entity, "entity_description", None)
    return (
        description is not None
        and description.key in CORE_SHOWN_KEYS
        and description.entity_registry_enabled_default
        and getattr(entity, "native_value", None) is not None
    )


class _Batch:
    """Entities waiting to be added, per platform; a platform's are added once there are enough.

    Each call into Home Assistant has a cost of its own (about 20 µs, and a turn of the event
    loop): a platform's entities wait for a full batch, whichever charge points they are of.
    """

    def __init__(self) -> None:
        self.entities: dict[EntityAdder, list[Entity]] = {}

    def extend(self, adder: EntityAdder, entities: list[Entity]) -> None:
        if entities:
            self.entities.setdefault(adder, []).extend(entities)

    async def add_when_full(self) -> None:
        for adder, waiting in list(self.entities.items()):
            while len(waiting) >= BATCH_ENTITIES:
                batch, waiting[:] = waiting[:BATCH_ENTITIES], waiting[BATCH_ENTITIES:]
                await adder(batch)
                await asyncio.sleep(0)

    async def add(self) -> None:
        await self.add_when_full()
        entities, self.entities = self.entities, {}
        for adder, some in entities.items():
            if some:
                await adder(some)
                await asyncio.sleep(0)


class EntityStager:
    """Registers every platform's charge point entities once setup is done, in stages.

    Platforms hand over their factory (``add_charge_point_entities``); ``run`` then registers,
    in batches of ``BATCH_ENTITIES`` with the event loop free in between, first what core shows
    for every charge point, then everything else, and sets the connection's
    ``entities_registered``. Afterwards it creates entities at runtime when a charge point's
    settings or list item change (a smart-charging profile turned on) or a charge point joins.
    """

    def __init__(self, connection: BlueCurrentConnection) -> None:
        """Nothing registered yet."""
        self.connection = connection
        self.platforms: list[tuple[EntityFactory, EntityAdder]] = []
        # Unique ids registered so far, per platform.
        self.created: dict[EntityAdder, set[str]] = {}
        self.started = False
        self.finished = False
        # Set once every platform has handed over its factories (core's values need only the
        # sensor platform, which is set up first).
        self.platforms_ready = asyncio.Event()

    def make_one(self, factory: EntityFactory, adder: EntityAdder, evse_id: str) -> list[Entity]:
        """The entities of one platform for one charge point that are due and new."""
        created = self.created.setdefault(adder, set())
        data = self.connection.data.charge_points.get(evse_id)
        if data is None:
            return []
        fleet = self.connection.fleet
        made = []
        # One pass, the key read once: this runs for every entity of a fleet.
        for entity in factory(self.connection, evse_id):
            unique_id = entity.unique_id
            if unique_id in created:
                continue
            description = getattr(entity, "entity_description", None)
            key = None if description is None else str(description.key)
            if not key_due(key, data, fleet):
                continue
            apply_defaults(entity, key)
            if unique_id is not None:
                created.add(unique_id)
            made.append(entity)
        return made

    def _make(self, evse_id: str) -> list[tuple[EntityAdder, list[Entity]]]:
        return [
            (adder, self.make_one(factory, adder, evse_id)) for factory, adder in self.platforms
        ]

    async def run(self) -> None:
        """Register every charge point's entities: core's values first, then the rest.

        Platforms whose first charge point has none of core's values wait for the second
        stage whole (their entities are not even made before core's values are shown). Both
        stages make and add entities charge point by charge point, in bounded batches.
        """
        self.started = True
        later: dict[str, list[tuple[EntityAdder, list[Entity]]]] = {}
        deferred: list[tuple[EntityFactory, EntityAdder]] = []
        batch = _Batch()
        first_stage = list(self.platforms)
        for index, evse_id in enumerate(list(self.connection.data.charge_points)):
            if evse_id not in self.connection.data.charge_points:
                continue  # it left meanwhile
            rest = later[evse_id] = []
            for factory, adder in first_stage:
                if (factory, adder) in deferred:
                    continue
                first: list[Entity] = []
                others: list[Entity] = []
                for entity in self.make_one(factory, adder, evse_id):
                    (first if _first(entity) else others).append(entity)
                if index == 0 and not first:
                    deferred.append((factory, adder))
                batch.extend(adder, first)
                rest.append((adder, others))
            await batch.add_when_full()
        await batch.add()
        await self.platforms_ready.wait()
        deferred += [platform for platform in self.platforms if platform not in first_stage]
        for evse_id, rest in later.items():
            if evse_id in self.connection.data.charge_points:
                for factory, adder in deferred:
                    rest.append((adder, self.make_one(factory, adder, evse_id)))
            for adder, entities in rest:
                batch.extend(adder, entities)
            await batch.add_when_full()
        await batch.add()
        if self.connection.fleet:
            self._remove_unregistered()
        self.finished = True
        # Charge points that joined meanwhile.
        self.add_now([e for e in self.connection.data.charge_points if e not in later])
        self.connection.entities_registered.set()

    @callback
    def _remove_unregistered(self) -> None:
        """Fleet set: charge point entities of an earlier, fuller set leave the registry."""
        made = set().union(*self.created.values())
        registry = er.async_get(self.connection.hass)
        devices = dr.async_get(self.connection.hass)
        entry_id = self.connection.entry.entry_id
        for entity in er.async_entries_for_config_entry(registry, entry_id):
            device = devices.async_get(entity.device_id) if entity.device_id else None
            charge_point = device is not None and any(
                domain == DOMAIN and identifier in self.connection.data.charge_points
                for domain, identifier in device.identifiers
            )
            if charge_point and entity.unique_id not in made:
                registry.async_remove(entity.entity_id)

    @callback
    def add_now(self, evse_ids: Iterable[str]) -> None:
        """Entities that are due now (a charge point joined, a profile was turned on)."""
        if not self.finished:
            return  # ``run`` will make them
        for evse_id in evse_ids:
            if evse_id not in self.connection.data.charge_points:
                continue
            for adder, entities in self._make(evse_id):
                if entities:
                    self.connection.entry.async_create_task(
                        self.connection.hass, adder(entities), f"{DOMAIN} add entities"
                    )

    @callback
    def on_client_update(self, update: Update) -> None:
        """Settings or the charge point list changed: entities may be due."""
        if update.kind is UpdateKind.SETTINGS and update.evse_id is not None:
            evse_ids = [update.evse_id]
        elif update.kind is UpdateKind.CHARGE_POINTS:
            evse_ids = list(self.connection.data.charge_points)
        else:
            return
        # After the connection has handled it (joined charge points, devices).
        self.connection.hass.loop.call_soon(self.add_now, evse_ids)


def _forget(connection: BlueCurrentConnection) -> None:
    _STAGERS.pop(connection, None)


def _stager(entry: BlueCurrentConfigEntry) -> EntityStager:
    connection = entry.runtime_data
    stager = _STAGERS.get(connection)
    if stager is None:
        stager = _STAGERS[connection] = EntityStager(connection)
        entry.async_on_unload(connection.client.add_listener(stager.on_client_update))
        entry.async_on_unload(connection.async_add_charge_point_listener(stager.add_now))
        # The stager refers to its connection: the weak key alone would never let go.
        entry.async_on_unload(lambda: _forget(connection))
    return stager


@callback
def start_entity_registration(entry: BlueCurrentConfigEntry) -> None:
    """The sensor platform is set up: register core's values now, the rest in the background.

    ``entity_platforms_ready`` tells it when every other platform has handed over its factory.
    """
    stager = _stager(entry)
    entry.async_create_task(entry.runtime_data.hass, stager.run(), f"{DOMAIN} register entities")


@callback
def entity_platforms_ready(entry: BlueCurrentConfigEntry) -> None:
    """Every platform is set up: the stager goes on with their entities."""
    _stager(entry).platforms_ready.set()


async def add_charge_point_entities(
    entry: BlueCurrentConfigEntry,
    async_add_entities: Callable[[Iterable[Entity]], None],
    factory: EntityFactory,
) -> None:
    """Hand a platform's factory of charge point entities to the entry's stager.

    The stager registers them after setup (``start_entity_registration``), core's values
    first, in bounded batches; and later for charge points that join or whose settings call
    for more (a smart-charging profile turned on).
    """
    try:
        platform: EntityPlatform | None = async_get_current_platform()
    except RuntimeError:
        platform = None

    async def adder(entities: list[Entity]) -> None:
        # Awaited: the stager registers one batch after the other, and knows when all are.
        if platform is not None:
            await platform.async_add_entities(entities)
        else:
            async_add_entities(entities)

    stager = _stager(entry)
    stager.platforms.append((factory, adder))
    if stager.finished:  # a platform set up after the others (a reload): its entities now
        for evse_id in list(entry.runtime_data.data.charge_points):
            await adder(stager.make_one(factory, adder, evse_id))


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
        self.connection.async_listen(self._handle_update, self._evse_id, self._reads_status)
        # What is shown now is not computed here: Home Assistant writes the state right after
        # this, and the first update that reaches the entity writes once more at most.

    async def async_will_remove_from_hass(self) -> None:
        """Stop following the connection."""
        self.connection.async_unlisten(self._handle_update, self._evse_id, self._reads_status)
        await super().async_will_remove_from_hass()

    @callback
    def _handle_update(self, changed: frozenset[str] | None = None) -> None:
        """The seed's update_from_latest_data: write the state if what is shown changed.

        ``changed`` names the status fields a status update changed (None: anything may have);
        the connection calls an entity only for changes of the fields it reads.
        """
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
        attributes = self.extra_state_attributes
        if not attributes:
            return (True, self.shown_value())
        try:
            # Kept for every entity: a hash of the attributes is smaller than their copy.
            return (True, self.shown_value(), hash(tuple(attributes.items())))
        except TypeError:  # an unhashable attribute value
            return (True, self.shown_value(), attributes)

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

    def get_initial_entity_options(self) -> er.EntityOptionsType | None:
        """A sensor's display precision stored when its registry entry is made.

        Home Assistant otherwise stores it just after adding the entity: one more registry
        update and state write per such sensor, on every first setup.
        """
        options = super().get_initial_entity_options()
        precision = getattr(self, "suggested_display_precision", None)
        if precision is None:
            return options
        options = dict(options or {})
        options["sensor"] = {**options.get("sensor", {}), "suggested_display_precision": precision}
        return options


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
        # One device info per charge point, shared by its entities (read, never changed).
        infos = connection.device_infos
        known = infos.get(evse_id)
        # Identity first: the same list item for all of a charge point's entities, mostly.
        if known is not None and (known[0] is charge_point or known[0] == charge_point):
            device_info = known[1]
        else:
            device_info = DeviceInfo(
                identifiers={(DOMAIN, evse_id)},
                name=charge_point.display_name,
                manufacturer="Blue Current",
                model=charge_point.model_type or None,
                serial_number=evse_id,
                configuration_url=PORTAL_URL,
            )
            infos[evse_id] = (charge_point, device_info)
        self._attr_device_info = device_info

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
