"""The demo: the simulator and a real Home Assistant with this integration, ready to use.

Run through ``scripts/develop``. On first start it onboards a demo user and adds the
integration against the simulator through Home Assistant's own REST API, so the browser
opens on a working installation; later starts reuse the configuration directory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
import signal
import sys
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
DEMO_USER = "demo"
DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo login, local only
DEMO_TOKEN = "DEMO-TOKEN"  # noqa: S105 - the simulator's token, not a real one
CLIENT_ID_PATH = "/"
STARTUP_TIMEOUT = 180.0
ONBOARDING_EXTRAS = frozenset({"google_translate", "met", "radio_browser", "shopping_list"})

CONFIGURATION = """\
# Written by scripts/develop. Only what the demo needs, so it starts fast and offline.
homeassistant:
  name: Blue Current demo
  time_zone: Europe/Amsterdam
  unit_system: metric
  country: NL
  currency: EUR
frontend:
config:
history:
logbook:
energy:
http:
  server_host: 127.0.0.1
  server_port: {port}
logger:
  default: warning
  logs:
    custom_components.blue_current: info
"""


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path(os.environ.get("DEMO_CONFIG", "")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8123")))
    parser.add_argument(
        "--simulator-port", type=int, default=int(os.environ.get("DEMO_SIMULATOR_PORT", "8765"))
    )
    parser.add_argument("--time-scale", type=float, default=30.0)
    options = parser.parse_args()
    if not str(options.config) or str(options.config) == ".":
        options.config = REPO / "config"
    return options


def prepare_config(config: Path, port: int) -> None:
    """Create the configuration directory with the integration linked in."""
    custom = config / "custom_components"
    custom.mkdir(parents=True, exist_ok=True)
    link = custom / "blue_current"
    if not link.is_symlink():
        link.symlink_to(REPO / "custom_components" / "blue_current", target_is_directory=True)
    (config / "configuration.yaml").write_text(CONFIGURATION.format(port=port))


async def _start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, stdin=asyncio.subprocess.DEVNULL, cwd=REPO, start_new_session=True
    )


async def _wait_for_http(session: aiohttp.ClientSession, base: str, hass: Any) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        if hass.returncode is not None:
            raise SystemExit(f"Home Assistant exited with code {hass.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"{base}/api/onboarding") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.5)
    raise SystemExit(f"Home Assistant did not answer on {base} in {STARTUP_TIMEOUT:.0f} s")


async def _json(response: aiohttp.ClientResponse) -> Any:
    if response.status >= 400:
        raise SystemExit(
            f"{response.method} {response.url}: {response.status} {await response.text()}"
        )
    return await response.json()


async def _token_for_code(session: aiohttp.ClientSession, base: str, code: str) -> str:
    form = {"grant_type": "authorization_code", "code": code, "client_id": base + CLIENT_ID_PATH}
    async with session.post(f"{base}/auth/token", data=form) as response:
        token: str = (await _json(response))["access_token"]
        return token


async def login(session: aiohttp.ClientSession, base: str) -> str:
    """Log in as the demo user the way the frontend does; returns an access token."""
    client_id = base + CLIENT_ID_PATH
    start = {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id}
    async with session.post(f"{base}/auth/login_flow", json=start) as response:
        flow = await _json(response)
    answer = {"client_id": client_id, "username": DEMO_USER, "password": DEMO_PASSWORD}
    async with session.post(f"{base}/auth/login_flow/{flow['flow_id']}", json=answer) as response:
        result = await _json(response)
    return await _token_for_code(session, base, result["result"])


async def _onboard(session: aiohttp.ClientSession, base: str) -> str:
    user = {
        "client_id": base + CLIENT_ID_PATH,
        "name": "Demo",
        "username": DEMO_USER,
        "password": DEMO_PASSWORD,
        "language": "en",
    }
    async with session.post(f"{base}/api/onboarding/users", json=user) as response:
        code = (await _json(response))["auth_code"]
    token = await _token_for_code(session, base, code)
    headers = {"Authorization": f"Bearer {token}"}
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": base + CLIENT_ID_PATH, "redirect_uri": base + "/"}),
    ):
        async with session.post(f"{base}/api/onboarding/{step}", json=body, headers=headers) as r:
            await _json(r)
    return token


async def _add_integration(
    session: aiohttp.ClientSession, base: str, token: str, endpoint: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{base}/api/config/config_entries/entry", headers=headers) as r:
        entries = await _json(r)
    for entry in entries:
        # Onboarding adds these, but their libraries are not installed (and need internet).
        if entry["domain"] in ONBOARDING_EXTRAS:
            url = f"{base}/api/config/config_entries/entry/{entry['entry_id']}"
            async with session.delete(url, headers=headers) as r:
                await _json(r)
    if any(entry["domain"] == "blue_current" for entry in entries):
        return
    start = {"handler": "blue_current", "show_advanced_options": True}
    async with session.post(
        f"{base}/api/config/config_entries/flow", json=start, headers=headers
    ) as response:
        flow = await _json(response)
    answer = {"api_token": DEMO_TOKEN, "endpoint": endpoint}
    async with session.post(
        f"{base}/api/config/config_entries/flow/{flow['flow_id']}", json=answer, headers=headers
    ) as response:
        result = await _json(response)
    if result.get("type") != "create_entry":
        raise SystemExit(f"adding the integration failed: {result}")


async def set_up_home_assistant(base: str, endpoint: str, hass: Any) -> None:
    """Onboard (first start only) and add the integration (when it is missing)."""
    async with aiohttp.ClientSession() as session:
        await _wait_for_http(session, base, hass)
        async with session.get(f"{base}/api/onboarding") as response:
            steps = await _json(response)
        onboarded = all(step["done"] for step in steps)
        token = await login(session, base) if onboarded else await _onboard(session, base)
        await _add_integration(session, base, token, endpoint)


async def _stop(process: asyncio.subprocess.Process, name: str) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 60)
        except TimeoutError:
            print(f"{name} did not stop in 60 s; killing it", flush=True)
            process.kill()
            await process.wait()


async def run(options: argparse.Namespace) -> int:
    """Start both processes, set Home Assistant up, and wait for Ctrl-C or an exit."""
    prepare_config(options.config, options.port)
    base = f"http://127.0.0.1:{options.port}"
    endpoint = f"ws://127.0.0.1:{options.simulator_port}/haserver"
    simulator = await _start(
        "-m", "bluecurrent_simulator", "--scenario", "demo", "--token", DEMO_TOKEN,
        "--port", str(options.simulator_port), "--time-scale", str(options.time_scale),
    )  # fmt: skip
    hass = await _start("-m", "homeassistant", "-c", str(options.config), "--skip-pip")
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        await set_up_home_assistant(base, endpoint, hass)
        print(
            f"\nThe demo is ready: {base}  (login: {DEMO_USER} / {DEMO_PASSWORD})\n"
            f"Simulator: {endpoint} (token {DEMO_TOKEN})\n"
            "Ctrl-C stops both; the next start reuses the configuration in "
            f"{options.config}.\n",
            flush=True,
        )
        waiters = [asyncio.create_task(p.wait()) for p in (hass, simulator)]
        waiters.append(asyncio.create_task(stopped.wait()))
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
    finally:
        await _stop(hass, "Home Assistant")
        await _stop(simulator, "The simulator")
    print("demo stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run(_options())))
