"""Home Assistant's floor: what registering an entity set costs with nothing else around it.

``dump_entity_set`` records an integration's registered entities and devices after its setup
(per entity: platform, unique id, device, names, classes, units, capabilities, category,
disabled or not, sensor options); ``setup_floor`` sets up ``bench_floor``, a bare throwaway
integration (mocked with the test harness, never installed) that registers exactly that set on
the same devices, each entity writing one constant state, all of a platform in one call. The
difference between an integration and its floor is what the integration itself costs.

Named as the integration names them: the dump keeps the integration's entity name translations
and the floor's platforms look them up under their own domain (without them every floor entity
would be named after its device class, its entity ids numbered apart: other ids, other costs).

``prefill_registries`` puts a recorded set into the registries before a setup: a restart with
the registry present (the harness's registries do not load from disk).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
import json
from pathlib import Path
from typing import Any

FLOOR_DOMAIN = "bench_floor"
PLATFORM_DOMAINS = (
    "binary_sensor",
    "button",
    "event",
    "number",
    "select",
    "sensor",
    "switch",
    "time",
)


def dump_entity_set(hass: Any, entry_id: str, path: Path) -> None:
    """Write the entity set of a config entry (and its devices) to ``path`` as JSON."""
    from homeassistant.helpers import (
        device_registry as dr,
        entity_registry as er,
        translation,
    )

    devices = {
        device.id: {
            "key": "|".join(sorted(f"{d}:{i}" for d, i in device.identifiers)),
            "name": device.name,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "serial_number": device.serial_number,
            "configuration_url": device.configuration_url,
        }
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    }
    entities = [
        {
            "domain": entity.domain,
            "unique_id": entity.unique_id,
            "device": devices[entity.device_id]["key"] if entity.device_id in devices else None,
            "object_id": entity.entity_id.split(".", 1)[1],
            "original_name": entity.original_name,
            "translation_key": entity.translation_key,
            "has_entity_name": entity.has_entity_name,
            "device_class": entity.original_device_class,
            "unit": entity.unit_of_measurement,
            "capabilities": dict(entity.capabilities) if entity.capabilities else None,
            "entity_category": entity.entity_category.value if entity.entity_category else None,
            "disabled": entity.disabled_by is not None,
            "supported_features": entity.supported_features,
            "options": {key: dict(value) for key, value in entity.options.items()},
        }
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    ]
    platforms = {
        entity.platform
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    }
    translations = {
        key.replace(f"component.{platform}.", f"component.{FLOOR_DOMAIN}.", 1): text
        for platform in platforms
        for key, text in translation.async_get_cached_translations(
            hass, hass.config.language, "entity", platform
        ).items()
    }
    path.write_text(
        json.dumps(
            {"devices": list(devices.values()), "entities": entities, "translations": translations}
        )
    )


def load_entity_set(path: Path) -> dict[str, Any]:
    """The recorded set."""
    spec: dict[str, Any] = json.loads(path.read_text())
    return spec


def _identifiers(key: str, domain: str | None) -> set[tuple[str, str]]:
    pairs = (part.split(":", 1) for part in key.split("|"))
    return {(domain or d, i) for d, i in pairs}


def prefill_registries(hass: Any, entry: Any, spec: dict[str, Any], platform: str) -> None:
    """Register the set's devices and entities for ``entry`` as a previous run left them."""
    from homeassistant.const import EntityCategory
    from homeassistant.helpers import device_registry as dr, entity_registry as er

    domain = None if platform != FLOOR_DOMAIN else FLOOR_DOMAIN
    device_registry = dr.async_get(hass)
    device_ids: dict[str, str] = {}
    for device in spec["devices"]:
        device_ids[device["key"]] = device_registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers=_identifiers(device["key"], domain),
            name=device["name"],
            manufacturer=device["manufacturer"],
            model=device["model"],
            serial_number=device["serial_number"],
            configuration_url=device["configuration_url"],
        ).id
    registry = er.async_get(hass)
    for entity in spec["entities"]:
        created = registry.async_get_or_create(
            entity["domain"],
            platform,
            entity["unique_id"],
            suggested_object_id=entity["object_id"],
            config_entry=entry,
            device_id=device_ids.get(entity["device"]),
            disabled_by=er.RegistryEntryDisabler.INTEGRATION if entity["disabled"] else None,
            capabilities=entity["capabilities"],
            entity_category=EntityCategory(entity["entity_category"])
            if entity["entity_category"]
            else None,
            has_entity_name=entity["has_entity_name"],
            original_device_class=entity["device_class"],
            original_name=entity["original_name"],
            supported_features=entity["supported_features"],
            translation_key=entity["translation_key"],
            unit_of_measurement=entity["unit"],
        )
        for options_domain, options in entity["options"].items():
            registry.async_update_entity_options(created.entity_id, options_domain, options)


def _floor_entity(  # noqa: PLR0912, PLR0915 - one branch per platform
    spec: dict[str, Any], devices: dict[str, dict[str, Any]]
) -> Any:
    """A bare entity of the set: the same registry data, one constant state."""
    from homeassistant.components.binary_sensor import BinarySensorEntity
    from homeassistant.components.button import ButtonEntity
    from homeassistant.components.event import EventEntity
    from homeassistant.components.number import NumberEntity
    from homeassistant.components.select import SelectEntity
    from homeassistant.components.sensor import SensorEntity
    from homeassistant.components.switch import SwitchEntity
    from homeassistant.components.time import TimeEntity
    from homeassistant.const import EntityCategory
    from homeassistant.helpers.device_registry import DeviceInfo

    capabilities = spec["capabilities"] or {}
    domain = spec["domain"]
    base: type[Any] = {
        "binary_sensor": BinarySensorEntity,
        "button": ButtonEntity,
        "event": EventEntity,
        "number": NumberEntity,
        "select": SelectEntity,
        "sensor": SensorEntity,
        "switch": SwitchEntity,
        "time": TimeEntity,
    }[domain]
    entity = base()
    entity._attr_should_poll = False
    entity._attr_has_entity_name = spec["has_entity_name"]
    # Named as the integration names it: by translation key (looked up, as for the
    # integration), else by its own name.
    if spec["translation_key"]:
        entity._attr_translation_key = spec["translation_key"]
    else:
        entity._attr_name = spec["original_name"] or spec["unique_id"]
    entity._attr_unique_id = spec["unique_id"]
    entity._attr_entity_registry_enabled_default = not spec["disabled"]
    if spec["entity_category"]:
        entity._attr_entity_category = EntityCategory(spec["entity_category"])
    if spec["device_class"]:
        entity._attr_device_class = spec["device_class"]
    if spec["device"] is not None:
        device = devices[spec["device"]]
        entity._attr_device_info = DeviceInfo(
            identifiers=_identifiers(device["key"], FLOOR_DOMAIN),
            name=device["name"],
            manufacturer=device["manufacturer"],
            model=device["model"],
            serial_number=device["serial_number"],
            configuration_url=device["configuration_url"],
        )
    if domain == "sensor":
        entity._attr_native_unit_of_measurement = spec["unit"]
        entity._attr_state_class = capabilities.get("state_class")
        precision = spec["options"].get("sensor", {}).get("suggested_display_precision")
        if precision is not None:
            entity._attr_suggested_display_precision = precision
        if capabilities.get("options"):
            entity._attr_options = capabilities["options"]
            entity._attr_native_value = capabilities["options"][0]
        elif spec["device_class"] == "timestamp":
            entity._attr_native_value = datetime(2026, 1, 1, tzinfo=UTC)
        elif spec["unit"] is not None or capabilities.get("state_class"):
            entity._attr_native_value = 1.0
        else:
            entity._attr_native_value = "x"
    elif domain == "binary_sensor":
        entity._attr_is_on = True
    elif domain == "event":
        entity._attr_event_types = capabilities.get("event_types") or ["x"]
    elif domain == "switch":
        entity._attr_is_on = False
    elif domain == "select":
        entity._attr_options = capabilities.get("options") or ["x"]
        entity._attr_current_option = entity._attr_options[0]
    elif domain == "time":
        entity._attr_native_value = time(12, 0)
    elif domain == "number":
        entity._attr_native_min_value = capabilities.get("min", 0)
        entity._attr_native_max_value = capabilities.get("max", 100)
        entity._attr_native_step = capabilities.get("step", 1)
        entity._attr_native_unit_of_measurement = spec["unit"]
        entity._attr_native_value = capabilities.get("min", 0)
    return entity


def mock_floor_integration(hass: Any, spec: dict[str, Any]) -> None:
    """Make ``bench_floor`` known to the loader: one platform per domain of the set."""
    from homeassistant.helpers.entity_platform import async_get_current_platform
    from pytest_homeassistant_custom_component.common import (
        MockModule,
        MockPlatform,
        mock_integration,
        mock_platform,
    )

    devices = {device["key"]: device for device in spec["devices"]}
    translations: dict[str, str] = spec.get("translations", {})
    domains = sorted({entity["domain"] for entity in spec["entities"]})

    async def setup_entry(hass: Any, entry: Any) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, domains)
        return True

    async def unload_entry(hass: Any, entry: Any) -> bool:
        unloaded: bool = await hass.config_entries.async_unload_platforms(entry, domains)
        return unloaded

    mock_integration(
        hass,
        MockModule(FLOOR_DOMAIN, async_setup_entry=setup_entry, async_unload_entry=unload_entry),
    )
    mock_platform(hass, f"{FLOOR_DOMAIN}.config_flow", None)
    from homeassistant.config_entries import HANDLERS, ConfigFlow

    class FloorFlow(ConfigFlow):
        VERSION = 1

    HANDLERS[FLOOR_DOMAIN] = FloorFlow
    for domain in domains:

        def platform_setup(domain: str) -> Any:
            async def setup(hass: Any, entry: Any, async_add_entities: Any) -> None:
                # Loaded before this runs, and found empty for the floor's domain.
                # On the platform (2025.x) or its platform_data (newer Home Assistant).
                platform = async_get_current_platform()
                holder: Any = getattr(platform, "platform_data", platform)
                holder.platform_translations = translations
                holder.object_id_platform_translations = translations
                holder.default_language_platform_translations = translations
                async_add_entities(
                    _floor_entity(entity, devices)
                    for entity in spec["entities"]
                    if entity["domain"] == domain
                )

            return setup

        mock_platform(
            hass, f"{FLOOR_DOMAIN}.{domain}", MockPlatform(async_setup_entry=platform_setup(domain))
        )
