"""Bugs the resilience suite found, each pinned by the message that showed it."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest

from bluecurrent_simulator import Simulator, wire

from .harness import set_up


@pytest.mark.usefixtures("fast_reconnect")
async def test_stray_request_limit_error_does_not_stop_updates(
    hass: HomeAssistant, bare_simulator: Simulator
) -> None:
    """An ERROR 42 answering no request used to end the connection until midnight."""
    observed = await set_up(hass, bare_simulator, "ours")
    attempts = bare_simulator.connection_attempts
    await bare_simulator.push(wire.error(42, "Request limit reached"))
    assert await observed.shows(await observed.new_energy())
    assert bare_simulator.connection_attempts == attempts


async def test_empty_charge_point_list_keeps_devices(
    hass: HomeAssistant, bare_simulator: Simulator
) -> None:
    """An empty CHARGE_POINTS used to remove every device (and its history) at once."""
    observed = await set_up(hass, bare_simulator, "ours")
    before = observed.counts()
    await bare_simulator.push_raw(json.dumps({"object": "CHARGE_POINTS", "data": []}))
    assert await observed.shows(await observed.new_energy())
    assert observed.counts() == before


async def test_absurd_number_is_dropped(hass: HomeAssistant, bare_simulator: Simulator) -> None:
    """A current of 1.5e308 A made the power infinite and the state write fail."""
    observed = await set_up(hass, bare_simulator, "ours")
    status = wire.status(observed.charger)
    status["data"]["actual_p2"] = 1.5e308
    await bare_simulator.push(status)
    assert await observed.shows(await observed.new_energy())
    assert observed.states_valid()
