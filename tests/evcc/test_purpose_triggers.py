"""Home Assistant's purpose-specific triggers (2026.x) fire on our binary sensors: the device
classes are what they look for ("battery started charging" on the charging sensor)."""

from __future__ import annotations

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from tests.platforms.conftest import settle

pytest.importorskip(
    "homeassistant.components.battery.trigger",
    reason="purpose-specific triggers came after Home Assistant 2025.4",
)

CHARGER = "BCU100001"


async def test_battery_started_charging_fires_for_a_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """An automation on battery.started_charging runs when the charge point starts charging."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [
                    {
                        "trigger": "battery.started_charging",
                        "target": {"entity_id": "binary_sensor.charger_1_charging"},
                    }
                ],
                "actions": [{"event": "blue_current_test_started_charging"}],
            }
        },
    )
    fired: list[Event] = []

    @callback
    def record(event: Event) -> None:
        fired.append(event)

    hass.bus.async_listen("blue_current_test_started_charging", record)
    sim_account.charge_points[CHARGER].plug_in(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: bool(fired))
    assert len(fired) == 1
