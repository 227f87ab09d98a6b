"""Secrets never leak, whatever happens; a fleet under steady load loses no latest state."""

from __future__ import annotations

import asyncio
import json
import logging
import os

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import Simulator
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from custom_components.blue_current.diagnostics import async_get_config_entry_diagnostics

from .harness import SECRET_TOKEN, set_up
from .hostile import cases


@pytest.mark.usefixtures("fast_reconnect")
async def test_secrets_never_leak(
    hass: HomeAssistant, bare_simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Debug logging on; drops, rejections, refusals and hostile input: no token anywhere."""
    with caplog.at_level(logging.DEBUG):
        observed = await set_up(hass, bare_simulator, "ours")
        session_token = observed.account.session_token
        attempts = bare_simulator.connection_attempts
        bare_simulator.reject_next_upgrades("Already connected")
        await bare_simulator.drop_connections("abrupt")
        # Back (after the rejection) before the error is sent: it must reach the client.
        async with asyncio.timeout(10):
            while not (
                bare_simulator.connection_attempts >= attempts + 2
                and bare_simulator.live_connections == 1
            ):
                await asyncio.sleep(0.01)
        # An error text that quotes the credentials back, as a careless service might.
        received = observed.entry.runtime_data.client.stats.errors_received
        await bare_simulator.push(
            {"object": "ERROR", "error": 1, "message": f"bad token {SECRET_TOKEN} {session_token}"}
        )
        async with asyncio.timeout(10):
            while observed.entry.runtime_data.client.stats.errors_received == received:
                await asyncio.sleep(0.01)
        for hostile in cases(observed.account, 200, seed=7):
            if isinstance(hostile.frame, str):
                await bare_simulator.push_raw(hostile.frame)
        assert await observed.shows(await observed.new_energy())
        diagnostics = await async_get_config_entry_diagnostics(hass, observed.entry)
        issues = [issue.to_json() for issue in ir.async_get(hass).issues.values()]
    leaks = {
        "log": caplog.text,
        "diagnostics": json.dumps(diagnostics, default=str),
        "repairs": json.dumps(issues, default=str),
    }
    for where, text in leaks.items():
        assert SECRET_TOKEN not in text, where
        assert session_token not in text, where


@pytest.mark.resilience_full
@pytest.mark.timeout(600)
async def test_fleet_under_load(hass: HomeAssistant, simulator_factory: object) -> None:
    """500 charge points, 50 updates a second for a minute: every latest state is shown."""
    simulator: Simulator = await simulator_factory()  # type: ignore[operator]
    account = simulator.add_fleet_account(token=SECRET_TOKEN, charge_points=500)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=account.customer_id,
        data={"api_token": SECRET_TOKEN, CONF_ENDPOINT: simulator.url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    rss_before = _rss_mib()
    seconds = int(os.environ.get("RESILIENCE_LOAD_SECONDS", "60"))
    rss_halfway = rss_before
    for second in range(seconds):
        await simulator.stream(50)
        await asyncio.sleep(1)
        if second == seconds // 2:
            rss_halfway = _rss_mib()
    await hass.async_block_till_done()
    await asyncio.sleep(1)
    registry_states = {
        state.entity_id: state.state
        for state in hass.states.async_all("sensor")
        if state.entity_id.endswith("_session_energy")
    }
    assert len(registry_states) == 500
    shown = sorted(round(float(value), 3) for value in registry_states.values())
    expected = sorted(round(cp.session_energy_kwh, 3) for cp in account.charge_points.values())
    assert shown == expected
    first_half, second_half = rss_halfway - rss_before, _rss_mib() - rss_halfway
    print(
        f"\nload: {seconds * 50} updates to 500 charge points; resident growth "
        f"{first_half:.1f} MiB in the first half, {second_half:.1f} MiB in the second"
    )
    await hass.config_entries.async_unload(entry.entry_id)


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
