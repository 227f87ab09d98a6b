"""This integration against Home Assistant's built-in ``blue_current``, and both against the floor.

    scripts/bench [--sizes 1,10,100,500] [--floor-sizes 100,500] [--repeat 5] [--messages 2000]

Every repetition is a fresh process (``--worker``) that runs one Home Assistant with one
integration (the in-process harness of ``pytest-homeassistant-custom-component``, as the tests
use) against its own simulator process, so neither the other integration nor the simulator
shares its memory or its event loop. Core's integration talks to the simulator through its own
library, ``bluecurrent_api``, with the library's endpoint pointed at it. The floor
(``bench/floor.py``) is a bare throwaway integration that registers exactly the entity set an
integration registered (same devices, same enabled/disabled split), nothing else.

Measures (see ``README.md``, Performance):
- values: from ``async_setup`` of the config entry until every value core shows (its enabled
  sensors, per charge point and of the grid) is shown, with power, session energy and vehicle
  status holding a value;
- registered: until every entity of the integration is registered (ours: its staged
  registration has finished) and Home Assistant is idle; setup CPU is the event-loop thread's
  CPU time until then, resident memory per charge point is measured after it;
- first setup (empty registry) and restart (the registry holds the set, as after a restart);
- steady state: event-loop CPU time and state writes per ``CH_STATUS`` message, for a stream in
  which each message changes only the session energy;
- recovery: from a dropped connection until every charge point is available again with the
  energy it had gained meanwhile, and the requests spent on it;
- garbage collection, timed with ``gc.callbacks`` per phase (setup, steady, recovery);
- stalls: with asyncio's slow-callback detection at 50 ms (``--stall-check``, at the largest
  size), the callbacks that blocked the loop longer; a stall is garbage collection's when a
  collection inside it accounts for all but 50 ms of it.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterator
import contextlib
import ctypes
import gc
import json
import logging
import os
from pathlib import Path
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, NoReturn
from unittest.mock import patch

from bench.floor import (
    FLOOR_DOMAIN,
    dump_entity_set,
    load_entity_set,
    mock_floor_integration,
    prefill_registries,
)

REPO = Path(__file__).resolve().parent.parent
TOKEN = "BENCH-TOKEN"  # noqa: S105 - the simulator's token
CUSTOMER_ID = "C0001"
MARKER_KEYS = ("total_kw", "actual_kwh", "vehicle_status")
# The values core shows for the fleet (2025.4.4): its sensors enabled by default, but for
# stop_datetime and offline_since, which it shows as unavailable while a session runs online.
CORE_SHOWN_KEYS = (
    "avg_voltage",
    "avg_current",
    "total_kw",
    "actual_kwh",
    "total_cost",
    "vehicle_status",
    "activity",
    "max_usage",
    "start_datetime",
)
CORE_SHOWN_GRID_KEYS = ("grid_avg_current", "grid_max_current")
STALL_SECONDS = 0.05
TIMEOUT = 300.0
# Seconds in a day, for the quiet account's requests per day.
DAY = 86_400

# Lower is better for every measure.
MEASURES: dict[str, str] = {
    "values_s": "time until every value core shows is shown (s)",
    "registered_s": "time until every entity is registered (s)",
    "setup_cpu_s": "setup CPU until every entity is registered (s)",
    "memory_kib_per_charge_point": "resident growth per charge point, after registration (KiB)",
    "entities_per_charge_point": "registered entities per charge point",
    "cpu_ms_per_message": "event-loop CPU per status message (ms)",
    "writes_per_message": "state writes per message",
    "recovery_s": "recovery after a drop (s)",
    "recovery_requests": "requests spent to recover",
}
FIRST_ONLY = ("cpu_ms_per_message", "writes_per_message", "recovery_s", "recovery_requests")


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


class _Phases:
    """Which phase the worker is in, and every garbage collection with its phase."""

    def __init__(self) -> None:
        """Start timing collections (``gc.callbacks``)."""
        self.phase = "start"
        self.collections: list[tuple[str, int, float, float]] = []  # phase, gen, end, seconds
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, event: str, info: dict[str, int]) -> None:
        if event == "start":
            self._started = time.perf_counter()
        else:
            ended = time.perf_counter()
            self.collections.append((self.phase, info["generation"], ended, ended - self._started))

    def summary(self) -> dict[str, dict[str, float]]:
        """Per phase: collections, their total and longest time."""
        result: dict[str, dict[str, float]] = {}
        for phase, _gen, _end, seconds in self.collections:
            row = result.setdefault(phase, {"count": 0, "total_s": 0.0, "max_s": 0.0})
            row["count"] += 1
            row["total_s"] = round(row["total_s"] + seconds, 4)
            row["max_s"] = round(max(row["max_s"], seconds), 4)
        return result

    def gc_within(self, start: float, end: float) -> float:
        """Seconds of garbage collection between two ``perf_counter`` times."""
        return sum(s for _p, _g, ended, s in self.collections if ended > start and ended - s < end)


PHASES = _Phases()


class _SlowCallbacks(logging.Handler):
    """Collects asyncio's 'Executing ... took N seconds' warnings, with phase and GC share."""

    def __init__(self, phases: _Phases) -> None:
        super().__init__(logging.WARNING)
        self.phases = phases
        self.stalls: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = re.search(r"took (\d+\.\d+) seconds", message)
        # The measuring task's own steps (its polling, and the unload it awaits inline, which
        # Home Assistant's entity removal makes long for both) are not the integration's.
        if match and "coro=<worker()" not in message:
            seconds = float(match.group(1))
            end = time.perf_counter()
            in_gc = self.phases.gc_within(end - seconds - 0.005, end)
            self.stalls.append(
                {
                    "phase": self.phases.phase,
                    "seconds": round(seconds, 3),
                    "gc_s": round(in_gc, 3),
                    "gc": seconds - in_gc <= STALL_SECONDS,
                    "callback": message[:300],
                }
            )


class Run:
    """One Home Assistant with one integration, against one simulator."""

    def __init__(self, hass: Any, simulator: SimulatorProcess, evse_ids: list[str]) -> None:
        """Remember what to look at."""
        self.hass = hass
        self.simulator = simulator
        self.evse_ids = evse_ids
        self.marker_ids: dict[tuple[str, str], str] = {}
        self.core_ids: list[str] | None = None

    def _entity_id(self, unique_id: str) -> str | None:
        from homeassistant.helpers import entity_registry as er

        entity_id: str | None = er.async_get(self.hass).async_get_entity_id(
            "sensor", "blue_current", unique_id
        )
        return entity_id

    def _grid_entity_id(self, key: str) -> str | None:
        """Core's unscoped grid unique id, or ours scoped by the account's customer id."""
        from homeassistant.helpers import entity_registry as er

        for entity in er.async_get(self.hass).entities.values():
            if entity.platform == "blue_current" and entity.unique_id.split("_C")[0] == key:
                return str(entity.entity_id)
        return None

    def _markers(self) -> dict[tuple[str, str], str] | None:
        if len(self.marker_ids) < len(self.evse_ids) * len(MARKER_KEYS):
            for evse_id in self.evse_ids:
                for key in MARKER_KEYS:
                    entity_id = self._entity_id(f"{key}_{evse_id}")
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

    def core_values_shown(self) -> bool:
        """Every value core shows is shown: its enabled sensors exist and are available."""
        if not self.all_shown():
            return False
        if self.core_ids is None:
            ids = [
                self._entity_id(f"{key}_{evse_id}")
                for evse_id in self.evse_ids
                for key in CORE_SHOWN_KEYS
            ]
            # The grid: core's unscoped unique ids, ours scoped by account.
            ids += [self._grid_entity_id(key) for key in CORE_SHOWN_GRID_KEYS]
            if None in ids:
                return False
            self.core_ids = [entity_id for entity_id in ids if entity_id is not None]
        for entity_id in self.core_ids:
            state = self.hass.states.get(entity_id)
            if state is None or state.state == "unavailable":
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

    if impl.startswith("floor"):
        return MockConfigEntry(domain=FLOOR_DOMAIN, data={}, title="floor")
    data = {"api_token": TOKEN}
    options: dict[str, Any] = {}
    if impl in ("ours", "fleet"):
        data["endpoint"] = url
    if impl == "fleet":
        options["fleet"] = True
    return MockConfigEntry(
        domain="blue_current",
        data=data,
        options=options,
        unique_id=CUSTOMER_ID,
        title="fleet@example.com",
        minor_version=2 if impl != "core" else 1,
    )


def _registered(entry: Any) -> bool:
    """Whether the integration has registered every entity it registers at setup."""
    done = getattr(getattr(entry, "runtime_data", None), "entities_registered", None)
    return done is None or bool(done.is_set())


def _import_code(impl: str) -> None:
    """Load the code before the baseline, for every integration alike: memory per charge point
    is what each charge point costs, not the modules (loaded once, whatever N is)."""
    import importlib

    from bench.floor import PLATFORM_DOMAINS

    for domain in PLATFORM_DOMAINS:
        importlib.import_module(f"homeassistant.components.{domain}")
    if impl in ("ours", "fleet"):
        from custom_components.blue_current.const import PLATFORMS

        importlib.import_module("custom_components.blue_current.config_flow")
        for platform in PLATFORMS:
            importlib.import_module(f"custom_components.blue_current.{platform.value}")
    elif impl == "core":
        importlib.import_module("homeassistant.components.blue_current.config_flow")
        importlib.import_module("homeassistant.components.blue_current.sensor")


def _trim_heap() -> None:
    """Give the C heap's free memory back (glibc ``malloc_trim``), where there is glibc.

    Resident memory is read before and after setup; free memory the heap happens to hold at
    either reading is not what the integration keeps. It differs by what ran before the
    baseline: the floor's worker parses its 1-2 MB entity set just before its baseline and
    keeps the freed top of the heap, which its setup then fills without growing (measured at
    N=100: memory in use equal within 1.2 %, resident growth 13 % apart).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        return


def _collect() -> None:
    """A full collection of the bench's own (timed apart from the integration's), and the
    heap's free memory given back, so that resident memory is memory in use."""
    phase, PHASES.phase = PHASES.phase, "bench"
    gc.collect()
    _trim_heap()
    PHASES.phase = phase


@contextlib.contextmanager
def _profiled(phase: str) -> Iterator[None]:
    """With ``BENCH_PROFILE=DIR``: a cProfile of the phase, written to ``DIR/<phase>.prof``."""
    directory = os.environ.get("BENCH_PROFILE")
    if not directory:
        yield
        return
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        Path(directory).mkdir(parents=True, exist_ok=True)
        profile.dump_stats(str(Path(directory) / f"{phase}.prof"))


async def _measure_setup(run: Run | None, hass: Any, entry: Any, size: int) -> dict[str, float]:
    """Values shown, everything registered, the CPU it took, and memory after it."""
    with _profiled("setup"):
        return await _measure_setup_profiled(run, hass, entry, size)


async def _measure_setup_profiled(
    run: Run | None, hass: Any, entry: Any, size: int
) -> dict[str, float]:
    _collect()
    rss_before = _rss_kib()
    cpu_before = time.thread_time()
    started = time.perf_counter()
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"setup failed: {entry.state}")
    result: dict[str, float] = {}
    if run is not None:
        await run.until(run.core_values_shown, "every value core shows")
        result["values_s"] = time.perf_counter() - started
    deadline = time.monotonic() + TIMEOUT
    while not _registered(entry):
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for the entities to be registered")
        await asyncio.sleep(0.002)
    await hass.async_block_till_done()
    result["registered_s"] = time.perf_counter() - started
    result["setup_cpu_s"] = time.thread_time() - cpu_before
    _collect()
    result["memory_kib_per_charge_point"] = (_rss_kib() - rss_before) / size
    return result


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

    with _count_state_writes() as writes, _profiled("steady"):
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
    # Requests still on their way (the rest of the resync) count too.
    await asyncio.sleep(0.5)
    requests = await run.simulator.requests_served() - requests_before
    return {"recovery_s": recovery_s, "recovery_requests": float(requests)}


def _entity_counts(hass: Any, entry_id: str, size: int) -> dict[str, float]:
    from homeassistant.helpers import entity_registry as er

    entities = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    enabled = sum(1 for entity in entities if entity.disabled_by is None)
    return {
        "entities_per_charge_point": len(entities) / size,
        "enabled_per_charge_point": enabled / size,
    }


async def worker(  # noqa: PLR0915 - one repetition, step by step
    impl: str,
    charge_points: int,
    messages: int,
    *,
    stall_check: bool = False,
    restart: bool = False,
    spec_path: str | None = None,
    dump_path: str | None = None,
    recovery: bool = True,
) -> NoReturn:
    """One repetition in one fresh Home Assistant; prints its JSON and ends the process.

    ``impl``: ours, fleet (ours with the fleet option), core, or floor (the entity set in
    ``spec_path``). First setup: setup, steady state, recovery; ``restart``: the registry holds
    the set in ``spec_path`` before setup, and only setup is measured.
    """
    sys.path.insert(0, str(REPO))
    # Import ours first: the harness puts its own (empty) custom_components on sys.path.
    from aiohttp.resolver import AsyncResolver
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import async_test_home_assistant

    import custom_components  # noqa: F401

    phases = PHASES
    slow = _SlowCallbacks(phases)
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
    floor = impl == "floor"
    simulator = None if floor else await SimulatorProcess.start(charge_points)
    evse_ids = [f"BCU{100001 + index}" for index in range(charge_points)]
    spec = load_entity_set(Path(spec_path)) if spec_path else None
    result: dict[str, Any] = {}
    try:
        async with async_test_home_assistant() as hass:
            if impl in ("ours", "fleet"):
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            elif impl == "core":
                import bluecurrent_api.websocket

                assert simulator is not None
                bluecurrent_api.websocket.URL = simulator.url  # type: ignore[attr-defined,unused-ignore]
            if floor:
                assert spec is not None
                mock_floor_integration(hass, spec)
            entry = _config_entry(impl, simulator.url if simulator else "")
            entry.add_to_hass(hass)
            if restart:
                assert spec is not None
                prefill_registries(hass, entry, spec, FLOOR_DOMAIN if floor else "blue_current")
            run = None if simulator is None else Run(hass, simulator, evse_ids)
            _import_code(impl)
            phases.phase = "setup"
            result |= await _measure_setup(run, hass, entry, charge_points)
            result |= _entity_counts(hass, entry.entry_id, charge_points)
            if dump_path:
                dump_entity_set(hass, entry.entry_id, Path(dump_path))
            if run is not None and not restart:
                phases.phase = "steady"
                result |= await _measure_steady(run, messages)
                if recovery:
                    phases.phase = "recovery"
                    result |= await _measure_recovery(run)
            phases.phase = "done"
            result["gc"] = phases.summary()
            result["stalls"] = slow.stalls
            if simulator is not None:
                await simulator.stop()
            # Nothing more is measured: the process ends without unloading (for a fleet of 500,
            # unloading and stopping Home Assistant would take longer than the measures).
            print(json.dumps(result), flush=True)
            os._exit(0)
    finally:
        if simulator is not None:
            await simulator.stop()
        resolver.stop()


def quiet_day_requests() -> dict[str, float]:
    """Requests a day for a quiet account: nothing is pushed, the connection stays up.

    Ours: the silence watch asks for one status after ``SILENCE_WHILE_IDLE`` of silence (one
    request a period); core's library sends nothing while connected. A drop costs each the
    requests measured for recovery.
    """
    from custom_components.blue_current.api import client

    idle = float(getattr(client, "SILENCE_WHILE_IDLE", 3600.0))
    return {"ours": DAY / idle, "core": 0.0}


# ------------------------------------------------------------------------- the driver


def _run_worker(impl: str, size: int, messages: int, *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.compare", "--worker", impl, str(size)]
    command += ["--messages", str(messages), *extra]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)  # noqa: S603
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise SystemExit(f"worker {impl} N={size} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _cell(row: dict[str, float] | None) -> str:
    if row is None:
        return "-"
    return f"{row['median']:.4g} [{row['min']:.3g}-{row['max']:.3g}]"


def _ratio(a: dict[str, float] | None, b: dict[str, float] | None) -> float | None:
    if a is None or b is None or not b["median"]:
        return None
    return a["median"] / b["median"]


def _fmt(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.3f}"


def _print_tables(results: dict[str, Any], sizes: list[int]) -> None:
    for key, label in MEASURES.items():
        for kind in ("first", "restart"):
            if kind == "restart" and key in FIRST_ONLY:
                continue
            rows = [(size, results[str(size)].get(kind, {})) for size in sizes]
            rows = [(size, row) for size, row in rows if key in row.get("ours", {})]
            if not rows:
                continue
            with_floor = key in ("setup_cpu_s", "memory_kib_per_charge_point", "registered_s")
            print(f"\n{label}, {kind} setup  (median [min-max])")
            head = f"{'N':>5}  {'ours':>24}  {'core':>24}  {'ours/core':>9}"
            if with_floor:
                head += f"  {'floor(ours)':>24}  {'floor(core)':>24}"
                head += f"  {'ours/fl':>7}  {'core/fl':>7}"
            if any("fleet" in row for _s, row in rows):
                head += f"  {'fleet':>24}  {'fleet/core':>10}"
            print(head)
            for size, row in rows:
                ours, core = row["ours"].get(key), row["core"].get(key)
                line = f"{size:>5}  {_cell(ours):>24}  {_cell(core):>24}"
                line += f"  {_fmt(_ratio(ours, core)):>9}"
                if with_floor:
                    f_ours = row.get("floor_ours", {}).get(key)
                    f_core = row.get("floor_core", {}).get(key)
                    line += f"  {_cell(f_ours):>24}  {_cell(f_core):>24}"
                    line += f"  {_fmt(_ratio(ours, f_ours)):>7}  {_fmt(_ratio(core, f_core)):>7}"
                if "fleet" in row:
                    fleet = row["fleet"].get(key)
                    line += f"  {_cell(fleet):>24}  {_fmt(_ratio(fleet, core)):>10}"
                print(line)


def _check(  # noqa: PLR0912 - one check per target
    results: dict[str, Any], sizes: list[int], floor_sizes: list[int]
) -> list[str]:
    """Where ours misses a target of issue 13."""
    failures = []
    for size in sizes:
        first = results[str(size)]["first"]
        ours, core = first["ours"], first["core"]
        ratio = _ratio(ours["cpu_ms_per_message"], core["cpu_ms_per_message"])
        if ratio is None or ratio > 0.5:
            failures.append(f"N={size}: CPU per status message {_fmt(ratio)}x core's (> 0.5)")
        if ours["writes_per_message"]["median"] > core["writes_per_message"]["median"]:
            failures.append(f"N={size}: more state writes per message than core")
        if "recovery_s" not in ours:
            continue
        if ours["recovery_requests"]["median"] > core["recovery_requests"]["median"]:
            failures.append(f"N={size}: more requests to recover than core")
        if ours["recovery_s"]["median"] > core["recovery_s"]["median"]:
            failures.append(f"N={size}: recovery slower than core's")
    for size in floor_sizes:
        for kind in ("first", "restart"):
            row = results[str(size)][kind]
            for key in ("setup_cpu_s", "memory_kib_per_charge_point"):
                ratio = _ratio(row["ours"][key], row["floor_ours"][key])
                if ratio is None or ratio > 1.05:
                    failures.append(
                        f"N={size} {kind}: {MEASURES[key]} {_fmt(ratio)}x the floor (> 1.05)"
                    )
            ratio = _ratio(row["ours"]["values_s"], row["core"]["values_s"])
            if ratio is None or ratio > 1.0:
                failures.append(f"N={size} {kind}: values shown {_fmt(ratio)}x core's (> 1.0)")
        if "fleet" not in results[str(size)]["first"]:
            continue
        fleet, core = results[str(size)]["first"]["fleet"], results[str(size)]["first"]["core"]
        for key in ("entities_per_charge_point", "memory_kib_per_charge_point"):
            if fleet[key]["median"] > core[key]["median"]:
                failures.append(f"N={size}: fleet option {MEASURES[key]} above core's")
    return failures


def _spec_path(directory: Path, impl: str, size: int) -> str:
    return str(directory / f"{impl}-{size}.json")


def drive(options: argparse.Namespace) -> int:  # noqa: PLR0912, PLR0915 - the whole report
    """Every size, every repetition, each integration and floor; tables, JSON and a verdict."""
    sizes = [int(size) for size in options.sizes.split(",")]
    floor_sizes = [int(s) for s in options.floor_sizes.split(",") if s and int(s) in sizes]
    recovery_sizes = [int(s) for s in options.recovery_sizes.split(",") if s]
    results: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for size in sizes:
            with_floor = size in floor_sizes
            runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
            # The fleet option at the largest size only (its target is per charge point).
            with_fleet = with_floor and size == max(floor_sizes)
            for repetition in range(options.repeat):
                impls = ["ours", "core"] + (["fleet"] if with_fleet else [])
                if repetition % 2:
                    impls.reverse()
                for impl in impls:
                    extra = [] if size in recovery_sizes else ["--no-recovery"]
                    if repetition == 0 and with_floor and impl != "fleet":
                        extra += ["--dump", _spec_path(directory, impl, size)]
                    runs.setdefault((impl, "first"), []).append(
                        _run_worker(impl, size, options.messages, *extra)
                    )
                if with_floor:
                    for impl in impls:
                        if impl == "fleet":
                            continue
                        spec = ["--spec", _spec_path(directory, impl, size)]
                        runs.setdefault((impl, "restart"), []).append(
                            _run_worker(impl, size, options.messages, "--restart", *spec)
                        )
                        for kind in ("first", "restart"):
                            flags = spec + (["--restart"] if kind == "restart" else [])
                            runs.setdefault((f"floor_{impl}", kind), []).append(
                                _run_worker("floor", size, options.messages, *flags)
                            )
                print(f"N={size}: repetition {repetition + 1}/{options.repeat} done", flush=True)
            table: dict[str, dict[str, Any]] = {}
            for (impl, kind), found in runs.items():
                table.setdefault(kind, {})[impl] = {
                    key: _summary([run[key] for run in found])
                    for key in [*MEASURES, "enabled_per_charge_point"]
                    if key in found[0]
                }
            results[str(size)] = table
            raw[str(size)] = {f"{impl} {kind}": found for (impl, kind), found in runs.items()}
        largest = max(sizes)
        stall_runs = {
            impl: _run_worker(impl, largest, options.messages, "--stall-check")
            for impl in ("ours", "core")
        }
    _print_tables(results, sizes)
    print("\nenabled / registered entities per charge point (first setup, largest N):")
    for impl in ("ours", "fleet", "core"):
        row = results[str(largest)]["first"].get(impl)
        if row:
            print(
                f"  {impl}: {row['enabled_per_charge_point']['median']:.2f} enabled"
                f" / {row['entities_per_charge_point']['median']:.2f} registered"
            )
    print(f"\ngarbage collection at N={largest}, first setup (median over repetitions):")
    for impl in ("ours", "core"):
        found = raw[str(largest)][f"{impl} first"]
        for phase in ("setup", "steady", "recovery"):
            rows = [run["gc"].get(phase, {"count": 0, "total_s": 0, "max_s": 0}) for run in found]
            print(
                f"  {impl} {phase:>8}: {statistics.median(r['count'] for r in rows):.0f}"
                f" collections, {statistics.median(r['total_s'] for r in rows):.3f} s in all,"
                f" longest {statistics.median(r['max_s'] for r in rows):.3f} s"
            )
    print(f"\nevent-loop stalls over {STALL_SECONDS * 1000:.0f} ms at N={largest} (asyncio debug):")
    for impl, run in stall_runs.items():
        stalls = run["stalls"]
        not_gc = [s for s in stalls if not s["gc"]]
        print(f"  {impl}: {len(stalls)} stalls, {len(not_gc)} not garbage collection")
        for stall in stalls[:12]:
            kind = "gc" if stall["gc"] else "NOT gc"
            print(
                f"    {stall['phase']:>8} {stall['seconds']:.3f} s"
                f" (gc {stall['gc_s']:.3f} s, {kind})"
            )
    quiet = quiet_day_requests()
    print(
        "\nrequests per day, quiet account (connected all day, nothing pushed):"
        f" ours {quiet['ours']:.0f}, core {quiet['core']:.0f};"
        " each drop adds the requests spent to recover"
    )
    failures = _check(results, sizes, floor_sizes)
    not_gc = [s for s in stall_runs["ours"]["stalls"] if not s["gc"]]
    if not_gc:
        failures.append(f"N={largest}: {len(not_gc)} event-loop stalls over 50 ms that are not GC")
    report = {"sizes": sizes, "floor_sizes": floor_sizes, "repeat": options.repeat}
    report |= {"messages": options.messages, "results": results, "raw": raw}
    report |= {"stalls": {impl: run["stalls"] for impl, run in stall_runs.items()}}
    report |= {"quiet_day_requests": quiet, "failures": failures}
    Path(options.json).parent.mkdir(parents=True, exist_ok=True)
    Path(options.json).write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {options.json}")
    for failure in failures:
        print(f"FAIL {failure}")
    print("verdict:", "a target is missed" if failures else "ours meets every target")
    return 1 if failures else 0


def main() -> int:
    """Driver by default; ``--worker IMPL N`` runs one repetition and prints JSON."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100,500")
    parser.add_argument("--floor-sizes", default="100,500")
    # Core's recovery takes 5 s whatever N is (its reconnect delay): not at N=1.
    parser.add_argument("--recovery-sizes", default="10,100,500")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--json", default=str(REPO / "bench" / "results" / "compare.json"))
    parser.add_argument("--worker", nargs=2, metavar=("IMPL", "N"))
    parser.add_argument("--stall-check", action="store_true")
    parser.add_argument("--restart", action="store_true")
    parser.add_argument("--spec")
    parser.add_argument("--dump")
    parser.add_argument("--no-recovery", action="store_true")
    options = parser.parse_args()
    if options.worker:
        impl, size = options.worker
        logging.basicConfig(level=logging.CRITICAL)
        asyncio.run(
            worker(
                impl,
                int(size),
                options.messages,
                stall_check=options.stall_check,
                restart=options.restart,
                spec_path=options.spec,
                dump_path=options.dump,
                recovery=not options.no_recovery,
            )
        )  # prints its JSON and ends the process
    return drive(options)


if __name__ == "__main__":
    sys.exit(main())
