"""The config flow: adding an account, reauthentication, reconfiguration."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import Simulator
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN


async def start_user_flow(hass: HomeAssistant) -> str:
    """Start the user step in advanced mode (the endpoint field is shown)."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": True}
    )
    assert result["type"] is FlowResultType.FORM
    assert CONF_ENDPOINT in result["data_schema"].schema
    return result["flow_id"]


async def test_user_creates_entry(hass: HomeAssistant, simulator: Simulator) -> None:
    """A valid token creates an entry titled with the e-mail, unique by customer id."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == SIM_EMAIL
    assert result["data"] == {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    assert result["result"].unique_id == SIM_CUSTOMER_ID
    await hass.async_block_till_done()


async def test_endpoint_hidden_without_advanced_mode(hass: HomeAssistant) -> None:
    """Only advanced users see the endpoint: the real service needs none."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert list(result["data_schema"].schema) == [CONF_API_TOKEN]


async def test_default_endpoint_is_not_stored(hass: HomeAssistant, simulator: Simulator) -> None:
    """Entry data stays as core's (the token alone) when the endpoint is the real one."""
    flow_id = await start_user_flow(hass)
    with (
        patch("custom_components.blue_current.config_flow.DEFAULT_URL", simulator.url),
        patch("custom_components.blue_current.async_setup_entry", return_value=True),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_TOKEN: SIM_TOKEN}


@pytest.mark.parametrize(
    ("prepare", "error"),
    [
        (lambda sim: None, "invalid_token"),
        (lambda sim: sim.reject_next_upgrades("Request limit reached"), "limit_reached"),
        (lambda sim: sim.reject_next_upgrades("Already connected"), "already_connected"),
        (lambda sim: sim.reject_next_upgrades("Maintenance"), "cannot_connect"),
    ],
)
async def test_user_errors_and_recovery(
    hass: HomeAssistant, simulator: Simulator, prepare: object, error: str
) -> None:
    """Each failure shows a translated error; the user can fix it and finish."""
    flow_id = await start_user_flow(hass)
    prepare(simulator)  # type: ignore[operator]
    token = "wrong" if error == "invalid_token" else SIM_TOKEN
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: token, CONF_ENDPOINT: simulator.url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_unexpected_error(hass: HomeAssistant, simulator: Simulator) -> None:
    """A bug shows "unknown" instead of a stack trace in the dialog."""
    flow_id = await start_user_flow(hass)
    with patch(
        "custom_components.blue_current.config_flow.BlueCurrentClient.get_account",
        side_effect=RuntimeError("bug"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
        )
    assert result["errors"] == {"base": "unknown"}


async def test_account_configured_once(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The same account cannot be added twice."""
    mock_config_entry.add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A new token of the same account replaces the old one."""
    mock_config_entry.add_to_hass(hass)
    account = simulator.accounts.pop(SIM_TOKEN)
    account.token = "new-token"
    simulator.accounts["new-token"] = account
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_token"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "new-token"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_API_TOKEN] == "new-token"
    assert mock_config_entry.data[CONF_ENDPOINT] == simulator.url
    await hass.async_block_till_done()


async def test_reauth_with_another_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A token of another account is refused, naming the account that is expected."""
    mock_config_entry.add_to_hass(hass)
    simulator.add_account(token="other", customer_id="C0002", email="other@example.com")
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "other"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert result["description_placeholders"] == {"email": SIM_EMAIL}
    assert mock_config_entry.data[CONF_API_TOKEN] == SIM_TOKEN


async def test_reconfigure(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The token can be replaced without removing the integration."""
    mock_config_entry.add_to_hass(hass)
    simulator.accounts["second-token"] = simulator.accounts[SIM_TOKEN]
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "second-token"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_API_TOKEN] == "second-token"
    await hass.async_block_till_done()
