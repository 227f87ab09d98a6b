"""Switches: plug & charge, linked charge cards only, block, and the smart-charging profiles.

A switch shows what the service confirmed. Turning it waits for the service's answer: a
refusal or no answer raises a translated error and the switch stays as it was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

# 2026.x moved the device classes to .const and stopped re-exporting them; the name
# still resolves at runtime on every supported version.
from homeassistant.components.switch import (  # type: ignore[attr-defined,unused-ignore]
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import BlueCurrentClient, ChargePointData, CommandVerdict, Setting
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities, is_blocked, run_command
from .evcc import charge_session_switches
from .verdicts import follow_verdict

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class ChargePointSwitchDescription(SwitchEntityDescription):
    """A switch: where its state comes from and how it is changed."""

    # The confirmed state and whether this account may change it; None: not reported.
    state_fn: Callable[[ChargePointData], Setting[bool] | None]
    set_fn: Callable[[BlueCurrentClient, str, bool], Awaitable[Any]]
    # The status fields state_fn reads; the others read settings only.
    reads_status: frozenset[str] = frozenset()


def _block_state(data: ChargePointData) -> Setting[bool] | None:
    blocked = is_blocked(data)
    return None if blocked is None else Setting(blocked, True)


def _profile_state(data: ChargePointData, profile: str) -> Setting[bool] | None:
    """A profile's on/off and its permission (settings, else the charge point list)."""
    value = getattr(data, profile)
    return None if value is None else Setting(value.enabled, value.editable)


SWITCHES: tuple[ChargePointSwitchDescription, ...] = (
    ChargePointSwitchDescription(
        key="plug_and_charge",
        translation_key="plug_and_charge",
        device_class=SwitchDeviceClass.SWITCH,
        state_fn=lambda d: d.settings.plug_and_charge if d.settings else None,
        set_fn=lambda client, evse_id, on: client.set_plug_and_charge(evse_id, on),
    ),
    ChargePointSwitchDescription(
        key="linked_charge_cards_only",
        translation_key="linked_charge_cards_only",
        device_class=SwitchDeviceClass.SWITCH,
        state_fn=lambda d: d.settings.linked_charge_cards_only if d.settings else None,
        set_fn=lambda client, evse_id, on: client.set_linked_charge_cards_only(evse_id, on),
    ),
    ChargePointSwitchDescription(
        key="block",
        translation_key="block",
        device_class=SwitchDeviceClass.SWITCH,
        state_fn=_block_state,
        reads_status=frozenset({"activity"}),
        set_fn=lambda client, evse_id, on: client.set_blocked(evse_id, on),
    ),
    ChargePointSwitchDescription(
        key="delayed_charging",
        translation_key="delayed_charging",
        entity_category=EntityCategory.CONFIG,
        # Replaced by the smart-charging select (smart_charging.py): kept for existing
        # installations, whose registry entries stay enabled; new ones start disabled.
        entity_registry_enabled_default=False,
        state_fn=lambda d: _profile_state(d, "delayed_charging"),
        set_fn=lambda client, evse_id, on: client.set_delayed_charging(evse_id, on),
    ),
    ChargePointSwitchDescription(
        key="price_based_charging",
        translation_key="price_based_charging",
        entity_category=EntityCategory.CONFIG,
        # Replaced by the smart-charging select (smart_charging.py): kept for existing
        # installations, whose registry entries stay enabled; new ones start disabled.
        entity_registry_enabled_default=False,
        state_fn=lambda d: _profile_state(d, "price_based_charging"),
        set_fn=lambda client, evse_id, on: client.set_price_based_charging(evse_id, on),
    ),
)


def charge_point_switches(
    connection: BlueCurrentConnection, evse_id: str
) -> list[ChargePointSwitch]:
    """The switches whose state the service reports for this charge point."""
    data = connection.data.charge_points[evse_id]
    return [
        ChargePointSwitch(connection, description, evse_id)
        for description in SWITCHES
        if description.state_fn(data) is not None
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the switches of every charge point."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_switches)
    await add_charge_point_entities(entry, async_add_entities, charge_session_switches)


class ChargePointSwitch(ChargePointEntity, SwitchEntity):
    """A setting of a charge point that is on or off."""

    entity_description: ChargePointSwitchDescription

    def _state(self) -> Setting[bool] | None:
        data = self.charge_point
        return self.entity_description.state_fn(data) if data is not None else None

    @property
    def is_on(self) -> bool | None:
        """The state the service confirmed."""
        state = self._state()
        return state.value if state is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Say so when the owner of the charge point does not let this account change it."""
        state = self._state()
        return {"editable": False} if state is not None and not state.editable else None

    def shown_value(self) -> Any:
        """The state."""
        return self.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on, once the service confirms."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off, once the service confirms."""
        await self._set(False)

    async def _set(self, on: bool) -> None:
        state = self._state()
        if state is not None and not state.editable:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="setting_not_editable",
                translation_placeholders={"evse_id": self.evse_id},
            )
        description = self.entity_description
        answer = await run_command(
            self.connection,
            lambda: description.set_fn(self.connection.client, self.evse_id, on),
            self.evse_id,
        )
        if isinstance(answer, CommandVerdict):
            # Block/unblock: accepted; the switch turns when the status shows it.
            data = self.charge_point
            name = data.charge_point.display_name if data is not None else self.evse_id
            follow_verdict(self.connection, answer, name)
