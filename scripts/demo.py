"""The demo: the simulator and a real Home Assistant with this integration, ready to use.

Run through ``scripts/develop``. On first start it onboards a demo user and adds the
integration against the simulator through Home Assistant's own REST API, so the browser
opens on a working installation; later starts reuse the configuration directory.

A clean first start: onboarding's "core config" step would add met, radio_browser,
google_translate and shopping_list (whose libraries are not installed, and which want the
internet), and while onboarding is unfinished Home Assistant imports its cloud integration
for the onboarding page, which imports camera, whose missing libturbojpeg is an ERROR: about
190 lines of tracebacks and 6 ERROR lines on 2025.4.4. So a fresh configuration directory is
prepared already onboarded: the demo owner is created offline with Home Assistant's own auth
API (in a subprocess, before Home Assistant starts), onboarding's steps are marked done, and
the location and units are in the YAML below. Home Assistant then starts with nothing to
onboard and sets up only what the demo needs; the demo logs in like the frontend does.
``scripts/smoke_newest`` imports this module and checks the log has no ERROR line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
DEMO_USER = "demo"
DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo login, local only
DEMO_TOKEN = "DEMO-TOKEN"  # noqa: S105 - the simulator's token, not a real one
CLIENT_ID_PATH = "/"
STARTUP_TIMEOUT = 180.0
DEMO_VERDICT_DELAY = 2.0
# Demo configurations made before the clean first start may still hold these: removed.
ONBOARDING_EXTRAS = frozenset({"google_translate", "met", "radio_browser", "shopping_list"})
# The config flow offers the endpoint field only when Home Assistant's environment names one.
ENDPOINT_ENV = "BLUE_CURRENT_ENDPOINT"
# Onboarding done (the owner is created offline); the storage format of the onboarding
# component, the same from 2025.4 to 2026.11.
ONBOARDING_STORAGE = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["user", "core_config", "analytics", "integration"]},
}

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


async def create_owner(config: Path) -> None:
    """Create the demo owner in ``config`` with Home Assistant's auth API, offline.

    What onboarding's user step does, without the onboarding page (and its imports).
    """
    # Imported here: the demo's launcher itself needs no Home Assistant.
    from homeassistant import auth as ha_auth  # noqa: PLC0415
    from homeassistant.auth.const import GROUP_ID_ADMIN  # noqa: PLC0415
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE  # noqa: PLC0415
    from homeassistant.core import HomeAssistant  # noqa: PLC0415
    from homeassistant.helpers import device_registry as dr  # noqa: PLC0415

    hass = HomeAssistant(str(config))
    # From 2026.11 the auth store reads the device registry while loading.
    if hasattr(dr, "async_setup"):
        dr.async_setup(hass)
    await dr.async_load(hass)
    manager = await ha_auth.auth_manager_from_config(hass, [{"type": "homeassistant"}], [])
    hass.auth = manager
    provider = manager.auth_providers[0]
    await provider.async_initialize()
    await provider.async_add_auth(DEMO_USER, DEMO_PASSWORD)  # type: ignore[attr-defined,unused-ignore]
    user = await manager.async_create_user("Demo", group_ids=[GROUP_ID_ADMIN])
    credentials = await provider.async_get_or_create_credentials({"username": DEMO_USER})
    await manager.async_link_user(user, credentials)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)  # writes the delayed saves
    await hass.async_block_till_done()
    if not user.is_owner:
        raise SystemExit(f"the demo user in {config} is not the owner")


def prepare_config(config: Path, port: int) -> None:
    """Create the configuration directory with the integration linked in.

    A fresh directory is onboarded offline (see the module's docstring).
    """
    custom = config / "custom_components"
    custom.mkdir(parents=True, exist_ok=True)
    link = custom / "blue_current"
    if not link.is_symlink():
        link.symlink_to(REPO / "custom_components" / "blue_current", target_is_directory=True)
    (config / "configuration.yaml").write_text(CONFIGURATION.format(port=port))
    storage = config / ".storage"
    if not (storage / "onboarding").exists() and not (storage / "auth").exists():
        # In its own process: a HomeAssistant object here would outlive its use.
        command = [sys.executable, str(Path(__file__).resolve()), "--create-owner", str(config)]
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:  # noqa: S603
            raise SystemExit(f"creating the demo owner in {config} failed")
        (storage / "onboarding").write_text(json.dumps(ONBOARDING_STORAGE, indent=2))


async def _start(
    *args: str, env: dict[str, str] | None = None, controlled: bool = False
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        # The simulator's controls come on its standard input.
        stdin=asyncio.subprocess.PIPE if controlled else asyncio.subprocess.DEVNULL,
        cwd=REPO,
        start_new_session=True,
        env=None if env is None else {**os.environ, **env},
    )


async def start_home_assistant(config: Path, endpoint: str) -> asyncio.subprocess.Process:
    """A real Home Assistant on ``config`` whose config flow offers ``endpoint``."""
    return await _start(
        "-m", "homeassistant", "-c", str(config), "--skip-pip", env={ENDPOINT_ENV: endpoint}
    )


async def _wait_for(
    session: aiohttp.ClientSession, url: str, hass: Any, headers: dict[str, str] | None = None
) -> None:
    """Until ``url`` answers 200 (Home Assistant sets its parts up one after another)."""
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        if hass.returncode is not None:
            raise SystemExit(f"Home Assistant exited with code {hass.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(url, headers=headers) as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.5)
    raise SystemExit(f"Home Assistant did not answer {url} in {STARTUP_TIMEOUT:.0f} s")


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
    async with session.get(f"{base}/api/onboarding") as response:
        steps = await _json(response)
    # Steps prepare_config did not pre-mark (a directory onboarded halfway by an older demo).
    # Not core_config: it would add the integrations of the module's docstring.
    for step, body in (
        ("analytics", {}),
        ("integration", {"client_id": base + CLIENT_ID_PATH, "redirect_uri": base + "/"}),
    ):
        if not any(s["step"] == step and s["done"] for s in steps):
            async with session.post(
                f"{base}/api/onboarding/{step}", json=body, headers=headers
            ) as r:
                await _json(r)
    return token


async def _add_integration(
    session: aiohttp.ClientSession, base: str, token: str, endpoint: str, hass: Any
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    await _wait_for(session, f"{base}/api/config/config_entries/entry", hass, headers)
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
    start = {"handler": "blue_current"}
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


# The idle demo charge point gets a vehicle that wants this much: its session ends within a
# minute of the demo starting (at the demo's time scale), so the logbook shows a finished
# session and the Energy dashboard its energy.
SHORT_SESSION_KWH = 2.0
IDLE_CHARGE_POINT = "BCU100002"


async def _energy_dashboard(session: aiohttp.ClientSession, base: str, token: str) -> None:
    """Show the short session's charging in the Energy dashboard (its statistics)."""
    url = base.replace("http", "ws", 1) + "/api/websocket"
    # Only the charge point whose session ends at once: a statistic that does not exist yet
    # would show as a warning in the dashboard.
    prefs = {
        "type": "energy/save_prefs",
        "id": 1,
        "device_consumption": [
            {"stat_consumption": f"blue_current:energy_{IDLE_CHARGE_POINT.lower()}"}
        ],
    }
    async with session.ws_connect(url) as socket:
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": token})
        answer = await socket.receive_json()
        if answer.get("type") != "auth_ok":
            raise SystemExit(f"the websocket API refused the demo user: {answer}")
        await socket.send_json(prefs)
        result = await socket.receive_json()
        if not result.get("success"):
            raise SystemExit(f"setting up the Energy dashboard failed: {result}")


async def start_short_session(simulator: asyncio.subprocess.Process) -> None:
    """Plug a vehicle into the idle charge point that wants little: a session that ends."""
    if simulator.stdin is None:
        return
    simulator.stdin.write(f"plug {IDLE_CHARGE_POINT} {SHORT_SESSION_KWH}\n".encode())
    await simulator.stdin.drain()


async def set_up_home_assistant(base: str, endpoint: str, hass: Any) -> str:
    """Onboard (first start only) and add the integration (when it is missing).

    Returns an access token of the demo user.
    """
    async with aiohttp.ClientSession() as session:
        await _wait_for(session, f"{base}/auth/providers", hass)
        async with session.get(f"{base}/api/onboarding") as response:
            # 404: onboarded before this start (prepare_config does that on a fresh directory).
            steps = [] if response.status == 404 else await _json(response)
        user_done = all(step["done"] for step in steps if step["step"] == "user")
        token = await login(session, base) if user_done else await _onboard(session, base)
        await _add_integration(session, base, token, endpoint, hass)
        await _energy_dashboard(session, base, token)
        return token


async def stop_process(process: asyncio.subprocess.Process, name: str) -> None:
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
    # Charge points answer (block, start, stop, reset) after DEMO_VERDICT_DELAY seconds: the
    # simulator's default is the real service's half minute, longer than a demo should wait.
    simulator = await _start(
        "-m", "bluecurrent_simulator", "--scenario", "demo", "--token", DEMO_TOKEN,
        "--port", str(options.simulator_port), "--time-scale", str(options.time_scale),
        "--verdict-delay", str(DEMO_VERDICT_DELAY), "--quiet", controlled=True,
    )  # fmt: skip
    hass = await start_home_assistant(options.config, endpoint)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        await set_up_home_assistant(base, endpoint, hass)
        await start_short_session(simulator)
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
        await stop_process(hass, "Home Assistant")
        await stop_process(simulator, "The simulator")
    print("demo stopped", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--create-owner"]:
        asyncio.run(create_owner(Path(sys.argv[2])))
        sys.exit(0)
    sys.exit(asyncio.run(run(_options())))
