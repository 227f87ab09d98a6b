"""The vendor library (what Home Assistant core uses) and core's integration, on our simulator.

They are the best record of what the real service sends and accepts: if they work against the
simulator, it speaks the protocol they were written for.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN

bluecurrent_api = pytest.importorskip("bluecurrent_api")
from bluecurrent_api import websocket as vendor_websocket  # noqa: E402
from bluecurrent_api.exceptions import InvalidApiToken  # noqa: E402


@pytest.fixture
def vendor_on_simulator(simulator: Simulator) -> Iterator[None]:
    """The library's endpoint (a module constant) pointed at the simulator."""
    with patch.object(vendor_websocket, "URL", simulator.url):
        yield


@pytest.mark.usefixtures("vendor_on_simulator")
async def test_token_validation_and_account() -> None:
    """A good token gives the customer id and e-mail; a bad one the library's own error."""
    client = bluecurrent_api.Client()
    assert await client.validate_api_token(SIM_TOKEN) == SIM_CUSTOMER_ID
    assert await client.get_email() == SIM_EMAIL
    with pytest.raises(InvalidApiToken):
        await bluecurrent_api.Client().validate_api_token("wrong")


async def _every_request(client: Any, account: SimAccount) -> None:
    await client.get_charge_points()
    await client.get_charge_cards()
    for evse_id in account.charge_points:
        await client.get_status(evse_id)
        await client.get_settings(evse_id)
    first = next(iter(account.charge_points))
    await client.get_grid_status(first)
    await client.set_plug_and_charge(first, False)
    await client.set_linked_charge_cards_only(first, True)
    await client.block(first, True)
    await client.block(first, False)
    await client.reset(first)
    await client.reboot(first)
    await client.start_session(first, "BCU-APP")
    await client.stop_session(first)


@pytest.mark.usefixtures("vendor_on_simulator")
async def test_every_request_gets_the_replies_the_library_expects(sim_account: SimAccount) -> None:
    """HELLO, every GET, every setter and command: answered, parsed without an exception."""
    client = bluecurrent_api.Client()
    await client.validate_api_token(SIM_TOKEN)
    received: list[dict[str, Any]] = []

    async def receiver(message: dict[str, Any]) -> None:
        received.append(message)

    async def on_open() -> None:
        await _every_request(client, sim_account)

    listening = asyncio.create_task(client.connect(receiver, on_open))
    # The library renames acknowledgements before handing them on (STATUS_SET_PUBLIC_CHARGING
    # becomes LINKED_CHARGE_CARDS_ONLY, STATUS_REBOOT becomes REBOOT, ...).
    wanted = Counter(
        {
            "CHARGE_POINTS": 1,
            "CHARGE_CARDS": 1,
            "CH_STATUS": 3,
            "CH_SETTINGS": 3,
            "GRID_STATUS": 1,
            "PLUG_AND_CHARGE": 1,
            "LINKED_CHARGE_CARDS_ONLY": 1,
            "SOFT_RESET": 1,
            "REBOOT": 1,
            "START_SESSION": 1,
            "STOP_SESSION": 1,
        }
    )
    async with asyncio.timeout(10):
        while not wanted <= Counter(message["object"] for message in received):
            assert not listening.done(), listening.exception()
            await asyncio.sleep(0.01)
    await client.disconnect()
    listening.cancel()
    statuses = [m for m in received if m["object"] == "CH_STATUS"]
    assert all(isinstance(m["data"]["actual_kwh"], float | int) for m in statuses)
    plug_and_charge = next(m for m in received if m["object"] == "PLUG_AND_CHARGE")
    assert plug_and_charge["result"] is False  # read from result.setting: it was turned off
    linked_only = next(m for m in received if m["object"] == "LINKED_CHARGE_CARDS_ONLY")
    assert linked_only["result"] is True


async def test_core_integration_shows_values(
    hass: HomeAssistant, simulator: Simulator, sim_account: SimAccount
) -> None:
    """Home Assistant's built-in blue_current, set up against the simulator, shows values."""
    hass.data[loader.DATA_CUSTOM_COMPONENTS] = {}  # the built-in one, not ours
    entry = MockConfigEntry(
        domain="blue_current",
        title=SIM_EMAIL,
        unique_id=SIM_CUSTOMER_ID,
        data={CONF_API_TOKEN: SIM_TOKEN},
    )
    entry.add_to_hass(hass)
    with patch.object(vendor_websocket, "URL", simulator.url):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        registry = er.async_get(hass)
        for evse_id in sim_account.charge_points:
            entity_id = registry.async_get_entity_id(
                "sensor", "blue_current", f"actual_kwh_{evse_id}"
            )
            assert entity_id is not None
            async with asyncio.timeout(10):
                while (state := hass.states.get(entity_id)) is None or state.state in (
                    STATE_UNAVAILABLE,
                    STATE_UNKNOWN,
                ):
                    await asyncio.sleep(0.01)
            assert float(state.state) >= 0
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
