"""Reauthentication, reconfiguration and the fleet option on an entry that is set up and connected.

Home Assistant 2026 refuses its reload helpers for entries with an update listener (an error
from 2026.12, already a ValueError in `async_update_reload_and_abort`): these flows run here
against a really loaded entry, not one whose setup is mocked, so such a listener cannot hide.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import Simulator
from tests.fixtures.simulator import SIM_TOKEN


async def test_reconfigure_a_loaded_entry(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A new token of the same account: stored, and the entry is loaded again with it."""
    entry = init_integration
    assert entry.update_listeners == []
    simulator.accounts["second-token"] = simulator.accounts[SIM_TOKEN]
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "second-token"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_API_TOKEN] == "second-token"
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_a_loaded_entry(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Reauthentication of a loaded entry stores the token and reloads."""
    entry = init_integration
    simulator.accounts["new-token"] = simulator.accounts[SIM_TOKEN]
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "new-token"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_API_TOKEN] == "new-token"
    assert entry.state is ConfigEntryState.LOADED
