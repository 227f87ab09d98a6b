"""The demo in a real browser: what a user sees and does on the charging charge point's page.

Starts ``scripts/develop`` (simulator and a real Home Assistant), logs in as the demo user in
Debian's Chromium driven by Playwright, and uses the device page like a person would.
Screenshots go to ``artifacts/screenshots``; the README's screenshot is copied from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
from typing import Any

import aiohttp
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
DEMO_USER, DEMO_PASSWORD = "demo", "demo1234"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The browser talks to a separate Home Assistant; this test needs no in-process one."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Demo:
    """A running ``scripts/develop``."""

    base: str
    token: str
    output: list[str]


async def _read_until_ready(process: asyncio.subprocess.Process, output: list[str]) -> None:
    assert process.stdout is not None
    while line := (await process.stdout.readline()).decode():
        output.append(line)
        if "The demo is ready" in line:
            return
    pytest.fail("scripts/develop ended before it was ready:\n" + "".join(output[-40:]))


async def _login(base: str) -> str:
    client_id = base + "/"
    async with aiohttp.ClientSession() as session:
        start = {"client_id": client_id, "handler": ["homeassistant", None]}
        async with session.post(
            f"{base}/auth/login_flow", json={**start, "redirect_uri": client_id}
        ) as response:
            flow = await response.json()
        answer = {"client_id": client_id, "username": DEMO_USER, "password": DEMO_PASSWORD}
        async with session.post(f"{base}/auth/login_flow/{flow['flow_id']}", json=answer) as r:
            code = (await r.json())["result"]
        form = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
        async with session.post(f"{base}/auth/token", data=form) as response:
            token: str = (await response.json())["access_token"]
            return token


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; scripts/test leaves this test out where it cannot be installed."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/e2e_setup installs it)")
    return CHROMIUM


@pytest.fixture
async def demo(socket_enabled: None, chromium: Path, tmp_path: Path) -> AsyncGenerator[Demo]:
    """``scripts/develop`` on free ports with a fresh configuration directory."""
    port, simulator_port = _free_port(), _free_port()
    process = await asyncio.create_subprocess_exec(
        str(REPO / "scripts" / "develop"),
        *("--config", str(tmp_path / "config"), "--port", str(port)),
        *("--simulator-port", str(simulator_port)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "VENV_DIR": os.environ.get("VENV_DIR", ".venv")},
    )
    output: list[str] = []
    try:
        await asyncio.wait_for(_read_until_ready(process, output), 300)
        base = f"http://127.0.0.1:{port}"
        yield Demo(base, await _login(base), output)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        assert process.stdout is not None
        rest = await asyncio.wait_for(process.stdout.read(), 90)
        await process.wait()
        output.append(rest.decode())
    assert "demo stopped" in "".join(output), "Ctrl-C did not stop the demo cleanly"


async def _state(demo: Demo, entity_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {demo.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{demo.base}/api/states/{entity_id}", headers=headers) as response,
    ):
        assert response.status == 200, entity_id
        state: dict[str, Any] = await response.json()
        return state


async def _device_id(demo: Demo, name: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{demo.base}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": demo.token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        await ws.send_json({"id": 1, "type": "config/device_registry/list"})
        devices = (await ws.receive_json())["result"]
    return next(device["id"] for device in devices if device["name"] == name)


def _screens() -> Iterator[Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield from (SCREENSHOTS / name for name in ("device.png", "after-block.png", "stopped.png"))


async def _wait_for_state(demo: Demo, entity_id: str, wanted: str) -> None:
    for _ in range(60):
        if (await _state(demo, entity_id))["state"] == wanted:
            return
        await asyncio.sleep(0.5)
    pytest.fail(f"{entity_id} did not become {wanted}")


async def test_demo_device_page(demo: Demo, chromium: Path) -> None:
    """Log in, watch the session progress, block and unblock, start and stop a session."""
    from playwright.async_api import async_playwright, expect

    device_id = await _device_id(demo, "Driveway")
    shots = _screens()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox"]
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 1500})
        await page.goto(f"{demo.base}/config/devices/device/{device_id}")
        await page.locator("input[name=username]").fill(DEMO_USER)
        await page.locator("input[name=password]").fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="Log in").click()

        await expect(page.locator("ha-top-app-bar-fixed, .main-title").first).to_contain_text(
            "Driveway", timeout=30_000
        )
        power = page.locator("hui-generic-entity-row", has_text="Power").first
        energy = page.locator("hui-generic-entity-row", has_text="Session energy").first
        await expect(power).to_contain_text(re.compile(r"\d+(\.\d+)?\s*kW"), timeout=30_000)
        energy_before = await energy.inner_text()
        # Reset and reboot are disabled by default (lean defaults): not on the page.
        for name in ("Plug & charge", "Block charge point", "Stop charge session", "Charging card"):
            await expect(page.get_by_text(name, exact=True).first).to_be_visible()
        await page.screenshot(path=next(shots), full_page=True)
        # The simulator runs 30x faster than real time: the session energy visibly grows.
        await expect(energy).not_to_have_text(energy_before, timeout=30_000)

        block = page.locator("hui-toggle-entity-row", has_text="Block charge point")
        await block.locator("ha-switch").click()
        await _wait_for_state(demo, "switch.driveway_block_charge_point", "on")
        await expect(block.get_by_role("switch")).to_be_checked()
        await page.screenshot(path=next(shots), full_page=True)
        await block.locator("ha-switch").click()
        await _wait_for_state(demo, "switch.driveway_block_charge_point", "off")
        await expect(block.get_by_role("switch")).not_to_be_checked()

        # Blocking ended the session; start a new one from its button, then stop it.
        await _wait_for_state(demo, "binary_sensor.driveway_charging", "off")
        start = page.locator("hui-button-entity-row", has_text="Start charge session")
        await start.get_by_role("button").click()
        await _wait_for_state(demo, "binary_sensor.driveway_charging", "on")
        await expect(power).to_contain_text(re.compile(r"[1-9][\d.]*\s*kW"), timeout=30_000)
        stop = page.locator("hui-button-entity-row", has_text="Stop charge session")
        await stop.get_by_role("button").click()
        await _wait_for_state(demo, "binary_sensor.driveway_charging", "off")
        await expect(power).to_contain_text(re.compile(r"^\D*0(\.0+)?\s*kW"), timeout=30_000)
        await page.screenshot(path=next(shots), full_page=True)
        await browser.close()


async def _statistic_sum(demo: Demo, statistic_id: str) -> float:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{demo.base}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": demo.token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        await ws.send_json(
            {
                "id": 1,
                "type": "recorder/statistics_during_period",
                "start_time": "2000-01-01T00:00:00+00:00",
                "statistic_ids": [statistic_id],
                "period": "hour",
                "types": ["sum"],
            }
        )
        rows = (await ws.receive_json())["result"].get(statistic_id, [])
        await ws.send_json({"id": 2, "type": "energy/get_prefs"})
        prefs = (await ws.receive_json())["result"]
    assert {"stat_consumption": statistic_id} in prefs["device_consumption"]
    return float(rows[-1]["sum"]) if rows else 0.0


async def test_demo_shows_a_finished_session(demo: Demo) -> None:
    """Within a minute the idle charge point's short session ends: an event, energy charted."""
    events = "event.charger_2_charging_events"
    for _ in range(240):
        state = await _state(demo, events)
        if state["attributes"].get("event_type") == "session_ended":
            break
        await asyncio.sleep(0.5)
    else:
        pytest.fail(f"no session_ended event: {state}")
    assert state["attributes"]["energy_kwh"] > 0
    for _ in range(60):
        if await _statistic_sum(demo, "blue_current:energy_bcu100002") > 0:
            return
        await asyncio.sleep(0.5)
    pytest.fail("the Energy dashboard's statistic of the session did not appear")
