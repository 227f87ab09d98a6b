"""Every failure of a command reaches the user as a translated error, never a bare exception."""

from __future__ import annotations

from datetime import time

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.blue_current.api import BlueCurrentConnectionError
from custom_components.blue_current.entity import run_command

CHARGER = "BCU100001"


async def test_wrong_argument_is_a_translated_validation_error(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The client refuses a weekday that does not exist before sending anything."""
    connection = init_integration.runtime_data
    with pytest.raises(ServiceValidationError) as refused:
        await run_command(
            connection,
            lambda: connection.client.set_current_override(
                [CHARGER],
                start_time=time(8),
                stop_time=time(9),
                start_days=["XX"],
                stop_days=["MO"],
                current=10,
            ),
            CHARGER,
        )
    assert refused.value.translation_key == "invalid_argument"
    assert "XX" in refused.value.translation_placeholders["reason"]


async def test_other_client_failure_is_a_translated_error(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A failure with no more specific meaning still reads as the integration's own words."""
    connection = init_integration.runtime_data

    async def fails() -> None:
        raise BlueCurrentConnectionError("The connection failed during GET_ACCOUNT")

    with pytest.raises(HomeAssistantError) as failed:
        await run_command(connection, fails, CHARGER)
    assert failed.value.translation_key == "command_failed"
    assert failed.value.translation_placeholders == {
        "evse_id": CHARGER,
        "reason": "The connection failed during GET_ACCOUNT",
    }
