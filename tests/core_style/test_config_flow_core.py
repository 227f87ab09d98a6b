"""Config-flow tests in core's style: setup mocked (``mock_setup_entry``), one flow per test
from start to a created or aborted entry, checking that setup ran exactly when it should."""

from __future__ import annotations

from unittest.mock import AsyncMock

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import Simulator
from custom_components.blue_current.config_flow import ENDPOINT_ENV
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN

pytestmark = pytest.mark.usefixtures("mock_setup_entry")


@pytest.fixture(autouse=True)
def _simulator_endpoint(monkeypatch: pytest.MonkeyPatch, simulator: Simulator) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, simulator.url)


async def test_full_flow(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Form, token, entry: the entry is set up once."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: SIM_TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == SIM_EMAIL
    assert result["data"] == {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    assert result["result"].unique_id == SIM_CUSTOMER_ID
    assert len(mock_setup_entry.mock_calls) == 1


async def test_flow_recovers_from_error(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An error leaves the form open; the next try creates the entry."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    simulator.reject_next_upgrades("Maintenance")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: SIM_TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert len(mock_setup_entry.mock_calls) == 0
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: SIM_TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(mock_setup_entry.mock_calls) == 1


async def test_second_account_aborts(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """One account per Home Assistant (one connection per address): aborted, nothing set up."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "one_account_only"
    assert len(mock_setup_entry.mock_calls) == 0


async def test_reauth_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Reauthentication updates the token and reloads the entry (set up once)."""
    mock_config_entry.add_to_hass(hass)
    simulator.accounts["fresh"] = simulator.accounts[SIM_TOKEN]
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "fresh"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_API_TOKEN] == "fresh"
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_flow_wrong_account(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Another account's token: unique id mismatch, the entry untouched and not reloaded."""
    mock_config_entry.add_to_hass(hass)
    simulator.add_account(token="other", customer_id="C0002", email="other@example.com")
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "other"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_API_TOKEN] == SIM_TOKEN
    assert len(mock_setup_entry.mock_calls) == 0
