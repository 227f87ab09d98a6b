"""Buttons: restart a charge point, start or stop a session, boost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

# 2026.x moved the device classes to .const and stopped re-exporting them; the name
# still resolves at runtime on every supported version.
from homeassistant.components.button import (  # type: ignore[attr-defined,unused-ignore]
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import BlueCurrentClient, CommandVerdict
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities, run_command
from .session_manager import note_session_start
from .verdicts import follow_verdict

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class ChargePointButtonDescription(ButtonEntityDescription):
    """A button and the command it sends."""

    press_fn: Callable[[BlueCurrentConnection, BlueCurrentClient, str], Awaitable[Any]]


def _start_session(
    connection: BlueCurrentConnection, client: BlueCurrentClient, evse_id: str
) -> Awaitable[Any]:
    uid = connection.selected_card(evse_id)
    # Before sending: the session's first status may come before the acceptance is handled.
    note_session_start(connection.hass, connection.entry.entry_id, evse_id, uid)
    return client.start_session(evse_id, uid)


BUTTONS: tuple[ChargePointButtonDescription, ...] = (
    ChargePointButtonDescription(
        key="reset",
        translation_key="reset",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda _conn, client, evse_id: client.soft_reset(evse_id),
    ),
    ChargePointButtonDescription(
        key="reboot",
        translation_key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda _conn, client, evse_id: client.reboot(evse_id),
    ),
    ChargePointButtonDescription(
        key="stop_charge_session",
        translation_key="stop_charge_session",
        press_fn=lambda _conn, client, evse_id: client.stop_session(evse_id),
    ),
    ChargePointButtonDescription(
        key="start_charge_session",
        translation_key="start_charge_session",
        press_fn=_start_session,
    ),
    ChargePointButtonDescription(
        key="boost",
        translation_key="boost",
        press_fn=lambda _conn, client, evse_id: client.boost(evse_id, True),
    ),
)


def charge_point_buttons(
    connection: BlueCurrentConnection, evse_id: str
) -> list[ChargePointButton]:
    """Every button, for every charge point: each command exists for all of them."""
    return [ChargePointButton(connection, description, evse_id) for description in BUTTONS]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the buttons of every charge point."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_buttons)


class ChargePointButton(ChargePointEntity, ButtonEntity):
    """A command to a charge point; pressing it waits for the service's answer."""

    # Nothing it shows comes from the status.
    _reads_status: frozenset[str] = frozenset()

    entity_description: ChargePointButtonDescription

    def shown_value(self) -> Any:
        """Buttons show when they were last pressed, which Home Assistant tracks itself."""
        return None

    async def async_press(self) -> None:
        """Send the command; a refusal or no answer raises a translated error.

        Commands a charge point carries out return once the service accepted them; the
        charge point's verdict, which can take half a minute, is reported when it comes.
        """
        answer = await run_command(
            self.connection,
            lambda: self.entity_description.press_fn(
                self.connection, self.connection.client, self.evse_id
            ),
            self.evse_id,
        )
        if isinstance(answer, CommandVerdict):
            follow_verdict(self.connection, answer, self._charge_point_name())

    def _charge_point_name(self) -> str:
        data = self.charge_point
        return data.charge_point.display_name if data is not None else self.evse_id
