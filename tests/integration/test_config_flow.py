"""The config flow: adding an account, reauthentication, reconfiguration.

The endpoint field appears only when Home Assistant runs with ``BLUE_CURRENT_ENDPOINT`` set
(the simulator, the demo); these tests set it with ``monkeypatch`` the way scripts/develop does.
"""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_USER,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import Simulator
from custom_components.blue_current.api import DEFAULT_URL
from custom_components.blue_current.config_flow import ENDPOINT_ENV
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN


@pytest.fixture(autouse=True)
def simulator_endpoint(monkeypatch: pytest.MonkeyPatch, simulator: Simulator) -> str:
    """Home Assistant's environment names the simulator, as scripts/develop's does."""
    monkeypatch.setenv(ENDPOINT_ENV, simulator.url)
    return simulator.url


async def start_user_flow(hass: HomeAssistant) -> str:
    """Start the user step; the endpoint field is shown with the environment's default."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert CONF_ENDPOINT in result["data_schema"].schema
    return result["flow_id"]


def _field(result: dict[str, object], name: str) -> object:
    schema = result["data_schema"].schema  # type: ignore[attr-defined]
    return next(key for key in schema if key == name)


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


async def test_endpoint_from_environment_needs_no_answer(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The environment's endpoint is the default: the token alone is enough (REST, demo)."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_API_TOKEN: SIM_TOKEN})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    await hass.async_block_till_done()


@pytest.mark.parametrize("advanced", [False, True])
async def test_endpoint_hidden_from_users_of_the_real_service(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, advanced: bool
) -> None:
    """Without the environment variable the form asks for the token only, advanced or not."""
    monkeypatch.delenv(ENDPOINT_ENV)
    context = {"source": SOURCE_USER, "show_advanced_options": advanced}
    result = await hass.config_entries.flow.async_init(DOMAIN, context=context)
    assert list(result["data_schema"].schema) == [CONF_API_TOKEN]


async def test_token_is_a_password_and_never_echoed(hass: HomeAssistant) -> None:
    """The token field is a password field; a form shown again carries no token back."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: "wrong-secret"}
    )
    assert result["errors"] == {"base": "invalid_token"}
    schema = result["data_schema"].schema
    token_key = _field(result, CONF_API_TOKEN)
    assert schema[token_key].config["type"] == "password"
    assert "wrong-secret" not in repr(result["data_schema"].schema)
    assert "wrong-secret" not in repr(token_key.description)  # type: ignore[attr-defined]


async def test_default_endpoint_is_not_stored(
    hass: HomeAssistant, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entry data stays as core's (the token alone) when the endpoint is the real one."""
    monkeypatch.delenv(ENDPOINT_ENV)
    with (
        patch("custom_components.blue_current.config_flow.DEFAULT_URL", simulator.url),
        patch("custom_components.blue_current.async_setup_entry", return_value=True),
    ):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_TOKEN: SIM_TOKEN}
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


async def test_account_configured_once(hass: HomeAssistant, simulator: Simulator) -> None:
    """The same account cannot be added twice (here: once per endpoint, so the flow gets far)."""
    MockConfigEntry(
        domain=DOMAIN,
        title=SIM_EMAIL,
        unique_id=SIM_CUSTOMER_ID,
        data={CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: "ws://127.0.0.1:1/haserver"},
    ).add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: SIM_TOKEN, CONF_ENDPOINT: simulator.url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_second_account_refused(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """One connection per client address: a second account is refused before any token.

    protocol.md: the service rejects a second connection from one address with "Already
    connected", so a second account in one Home Assistant could never connect.
    """
    mock_config_entry.add_to_hass(hass)
    simulator.add_account(token="other", customer_id="C0002", email="other@example.com")
    attempts = simulator.connection_attempts
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "one_account_only"
    assert result["description_placeholders"] == {"email": SIM_EMAIL}
    assert simulator.connection_attempts == attempts  # nothing was asked of the service
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_second_account_refused_on_submit(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The endpoint typed in the form is checked too (the form opened before the first entry)."""
    flow_id = await start_user_flow(hass)
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: "other", CONF_ENDPOINT: simulator.url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "one_account_only"


async def test_ignored_entry_does_not_block(
    hass: HomeAssistant, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ignored (never connected) entry holds no connection: adding an account works."""
    MockConfigEntry(domain=DOMAIN, source=SOURCE_IGNORE, unique_id="C0009").add_to_hass(hass)
    monkeypatch.delenv(ENDPOINT_ENV)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM


async def test_disabled_entry_does_not_block(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disabled entry holds no connection either."""
    MockConfigEntry(
        domain=DOMAIN,
        unique_id="C0009",
        data={CONF_API_TOKEN: "x"},
        disabled_by=ConfigEntryDisabler.USER,
    ).add_to_hass(hass)
    monkeypatch.delenv(ENDPOINT_ENV)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM


async def test_entry_on_another_endpoint_does_not_block(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule is per service: a simulator entry does not stop adding the real service."""
    mock_config_entry.add_to_hass(hass)
    monkeypatch.delenv(ENDPOINT_ENV)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert mock_config_entry.data[CONF_ENDPOINT] != DEFAULT_URL


async def test_core_entry_blocks_a_second_account(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry made by the built-in integration (token only: the real service) counts."""
    MockConfigEntry(
        domain=DOMAIN, title="core@example.com", unique_id="C0100", data={CONF_API_TOKEN: "x"}
    ).add_to_hass(hass)
    monkeypatch.delenv(ENDPOINT_ENV)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "one_account_only"
    assert result["description_placeholders"] == {"email": "core@example.com"}


async def test_reauth(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A new token of the same account replaces the old one; the form never echoes a token."""
    mock_config_entry.add_to_hass(hass)
    account = simulator.accounts.pop(SIM_TOKEN)
    account.token = "new-token"
    simulator.accounts["new-token"] = account
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert list(result["data_schema"].schema) == [CONF_API_TOKEN]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_token"}
    assert "still-wrong" not in repr(result["data_schema"].schema)
    assert SIM_TOKEN not in repr(result["data_schema"].schema)
    assert _field(result, CONF_API_TOKEN).description is None  # type: ignore[attr-defined]
    with patch(
        "custom_components.blue_current.async_setup_entry", return_value=True
    ) as setup_entry:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_TOKEN: "new-token"}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_API_TOKEN] == "new-token"
    assert mock_config_entry.data[CONF_ENDPOINT] == simulator.url
    assert len(setup_entry.mock_calls) == 1  # async_update_reload_and_abort reloaded it


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
    """The token can be replaced without removing the integration; the entry is reloaded."""
    mock_config_entry.add_to_hass(hass)
    simulator.accounts["second-token"] = simulator.accounts[SIM_TOKEN]
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert list(result["data_schema"].schema) == [CONF_API_TOKEN]
    with patch(
        "custom_components.blue_current.async_setup_entry", return_value=True
    ) as setup_entry:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_TOKEN: "second-token"}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_API_TOKEN] == "second-token"
    assert len(setup_entry.mock_calls) == 1


async def test_reconfigure_with_another_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Reconfigure cannot switch the entry to another account (unique id mismatch)."""
    mock_config_entry.add_to_hass(hass)
    simulator.add_account(token="other", customer_id="C0002", email="other@example.com")
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "other"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_API_TOKEN] == SIM_TOKEN
    assert mock_config_entry.unique_id == SIM_CUSTOMER_ID


async def test_reconfigure_while_connected(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The entry's own connection would make the service refuse the check: it is closed for it.

    One connection per client address also refuses the short connection that checks a token,
    so reconfiguring a connected account unloads it, checks, and sets it up with the new token.
    """
    simulator.accounts["second-token"] = simulator.accounts[SIM_TOKEN]
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "second-token"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data[CONF_API_TOKEN] == "second-token"
    assert init_integration.state is ConfigEntryState.LOADED


async def test_reconfigure_while_connected_keeps_entry_on_failure(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A wrong token while connected: the form says so, and the entry is set up again."""
    simulator.add_account(token="other", customer_id="C0002", email="other@example.com")
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "wrong"}
    )
    await hass.async_block_till_done()
    assert result["errors"] == {"base": "invalid_token"}
    assert init_integration.state is ConfigEntryState.LOADED
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "other"}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "wrong_account"
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.data[CONF_API_TOKEN] == SIM_TOKEN
