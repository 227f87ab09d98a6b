"""This integration against Home Assistant's built-in ``blue_current``, on the same simulator.

    scripts/bench [--sizes 1,10,100,500] [--repeat 5] [--messages 2000] [--json FILE]

Every repetition is a fresh process (``--worker``) that runs one Home Assistant with one of the
two integrations (the in-process harness of ``pytest-homeassistant-custom-component``, as the
tests use) against its own simulator process, so neither the other integration nor the
simulator shares its memory or its event loop. Core's integration talks to the simulator
through its own library, ``bluecurrent_api``, with the library's endpoint pointed at it.

Measures (see ``README.md``, Performance):
- setup: from ``async_setup`` of the config entry until every charge point's power, session
  energy and vehicle status have a value;
- steady state: event-loop CPU time and state writes per ``CH_STATUS`` message, for a stream in
  which each message changes only the session energy;
- recovery: from a dropped connection until every charge point is available again with the
  energy it had gained meanwhile, and the requests spent on it;
- memory: resident growth per charge point from before setup to after it;
- stalls: with asyncio's slow-callback detection at 50 ms (``--stall-check``, at the largest
  size), the callbacks that blocked the loop longer, as logged by asyncio.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterator
import contextlib
import gc
import json
import logging
import os
from pathlib import Path
import re
import statistics
import subprocess
import sys
import time
from typing import Any
from unittest.mock import patch

REPO = Path(__file__).resolve().parent.parent
TOKEN = "BENCH-TOKEN"  # noqa: S105 - the simulator's token
CUSTOMER_ID = "C0001"
MARKER_KEYS = ("total_kw", "actual_kwh", "vehicle_status")
STALL_SECONDS = 0.05
TIMEOUT = 300.0

# Lower is better for every measure; the targets are the issue's, against core in the same run.
MEASURES: dict[str, str] = {
    "setup_s": "setup time (s)",
    "cpu_ms_per_message": "event-loop CPU per message (ms)",
    "writes_per_message": "state writes per message",
    "recovery_s": "recovery after a drop (s)",
    "recovery_requests": "requests spent to recover",
    "memory_kib_per_charge_point": "resident growth per charge point (KiB)",
}


class SimulatorProcess:
    """``python -m bluecurrent_simulator --scenario fleet``, driven through its standard input."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        """Wrap a started simulator."""
        self.process = process
        self.url = url

    @classmethod
    async def start(cls, charge_points: int) -> SimulatorProcess:
        """Start a fleet of ``charge_points`` charging charge points on a free port."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bluecurrent_simulator", "--scenario", "fleet",
            "--charge-points", str(charge_points), "--token", TOKEN, "--port", "0",
            "--no-clock", "--allow-parallel-connections",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO,
        )  # fmt: skip
        assert process.stdout is not None
        line = (await process.stdout.readline()).decode()
        url = line.removeprefix("listening on ").strip()
        if not url.startswith("ws://"):
            raise RuntimeError(f"the simulator did not start: {line!r}")
        return cls(process, url)

    async def command(self, line: str) -> str:
        """Send a control command; return its output once the simulator says it is done."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()
        output = []
        while not (text := (await self.process.stdout.readline()).decode()).startswith("done"):
            if not text:
                raise RuntimeError("the simulator ended")
            output.append(text)
        return "".join(output)

    async def requests_served(self) -> int:
        """How many requests the simulator has answered."""
        output = await self.command("stats")
        stats: dict[str, int] = json.loads(output.removeprefix("stats "))
        return stats["requests"]

    async def stop(self) -> None:
        """End the process."""
        if self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


def _rss_kib() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024


@contextlib.contextmanager
def _count_state_writes() -> Iterator[list[int]]:
    """Count every entity state write, whichever integration makes it."""
    from homeassistant.helpers.entity import Entity

    counter = [0]
    original = Entity.async_write_ha_state

    def counting(self: Entity) -> None:
        counter[0] += 1
        original(self)

    with patch.object(Entity, "async_write_ha_state", counting):
        yield counter


class _SlowCallbacks(logging.Handler):
    """Collects asyncio's 'Executing ... took N seconds' warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.durations: list[float] = []
        self.callbacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = re.search(r"took (\d+\.\d+) seconds", message)
        # The measuring task's own steps (its polling, and the unload it awaits inline, which
        # Home Assistant's entity removal makes long for both) are not the integration's.
        if match and "coro=<worker()" not in message:
            self.durations.append(float(match.group(1)))
            self.callbacks.append(message[:300])


class Run:
    """One Home Assistant with one integration, against one simulator."""

    def __init__(self, hass: Any, simulator: SimulatorProcess, evse_ids: list[str]) -> None:
        """Remember what to look at."""
        self.hass = hass
        self.simulator = simulator
        self.evse_ids = evse_ids
        self.marker_ids: dict[tuple[str, str], str] = {}

    def _markers(self) -> dict[tuple[str, str], str] | None:
        if len(self.marker_ids) < len(self.evse_ids) * len(MARKER_KEYS):
            from homeassistant.helpers import entity_registry as er

            registry = er.async_get(self.hass)
            for evse_id in self.evse_ids:
                for key in MARKER_KEYS:
                    entity_id = registry.async_get_entity_id(
                        "sensor", "blue_current", f"{key}_{evse_id}"
                    )
                    if entity_id is not None:
                        self.marker_ids[(key, evse_id)] = entity_id
        if len(self.marker_ids) < len(self.evse_ids) * len(MARKER_KEYS):
            return None
        return self.marker_ids

    def values(self, key: str) -> dict[str, str | None]:
        """The state of one marker sensor of every charge point (None while missing)."""
        markers = self._markers() or {}
        result: dict[str, str | None] = {}
        for evse_id in self.evse_ids:
            state = self.hass.states.get(markers.get((key, evse_id), ""))
            result[evse_id] = state.state if state is not None else None
        return result

    def all_shown(self, check: Callable[[str, str, str], bool] | None = None) -> bool:
        """Whether every marker has a value (and passes ``check(key, evse_id, state)``)."""
        markers = self._markers()
        if markers is None:
            return False
        for (key, evse_id), entity_id in markers.items():
            state = self.hass.states.get(entity_id)
            if state is None or state.state in ("unknown", "unavailable"):
                return False
            if check is not None and not check(key, evse_id, state.state):
                return False
        return True

    async def until(self, condition: Callable[[], bool], what: str, every: float = 0.002) -> None:
        """Poll until ``condition`` holds: every 2 ms where time is measured."""
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(every)


def _config_entry(impl: str, url: str) -> Any:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    data = {"api_token": TOKEN}
    if impl == "ours":
        data["endpoint"] = url
    return MockConfigEntry(
        domain="blue_current", data=data, unique_id=CUSTOMER_ID, title="fleet@example.com"
    )


async def _measure_setup(run: Run, entry: Any) -> dict[str, float]:
    gc.collect()
    rss_before = _rss_kib()
    started = time.perf_counter()
    if not await run.hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"setup failed: {entry.state}")
    await run.until(run.all_shown, "every charge point to show its values")
    setup_s = time.perf_counter() - started
    await run.hass.async_block_till_done()
    gc.collect()
    growth = (_rss_kib() - rss_before) / len(run.evse_ids)
    return {"setup_s": setup_s, "memory_kib_per_charge_point": growth}


async def _measure_steady(run: Run, messages: int) -> dict[str, float]:
    before = {e: float(v or 0) for e, v in run.values("actual_kwh").items()}
    expected = dict(before)
    for index in range(messages):
        evse_id = run.evse_ids[index % len(run.evse_ids)]
        expected[evse_id] = round(expected[evse_id] + 0.001, 3)

    def arrived() -> bool:
        return all(
            value not in (None, "unknown", "unavailable")
            and abs(float(value) - expected[evse_id]) < 1e-6
            for evse_id, value in run.values("actual_kwh").items()
        )

    with _count_state_writes() as writes:
        cpu_before = time.thread_time()
        await run.simulator.command(f"stream {messages}")
        # Polled rarely: CPU time is measured here, not latency, and polling costs CPU too.
        await run.until(arrived, "the stream to arrive", every=0.1)
        await run.hass.async_block_till_done()
        cpu = time.thread_time() - cpu_before
    return {"cpu_ms_per_message": cpu * 1000 / messages, "writes_per_message": writes[0] / messages}


async def _measure_recovery(run: Run) -> dict[str, float]:
    before = run.values("actual_kwh")
    requests_before = await run.simulator.requests_served()
    started = time.perf_counter()
    await run.simulator.command("drop abrupt")
    # Meanwhile every vehicle keeps charging: fresh values must replace the old ones.
    await run.simulator.command("advance 60")

    def fresh(key: str, evse_id: str, state: str) -> bool:
        return key != "actual_kwh" or state != before[evse_id]

    await run.until(lambda: run.all_shown(fresh), "every charge point to come back")
    recovery_s = time.perf_counter() - started
    requests = await run.simulator.requests_served() - requests_before
    return {"recovery_s": recovery_s, "recovery_requests": float(requests)}


def _entities(hass: Any, entry_id: str) -> int:
    from homeassistant.helpers import entity_registry as er

    return len(er.async_entries_for_config_entry(er.async_get(hass), entry_id))


async def worker(impl: str, charge_points: int, messages: int, stall_check: bool) -> dict[str, Any]:
    """One repetition: setup, steady state, recovery, in one fresh Home Assistant."""
    sys.path.insert(0, str(REPO))
    # Import ours first: the harness puts its own (empty) custom_components on sys.path.
    from aiohttp.resolver import AsyncResolver
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import async_test_home_assistant

    import custom_components  # noqa: F401

    slow = _SlowCallbacks()
    if stall_check:
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = STALL_SECONDS
        logging.getLogger("asyncio").setLevel(logging.WARNING)
        logging.getLogger("asyncio").addHandler(slow)
    # As the test harness does: no zeroconf (and its network scan) behind the shared session.
    resolver = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver", return_value=AsyncResolver()
    )
    resolver.start()
    simulator = await SimulatorProcess.start(charge_points)
    evse_ids = [f"BCU{100001 + index}" for index in range(charge_points)]
    try:
        async with async_test_home_assistant() as hass:
            if impl == "ours":
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            else:
                import bluecurrent_api.websocket

                bluecurrent_api.websocket.URL = simulator.url  # type: ignore[attr-defined,unused-ignore]
            run = Run(hass, simulator, evse_ids)
            entry = _config_entry(impl, simulator.url)
            entry.add_to_hass(hass)
            result: dict[str, Any] = await _measure_setup(run, entry)
            result |= await _measure_steady(run, messages)
            result |= await _measure_recovery(run)
            result["entities_per_charge_point"] = _entities(hass, entry.entry_id) / charge_points
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
    finally:
        await simulator.stop()
        resolver.stop()
    result["stalls"] = [round(d, 3) for d in slow.durations]
    result["stalled_by"] = slow.callbacks
    return result


# ------------------------------------------------------------------------- the driver


def _run_worker(impl: str, size: int, messages: int, stall_check: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.compare", "--worker", impl, str(size)]
    command += ["--messages", str(messages)] + (["--stall-check"] if stall_check else [])
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)  # noqa: S603
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise SystemExit(f"worker {impl} N={size} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _print_table(key: str, results: dict[str, Any], sizes: list[int]) -> None:
    print(f"\n{MEASURES[key]}  (median [min-max])")
    print(f"{'N':>5}  {'ours':>26}  {'core':>26}  {'ours/core':>9}")
    for size in sizes:
        row = results[str(size)][key]
        cells = [
            f"{row[i]['median']:.4g} [{row[i]['min']:.3g}-{row[i]['max']:.3g}]"
            for i in ("ours", "core")
        ]
        print(f"{size:>5}  {cells[0]:>26}  {cells[1]:>26}  {row['ratio']:>9.3f}")


def _check(results: dict[str, Any], sizes: list[int]) -> list[str]:
    """Where ours is worse than core, or misses a target of the issue."""
    failures = []
    for size in sizes:
        for key, label in MEASURES.items():
            row = results[str(size)][key]
            if row["ours"]["median"] > row["core"]["median"]:
                failures.append(f"N={size}: {label} is worse than core's")
    if "100" in results and results["100"]["setup_s"]["ratio"] > 0.5:
        failures.append("N=100: setup takes more than 0.5x core's time")
    for size in sizes:
        row = results[str(size)]
        if row["cpu_ms_per_message"]["ratio"] > 0.5:
            failures.append(f"N={size}: CPU per message above 0.5x core's")
        if row["writes_per_message"]["ours"]["median"] > 2:
            failures.append(f"N={size}: more than 2 state writes per message")
        if row["recovery_s"]["ours"]["median"] >= 2:
            failures.append(f"N={size}: recovery takes 2 s or more")
    return failures


def drive(options: argparse.Namespace) -> int:
    """Every size, every repetition, both integrations; tables, JSON and a verdict."""
    sizes = [int(size) for size in options.sizes.split(",")]
    results: dict[str, Any] = {}
    for size in sizes:
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "core": []}
        for repetition in range(options.repeat):
            for impl in ("ours", "core") if repetition % 2 == 0 else ("core", "ours"):
                runs[impl].append(_run_worker(impl, size, options.messages, stall_check=False))
            print(f"N={size}: repetition {repetition + 1}/{options.repeat} done", flush=True)
        results[str(size)] = {}
        for key in MEASURES:
            row: dict[str, Any] = {
                impl: _summary([run[key] for run in runs[impl]]) for impl in runs
            }
            core = row["core"]["median"]
            row["ratio"] = row["ours"]["median"] / core if core else float("inf")
            results[str(size)][key] = row
    stalls = {
        impl: _run_worker(impl, max(sizes), options.messages, stall_check=True)["stalls"]
        for impl in ("ours", "core")
    }
    for key in MEASURES:
        _print_table(key, results, sizes)
    print(f"\nevent-loop stalls over {STALL_SECONDS * 1000:.0f} ms at N={max(sizes)} (seconds):")
    for impl, found in stalls.items():
        print(f"  {impl}: {len(found)} {found[:10]}")
    failures = _check(results, sizes)
    if stalls["ours"]:
        failures.append(f"N={max(sizes)}: {len(stalls['ours'])} event-loop stalls over 50 ms")
    report = {"sizes": sizes, "repeat": options.repeat, "messages": options.messages}
    report |= {"results": results, "stalls": stalls, "failures": failures}
    Path(options.json).parent.mkdir(parents=True, exist_ok=True)
    Path(options.json).write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {options.json}")
    for failure in failures:
        print(f"FAIL {failure}")
    print("verdict:", "ours is worse somewhere" if failures else "ours meets every target")
    return 1 if failures else 0


def main() -> int:
    """Driver by default; ``--worker IMPL N`` runs one repetition and prints JSON."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100,500")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--json", default=str(REPO / "bench" / "results" / "compare.json"))
    parser.add_argument("--worker", nargs=2, metavar=("IMPL", "N"))
    parser.add_argument("--stall-check", action="store_true")
    options = parser.parse_args()
    if options.worker:
        impl, size = options.worker
        logging.basicConfig(level=logging.CRITICAL)
        result = asyncio.run(worker(impl, int(size), options.messages, options.stall_check))
        print(json.dumps(result))
        return 0
    return drive(options)


if __name__ == "__main__":
    sys.exit(main())
