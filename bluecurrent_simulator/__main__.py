"""Command line: ``python -m bluecurrent_simulator --help``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import json
import signal
import sys
import threading

from . import wire
from .server import Simulator

CONTROL_HELP = """\
fault injection: while it runs, type one command a line on standard input:
  drop clean|abrupt|limit     end every long connection (close frame, TCP reset, close 4001)
  reject REASON               refuse the next upgrade, e.g. "reject Already connected"
  stall on|off                stop (or resume) answering requests
  fail COMMAND [TEXT]         refuse the next COMMAND (e.g. "fail START_SESSION REJECTED",
                              "fail REBOOT TIMEOUT"; TEXT "" refuses with an empty error)
  release                     deliver every charge point verdict still on its way now
  ignore COMMAND              never acknowledge the next COMMAND
  raw TEXT                    push TEXT as a frame (e.g. "raw {not json")
  push JSON                   push a JSON object (e.g. 'push {"object": "SURPRISE"}')
  flood EVSE_ID COUNT         push COUNT status messages of one charge point
  stream COUNT                push COUNT status messages over the charging charge points,
                              each with one more Wh of session energy
  stats                       print "stats {json}": requests served, connection attempts
  plug EVSE_ID [KWH] / unplug EVSE_ID / offline EVSE_ID / online EVSE_ID
  advance SECONDS             let simulated time pass now
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bluecurrent_simulator",
        description="A Blue Current cloud on your machine, for tests, demos and benchmarks.",
        epilog=CONTROL_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="TOKEN", help="the API token the account accepts")
    parser.add_argument("--charge-points", type=int, default=3)
    parser.add_argument("--cards", type=int, default=2)
    parser.add_argument("--email", default="owner@example.com")
    parser.add_argument("--customer-id", default="C0001")
    parser.add_argument("--time-scale", type=float, default=1.0, help="simulated s per real s")
    parser.add_argument("--record", help="append every frame to this file (JSON lines)")
    parser.add_argument(
        "--shapes",
        choices=wire.SHAPES,
        default="recorded",
        help="recorded: the real service's message shapes (default); "
        "guessed: this simulator's first guesses",
    )
    parser.add_argument(
        "--verdict-delay",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="real seconds before a charge point's verdict (STATUS_SOFT_RESET, ..., a block's "
        "activity change); the real service takes about 30 (default 30)",
    )
    parser.add_argument(
        "--scenario",
        choices=["default", "demo", "fleet"],
        default="default",
        help="demo: 3 charge points, one charging, one idle, one offline; "
        "fleet: --charge-points charge points, all charging",
    )
    parser.add_argument(
        "--allow-parallel-connections",
        action="store_true",
        help="do not enforce one long connection per client address",
    )
    parser.add_argument(
        "--no-clock", action="store_true", help="simulated time passes only on 'advance'"
    )
    parser.add_argument("--quiet", action="store_true", help="do not print 'done VERB' lines")
    return parser


def _print_stats(simulator: Simulator) -> None:
    stats = {
        "requests": simulator.requests_served,
        "connection_attempts": simulator.connection_attempts,
        "live_connections": simulator.live_connections,
    }
    print(f"stats {json.dumps(stats)}", flush=True)


def _refusal_text(words: list[str]) -> str:
    """``fail``'s TEXT: ``""`` stands for an empty error, nothing for a generic one."""
    text = " ".join(words)
    if text in {'""', "''"}:
        return ""
    return text or "Refused"


async def _person(simulator: Simulator, verb: str, evse_id: str, *more: str) -> None:
    charge_point = simulator.charge_point(evse_id)
    # ``plug EVSE KWH``: a vehicle that wants KWH (a short session ends within minutes).
    demand = float(more[0]) if verb == "plug" and more else 30.0
    {
        "plug": lambda: charge_point.plug_in(simulator.now, demand_kwh=demand),
        "unplug": lambda: charge_point.unplug(simulator.now),
        "offline": lambda: charge_point.go_offline(simulator.now),
        "online": charge_point.come_online,
    }[verb]()
    await simulator.push_changes()


async def _control(simulator: Simulator, line: str) -> None:
    verb, _, rest = line.strip().partition(" ")
    args = rest.split()
    actions: dict[str, Callable[[], Awaitable[None] | None]] = {
        "drop": lambda: simulator.drop_connections(rest.strip() or "clean"),  # type: ignore[arg-type]
        "reject": lambda: simulator.reject_next_upgrades(rest.strip()),
        "stall": lambda: simulator.stall(rest.strip() != "off"),
        "fail": lambda: simulator.fail_next(args[0], _refusal_text(args[1:])),
        "release": simulator.release_verdicts,
        "ignore": lambda: simulator.ignore_next(args[0]),
        "raw": lambda: simulator.push_raw(rest),
        "push": lambda: simulator.push(json.loads(rest)),
        "flood": lambda: simulator.flood(args[0], int(args[1])),
        "stream": lambda: simulator.stream(int(args[0])),
        "stats": lambda: _print_stats(simulator),
        "advance": lambda: simulator.advance(float(args[0])),
    }
    for person_verb in ("plug", "unplug", "offline", "online"):
        actions[person_verb] = lambda v=person_verb: _person(simulator, v, *args)  # type: ignore[misc]
    action = actions.get(verb)
    if action is None:
        if verb:
            print(f"unknown control command: {verb}", file=sys.stderr, flush=True)
        return
    result = action()
    if result is not None:
        await result


def _stdin_lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str]:
    """Lines of standard input, read by a daemon thread.

    Not the loop's executor: ``asyncio.run`` waits for its threads at exit, and a thread
    blocked reading an open pipe would keep the simulator from ending on SIGTERM.
    """
    lines: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, "")

    threading.Thread(target=read, name="simulator-controls", daemon=True).start()
    return lines


async def _read_controls(simulator: Simulator, quiet: bool) -> None:
    lines = _stdin_lines(asyncio.get_running_loop())
    while line := await lines.get():
        try:
            await _control(simulator, line)
        except (ValueError, KeyError, IndexError, LookupError) as err:
            print(f"control command failed: {err!r}", file=sys.stderr, flush=True)
        # Lets a driving program wait until a command took effect.
        if line.strip() and not quiet:
            print(f"done {line.split()[0]}", flush=True)


async def _main(options: argparse.Namespace) -> None:
    simulator = Simulator(
        time_scale=options.time_scale,
        clock=not options.no_clock,
        record_path=options.record,
        one_connection_per_address=not options.allow_parallel_connections,
        shapes=options.shapes,
        verdict_delay=options.verdict_delay,
    )
    if options.scenario == "demo":
        simulator.add_demo_account(token=options.token)
    elif options.scenario == "fleet":
        simulator.add_fleet_account(token=options.token, charge_points=options.charge_points)
    else:
        simulator.add_account(
            token=options.token,
            customer_id=options.customer_id,
            email=options.email,
            charge_points=options.charge_points,
            cards=options.cards,
        )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Before announcing the URL: a driver may stop the simulator as soon as it reads it.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    url = await simulator.start(options.host, options.port)
    print(f"listening on {url}", flush=True)
    controls = (
        asyncio.create_task(_read_controls(simulator, options.quiet))
        if not sys.stdin.isatty()
        else None
    )
    await stopped.wait()
    if controls is not None:
        controls.cancel()
    await simulator.stop()


def main() -> None:
    """Run the simulator until SIGINT or SIGTERM."""
    options = _parser().parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(options))


if __name__ == "__main__":
    main()
