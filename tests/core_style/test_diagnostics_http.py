"""Diagnostics as the frontend downloads them: over HTTP, through Home Assistant's view."""

from __future__ import annotations

import json

from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from bluecurrent_simulator import SimAccount
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN

# Times and counters that move with the connection; the entry's ids, timestamps, endpoint.
VOLATILE = props(
    "connected_since",
    "last_message_at",
    "last_error_at",
    "entry_id",
    "endpoint",  # the simulator's port
    "created_at",
    "modified_at",
    "messages_received",
    "bytes_received",
    "messages_sent",
    "requests_sent",
    "frames_received",
    "frames_sent",
)


async def test_entry_diagnostics_over_http(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    sim_account: SimAccount,
    snapshot: SnapshotAssertion,
) -> None:
    """The download: JSON, redacted, with the connection's health."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = json.dumps(diagnostics)
    for secret in (SIM_TOKEN, SIM_EMAIL, SIM_CUSTOMER_ID, sim_account.session_token):
        assert secret not in text
    assert diagnostics["entry"]["data"]["api_token"] == REDACTED
    assert diagnostics["connection"]["health"]["connected"] is True
    assert diagnostics == snapshot(exclude=VOLATILE)
