"""Cost of reading one CH_STATUS message: this client beside the vendor's ``bluecurrent_api``.

Run from the repository root with the virtualenv's Python:

    .venv/bin/python bench/bench_parse.py [--rounds N]

Each row is a kind of CH_STATUS message as the service sends it; the columns are microseconds
per message (raw JSON text in, model out), the best of several rounds:
- ``parse``: this client's parsers (``parse_message`` + ``parse_status``, merging into the
  charge point's previous status);
- ``client``: the same through the client's whole receive path (parsing, merging, change
  detection, replacing ``data`` and calling a listener);
- ``vendor``: ``json.loads`` + ``bluecurrent_api.utils.handle_status``, which is what the
  vendor's library does per message. It cannot read partial pushes (it raises ``KeyError``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import json
from pathlib import Path
import sys
import time
from typing import Any

ROUNDS = 7
MESSAGES_PER_ROUND = 2_000
EVSE_ID = "BCU100001"


def _status(**changes: Any) -> str:
    data: dict[str, Any] = {
        "evse_id": EVSE_ID,
        "actual_v1": 229.8,
        "actual_v2": 231.2,
        "actual_v3": 230.4,
        "actual_p1": 15.9,
        "actual_p2": 16.1,
        "actual_p3": 15.8,
        "actual_kwh": 12.47,
        "activity": "charging",
        "vehicle_status": "C",
        "start_datetime": "20240115 08:30:12",
        "stop_datetime": "",
        "offline_since": "",
        "total_cost": 3.74,
        "max_usage": 32,
        "smartcharging_max_usage": 20,
        "max_offline": 6,
        "boosting": False,
    }
    data.update(changes)
    return json.dumps({"object": "CH_STATUS", "evse_id": EVSE_ID, "data": data})


# A day of one charge point: mostly charging updates, some idle and ended sessions.
WHOLE_STATUSES = {
    "charging, 3 phases": _status(),
    "charging, 1 phase": _status(actual_v2=0, actual_v3=0, actual_p2=0, actual_p3=0),
    "idle, no session": _status(
        activity="available",
        vehicle_status="A",
        actual_p1=0,
        actual_p2=0,
        actual_p3=0,
        actual_kwh=0,
        start_datetime="",
        total_cost=0,
    ),
    "session ended": _status(
        activity="available",
        vehicle_status="B",
        actual_p1=0,
        actual_p2=0,
        actual_p3=0,
        stop_datetime="20240115 17:02:40",
    ),
    "offset timestamps": _status(
        start_datetime="20240115 08:30:12+0100", offline_since="20240114 23:10:00+0100"
    ),
}
PARTIAL_PUSH = json.dumps(
    {
        "object": "CH_STATUS",
        "evse_id": EVSE_ID,
        "data": {"evse_id": EVSE_ID, "actual_p1": 12.3, "actual_kwh": 12.51},
    }
)
# How often each kind occurs in the mix row.
MIX_WEIGHTS = {
    "charging, 3 phases": 6,
    "charging, 1 phase": 2,
    "idle, no session": 1,
    "session ended": 1,
    "offset timestamps": 1,
}


def _best_microseconds(
    readers: list[Callable[[str], object]], frames: list[str], rounds: int
) -> list[float]:
    """Best-of-``rounds`` cost per message of each reader on ``frames``.

    The readers take turns within every round, so that a noisy neighbour on the machine
    slows them alike.
    """
    best = [float("inf")] * len(readers)
    for _ in range(rounds):
        for index, read in enumerate(readers):
            started = time.perf_counter_ns()
            for frame in frames:
                read(frame)
            best[index] = min(best[index], (time.perf_counter_ns() - started) / len(frames))
    return [nanoseconds / 1000 for nanoseconds in best]


def _readers() -> tuple[Callable[[str], object], Callable[[str], object], Callable[[str], object]]:
    """This client's parser path, its whole receive path, and the vendor's path."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bluecurrent_api.utils import handle_status

    from custom_components.blue_current.api import BlueCurrentClient, Update
    from custom_components.blue_current.api.client import _Connection
    from custom_components.blue_current.api.parsing import parse_message, parse_status

    previous = parse_status(parse_message(WHOLE_STATUSES["charging, 3 phases"]))

    def ours(frame: str) -> object:
        return parse_status(parse_message(frame), previous)

    client = BlueCurrentClient(None, "bench-token")  # type: ignore[arg-type]  # never connects
    connection = _Connection(socket=None)  # type: ignore[arg-type]
    client._connection = connection
    charge_points = {"object": "CHARGE_POINTS", "data": [{"evse_id": EVSE_ID}]}
    client._handle_frame(connection, json.dumps(charge_points))
    updates: list[Update] = []
    client.add_listener(updates.append)

    def whole_client(frame: str) -> object:
        client._handle_frame(connection, frame)
        updates.clear()
        return client.data

    def vendor(frame: str) -> object:
        message = json.loads(frame)
        handle_status(message)
        return message

    return ours, whole_client, vendor


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    rounds = parser.parse_args().rounds
    ours, whole_client, vendor = _readers()

    rows: list[tuple[str, list[str]]] = [
        (kind, [frame] * MESSAGES_PER_ROUND) for kind, frame in WHOLE_STATUSES.items()
    ]
    mix = [WHOLE_STATUSES[kind] for kind, weight in MIX_WEIGHTS.items() for _ in range(weight)]
    rows.append(("realistic mix", mix * (MESSAGES_PER_ROUND // len(mix))))

    print(f"CH_STATUS, microseconds per message (best of {rounds} rounds)")
    print(f"{'message':<22}{'parse':>9}{'client':>9}{'vendor':>9}{'vendor/parse':>14}")
    for kind, frames in rows:
        parse_us, client_us, vendor_us = _best_microseconds(
            [ours, whole_client, vendor], frames, rounds
        )
        ratio = vendor_us / parse_us
        print(f"{kind:<22}{parse_us:>9.2f}{client_us:>9.2f}{vendor_us:>9.2f}{ratio:>13.1f}x")
    partial = [PARTIAL_PUSH] * MESSAGES_PER_ROUND
    parse_us, client_us = _best_microseconds([ours, whole_client], partial, rounds)
    print(f"{'partial push':<22}{parse_us:>9.2f}{client_us:>9.2f}{'n/a':>9}{'':>14}")
    import bluecurrent_api

    version = getattr(bluecurrent_api, "__version__", None) or _vendor_version()
    print(f"Python {sys.version.split()[0]}, bluecurrent-api {version}")


def _vendor_version() -> str:
    from importlib.metadata import version

    return version("bluecurrent-api")


if __name__ == "__main__":
    main()
