"""The card a session starts with, shared charge points, names, and windows without an end."""

from __future__ import annotations

from collections import Counter
from datetime import time
import logging
from typing import Any

from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator, wire
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from tests.fixtures.simulator import SimulatorFactory

from .conftest import call, settle

CHARGER = "BCU100001"
SELECT = "select.charger_1_charging_card"
START = "button.charger_1_start_charge_session"


def started_with(simulator: Simulator) -> str:
    """The card (session token) of the last START_SESSION the service received."""
    token: str = simulator.requests("START_SESSION")[-1]["session_token"]
    return token


def select_state(hass: HomeAssistant) -> str:
    """The card select's state."""
    state = hass.states.get(SELECT)
    assert state is not None
    return state.state


async def push_cards(simulator: Simulator, account: SimAccount) -> None:
    """The service sends the card list (as after a change in the portal)."""
    await simulator.push(wire.cards(account))


async def test_sessions_start_with_the_default_card(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Without a choice, the charge point's default card from the service is shown and used."""
    default = sim_account.charge_points[CHARGER].default_card
    assert default is not None
    assert select_state(hass) == default.name
    await call(hass, "button", "press", START)
    assert started_with(simulator) == default.uid


async def test_invalid_cards_are_not_offered(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A card that became invalid (valid: 0) disappears from the options."""
    card = sim_account.cards[1]
    options = hass.states.get(SELECT).attributes["options"]  # type: ignore[union-attr]
    assert card.name in options
    card.valid = False
    await push_cards(simulator, sim_account)
    await settle(
        hass,
        lambda: card.name not in hass.states.get(SELECT).attributes["options"],  # type: ignore[union-attr]
    )
    with pytest.raises(ServiceValidationError):
        await call(hass, "select", "select_option", SELECT, option=card.name)


async def test_renamed_card_stays_chosen_and_used(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A rename changes the label, not the choice: shown and used stay the same card."""
    card = sim_account.cards[1]
    await call(hass, "select", "select_option", SELECT, option=card.name)
    card.name = "Company car"
    await push_cards(simulator, sim_account)
    await settle(hass, lambda: select_state(hass) == "Company car")
    await call(hass, "button", "press", START)
    assert started_with(simulator) == card.uid


async def test_invalidated_choice_falls_back_in_the_select_and_the_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The chosen card became invalid: both the select and the session use the default."""
    chosen = sim_account.cards[1]
    default = sim_account.charge_points[CHARGER].default_card
    assert default is not None
    assert default.uid != chosen.uid
    await call(hass, "select", "select_option", SELECT, option=chosen.name)
    chosen.valid = False
    await push_cards(simulator, sim_account)
    await settle(hass, lambda: select_state(hass) == default.name)
    await call(hass, "button", "press", START)
    assert started_with(simulator) == default.uid


async def test_no_card_is_a_choice(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Choosing "no card" starts without one, although the charge point has a default."""
    await call(hass, "select", "select_option", SELECT, option="no_card")
    assert select_state(hass) == "no_card"
    await call(hass, "button", "press", START)
    assert started_with(simulator) == "BCU-APP"


async def test_charge_point_shared_by_two_accounts(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two accounts listing one charge point: core's ids stay with the first, no collision."""
    entries = []
    for number in (1, 2):
        simulator = await simulator_factory()
        simulator.add_account(token=f"T{number}", customer_id=f"C{number}", charge_points=1)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"account {number}",
            unique_id=f"C{number}",
            data={CONF_API_TOKEN: f"T{number}", CONF_ENDPOINT: simulator.url},
            minor_version=2,
        )
        entries.append(entry)
    with caplog.at_level(logging.ERROR):
        for entry in entries:  # the first account first
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
    registry = er.async_get(hass)
    first = {e.unique_id for e in er.async_entries_for_config_entry(registry, entries[0].entry_id)}
    second = {e.unique_id for e in er.async_entries_for_config_entry(registry, entries[1].entry_id)}
    assert f"total_kw_{CHARGER}" in first
    assert f"total_kw_{CHARGER}_C2" in second
    assert {uid.removesuffix("_C2") for uid in second if CHARGER in uid} == {
        uid for uid in first if CHARGER in uid
    }
    assert not [r for r in caplog.records if "already" in r.getMessage().lower()]
    # A restart (here: reloads, second first) keeps who owns what.
    for entry in reversed(entries):
        assert await hass.config_entries.async_reload(entry.entry_id)
    again = {e.unique_id for e in er.async_entries_for_config_entry(registry, entries[1].entry_id)}
    assert again == second


async def test_entity_names_are_unique_per_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Two entities of one device were both "Boost" (the boosting sensor and the button).

    Both exist while a smart-charging profile is on: turning one on adds them at runtime.
    """
    charge_point = sim_account.charge_points["BCU100001"]
    charge_point.delayed.enabled = True
    await simulator.push(wire.settings(charge_point))
    await settle(hass, lambda: hass.states.get("button.charger_1_boost") is not None)
    registry = er.async_get(hass)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), init_integration.entry_id)
    for device in devices:
        names = Counter(
            hass.states.get(entity.entity_id).name  # type: ignore[union-attr]
            for entity in er.async_entries_for_device(registry, device.id)
            if hass.states.get(entity.entity_id) is not None
        )
        assert [name for name, count in names.items() if count > 1] == [], device.name
    assert hass.states.get("binary_sensor.charger_1_boosting") is not None
    assert hass.states.get("button.charger_1_boost") is not None


async def test_new_charge_points_logged_at_debug(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Charge points joining (every start after a request-limit wait, every added one) is debug."""
    mock_config_entry.add_to_hass(hass)
    with caplog.at_level(logging.DEBUG):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        simulator.accounts["TOKEN"].add_charge_point(name="Carport")
        await simulator.drop_connections("clean")
        await settle(hass, lambda: hass.states.get("sensor.carport_power") is not None, 10)
    joined = [r for r in caplog.records if "New Blue Current charge points" in r.getMessage()]
    assert joined
    assert all(r.levelno == logging.DEBUG for r in joined)


async def test_delayed_window_without_an_end_is_a_translated_error(
    hass: HomeAssistant,
    profiles_on: None,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The service sent a window without its end: changing its start says why, no assert."""
    settings: dict[str, Any] = wire.settings(sim_account.charge_points[CHARGER])
    settings["data"]["delayed_charging"]["end_time"] = None
    await simulator.push(settings)
    entry = init_integration.runtime_data
    await settle(
        hass,
        lambda: entry.data.charge_points[CHARGER].settings.delayed_charging.end_time is None,
    )
    with pytest.raises(ServiceValidationError) as refused:
        await call(
            hass, "time", "set_value", "time.charger_1_delayed_charging_start", time=time(22, 0)
        )
    assert refused.value.translation_key == "delayed_window_incomplete"
    assert not simulator.requests("SAVE_SCHEDULE_DELAYED_CHARGING")
