"""Smoke test: a real Home Assistant (a separate ``hass`` process) with this integration.

Run through ``scripts/smoke_newest`` (the newest release, .venv-newest) or with any virtualenv's
Python: ``python scripts/smoke.py``. The test package lags Home Assistant's releases; this runs
the release itself, the way a user does:

1. the simulator (in this process, so faults can be injected) and ``hass`` on a fresh
   configuration directory, prepared, onboarded and configured by ``scripts/demo.py`` (the
   demo's own code: the config flow over the REST API, the endpoint from the environment);
2. setup: the entry is loaded; values: every charge point's entities have states, and the
   charging one's power is a positive number of watts;
3. a control: the plug & charge switch turned off through Home Assistant's API, seen by the
   simulator, and the switch showing what the service confirmed;
4. a drop: every connection closed abruptly and the next upgrades refused, the entities
   unavailable meanwhile, then recovery (states back) and a control working again;
5. a reload of the entry, as its menu does it: loaded again, values back;
6. the log: no ERROR line at all, and no deprecation reported about this integration.

Prints what it checked with timings; exits 1 on the first failure, with the log's tail.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from pathlib import Path
import re
import shutil
import socket
import sys
import tempfile
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bluecurrent_simulator import Simulator
from scripts import demo  # prepares, starts and onboards Home Assistant, as scripts/develop

DOMAIN = "blue_current"
WAIT = 60.0
# Home Assistant's wording when it reports an integration's use of something deprecated.
DEPRECATION = re.compile(r"deprecat|will stop working|report_usage|is using .* which", re.I)


class SmokeError(Exception):
    """A check failed."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Smoke:
    """One run: the simulator, Home Assistant and the checks."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.simulator = Simulator(time_scale=30.0)
        self.account = self.simulator.add_demo_account(token=demo.DEMO_TOKEN)
        self.session: aiohttp.ClientSession
        self.headers: dict[str, str] = {}
        self.started = time.monotonic()

    def step(self, text: str) -> None:
        """Print a check with the time since the start."""
        print(f"smoke: [{time.monotonic() - self.started:6.1f} s] {text}", flush=True)

    async def get(self, path: str) -> Any:
        """GET an API path as the demo user."""
        async with self.session.get(self.base + path, headers=self.headers) as response:
            if response.status != 200:
                raise SmokeError(f"GET {path}: {response.status} {await response.text()}")
            return await response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST to an API path as the demo user."""
        async with self.session.post(self.base + path, json=body, headers=self.headers) as r:
            if r.status != 200:
                raise SmokeError(f"POST {path}: {r.status} {await r.text()}")
            return await r.json()

    async def until(self, what: str, check: Callable[[], Awaitable[bool]]) -> None:
        """Poll ``check`` until it holds, or fail naming ``what``."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if await check():
                return
            await asyncio.sleep(0.25)
        raise SmokeError(f"not within {WAIT:.0f} s: {what}")

    async def registry(self) -> list[dict[str, Any]]:
        """This integration's entity registry entries (over the websocket API)."""
        async with self.session.ws_connect(f"{self.base}/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.headers["Authorization"][7:]})
            if (await ws.receive_json())["type"] != "auth_ok":
                raise SmokeError("websocket authentication failed")
            await ws.send_json({"id": 1, "type": "config/entity_registry/list"})
            answer = await ws.receive_json()
        return [entry for entry in answer["result"] if entry["platform"] == DOMAIN]

    async def state(self, entity_id: str) -> str:
        """The state of an entity."""
        state: str = (await self.get(f"/api/states/{entity_id}"))["state"]
        return state

    async def run(self) -> None:
        """Everything, in order."""
        url = await self.simulator.start("127.0.0.1", _free_port())
        demo.prepare_config(self.config, self.port)
        hass = await demo.start_home_assistant(self.config, url)
        try:
            async with aiohttp.ClientSession() as self.session:
                token = await demo.set_up_home_assistant(self.base, url, hass)
                self.headers = {"Authorization": f"Bearer {token}"}
                self.step(f"Home Assistant {await self._version()} onboarded, integration added")
                await self.check_setup()
                entities = await self.check_values()
                switch = entities[f"plug_and_charge_{self._charging_evse()}"]
                await self.check_control(switch, on=False)
                await self.check_drop_and_recovery(entities)
                await self.check_control(switch, on=True)
                await self.check_reload(entities)
        finally:
            await demo.stop_process(hass, "Home Assistant")
            await self.simulator.stop()
        self.check_log()

    async def _version(self) -> str:
        version: str = (await self.get("/api/config"))["version"]
        return version

    def _charging_evse(self) -> str:
        return next(
            evse for evse, cp in self.account.charge_points.items() if cp.activity == "charging"
        )

    async def check_setup(self) -> None:
        """The entry is loaded."""

        async def loaded() -> bool:
            entries = await self.get("/api/config/config_entries/entry")
            return any(e["domain"] == DOMAIN and e["state"] == "loaded" for e in entries)

        await self.until("the config entry is loaded", loaded)
        self.step("setup: the config entry is loaded")

    async def check_values(self) -> dict[str, str]:
        """Every charge point has entities with states; the charging one draws power."""
        evse = self._charging_evse()
        wanted = {f"total_kw_{evse}", f"plug_and_charge_{evse}"}
        entries: list[dict[str, Any]] = []

        async def registered() -> bool:
            # Entities are registered in stages after setup: wait for what the checks use
            # and for every charge point to have some.
            nonlocal entries
            entries = await self.registry()
            uids = {e["unique_id"] for e in entries}
            return wanted <= uids and all(
                any(uid.endswith(evse_id) for uid in uids) for evse_id in self.account.charge_points
            )

        await self.until("entities of every charge point registered", registered)
        by_unique_id = {e["unique_id"]: e["entity_id"] for e in entries}
        enabled = [e["entity_id"] for e in entries if e["disabled_by"] is None]
        power = by_unique_id[f"total_kw_{evse}"]

        async def power_shown() -> bool:
            with contextlib.suppress(ValueError, SmokeError):
                return float(await self.state(power)) > 0
            return False

        await self.until(f"{power} shows a positive power", power_shown)
        model_kw = self.account.charge_points[self._charging_evse()].power_w() / 1000

        async def power_matches() -> bool:
            return abs(float(await self.state(power)) - model_kw) < 0.05

        await self.until(f"{power} shows the simulator's {model_kw:.2f} kW", power_matches)
        states: dict[str, str] = {}
        for entity_id in enabled:
            try:
                states[entity_id] = await self.state(entity_id)
            except SmokeError:  # registered a moment ago, its first state not written yet
                states[entity_id] = "unknown"
        blank = {e for e, s in states.items() if s in ("unknown", "unavailable")}
        per_evse = {
            evse_id: sum(
                1 for uid, e in by_unique_id.items() if e in blank and uid.endswith(evse_id)
            )
            for evse_id in self.account.charge_points
        }
        self.step(
            f"values: {len(enabled)} enabled entities over {len(self.account.charge_points)} "
            f"charge points; {power} = {states[power]}; unknown or unavailable per charge "
            f"point: {per_evse}"
        )
        return by_unique_id

    async def check_control(self, entity_id: str, *, on: bool) -> None:
        """Turn a plug & charge switch through Home Assistant; the simulator must see it."""
        evse = self._charging_evse()
        service = "turn_on" if on else "turn_off"
        await self.post(f"/api/services/switch/{service}", {"entity_id": entity_id})
        expected = "on" if on else "off"

        async def applied() -> bool:
            model = self.account.charge_points[evse].plug_and_charge
            return model is on and await self.state(entity_id) == expected

        await self.until(f"{entity_id} {expected} at the simulator and in Home Assistant", applied)
        self.step(f"control: switch.{service} {entity_id}: the simulator and the state agree")

    async def check_drop_and_recovery(self, entities: dict[str, str]) -> None:
        """An abrupt drop with refused reconnects: unavailable, then back with values."""
        power = entities[f"total_kw_{self._charging_evse()}"]
        attempts = self.simulator.connection_attempts
        self.simulator.reject_next_upgrades("Maintenance", count=2)
        await self.simulator.drop_connections("abrupt")

        async def unavailable() -> bool:
            return await self.state(power) == "unavailable"

        await self.until(f"{power} unavailable after the drop", unavailable)
        self.step("drop: connection closed abruptly, next upgrades refused: entities unavailable")

        async def recovered() -> bool:
            with contextlib.suppress(ValueError):
                return float(await self.state(power)) > 0
            return False

        await self.until(f"{power} back after the drop", recovered)
        self.step(
            f"recovery: {power} = {await self.state(power)} after "
            f"{self.simulator.connection_attempts - attempts} connection attempts"
        )

    async def check_reload(self, entities: dict[str, str]) -> None:
        """Reloading the entry (as its menu does) sets it up again with values."""
        power = entities[f"total_kw_{self._charging_evse()}"]
        entries = await self.get("/api/config/config_entries/entry")
        entry_id = next(e["entry_id"] for e in entries if e["domain"] == DOMAIN)
        await self.post(f"/api/config/config_entries/entry/{entry_id}/reload", {})
        await self.check_setup()

        async def shown() -> bool:
            with contextlib.suppress(ValueError):
                return float(await self.state(power)) > 0
            return False

        await self.until(f"{power} shown after the reload", shown)
        self.step(f"reload: loaded again, {power} = {await self.state(power)}")

    def check_log(self) -> None:
        """No ERROR line; no deprecation reported about this integration."""
        log = (self.config / "home-assistant.log").read_text()
        errors = [line for line in log.splitlines() if " ERROR " in line]
        deprecations = [
            line
            for line in log.splitlines()
            if DOMAIN in line and DEPRECATION.search(line) and " WARNING " in line
        ]
        if errors or deprecations:
            raise SmokeError(
                f"the log has {len(errors)} ERROR lines and {len(deprecations)} deprecations "
                "about this integration:\n" + "\n".join([*errors, *deprecations][:20])
            )
        self.step(f"log: 0 ERROR lines, no deprecation ({len(log.splitlines())} lines)")


async def main() -> int:
    """Run once; keep the configuration directory on failure (or with --keep)."""
    parser = argparse.ArgumentParser(prog="scripts/smoke_newest", description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the configuration directory")
    options = parser.parse_args()
    artifacts = demo.REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    config = Path(tempfile.mkdtemp(prefix="smoke-", dir=artifacts))
    smoke = Smoke(config)
    try:
        await smoke.run()
    except (SmokeError, SystemExit) as err:
        print(f"smoke: FAILED: {err}", flush=True)
        log = config / "home-assistant.log"
        if log.exists():
            print("smoke: the log's last lines:\n" + "\n".join(log.read_text().splitlines()[-40:]))
        print(f"smoke: configuration kept in {config}")
        return 1
    smoke.step("passed")
    if options.keep:
        print(f"smoke: configuration kept in {config}")
    else:
        shutil.rmtree(config, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
