"""Config flow: add an account by API token; reauthenticate; replace the token.

The endpoint (the simulator's address instead of the real service) is asked for only when
Home Assistant runs with the environment variable ``BLUE_CURRENT_ENDPOINT`` set, and then with
that value as its default. Earlier versions showed it in advanced mode, but Home Assistant
2026.11 no longer tells a flow whether advanced mode is on (the field never appeared, and the
REST API refused an ``endpoint`` key). An environment variable works the same on every
supported version, needs no YAML, and a user of the real service never sees the field:
``scripts/develop`` and the smoke test set it for the Home Assistant they start.

One account per Home Assistant: the service allows one connection per client address and
refuses a second with "Already connected" (``../shared/protocol.md``, from the vendor's
library), so a second account could never connect beside the first. The flow says so up front
instead of accepting an entry that would only ever retry. Entries made by the built-in
integration (unique id: the customer id, data: the token) are taken over as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
import os
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    DEFAULT_URL,
    Account,
    AlreadyConnectedError,
    BlueCurrentClient,
    BlueCurrentError,
    InvalidApiTokenError,
    RequestLimitReachedError,
)
from .const import CONF_ENDPOINT, DOMAIN, LOGGER
from .lean import CONF_FLEET

# Set in Home Assistant's environment to offer (and default) the endpoint field.
ENDPOINT_ENV: str = "BLUE_CURRENT_ENDPOINT"

_ERRORS: tuple[tuple[type[BlueCurrentError], str], ...] = (
    (InvalidApiTokenError, "invalid_token"),
    (RequestLimitReachedError, "limit_reached"),
    (AlreadyConnectedError, "already_connected"),
    (BlueCurrentError, "cannot_connect"),
)

_TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def endpoint_override() -> str | None:
    """The endpoint Home Assistant's environment asks for, if any."""
    return os.environ.get(ENDPOINT_ENV, "").strip() or None


def _entry_endpoint(entry: ConfigEntry) -> str:
    endpoint: str = entry.data.get(CONF_ENDPOINT) or DEFAULT_URL
    return endpoint


class BlueCurrentConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Blue Current account."""

    VERSION = 1
    # 1.2: grid unique ids scoped by account (async_migrate_entry migrates core's 1.1).
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """The entry's options: the fleet set."""
        return BlueCurrentOptionsFlow()

    async def _account_for(
        self, api_token: str, endpoint: str
    ) -> tuple[Account | None, dict[str, str]]:
        """Look the account up; on failure, the form error to show."""
        client = BlueCurrentClient(async_get_clientsession(self.hass), api_token, url=endpoint)
        try:
            return await client.get_account(), {}
        except BlueCurrentError as err:
            error = next(key for kind, key in _ERRORS if isinstance(err, kind))
            return None, {"base": error}
        except Exception:
            LOGGER.exception("Unexpected error while checking a Blue Current API token")
            return None, {"base": "unknown"}

    def _entry_on(self, endpoint: str) -> ConfigEntry | None:
        """An account set up against this endpoint (ignored or disabled ones hold no connection)."""
        return next(
            (
                entry
                for entry in self._async_current_entries(include_ignore=False)
                if entry.disabled_by is None and _entry_endpoint(entry) == endpoint
            ),
            None,
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the API token (and the endpoint, when the environment names one)."""
        override = endpoint_override()
        endpoint = (user_input or {}).get(CONF_ENDPOINT) or override or DEFAULT_URL
        if (existing := self._entry_on(endpoint)) is not None:
            # The service would refuse the second connection ("Already connected").
            return self.async_abort(
                reason="one_account_only", description_placeholders={"email": existing.title}
            )
        errors: dict[str, str] = {}
        if user_input is not None:
            account, errors = await self._account_for(user_input[CONF_API_TOKEN], endpoint)
            if account is not None:
                await self.async_set_unique_id(account.customer_id)
                self._abort_if_unique_id_configured()
                data: dict[str, Any] = {CONF_API_TOKEN: user_input[CONF_API_TOKEN]}
                if endpoint != DEFAULT_URL:  # core's entry data otherwise: the token alone
                    data[CONF_ENDPOINT] = endpoint
                return self.async_create_entry(title=account.email, data=data)
        fields: dict[Any, Any] = {vol.Required(CONF_API_TOKEN): _TOKEN_SELECTOR}
        if override is not None:
            # Only for the simulator and the demo; its default is the environment's, never
            # anything the user typed (nothing typed is echoed back, the token least of all).
            fields[vol.Required(CONF_ENDPOINT, default=override)] = _URL_SELECTOR
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(fields),  # type: ignore[arg-type,unused-ignore]
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The service refused the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new API token of the same account."""
        return await self._replace_token("reauth_confirm", self._get_reauth_entry(), user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Replace the API token of the account."""
        return await self._replace_token("reconfigure", self._get_reconfigure_entry(), user_input)

    async def _replace_token(
        self, step_id: str, entry: ConfigEntry, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            token = user_input[CONF_API_TOKEN]
            account, errors = await self._account_for(token, _entry_endpoint(entry))
            if errors == {"base": "already_connected"} and entry.state is ConfigEntryState.LOADED:
                # The connection the service counts is this entry's own: close it for the
                # check (the update below, or the reload on a mismatch, opens it again).
                await self.hass.config_entries.async_unload(entry.entry_id)
                account, errors = await self._account_for(token, _entry_endpoint(entry))
                if account is None or account.customer_id != entry.unique_id:
                    self.hass.config_entries.async_schedule_reload(entry.entry_id)
            if account is not None:
                await self.async_set_unique_id(account.customer_id)
                self._abort_if_unique_id_mismatch(
                    reason="wrong_account", description_placeholders={"email": entry.title}
                )
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_TOKEN: user_input[CONF_API_TOKEN]}
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(  # type: ignore[arg-type,unused-ignore]
                {vol.Required(CONF_API_TOKEN): _TOKEN_SELECTOR}
            ),
            errors=errors,
            description_placeholders={"email": entry.title},
        )


class BlueCurrentOptionsFlow(OptionsFlow):
    """Options of an account: register the fleet set only (``lean.py``)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One switch; the entry reloads with it."""
        if user_input is not None:
            fleet = bool(user_input[CONF_FLEET])
            if fleet != bool(self.config_entry.options.get(CONF_FLEET, False)):
                # Not an update listener: with one, Home Assistant refuses the reload helpers
                # reauthentication and reconfiguration use (an error from 2026.12). The reload
                # runs after the new options are stored, when this step has returned.
                self.hass.config_entries.async_schedule_reload(self.config_entry.entry_id)
            return self.async_create_entry(data={CONF_FLEET: fleet})
        fleet = bool(self.config_entry.options.get(CONF_FLEET, False))
        return self.async_show_form(
            step_id="init",
            # 2026.x types schemas as probatio's (voluptuous' successor); both work at runtime.
            data_schema=vol.Schema(  # type: ignore[arg-type,unused-ignore]
                {vol.Required(CONF_FLEET, default=fleet): bool}
            ),
        )
