"""The session log through list_sessions, per-card totals, the cost and tariff sensors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.coordinator import charge_point_device
from custom_components.blue_current.session_manager import loaded_manager

from .conftest import CHARGER, settle

SECOND = "BCU100002"


def entity_id(hass: HomeAssistant, unique_id: str, platform: str = "sensor") -> str:
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def device(hass: HomeAssistant, entry: MockConfigEntry, evse_id: str) -> str:
    from homeassistant.helpers import device_registry as dr

    found = charge_point_device(dr.async_get(hass), entry.entry_id, evse_id)
    assert found is not None
    return found.id


async def list_sessions(hass: HomeAssistant, **data: Any) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        DOMAIN, "list_sessions", data, blocking=True, return_response=True
    )
    assert response is not None
    sessions = response["sessions"]
    assert isinstance(sessions, list)
    return sessions


async def two_sessions(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator, account: SimAccount
) -> None:
    """Charger 1 by plug & charge with its default card (1 h); then charge point 2 started
    from Home Assistant with the second card (30 min)."""
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    first = account.charge_points[CHARGER]
    first.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(3600)
    first.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: len(manager.records) == 1)
    await simulator.advance(7200)

    second = account.charge_points[SECOND]
    second.plug_and_charge = False
    second.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await settle(
        hass,
        lambda: (
            (data := entry.runtime_data.data.charge_points[SECOND].status) is not None
            and data.vehicle_status is not None
            and data.vehicle_status.value == "vehicle_detected"
        ),
    )
    await hass.services.async_call(
        DOMAIN,
        "start_charge_session",
        {"device_id": device(hass, entry, SECOND), "charging_card_id": account.cards[1].card_id},
        blocking=True,
    )
    await simulator.push_changes()
    await simulator.advance(1800)
    second.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: len(manager.records) == 2)


async def test_list_sessions_filters(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """By charge point or account, by period (overlap), by card; newest last."""
    entry = init_integration
    await two_sessions(hass, entry, simulator, sim_account)
    everything = await list_sessions(hass, config_entry_id=entry.entry_id)
    assert [s["evse_id"] for s in everything] == [CHARGER, SECOND]
    first, second = everything
    assert first["charge_point"] == "Charger 1"
    assert first["card_id"] == sim_account.cards[0].card_id
    assert first["card_source"] == "default"
    assert first["duration_minutes"] == 60.0
    assert second["card_id"] == sim_account.cards[1].card_id
    assert second["card_name"] == "Card 2"
    assert second["card_source"] == "integration"
    assert second["energy_kwh"] == pytest.approx(3.68 / 2, abs=0.01)  # one phase, 30 min

    assert await list_sessions(hass, device_id=device(hass, entry, CHARGER)) == [first]
    assert await list_sessions(hass, config_entry_id=entry.entry_id, card="card 2") == [second]
    assert await list_sessions(hass, config_entry_id=entry.entry_id, card="nobody") == []
    between = (simulator.now - timedelta(hours=2)).isoformat()
    assert await list_sessions(hass, config_entry_id=entry.entry_id, start=between) == [second]
    assert await list_sessions(hass, config_entry_id=entry.entry_id, end=between) == [first]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "list_sessions_target"),
        ({"device_id": "*", "config_entry_id": "*"}, "list_sessions_target"),
        (
            {"config_entry_id": "*", "start": "2026-11-02 00:00", "end": "2026-11-01 00:00"},
            "invalid_period",
        ),
        ({"config_entry_id": "nothing"}, "invalid_config_entry"),
        ({"device_id": "nothing"}, "invalid_device"),
    ],
)
async def test_list_sessions_refuses_wrong_arguments(
    hass: HomeAssistant, init_integration: MockConfigEntry, data: dict[str, str], key: str
) -> None:
    """Each wrong argument is a translated validation error."""
    data = {k: init_integration.entry_id if v == "*" else v for k, v in data.items()}
    with pytest.raises(ServiceValidationError) as caught:
        await list_sessions(hass, **data)
    assert caught.value.translation_key == key
    assert caught.value.translation_domain == DOMAIN


async def test_card_totals_cost_and_tariff_sensors(
    entity_registry_enabled_by_default: None,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Per card: energy (total_increasing, kWh) and cost (total, EUR) of its sessions; per
    charge point: its total cost; the tariff as diagnostic sensors."""
    entry = init_integration
    customer = entry.unique_id
    cards = sim_account.cards
    card_energy = entity_id(hass, f"card_energy_{customer}_{cards[0].uid}")
    card_cost = entity_id(hass, f"card_cost_{customer}_{cards[0].uid}")
    assert hass.states.get(card_energy).state == "0.0"  # type: ignore[union-attr]
    await two_sessions(hass, entry, simulator, sim_account)
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    first, second = manager.records

    energy = hass.states.get(card_energy)
    assert energy is not None
    assert float(energy.state) == pytest.approx(first.energy_kwh, abs=0.001)
    assert energy.attributes["state_class"] == "total_increasing"
    assert energy.attributes["unit_of_measurement"] == "kWh"
    assert energy.attributes["device_class"] == "energy"
    cost = hass.states.get(card_cost)
    assert cost is not None
    assert float(cost.state) == pytest.approx(first.cost or 0, abs=0.01)
    assert cost.attributes["state_class"] == "total"
    assert cost.attributes["unit_of_measurement"] == "EUR"
    assert cost.attributes["device_class"] == "monetary"
    second_energy = hass.states.get(entity_id(hass, f"card_energy_{customer}_{cards[1].uid}"))
    assert second_energy is not None
    assert float(second_energy.state) == pytest.approx(second.energy_kwh, abs=0.001)

    total_cost = hass.states.get(entity_id(hass, f"lifetime_cost_{CHARGER}"))
    assert total_cost is not None
    assert float(total_cost.state) == pytest.approx(first.cost or 0, abs=0.01)
    assert total_cost.attributes["state_class"] == "total"
    assert total_cost.attributes["device_class"] == "monetary"
    assert total_cost.attributes["unit_of_measurement"] == "EUR"

    # Diagnostics (disabled by default, enabled here) may be added in a later stage.
    await settle(
        hass, lambda: hass.states.get(entity_id(hass, f"tariff_price_{CHARGER}")) is not None
    )
    price = hass.states.get(entity_id(hass, f"tariff_price_{CHARGER}"))
    assert price is not None
    assert float(price.state) == 0.35
    assert price.attributes["unit_of_measurement"] == "EUR/kWh"
    registry = er.async_get(hass)
    entry_of_price = registry.async_get(price.entity_id)
    assert entry_of_price is not None
    assert entry_of_price.entity_category is er.EntityCategory.DIAGNOSTIC

    # A second session at the same card adds to its totals.
    charger = sim_account.charge_points[CHARGER]
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(1800)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: len(manager.records) == 3)
    third = manager.records[-1]
    energy = hass.states.get(card_energy)
    assert energy is not None
    assert float(energy.state) == pytest.approx(first.energy_kwh + third.energy_kwh, abs=0.001)
    total_cost = hass.states.get(entity_id(hass, f"lifetime_cost_{CHARGER}"))
    assert total_cost is not None
    assert float(total_cost.state) == pytest.approx((first.cost or 0) + (third.cost or 0), abs=0.01)


async def test_total_cost_is_restored_and_never_counts_twice(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The total comes back from the stored extra data (not the state, which may be
    unavailable), and sessions already counted in it are not added again."""
    charger = sim_account.charge_points[CHARGER]
    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.advance(3600)
    charger.unplug(simulator.now)
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.charger_1_total_cost", "unavailable"),
                {"total": 100.0, "counted_until": "2020-01-01T00:00:00+00:00"},
            )
        ],
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.charger_1_total_cost")
    assert state is not None
    assert float(state.state) == 100.0  # the session the charge point shows is history

    charger.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    await simulator.advance(1800)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    manager = loaded_manager(hass, mock_config_entry.entry_id)
    assert manager is not None
    await settle(hass, lambda: len(manager.records) == 1)
    cost = manager.records[0].cost or 0
    assert cost > 0
    state = hass.states.get("sensor.charger_1_total_cost")
    assert state is not None
    assert float(state.state) == pytest.approx(100.0 + cost, abs=0.01)

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.charger_1_total_cost")
    assert state is not None
    assert float(state.state) == pytest.approx(100.0 + cost, abs=0.01)


async def test_a_card_added_later_gets_its_totals(
    hass: HomeAssistant,
    fast_reconnect: None,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A card the account lists after a reconnect gets its two sensors (at zero). (The client
    asks for the cards again when a charge point names an unknown default card.)"""
    card = sim_account.add_card("Company car")
    sim_account.charge_points[CHARGER].default_card = card
    await simulator.drop_connections("clean")
    unique_id = f"card_energy_{init_integration.unique_id}_{card.uid}"
    registry = er.async_get(hass)
    await settle(
        hass, lambda: registry.async_get_entity_id("sensor", DOMAIN, unique_id) is not None
    )
    state = hass.states.get(entity_id(hass, unique_id))
    assert state is not None
    assert state.state == "0.0"
    assert state.name == "Company car Charged energy"


async def test_start_button_records_the_card_it_started_with(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The card picked in the card select and started with the button is the session's."""
    entry = init_integration
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    select = er.async_get(hass).async_get_entity_id("select", DOMAIN, f"charge_card_{SECOND}")
    assert select is not None
    options = hass.states.get(select).attributes["options"]
    (label,) = [option for option in options if option.startswith("Card 2")]
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": label}, blocking=True
    )
    second = sim_account.charge_points[SECOND]
    second.plug_and_charge = False
    second.plug_in(simulator.now, demand_kwh=100)
    await simulator.push_changes()
    button = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"start_charge_session_{SECOND}"
    )
    assert button is not None
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await simulator.push_changes()
    await simulator.advance(1800)
    second.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: len(manager.records) == 1)
    (session,) = await list_sessions(hass, config_entry_id=entry.entry_id)
    assert (session["card_id"], session["card_source"]) == (
        sim_account.cards[1].card_id,
        "integration",
    )
