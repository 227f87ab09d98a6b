"""Diagnostics: useful to support, with nothing personal or secret in them."""

from __future__ import annotations

import json

from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from bluecurrent_simulator import SimAccount
from custom_components.blue_current.coordinator import charge_point_device
from custom_components.blue_current.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN

VOLATILE = props("connected_since", "last_message_at", "last_error_at", "entry")


async def test_entry_diagnostics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim_account: SimAccount,
    snapshot: SnapshotAssertion,
) -> None:
    """Everything known, redacted: no token, e-mail, customer id, card or name."""
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    text = json.dumps(diagnostics, default=str)
    # The card holder's name is personal data too.
    for secret in (
        SIM_TOKEN,
        SIM_EMAIL,
        SIM_CUSTOMER_ID,
        sim_account.session_token,
        sim_account.full_name,
    ):
        assert secret not in text
    for card in sim_account.cards:
        assert card.uid not in text
        assert card.card_id not in text
    assert diagnostics["entry"]["data"]["api_token"] == REDACTED
    assert diagnostics["connection"]["health"]["connected"] is True
    assert diagnostics["connection"]["client"]["messages_received"] > 0
    assert diagnostics == snapshot(exclude=VOLATILE)


async def test_device_diagnostics(
    hass: HomeAssistant, init_integration: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """One charge point's data and the connection's health."""
    registry = dr.async_get(hass)
    device = charge_point_device(registry, init_integration.entry_id, "BCU100001")
    assert device is not None
    diagnostics = await async_get_device_diagnostics(hass, init_integration, device)
    assert diagnostics["charge_point"]["charge_point"]["evse_id"] == "BCU100001"
    assert diagnostics == snapshot(exclude=VOLATILE)
    grid = charge_point_device(registry, init_integration.entry_id, "grid_C0001")
    assert grid is not None
    grid_diagnostics = await async_get_device_diagnostics(hass, init_integration, grid)
    assert grid_diagnostics["charge_point"] is None
