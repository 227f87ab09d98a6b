"""A charge point's verdict after the press returned: refusals and silence become notices.

The service accepts start, stop, reset and reboot at once; the charge point's verdict can come
half a minute later [R]. The press must not wait that long, and a refusal must not go unseen.
"""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import patch

from homeassistant.components.persistent_notification import (
    _async_get_or_create_notifications,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.const import DOMAIN

from .conftest import call, device_id, settle

# Reset and reboot are registered disabled by default (lean.py).
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")

CHARGER = "BCU100001"
RESET = "button.charger_1_reset"
BLOCK = "switch.charger_1_block_charge_point"


def _notices(hass: HomeAssistant) -> dict[str, str]:
    return {
        key: notification["message"]
        for key, notification in _async_get_or_create_notifications(hass).items()
        if key.startswith(DOMAIN)
    }


@pytest.fixture
def short_verdict_timeout() -> Generator[None]:
    """A verdict that does not come is given up on after a fraction of a second."""
    with patch("custom_components.blue_current.VERDICT_TIMEOUT", 0.3):
        yield


@pytest.mark.parametrize(
    ("verdict", "words"),
    [
        ("REJECTED", "refused"),
        ("TIMEOUT", "did not answer"),
        ("", "did not carry out"),
    ],
)
async def test_refused_verdict_becomes_a_notification(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    verdict: str,
    words: str,
) -> None:
    """The press returns on acceptance; the charge point's refusal is told afterwards."""
    simulator.fail_next("SOFT_RESET", verdict)
    await call(hass, "button", "press", RESET)
    await settle(hass, lambda: bool(_notices(hass)))
    ((key, message),) = _notices(hass).items()
    assert key == f"{DOMAIN}_{CHARGER}_soft_reset"
    assert words in message
    assert "Charger 1" in message
    assert '"Reset"' in message  # the button's translated name


async def test_accepted_press_returns_before_the_verdict(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """With the verdict on its way, the press has returned; a good verdict tells nothing."""
    simulator.verdict_delay = 3600
    await call(hass, "button", "press", "button.charger_1_reboot")
    assert simulator.pending_verdicts == 1
    await simulator.release_verdicts()
    await settle(hass, lambda: simulator.pending_verdicts == 0)
    await hass.async_block_till_done()
    assert _notices(hass) == {}
    assert sim_account.charge_points[CHARGER].reboots == 1


@pytest.mark.usefixtures("short_verdict_timeout")
async def test_missing_verdict_becomes_a_notification(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """No verdict within the deadline: the user is asked to check, nothing waits forever."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    await simulator.push_changes()
    simulator.verdict_delay = 3600
    await hass.services.async_call(
        DOMAIN,
        "start_charge_session",
        {"device_id": device_id(hass, CHARGER)},
        blocking=True,
    )
    await settle(hass, lambda: bool(_notices(hass)))
    (message,) = _notices(hass).values()
    assert "did not come within a minute" in message


async def test_verdict_lost_with_the_connection_becomes_a_notification(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The connection drops before the verdict: the outcome is unknown, and said so."""
    simulator.verdict_delay = 3600
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: RESET}, blocking=True)
    await simulator.drop_connections("abrupt")
    await settle(hass, lambda: bool(_notices(hass)))
    (message,) = _notices(hass).values()
    assert "connection" in message


async def test_block_switch_turns_when_the_status_shows_it(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Turning returns on acceptance; the switch shows blocked once the charge point is."""
    simulator.verdict_delay = 3600
    await call(hass, "switch", "turn_on", BLOCK)
    assert hass.states.get(BLOCK).state == "off"  # what the service confirmed so far
    await simulator.release_verdicts()
    await settle(hass, lambda: hass.states.get(BLOCK).state == "on")
    assert _notices(hass) == {}


@pytest.mark.usefixtures("short_verdict_timeout")
async def test_block_never_shown_becomes_a_notification(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Accepted, but the status never shows it: the user is told to check the charge point."""
    simulator.verdict_delay = 3600
    await call(hass, "switch", "turn_on", BLOCK)
    await settle(hass, lambda: bool(_notices(hass)))
    (message,) = _notices(hass).values()
    assert "does not show it blocked" in message
    assert hass.states.get(BLOCK).state == "off"
