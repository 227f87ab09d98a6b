"""Connection faults, against a running integration: ours must survive every one.

Survived means: the entities went unavailable while the connection was down (where it went
down), came back showing the energy the charge point gained meanwhile, no entity or device
was duplicated, nothing reached the log as an error or a traceback, and the service was not
hammered (connection attempts are counted).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest

from bluecurrent_simulator import Simulator

from .harness import Observed, core_pointed_at, set_up, unhandled, verdict

type Fault = Callable[[Observed], Awaitable[None]]


async def _until(condition: Callable[[], bool], hass: HomeAssistant, seconds: float = 10) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


async def _reconnected(observed: Observed, attempts_before: int, *, answered: bool = True) -> None:
    """Until the client connected again (and, when ``answered``, said HELLO)."""
    simulator = observed.simulator
    await _until(
        lambda: (
            simulator.connection_attempts > attempts_before
            and (simulator.live_connections > 0 or not answered)
        ),
        observed.hass,
    )


async def clean_close(observed: Observed) -> None:
    """The service closes the connection with a close frame."""
    await observed.simulator.drop_connections("clean")


async def abrupt_close(observed: Observed) -> None:
    """The TCP connection is reset, no close frame."""
    await observed.simulator.drop_connections("abrupt")


async def _drop_into_silence(observed: Observed, seconds: float) -> None:
    """Drop; let the client reconnect to a service that answers nothing for ``seconds``."""
    simulator = observed.simulator
    attempts = simulator.connection_attempts
    simulator.stall(True)
    await simulator.drop_connections("abrupt")
    await _reconnected(observed, attempts, answered=False)
    await asyncio.sleep(seconds)


async def close_mid_snapshot(observed: Observed) -> None:
    """The connection drops again while the client waits for its snapshot.

    The new connection's status requests go unanswered, so the snapshot cannot complete;
    once every one of them arrived (the client greeted, is connected and is waiting for
    them) that connection is closed: mid-snapshot every time, whatever the machine's speed.
    """
    simulator = observed.simulator
    unanswered = len(observed.account.charge_points)
    attempts = simulator.connection_attempts
    simulator.ignore_next("GET_CH_STATUS", count=unanswered)
    await simulator.drop_connections("abrupt")
    await _until(
        lambda: (
            simulator.connection_attempts > attempts
            and simulator.live_connections == 1
            and simulator.faults.ignore_next["GET_CH_STATUS"] == 0
        ),
        observed.hass,
    )
    waiting = simulator.connection_attempts
    await simulator.drop_connections("abrupt")
    # Closed: the client connects again (it would not, had the drop missed its connection).
    await _reconnected(observed, waiting)


async def already_connected(observed: Observed) -> None:
    """Reconnecting is refused twice: another client holds the connection."""
    observed.simulator.reject_next_upgrades("Already connected", count=2)
    await observed.simulator.drop_connections("abrupt")


async def stalled_server(observed: Observed) -> None:
    """After a drop, the service accepts the connection but answers nothing for a while."""
    await _drop_into_silence(observed, 1.0)
    observed.simulator.stall(False)


async def connection_refused(observed: Observed) -> None:
    """The service is gone (connection refused) for a second, then back on the same port."""
    simulator = observed.simulator
    port = simulator.port
    await simulator.stop()
    await asyncio.sleep(1.0)
    await simulator.start("127.0.0.1", port)


async def flapping(observed: Observed) -> None:
    """20 drops in a row, each as soon as the client is back."""
    simulator = observed.simulator
    for number in range(20):
        attempts = simulator.connection_attempts
        await simulator.drop_connections("abrupt" if number % 2 else "clean")
        await _reconnected(observed, attempts)


FAULTS: dict[str, tuple[Fault, bool]] = {
    # name: (fault, whether the connection goes down so that entities must go unavailable)
    "clean close": (clean_close, True),
    "abrupt close": (abrupt_close, True),
    "close mid-snapshot": (close_mid_snapshot, True),
    "rejected: Already connected": (already_connected, True),
    "stalled server": (stalled_server, True),
    "connection refused": (connection_refused, True),
    "flapping (20 drops)": (flapping, True),
}


@pytest.mark.usefixtures("fast_reconnect")
@pytest.mark.parametrize("scenario", list(FAULTS))
async def test_connection_fault(
    hass: HomeAssistant,
    bare_simulator: Simulator,
    target: str,
    scenario: str,
    record: dict[str, bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each fault, then a change at the service: it must be shown, once, cleanly."""
    fault, goes_down = FAULTS[scenario]
    with core_pointed_at(bare_simulator), caplog.at_level(logging.DEBUG):
        observed = await set_up(hass, bare_simulator, target)
        before = observed.counts()
        attempts = bare_simulator.connection_attempts
        try:
            await fault(observed)
        except TimeoutError:
            shown = False  # it never came back for the fault to go on
        else:
            shown = await observed.shows(await observed.new_energy())
        problems = {
            "did not show the new energy": not shown,
            "stayed available while down": goes_down and not observed.went_unavailable,
            "duplicated entities or devices": observed.counts() != before,
            "logged errors": bool(unhandled(caplog.records)),
            "hammered the service": bare_simulator.connection_attempts - attempts > 60,
        }
        await hass.config_entries.async_unload(observed.entry.entry_id)
        await hass.async_block_till_done()
    verdict(record, scenario, target, problems, caplog.records)


async def _close_4001(observed: Observed) -> None:
    await observed.simulator.drop_connections("limit")


async def _reject_limit(observed: Observed) -> None:
    observed.simulator.reject_next_upgrades("Request limit reached", count=5)
    await observed.simulator.drop_connections("abrupt")


LIMITS: dict[str, Fault] = {
    "close 4001 (request limit)": _close_4001,
    "rejected: Request limit reached": _reject_limit,
}


@pytest.mark.usefixtures("fast_reconnect")
@pytest.mark.parametrize("scenario", list(LIMITS))
async def test_request_limit_is_respected(
    hass: HomeAssistant,
    bare_simulator: Simulator,
    target: str,
    scenario: str,
    record: dict[str, bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At the daily request limit, a client must wait for the reset, not retry: count attempts.

    (Ours coming back after the reset, with its repair issue, is in tests/integration.)
    """
    with core_pointed_at(bare_simulator), caplog.at_level(logging.DEBUG):
        observed = await set_up(hass, bare_simulator, target)
        attempts = bare_simulator.connection_attempts
        await LIMITS[scenario](observed)
        await asyncio.sleep(1.5)
        await hass.async_block_till_done()
        problems = {
            "retried before the reset": bare_simulator.connection_attempts - attempts > 1,
            "stayed available": not observed.went_unavailable,
            "logged errors": bool(unhandled(caplog.records)),
        }
        await hass.config_entries.async_unload(observed.entry.entry_id)
        await hass.async_block_till_done()
    verdict(record, scenario, target, problems, caplog.records)


async def test_tls_failure(
    hass: HomeAssistant,
    bare_simulator: Simulator,
    target: str,
    record: dict[str, bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A TLS handshake that fails (wss:// to a plain server): setup retries, nothing crashes."""
    tls_url = bare_simulator.url.replace("ws://", "wss://")
    with core_pointed_at(bare_simulator), caplog.at_level(logging.DEBUG):
        if target == "core":
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.setattr("bluecurrent_api.websocket.URL", tls_url)
                observed = await set_up(hass, bare_simulator, target)
        else:
            observed = await set_up(hass, bare_simulator, target, endpoint=tls_url)
        state = observed.entry.state
        tracebacks = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    survived = state is ConfigEntryState.SETUP_RETRY and not tracebacks
    record[f"TLS failure@{target}"] = survived
    if target == "ours":
        assert state is ConfigEntryState.SETUP_RETRY
        assert observed.entry.error_reason_translation_key == "cannot_connect"
        assert not tracebacks
