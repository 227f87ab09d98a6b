"""What the user asked for is never reported done when it was not.

(Core's integration of the compared version has no controls: these run against ours only.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

from bluecurrent_simulator import Simulator
from custom_components.blue_current.const import DOMAIN

from .harness import CHARGER, set_up

FAILED_KEYS = {"not_connected", "command_timeout", "command_failed", "command_refused"}


def _entity(hass: HomeAssistant, platform: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{key}_{CHARGER}")
    assert entity_id is not None
    return entity_id


@pytest.mark.usefixtures("fast_reconnect")
async def test_press_when_the_connection_drops_before_the_answer(
    hass: HomeAssistant, bare_simulator: Simulator, record: dict[str, bool]
) -> None:
    """Stop pressed, then the connection drops before the answer: a translated error, soon."""
    observed = await set_up(hass, bare_simulator, "ours")
    bare_simulator.ignore_next("STOP_SESSION")
    press = asyncio.ensure_future(
        hass.services.async_call(
            "button",
            "press",
            {"entity_id": _entity(hass, "button", "stop_charge_session")},
            blocking=True,
        )
    )
    await asyncio.sleep(0.2)
    await bare_simulator.drop_connections("abrupt")
    with pytest.raises(HomeAssistantError) as failed:
        async with asyncio.timeout(10):
            await press
    assert failed.value.translation_key in FAILED_KEYS
    assert await observed.shows(await observed.new_energy())
    record["close during an action@ours"] = True


@pytest.fixture
def short_request_timeout() -> Iterator[None]:
    """Give up waiting for an acknowledgement after a fraction of a second."""
    with patch("custom_components.blue_current.REQUEST_TIMEOUT", 0.3):
        yield


@pytest.mark.usefixtures("fast_reconnect", "short_request_timeout")
@pytest.mark.parametrize("fault", ["refused", "unanswered"])
async def test_switch_under_faults_keeps_the_confirmed_state(
    hass: HomeAssistant, bare_simulator: Simulator, fault: str
) -> None:
    """A refused or unanswered change fails with a translated error; the switch stays."""
    await set_up(hass, bare_simulator, "ours")
    switch = _entity(hass, "switch", "plug_and_charge")
    before = hass.states.get(switch)
    assert before is not None
    if fault == "refused":
        bare_simulator.fail_next("SET_PLUG_AND_CHARGE", "Charge point offline")
    else:
        bare_simulator.ignore_next("SET_PLUG_AND_CHARGE")
    service = "turn_off" if before.state == "on" else "turn_on"
    with pytest.raises(HomeAssistantError) as failed:
        await hass.services.async_call("switch", service, {"entity_id": switch}, blocking=True)
    assert failed.value.translation_key in FAILED_KEYS
    after = hass.states.get(switch)
    assert after is not None
    assert after.state == before.state
