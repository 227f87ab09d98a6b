"""A seeded generator of hostile server messages, by category.

Valid messages come from the simulator's wire module (not from the client, whose mistakes
they must be able to expose) and are then broken: fields removed, retyped, added, nested
values replaced; around them, frames that are not messages at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import copy
from dataclasses import dataclass
import json
import random
from typing import Any

from bluecurrent_simulator import SimAccount, wire

ERROR_CODES = (0, 1, 2, 9, 42, -1, 10**9)
# Objects that acknowledge a command nobody sent (out of order, or another client's).
ACKNOWLEDGEMENTS = (
    "RECEIVED_START_SESSION",
    "STATUS_START_SESSION",
    "STATUS_STOP_SESSION",
    "STATUS_SOFT_RESET",
    "STATUS_REBOOT",
    "STATUS_SET_OPERATIVE",
    "STATUS_SET_INOPERATIVE",
    "STATUS_SET_PLUG_AND_CHARGE",
    "STATUS_SET_PUBLIC_CHARGING",
    "RECEIVED_SET_DELAYED_CHARGING",
    "POST_SET_OVERRIDE_CURRENT",
    "POST_CLEAR_OVERRIDE_CURRENT",
    "LIST_OVERRIDE_CURRENT",
)


@dataclass(frozen=True)
class Case:
    """One frame to push: text, or bytes for a binary frame."""

    category: str
    frame: str | bytes


def _odd_value(rng: random.Random) -> Any:
    """A value of a type the field probably does not have."""
    choices: list[Any] = [
        None,
        "",
        "not a number",
        -1,
        0,
        10**30,
        1.5e308,
        True,
        [],
        [1, "2", None],
        {},
        {"value": "yes", "permission": 7},
        "20991399 99:99:99",
        "NaN",
        "\u0000\ufffd",
        "x" * 2000,
    ]
    return rng.choice(choices)


def _mutate(message: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Break one thing (sometimes a few) in a copy of ``message``."""
    broken = copy.deepcopy(message)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        target = broken
        data = broken.get("data")
        if isinstance(data, dict) and rng.random() < 0.8:
            target = data
        elif isinstance(data, list) and data and rng.random() < 0.8:
            item = rng.choice(data)
            target = item if isinstance(item, dict) else broken
        keys = [key for key in target if key != "object" or rng.random() < 0.1]
        action = rng.choice(("remove", "retype", "retype", "add", "nest"))
        if action == "remove" and keys:
            target.pop(rng.choice(keys))
        elif action == "retype" and keys:
            key = rng.choice(keys)
            value = _odd_value(rng)
            if key == "evse_id" and isinstance(value, str):
                # Another id is another charge point: a list of them is a legitimate change.
                value = None
            target[key] = value
        elif action == "nest" and keys:
            key = rng.choice(keys)
            if isinstance(target[key], dict) and target[key]:
                inner = target[key]
                inner[rng.choice(list(inner))] = _odd_value(rng)
            else:
                target[key] = {"value": _odd_value(rng)}
        else:
            target[f"unknown_{rng.randrange(1000)}"] = _odd_value(rng)
    return broken


def _templates(account: SimAccount) -> list[dict[str, Any]]:
    charge_points = list(account.charge_points.values())
    templates: list[dict[str, Any]] = [wire.charge_points(account), wire.cards(account)]
    for charge_point in charge_points:
        templates += [wire.status(charge_point), wire.settings(charge_point)]
    templates += [wire.grid_status(account), wire.grid_current(account)]
    return templates


def _not_json(rng: random.Random) -> str:
    valid = json.dumps(wire.error(9, "x"))
    return rng.choice(
        (
            "{not json",
            valid[: rng.randrange(1, len(valid))],
            "",
            " ",
            "\ufeff{}",
            "{'object': 'CH_STATUS'}",
            "[" * 5000,
            "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
        )
    )


def _no_object(rng: random.Random) -> str:
    return json.dumps(
        rng.choice(([], [1, 2], 42, "CH_STATUS", None, True, {}, {"data": {}}, {"object": None}))
    )


def _unknown_object(rng: random.Random) -> str:
    name = rng.choice(("SURPRISE", "CH_STATUS_V2", "", "ch_status", "ERROR_", "RECEIVED_"))
    return json.dumps({"object": name, "data": _odd_value(rng), "evse_id": _odd_value(rng)})


def _error(rng: random.Random) -> str:
    return json.dumps(
        {
            "object": "ERROR",
            "error": rng.choice((*ERROR_CODES, _odd_value(rng))),
            "message": rng.choice(("Unknown error", _odd_value(rng))),
        }
    )


def _unknown_charge_point(account: SimAccount, rng: random.Random) -> str:
    template = copy.deepcopy(rng.choice(_templates(account)[2:-2]))
    evse_id = rng.choice(("BCU999999", "", "bcu100001", " BCU100001"))
    template["evse_id"] = evse_id
    if isinstance(template.get("data"), dict):
        template["data"]["evse_id"] = evse_id
    return json.dumps(template)


def _duplicate_charge_points(account: SimAccount, rng: random.Random) -> str:
    message = wire.charge_points(account)
    items = message["data"]
    message["data"] = items + [copy.deepcopy(rng.choice(items)) for _ in range(rng.randint(1, 3))]
    rng.shuffle(message["data"])
    return json.dumps(message)


def _acknowledgement(account: SimAccount, rng: random.Random) -> str:
    evse_id = rng.choice([*account.charge_points, "BCU999999"])
    message: dict[str, Any] = {"object": rng.choice(ACKNOWLEDGEMENTS), "evse_id": evse_id}
    if rng.random() < 0.5:
        message["error"] = rng.choice(("", "Charge point offline", _odd_value(rng)))
    if rng.random() < 0.3:
        message["result"] = {"setting": rng.choice(("true", "false", _odd_value(rng)))}
    if rng.random() < 0.3:
        message["data"] = _odd_value(rng)
    return json.dumps(message)


def _huge(account: SimAccount, rng: random.Random) -> str:
    padding = "x" * rng.choice((100_000, 1_000_000, 3_000_000))
    return json.dumps({**rng.choice(_templates(account)[2:-2]), "padding": padding})


def _broken(account: SimAccount, rng: random.Random) -> str:
    return json.dumps(_mutate(rng.choice(_templates(account)), rng))


_MAKERS: dict[str, Callable[[SimAccount, random.Random], str | bytes]] = {
    "invalid JSON": lambda _account, rng: _not_json(rng),
    "binary frame": lambda _account, rng: rng.randbytes(rng.randrange(1, 512)),
    "huge frame": _huge,
    "no object": lambda _account, rng: _no_object(rng),
    "unknown object": lambda _account, rng: _unknown_object(rng),
    "broken known object": _broken,
    "ERROR object": lambda _account, rng: _error(rng),
    "unknown charge point": _unknown_charge_point,
    "duplicate charge points": _duplicate_charge_points,
    "unsolicited acknowledgement": _acknowledgement,
}


def case(category: str, account: SimAccount, rng: random.Random) -> Case:
    """One hostile frame of ``category``."""
    return Case(category, _MAKERS[category](account, rng))


def cases(account: SimAccount, count: int, seed: int) -> Iterator[Case]:
    """``count`` cases, mostly broken known objects (where the parsing is), seeded."""
    rng = random.Random(seed)
    categories = list(_MAKERS)
    weights = [3, 1, 0.05, 2, 2, 20, 3, 2, 1, 2]
    for _ in range(count):
        yield case(rng.choices(categories, weights)[0], account, rng)


CATEGORIES = tuple(_MAKERS)
