"""A charge point's verdict on a command, reported after the button press or action returned.

The service accepts a start, stop, reset, reboot, block or unblock at once, but the charge
point's verdict (for block/unblock: its status showing it) can take about 30 s. Holding the
user's press that long would freeze the UI, so a press returns on acceptance, and the verdict
is followed here: a refusal or a missing verdict becomes a persistent notification
(translated), a success a debug line. Nothing the user asked for ends without an answer.
"""

from __future__ import annotations

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .api import CommandRefusedError, CommandTimeoutError, CommandVerdict, NotConnectedError
from .const import DOMAIN, LOGGER
from .coordinator import BlueCurrentConnection

# Block and unblock have no verdict: the charge point's status shows them, or does not.
_NOT_SHOWN = {"SET_INOPERATIVE": "block_not_shown", "SET_OPERATIVE": "unblock_not_shown"}
# The button whose translated name names each command in a notification.
_ACTION_NAMES = {
    "START_SESSION": "start_charge_session",
    "STOP_SESSION": "stop_charge_session",
    "SOFT_RESET": "reset",
    "REBOOT": "reboot",
}


def follow_verdict(
    connection: BlueCurrentConnection, verdict: CommandVerdict, charge_point: str
) -> None:
    """Report ``verdict`` when it comes (in the background, bound to the config entry)."""
    if verdict.settled and not verdict.outcome.exception():
        return
    connection.entry.async_create_background_task(
        connection.hass,
        _report(connection.hass, verdict, charge_point),
        f"{DOMAIN} verdict {verdict.command} {verdict.evse_id}",
    )


async def _report(hass: HomeAssistant, verdict: CommandVerdict, charge_point: str) -> None:
    try:
        await verdict.wait()
    except CommandRefusedError as err:
        key = f"verdict_{err.kind}"
        reason = err.reason
    except CommandTimeoutError:
        key, reason = _NOT_SHOWN.get(verdict.command, "verdict_missing"), ""
    except NotConnectedError:
        key, reason = "verdict_lost", ""
    else:
        LOGGER.debug("%s: %s carried out", charge_point, verdict.command)
        return
    LOGGER.info(
        "%s: %s was not confirmed by the charge point (%s)", charge_point, verdict.command, key
    )
    await _notify(hass, verdict, charge_point, key, reason)


async def _notify(
    hass: HomeAssistant, verdict: CommandVerdict, charge_point: str, key: str, reason: str
) -> None:
    language = hass.config.language
    exceptions = await async_get_translations(hass, language, "exceptions", [DOMAIN])
    entities = await async_get_translations(hass, language, "entity", [DOMAIN])
    button = _ACTION_NAMES.get(verdict.command, "")
    action = entities.get(f"component.{DOMAIN}.entity.button.{button}.name", verdict.command)
    template = exceptions.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
    title = exceptions.get(f"component.{DOMAIN}.exceptions.verdict_title.message", "Blue Current")
    message = template.format(charge_point=charge_point, action=action, reason=reason)
    persistent_notification.async_create(
        hass,
        message,
        title=title,
        notification_id=f"{DOMAIN}_{verdict.evse_id}_{verdict.command.lower()}",
    )
