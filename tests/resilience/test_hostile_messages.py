"""Hostile server messages: whatever the service sends, the integration keeps working.

Ours gets a seeded stream of generated cases (1,000 in ``scripts/test``, 10,000 in
``scripts/resilience``); after every batch the service reports a change, which must be shown,
every state must be a value its entity allows, and nothing may reach the log as an error.
Core gets a few cases of each category, each on a fresh setup, recorded side by side.
"""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
import pytest

from bluecurrent_simulator import Simulator

from .harness import Observed, core_pointed_at, set_up, unhandled, verdict
from .hostile import CATEGORIES, Case, case, cases

BATCH = 50


async def _push(observed: Observed, hostile: Case) -> None:
    if isinstance(hostile.frame, bytes):
        await observed.simulator.push_binary(hostile.frame)
    else:
        await observed.simulator.push_raw(hostile.frame)


async def _run_cases(
    hass: HomeAssistant, simulator: Simulator, count: int, caplog: pytest.LogCaptureFixture
) -> None:
    observed = await set_up(hass, simulator, "ours")
    before = observed.counts()
    batch: list[Case] = []
    for number, hostile in enumerate(cases(observed.account, count, seed=20261125), 1):
        await _push(observed, hostile)
        batch.append(hostile)
        if number % BATCH and number != count:
            continue
        categories = sorted({item.category for item in batch})
        assert await observed.shows(await observed.new_energy()), categories
        assert observed.states_valid(), categories
        # No device appears or vanishes; entities may only be added (a well-formed profile in
        # a hostile batch legitimately creates its entities), never lost.
        entities, devices = observed.counts()
        assert (devices, entities >= before[0]) == (before[1], True), categories
        assert not unhandled(caplog.records), (categories, unhandled(caplog.records))
        batch.clear()
        caplog.clear()
    await hass.config_entries.async_unload(observed.entry.entry_id)


@pytest.mark.usefixtures("fast_reconnect")
@pytest.mark.parametrize(
    "count",
    [
        1_000,
        pytest.param(10_000, marks=[pytest.mark.resilience_full, pytest.mark.timeout(900)]),
    ],
)
async def test_hostile_messages(
    hass: HomeAssistant, bare_simulator: Simulator, caplog: pytest.LogCaptureFixture, count: int
) -> None:
    """Generated cases: still connected (or back), states valid, nothing logged."""
    with caplog.at_level(logging.INFO):
        await _run_cases(hass, bare_simulator, count, caplog)


@pytest.mark.usefixtures("fast_reconnect")
@pytest.mark.parametrize("category", CATEGORIES)
async def test_hostile_category(
    hass: HomeAssistant,
    bare_simulator: Simulator,
    target: str,
    category: str,
    record: dict[str, bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three cases of one category on a fresh setup; then a change must still be shown."""
    import random

    rng = random.Random(category)
    with core_pointed_at(bare_simulator), caplog.at_level(logging.INFO):
        observed = await set_up(hass, bare_simulator, target)
        for _ in range(3):
            await _push(observed, case(category, observed.account, rng))
        shown = await observed.shows(await observed.new_energy())
        problems = {
            "stopped showing changes": not shown,
            "invalid states": not observed.states_valid(),
            "logged errors": bool(unhandled(caplog.records)),
        }
        await hass.config_entries.async_unload(observed.entry.entry_id)
        await hass.async_block_till_done()
    verdict(record, f"hostile: {category}", target, problems, caplog.records)
