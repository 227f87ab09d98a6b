"""Command line: ``python -m bluecurrent_simulator --help``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from .server import Simulator

CONTROL_HELP = """\
fault injection: while it runs, type one command a line on standard input:
  drop clean|abrupt|limit     end every long connection (close frame, TCP reset, close 4001)
  reject REASON               refuse the next upgrade, e.g. "reject Already connected"
  stall on|off                stop (or resume) answering requests
  fail COMMAND [TEXT]         refuse the next COMMAND (e.g. "fail STOP_SESSION")
  ignore COMMAND              never acknowledge the next COMMAND
  raw TEXT                    push TEXT as a frame (e.g. "raw {not json")
  push JSON                   push a JSON object (e.g. 'push {"object": "SURPRISE"}')
  flood EVSE_ID COUNT         push COUNT status messages of one charge point
  plug EVSE_ID / unplug EVSE_ID / offline EVSE_ID / online EVSE_ID
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
    parser.add_argument("--scenario", choices=["default", "demo"], default="default")
    parser.add_argument(
        "--allow-parallel-connections",
        action="store_true",
        help="do not enforce one long connection per client address",
    )
    return parser


async def _control(simulator: Simulator, line: str) -> None:
    verb, _, rest = line.strip().partition(" ")
    args = rest.split()
    if verb == "drop":
        await simulator.drop_connections(rest.strip() or "clean")  # type: ignore[arg-type]
    elif verb == "reject":
        simulator.reject_next_upgrades(rest.strip())
    elif verb == "stall":
        simulator.stall(rest.strip() != "off")
    elif verb == "fail":
        simulator.fail_next(args[0], " ".join(args[1:]) or "Refused by the simulator")
    elif verb == "ignore":
        simulator.ignore_next(args[0])
    elif verb == "raw":
        await simulator.push_raw(rest)
    elif verb == "push":
        await simulator.push(json.loads(rest))
    elif verb == "flood":
        await simulator.flood(args[0], int(args[1]))
    elif verb in {"plug", "unplug", "offline", "online"}:
        charge_point = simulator.charge_point(args[0])
        {
            "plug": lambda: charge_point.plug_in(simulator.now),
            "unplug": lambda: charge_point.unplug(simulator.now),
            "offline": lambda: charge_point.go_offline(simulator.now),
            "online": charge_point.come_online,
        }[verb]()
        await simulator.push_changes()
    elif verb == "advance":
        await simulator.advance(float(args[0]))
    elif verb:
        print(f"unknown control command: {verb}", file=sys.stderr, flush=True)


async def _read_controls(simulator: Simulator) -> None:
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        try:
            await _control(simulator, line)
        except (ValueError, KeyError, IndexError, LookupError) as err:
            print(f"control command failed: {err!r}", file=sys.stderr, flush=True)


async def _main(options: argparse.Namespace) -> None:
    simulator = Simulator(
        time_scale=options.time_scale,
        record_path=options.record,
        one_connection_per_address=not options.allow_parallel_connections,
    )
    if options.scenario == "demo":
        simulator.add_demo_account(token=options.token)
    else:
        simulator.add_account(
            token=options.token,
            customer_id=options.customer_id,
            email=options.email,
            charge_points=options.charge_points,
            cards=options.cards,
        )
    url = await simulator.start(options.host, options.port)
    print(f"listening on {url}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    controls = asyncio.create_task(_read_controls(simulator)) if not sys.stdin.isatty() else None
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
