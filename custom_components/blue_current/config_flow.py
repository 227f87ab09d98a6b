"""Config flow: add an account by API token; reauthenticate; replace the token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_API_TOKEN
from homeassistant.helpers.aiohttp_client import async_get_clientsession
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

_ERRORS: tuple[tuple[type[BlueCurrentError], str], ...] = (
    (InvalidApiTokenError, "invalid_token"),
    (RequestLimitReachedError, "limit_reached"),
    (AlreadyConnectedError, "already_connected"),
    (BlueCurrentError, "cannot_connect"),
)


class BlueCurrentConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Blue Current account."""

    VERSION = 1
    # 1.2: grid unique ids scoped by account (async_migrate_entry migrates core's 1.1).
    MINOR_VERSION = 2

    async def _account_for(
        self, user_input: dict[str, Any]
    ) -> tuple[Account | None, dict[str, str]]:
        """Look the account up; on failure, the form error to show."""
        client = BlueCurrentClient(
            async_get_clientsession(self.hass),
            user_input[CONF_API_TOKEN],
            url=user_input.get(CONF_ENDPOINT) or DEFAULT_URL,
        )
        try:
            return await client.get_account(), {}
        except BlueCurrentError as err:
            error = next(key for kind, key in _ERRORS if isinstance(err, kind))
            return None, {"base": error}
        except Exception:
            LOGGER.exception("Unexpected error while checking a Blue Current API token")
            return None, {"base": "unknown"}

    def _schema(self, user_input: Mapping[str, Any] | None) -> vol.Schema:
        fields: dict[Any, Any] = {vol.Required(CONF_API_TOKEN): str}
        # Advanced mode, as the frontend (or the REST API) says when it starts the flow.
        advanced = bool(self.context.get("show_advanced_options"))
        if advanced and self.source not in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            # The simulator and the demo; the real service needs no endpoint.
            fields[vol.Optional(CONF_ENDPOINT, default=DEFAULT_URL)] = str
        # 2026.x types schemas as probatio's (voluptuous' successor); both work at runtime.
        schema = vol.Schema(fields)
        return self.add_suggested_values_to_schema(schema, user_input or {})  # type: ignore[arg-type,return-value,unused-ignore]

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the API token (and, in advanced mode, the endpoint)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            account, errors = await self._account_for(user_input)
            if account is not None:
                await self.async_set_unique_id(account.customer_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=account.email, data=_entry_data(user_input))
        return self.async_show_form(
            step_id="user",
            data_schema=self._schema(user_input),  # type: ignore[arg-type,unused-ignore]
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The service refused the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new API token of the same account."""
        return await self._replace_token("reauth_confirm", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Replace the API token of the account."""
        return await self._replace_token("reconfigure", user_input)

    async def _replace_token(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        entry = (
            self._get_reauth_entry()
            if self.source == SOURCE_REAUTH
            else self._get_reconfigure_entry()
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            endpoint = entry.data.get(CONF_ENDPOINT)
            account, errors = await self._account_for({**user_input, CONF_ENDPOINT: endpoint})
            if account is not None:
                if account.customer_id != entry.unique_id:
                    return self.async_abort(
                        reason="wrong_account", description_placeholders={"email": entry.title}
                    )
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_TOKEN: user_input[CONF_API_TOKEN]}
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self._schema(user_input),  # type: ignore[arg-type,unused-ignore]
            errors=errors,
            description_placeholders={"email": entry.title},
        )


def _entry_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Core's entry data (the token), plus the endpoint only when it is not the real one."""
    data: dict[str, Any] = {CONF_API_TOKEN: user_input[CONF_API_TOKEN]}
    endpoint = user_input.get(CONF_ENDPOINT)
    if endpoint and endpoint != DEFAULT_URL:
        data[CONF_ENDPOINT] = endpoint
    return data
