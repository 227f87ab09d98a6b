"""The simulator's default frames have the shapes of the real service's (tests/corpus).

Every frame is captured over a real websocket on 127.0.0.1. "Same shape": the same JSON type
for every field the corpus frame shows, recursively (int and float are one "number"; a corpus
``null`` says nothing about the type), and, where the corpus frame is complete, the same keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
import json
import re
import time
from typing import Any

import aiohttp
import pytest

from bluecurrent_simulator import SimAccount, Simulator
from bluecurrent_simulator.__main__ import _parser
from tests.corpus import CorpusFrame, corpus_frame, load_corpus
from tests.fixtures.simulator import SIM_TOKEN, SimulatorFactory

type Frame = dict[str, Any]
OFFSET_TIMESTAMP = re.compile(r"^\d{8} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")

# ----------------------------------------------------------------------------- shape helper


def json_type(value: object) -> str:
    """The JSON type of a parsed value; int and float are both "number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def shape_mismatches(
    expected: object,
    actual: object,
    complete: bool,
    open_paths: tuple[str, ...] = (),
    path: str = "",
) -> list[str]:
    """How ``actual``'s shape differs from the corpus frame ``expected``'s (empty: none)."""
    if expected is None:  # a recorded null tells nothing of the type
        return []
    if json_type(expected) != json_type(actual):
        return [f"{path or '.'}: {json_type(actual)}, corpus has {json_type(expected)}"]
    if isinstance(expected, dict) and isinstance(actual, dict):
        return _object_mismatches(expected, actual, complete, open_paths, path)
    if isinstance(expected, list) and isinstance(actual, list) and expected:
        if not actual:
            return [f"{path}: empty list, nothing to compare with the corpus"]
        return [
            problem
            for item in actual
            for problem in shape_mismatches(expected[0], item, complete, open_paths, f"{path}[]")
        ]
    return []


def _object_mismatches(
    expected: dict[str, Any],
    actual: dict[str, Any],
    complete: bool,
    open_paths: tuple[str, ...],
    path: str,
) -> list[str]:
    problems = [f"{path}.{key}: missing" for key in expected.keys() - actual.keys()]
    if complete and path.lstrip(".") not in open_paths:
        problems += [f"{path}.{key}: not in the corpus" for key in actual.keys() - expected.keys()]
    for key in expected.keys() & actual.keys():
        problems += shape_mismatches(
            expected[key], actual[key], complete, open_paths, f"{path}.{key}".lstrip(".")
        )
    return problems


def test_shape_helper() -> None:
    """The helper sees type changes, missing and extra keys, and list items."""
    corpus = {"a": {"value": 1, "permission": "write"}, "b": [{"x": 1.5}], "c": None}
    assert shape_mismatches(
        corpus, {"a": {"value": 2, "permission": "none"}, "b": [], "c": 1}, True
    )
    same = {"a": {"value": 2.5, "permission": "read"}, "b": [{"x": 3}], "c": "any"}
    assert shape_mismatches(corpus, same, complete=True) == []
    assert shape_mismatches(corpus, {**same, "a": 80}, True) == ["a: number, corpus has object"]
    assert shape_mismatches(corpus, {**same, "d": 1}, True) == [".d: not in the corpus"]
    assert shape_mismatches(corpus, {**same, "d": 1}, complete=False) == []
    assert shape_mismatches(corpus, {**same, "b": [{"x": True}]}, False) == [
        "b[].x: bool, corpus has number"
    ]


# ----------------------------------------------------------------------------- a raw client


class Session:
    """One long connection, speaking the protocol by hand (not our client: independence)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an open websocket."""
        self.ws = ws
        self.authorization = ""
        self.seen: list[Frame] = []

    async def send(self, command: str, **fields: Any) -> float:
        """Send a request with the session's Authorization; returns when it was sent."""
        await self.ws.send_json({"command": command, "Authorization": self.authorization, **fields})
        return time.monotonic()

    async def expect(self, name: str, evse_id: str | None = None, within: float = 5.0) -> Frame:
        """The next frame whose object is ``name`` (of ``evse_id`` if given; others: ``seen``)."""
        async with asyncio.timeout(within):
            while True:
                message = await self.ws.receive()
                assert message.type == aiohttp.WSMsgType.TEXT, message
                frame: Frame = json.loads(message.data)
                self.seen.append(frame)
                if frame.get("object") == name and evse_id in {None, frame.get("evse_id")}:
                    return frame

    async def ask(self, name: str, command: str, **fields: Any) -> Frame:
        """Send ``command`` and wait for the ``name`` frame."""
        await self.send(command, **fields)
        return await self.expect(name)

    def objects(self) -> list[str]:
        """The object names of every frame seen so far."""
        return [str(frame.get("object")) for frame in self.seen]


@asynccontextmanager
async def session(simulator: Simulator, token: str = SIM_TOKEN) -> AsyncIterator[Session]:
    """Validate the token and say HELLO on one connection."""
    async with aiohttp.ClientSession() as http, http.ws_connect(simulator.url) as ws:
        opened = Session(ws)
        await ws.send_json({"command": "VALIDATE_API_TOKEN", "token": token})
        opened.authorization = f"Token {(await opened.expect('STATUS_API_TOKEN'))['token']}"
        await opened.ask("HELLO", "HELLO", header="homeassistant")
        yield opened


# ----------------------------------------------------------------------------- scenarios

type Scenario = Callable[[Simulator, SimAccount, Session], Awaitable[Frame]]


def _first(account: SimAccount) -> str:
    return next(iter(account.charge_points))


async def _charge_points(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    for charge_point in account.charge_points.values():
        charge_point.plug_and_charge_card = account.cards[0]  # a real card, as [R] recorded
        charge_point.permissions["capacity_tariff"] = "none"
    return await s.ask("CHARGE_POINTS", "GET_CHARGE_POINTS")


async def _settings(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    account.charge_points[_first(account)].permissions["led_intensity"] = "none"
    return await s.ask("CH_SETTINGS", "GET_CH_SETTINGS", evse_id=_first(account))


async def _charging_status(sim: Simulator, account: SimAccount, s: Session) -> Frame:
    account.charge_points[_first(account)].plug_in(sim.now)
    return await s.ask("CH_STATUS", "GET_CH_STATUS", evse_id=_first(account))


async def _delayed_status(sim: Simulator, account: SimAccount, s: Session) -> Frame:
    _hold_by_delay(sim, account)
    return await s.ask("CH_STATUS", "GET_CH_STATUS", evse_id=_first(account))


def _hold_by_delay(sim: Simulator, account: SimAccount) -> None:
    """Delayed charging on, its window two hours away, a vehicle plugged in."""
    charge_point = account.charge_points[_first(account)]
    charge_point.delayed.enabled = True
    charge_point.delayed.start_time = (sim.now + timedelta(hours=2)).strftime("%H:%M")
    charge_point.delayed.end_time = (sim.now + timedelta(hours=3)).strftime("%H:%M")
    charge_point.plug_in(sim.now)


async def _grid_status(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    return await s.ask("GRID_STATUS", "GET_GRID_STATUS", evse_id=_first(account))


async def _grid_current(sim: Simulator, account: SimAccount, s: Session) -> Frame:
    account.charge_points[_first(account)].plug_in(sim.now)
    await sim.push_changes()
    return await s.expect("GRID_CURRENT")


async def _token_accepted(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    await s.ws.send_json({"command": "VALIDATE_API_TOKEN", "token": SIM_TOKEN})
    return await s.expect("STATUS_API_TOKEN")


async def _token_refused(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    await s.ws.send_json({"command": "VALIDATE_API_TOKEN", "token": "wrong"})
    return await s.expect("STATUS_API_TOKEN")


async def _account(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    return await s.ask("ACCOUNT", "GET_ACCOUNT")


async def _hello(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    return await s.ask("HELLO", "HELLO", header="homeassistant")


async def _cards(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    return await s.ask("CHARGE_CARDS", "GET_CHARGE_CARDS", limit=100)


def _error(command: str, **fields: Any) -> Scenario:
    async def scenario(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
        return await s.ask("ERROR", command, **fields)

    return scenario


async def _bad_authorization(_sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    s.authorization = "Token nonsense"
    return await s.ask("ERROR", "GET_CHARGE_POINTS")


async def _request_limit(sim: Simulator, _account: SimAccount, s: Session) -> Frame:
    sim.request_budget = sim.requests_served
    return await s.ask("ERROR", "GET_CHARGE_POINTS")


type Preparation = Callable[[Simulator, SimAccount], None]


def _vehicle_waiting(sim: Simulator, account: SimAccount) -> None:
    """A vehicle plugged in, no session (so a start can be accepted)."""
    account.charge_points[_first(account)].plug_and_charge = False
    account.charge_points[_first(account)].plug_in(sim.now)


def _session_running(sim: Simulator, account: SimAccount) -> None:
    """Plug & charge started a session (so a stop can be accepted)."""
    account.charge_points[_first(account)].plug_in(sim.now)


def _verdict(
    command: str, refusal: str | None = None, prepare: Preparation | None = None
) -> Scenario:
    async def scenario(sim: Simulator, account: SimAccount, s: Session) -> Frame:
        evse_id = _first(account)
        if prepare is not None:
            prepare(sim, account)
        if refusal is not None:
            sim.fail_next(command, refusal)
        fields = {"session_token": "BCU-APP"} if command == "START_SESSION" else {}
        await s.send(command, evse_id=evse_id, **fields)
        await s.expect(f"RECEIVED_{command}")
        return await s.expect(f"STATUS_{command}")

    return scenario


async def _received_start(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    return await s.ask(
        "RECEIVED_START_SESSION", "START_SESSION", evse_id=_first(account), session_token="BCU-APP"
    )


async def _refused_stop(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    return await s.ask("RECEIVED_STOP_SESSION", "STOP_SESSION", evse_id=_first(account))


def _setting(command: str) -> Scenario:
    async def scenario(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
        return await s.ask(f"STATUS_{command}", command, evse_id=_first(account), value=True)

    return scenario


async def _override(account: SimAccount, s: Session) -> Frame:
    return await s.ask(
        "POST_SET_OVERRIDE_CURRENT",
        "POST_SET_OVERRIDE_CURRENT",
        chargepoints=list(account.charge_points)[:2],
        overridestarttime="08:00",
        overridestoptime="18:00",
        overridestartdays=["MO", "TU"],
        overridestopdays=["MO", "TU"],
        overridevalue=16.0,
    )


async def _set_override(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    return await _override(account, s)


async def _list_overrides(_sim: Simulator, account: SimAccount, s: Session) -> Frame:
    await _override(account, s)
    return await s.ask("LIST_OVERRIDE_CURRENT", "LIST_OVERRIDE_CURRENT")


SCENARIOS: dict[str, Scenario] = {
    "charge_points_recorded": _charge_points,
    "charge_point_with_profiles": _charge_points,
    "charge_point_core_default": _charge_points,
    "ch_settings_recorded": _settings,
    "ch_settings_documented": _settings,
    "ch_status_raw": _charging_status,
    "ch_status_documented": _charging_status,
    "ch_status_offset_timestamps": _charging_status,
    "ch_status_offsets": _charging_status,
    "ch_status_delayed": _delayed_status,
    "charge_cards_recorded": _cards,
    "grid_status_recorded": _grid_status,
    "grid_status_documented": _grid_status,
    "grid_status_raw": _grid_status,
    "grid_current_top_level": _grid_current,
    "status_api_token_accepted": _token_accepted,
    "status_api_token_refused": _token_refused,
    "account_recorded": _account,
    "account_login_only": _account,
    "hello_bare": _hello,
    "error_forbidden_recorded": _error("GET_CH_STATUS", evse_id="BCU999999"),
    "error_forbidden_with_flow_id": _error("GET_CH_STATUS", evse_id="BCU999999", flow_id="f-1"),
    "error_not_authorized": _error("GET_CH_SETTINGS", evse_id="BCU999999"),
    "error_unknown_command": _error("MAKE_COFFEE"),
    "error_invalid_auth": _bad_authorization,
    "error_unknown": _error("POST_CLEAR_OVERRIDE_CURRENT", schedule_id=404),
    "error_request_limit": _request_limit,
    "status_soft_reset_documented": _verdict("SOFT_RESET"),
    "status_soft_reset_timeout": _verdict("SOFT_RESET", "TIMEOUT"),
    "status_reboot_documented": _verdict("REBOOT"),
    "status_reboot_timeout": _verdict("REBOOT", "TIMEOUT"),
    "status_start_session_documented": _verdict("START_SESSION", None, _vehicle_waiting),
    "status_start_session_rejected": _verdict("START_SESSION", "REJECTED"),
    "status_start_session_timeout": _verdict("START_SESSION", "TIMEOUT"),
    "status_stop_session_documented": _verdict("STOP_SESSION", None, _session_running),
    "status_stop_session_bare": _verdict("STOP_SESSION", None, _session_running),
    "received_start_session_accepted": _received_start,
    "received_stop_session_refused": _refused_stop,
    "status_set_plug_and_charge_documented": _setting("SET_PLUG_AND_CHARGE"),
    "status_set_plug_and_charge_raw": _setting("SET_PLUG_AND_CHARGE"),
    "status_set_public_charging_raw": _setting("SET_PUBLIC_CHARGING"),
    "list_override_current_vendor": _list_overrides,
    "post_set_override_current_vendor": _set_override,
}

# Corpus frames the simulator does not send by default, and why.
NOT_SENT = {
    "charge_points_booleans_2022": "the other recorded form; the simulator sends [R]'s objects",
    "charge_points_booleans_2023": "as above",
    "list_override_current_documented_old": "the older documented shape; the vendor's is sent",
    "charge_cards_with_default_card": "a mock in [A]'s tests; the recording [R] has none",
    "ch_status_app_items": "app endpoint only",
    "sustainability_status": "app endpoint only",
    "status_set_operative_app": "app endpoint only; ours confirms a block by CH_STATUS",
    "status_set_plug_and_charge_charge_card": "a command the simulator does not serve",
    "transactions_app": "app HTTP API only",
    "success_false_without_object": "a malformed frame; tests push it with push()",
}


def test_every_corpus_frame_is_decided() -> None:
    """A new corpus frame needs a scenario, or a reason why the simulator does not send it."""
    names = {frame.name for frame in load_corpus()}
    assert names == SCENARIOS.keys() | NOT_SENT.keys()
    assert not SCENARIOS.keys() & NOT_SENT.keys()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_same_shape_as_corpus(
    name: str, simulator: Simulator, sim_account: SimAccount
) -> None:
    """The simulator's frame of this kind has the corpus frame's shape."""
    recorded: CorpusFrame = corpus_frame(name)
    async with session(simulator) as s:
        frame = await SCENARIOS[name](simulator, sim_account, s)
    problems = shape_mismatches(recorded.frame, frame, recorded.complete, recorded.open_paths)
    assert problems == [], f"{name} ({recorded.source}): {problems}\n{json.dumps(frame)}"


# ----------------------------------------------------------------------------- values


async def test_recorded_values(simulator: Simulator, sim_account: SimAccount) -> None:
    """Beyond types: offsets, integer valid, GRID-<evse>, string schedule ids, verdict words."""
    evse_id = _first(sim_account)
    async with session(simulator) as s:
        refused = await _refused_stop(simulator, sim_account, s)
        assert refused == {
            "object": "RECEIVED_STOP_SESSION",
            "success": False,
            "error": f"no active session for chargepoint: {evse_id}",
        }
        status = await _charging_status(simulator, sim_account, s)
        assert OFFSET_TIMESTAMP.match(status["data"]["start_datetime"])
        assert status["data"]["stop_datetime"] == ""
        cards = await _cards(simulator, sim_account, s)
        assert {card["valid"] for card in cards["cards"]} == {1}
        grid = await _grid_status(simulator, sim_account, s)
        assert grid["data"]["id"] == f"GRID-{evse_id}"
        assert "evse_id" not in grid
        assert "evse_id" not in grid["data"]
        schedule = (await _set_override(simulator, sim_account, s))["data"]
        assert isinstance(schedule["schedule_id"], str)
        assert schedule["override_start_days"] == "MO,TU"
        assert "STATUS_STOP_SESSION" not in s.objects()
        forbidden = await s.ask("ERROR", "GET_CH_STATUS", evse_id="BCU999999")
        assert forbidden["message"] == "forbidden"
        hello = await _hello(simulator, sim_account, s)
        assert hello == {"object": "HELLO"}
        assert "customer_id" not in await _account(simulator, sim_account, s)


@pytest.mark.parametrize(("refusal", "success"), [("REJECTED", False), ("TIMEOUT", False)])
async def test_verdict_refusal_words(
    simulator: Simulator, sim_account: SimAccount, refusal: str, success: bool
) -> None:
    """``fail_next`` with a verdict word: accepted first, refused in the verdict."""
    async with session(simulator) as s:
        verdict = await _verdict("REBOOT", refusal)(simulator, sim_account, s)
        assert s.seen[-2] == {"object": "RECEIVED_REBOOT", "success": True, "error": ""}
    assert (verdict["success"], verdict["error"]) == (success, refusal)


async def test_refusal_with_empty_error(simulator: Simulator, sim_account: SimAccount) -> None:
    """``fail_next(command, "")``: success false with an empty error, in verdicts and receipts."""
    simulator.fail_next("SET_DELAYED_CHARGING", "")
    async with session(simulator) as s:
        verdict = await _verdict("SOFT_RESET", "")(simulator, sim_account, s)
        receipt = await s.ask(
            "RECEIVED_SET_DELAYED_CHARGING",
            "SET_DELAYED_CHARGING",
            evse_id=_first(sim_account),
            value=True,
        )
    assert (verdict["success"], verdict["error"]) == (False, "")
    assert (receipt["success"], receipt["error"]) == (False, "")
    assert not sim_account.charge_points[_first(sim_account)].delayed.enabled


async def test_offline_charge_point_times_out(
    simulator: Simulator, sim_account: SimAccount
) -> None:
    """A charge point that cannot answer: the verdict is TIMEOUT."""
    sim_account.charge_points[_first(sim_account)].go_offline(simulator.now)
    async with session(simulator) as s:
        verdict = await _verdict("SOFT_RESET")(simulator, sim_account, s)
    assert (verdict["success"], verdict["error"]) == (False, "TIMEOUT")


async def test_flow_id_echoed(simulator: Simulator, sim_account: SimAccount) -> None:
    """A request's flow_id comes back in its receipt and verdict; none: an empty one."""
    async with session(simulator) as s:
        await s.send("SOFT_RESET", evse_id=_first(sim_account), flow_id="abc")
        assert (await s.expect("RECEIVED_SOFT_RESET"))["flow_id"] == "abc"
        assert (await s.expect("STATUS_SOFT_RESET"))["flow_id"] == "abc"
        assert (await _verdict("REBOOT")(simulator, sim_account, s))["flow_id"] == ""


# ----------------------------------------------------------------------------- behaviour


async def test_block_is_received_then_activity(
    simulator: Simulator, sim_account: SimAccount
) -> None:
    """Block and unblock: RECEIVED_SET_..., then CH_STATUS with the activity; no STATUS_SET_."""
    evse_id = _first(sim_account)
    async with session(simulator) as s:
        receipt = await s.ask("RECEIVED_SET_INOPERATIVE", "SET_INOPERATIVE", evse_id=evse_id)
        assert receipt == {"object": "RECEIVED_SET_INOPERATIVE", "success": True, "error": ""}
        assert (await s.expect("CH_STATUS", evse_id))["data"]["activity"] == "unavailable"
        await s.ask("RECEIVED_SET_OPERATIVE", "SET_OPERATIVE", evse_id=evse_id)
        assert (await s.expect("CH_STATUS", evse_id))["data"]["activity"] == "available"
        await s.ask("CHARGE_CARDS", "GET_CHARGE_CARDS")  # everything before it has arrived
    assert not [name for name in s.objects() if name.startswith("STATUS_SET_")]


async def test_verdict_delay_is_honoured(simulator_factory: SimulatorFactory) -> None:
    """With a verdict delay the STATUS_ comes that much after the RECEIVED_, not before."""
    simulator = await simulator_factory(verdict_delay=0.4)
    account = simulator.add_account(token=SIM_TOKEN)
    async with session(simulator) as s:
        await s.send("SOFT_RESET", evse_id=_first(account))
        await s.expect("RECEIVED_SOFT_RESET")
        received_at = time.monotonic()
        assert simulator.pending_verdicts == 1
        await s.expect("STATUS_SOFT_RESET")
        assert time.monotonic() - received_at >= 0.3
    assert simulator.pending_verdicts == 0


async def test_released_verdict_applies_the_change(simulator_factory: SimulatorFactory) -> None:
    """A start waits for its verdict; ``release_verdicts`` delivers it and the session starts."""
    simulator = await simulator_factory(verdict_delay=3600)
    account = simulator.add_account(token=SIM_TOKEN)
    charge_point = account.charge_points[_first(account)]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    async with session(simulator) as s:
        await s.send("START_SESSION", evse_id=charge_point.evse_id, session_token="BCU-APP")
        await s.expect("RECEIVED_START_SESSION")
        assert not charge_point.charging
        await simulator.release_verdicts()
        assert (await s.expect("STATUS_START_SESSION"))["success"] is True
        assert (await s.expect("CH_STATUS", charge_point.evse_id))["data"]["activity"] == "charging"


async def test_delayed_window_and_boost(simulator: Simulator, sim_account: SimAccount) -> None:
    """Held by the delayed window: "delayed"; OVERRIDE_DELAYED_CHARGING_TIMEOUT charges now."""
    evse_id = _first(sim_account)
    _hold_by_delay(simulator, sim_account)
    async with session(simulator) as s:
        status = await s.ask("CH_STATUS", "GET_CH_STATUS", evse_id=evse_id)
        assert (status["data"]["activity"], status["data"]["actual_p1"]) == ("delayed", 0)
        await s.send("OVERRIDE_DELAYED_CHARGING_TIMEOUT", evse_id=evse_id, value=True)
        assert (await s.expect("RECEIVED_OVERRIDE_DELAYED_CHARGING_TIMEOUT"))["success"]
        assert (await s.expect("CH_STATUS", evse_id))["data"]["activity"] == "charging"


async def test_price_based_boost(simulator: Simulator, sim_account: SimAccount) -> None:
    """OVERRIDE_CHARGING_PROFILES boosts a price-based session."""
    charge_point = sim_account.charge_points[_first(sim_account)]
    charge_point.price_based.enabled = True
    charge_point.plug_in(simulator.now)
    async with session(simulator) as s:
        await s.send("OVERRIDE_CHARGING_PROFILES", evse_id=charge_point.evse_id, value=True)
        assert (await s.expect("CH_STATUS", charge_point.evse_id))["data"]["boosting"] is True


async def test_profiles_are_independent(simulator: Simulator, sim_account: SimAccount) -> None:
    """Switching one profile on leaves the other on: the client switches it off [A]."""
    evse_id = _first(sim_account)
    async with session(simulator) as s:
        await s.send("SET_DELAYED_CHARGING", evse_id=evse_id, value=True)
        await s.expect("CH_SETTINGS", evse_id)
        await s.send("SET_PRICE_BASED_CHARGING", evse_id=evse_id, value=True)
        data = (await s.expect("CH_SETTINGS", evse_id))["data"]
    assert data["delayed_charging"]["value"] is True
    assert data["price_based_charging"]["value"] is True


async def test_permission_none_and_read(simulator: Simulator, sim_account: SimAccount) -> None:
    """A setting's permission is shown; a profile without "write" is refused, empty error."""
    charge_point = sim_account.charge_points[_first(sim_account)]
    charge_point.permissions |= {"led_intensity": "none", "delayed_charging": "read"}
    async with session(simulator) as s:
        data = (await _settings(simulator, sim_account, s))["data"]
        receipt = await s.ask(
            "RECEIVED_SET_DELAYED_CHARGING",
            "SET_DELAYED_CHARGING",
            evse_id=charge_point.evse_id,
            value=True,
        )
    assert data["led_intensity"]["permission"] == "none"
    assert data["delayed_charging"]["permission"] == "read"
    assert (receipt["success"], receipt["error"]) == (False, "")


async def test_guessed_shapes_kept(simulator_factory: SimulatorFactory) -> None:
    """``shapes="guessed"``: the simulator's first shapes, for the tests that need them."""
    simulator = await simulator_factory(shapes="guessed")
    account = simulator.add_account(token=SIM_TOKEN)
    evse_id = _first(account)
    async with session(simulator) as s:
        assert s.seen[-1] == {"object": "HELLO", "success": True}
        settings = await s.ask("CH_SETTINGS", "GET_CH_SETTINGS", evse_id=evse_id)
        assert isinstance(settings["data"]["led_intensity"], int)
        cards = await s.ask("CHARGE_CARDS", "GET_CHARGE_CARDS")
        assert cards["cards"][0]["valid"] is True
        assert "customer_id" in await s.ask("ACCOUNT", "GET_ACCOUNT")
        receipt = await s.ask("RECEIVED_SET_INOPERATIVE", "SET_INOPERATIVE", evse_id=evse_id)
        assert receipt == {"object": "RECEIVED_SET_INOPERATIVE", "evse_id": evse_id, "error": ""}
        assert (await s.expect("STATUS_SET_INOPERATIVE"))["error"] == ""
        refused = await s.ask("STATUS_STOP_SESSION", "STOP_SESSION", evse_id=evse_id)
        assert refused == {
            "object": "STATUS_STOP_SESSION",
            "evse_id": evse_id,
            "error": "No active session",
        }
        schedule = (await _set_override(simulator, account, s))["data"]
        assert set(schedule) >= {"chargepoints", "override_value", "override_start_time"}
        assert isinstance(schedule["schedule_id"], int)


def test_cli_options() -> None:
    """``--shapes`` and ``--verdict-delay`` reach the simulator; the real ~30 s by default."""
    defaults = _parser().parse_args([])
    assert (defaults.shapes, defaults.verdict_delay) == ("recorded", 30.0)
    chosen = _parser().parse_args(["--shapes", "guessed", "--verdict-delay", "0.5"])
    assert (chosen.shapes, chosen.verdict_delay) == ("guessed", 0.5)
    with pytest.raises(ValueError, match="shapes"):
        Simulator(shapes="invented")  # type: ignore[arg-type]
