"""The simulator's command line, as scripts/develop and scripts/bench drive it."""

from __future__ import annotations

import json
from pathlib import Path
import signal
import subprocess
import sys
import time

REPO = Path(__file__).resolve().parents[2]


def _start(*arguments: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bluecurrent_simulator", "--port", "0", "--no-clock", *arguments],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("listening on ws://127.0.0.1:")
    return process


def _command(process: subprocess.Popen[str], line: str) -> list[str]:
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(f"{line}\n")
    process.stdin.flush()
    output = []
    while not (text := process.stdout.readline()).startswith("done"):
        assert text, "the simulator ended"
        output.append(text.strip())
    assert text.strip() == f"done {line.split(maxsplit=1)[0]}"
    return output


def test_fleet_stats_and_stream() -> None:
    """A fleet scenario answers control commands, each confirmed by a "done" line."""
    process = _start("--scenario", "fleet", "--charge-points", "4", "--token", "T")
    try:
        (stats,) = _command(process, "stats")
        assert json.loads(stats.removeprefix("stats ")) == {
            "requests": 0,
            "connection_attempts": 0,
            "live_connections": 0,
        }
        assert _command(process, "stream 10") == []
        assert _command(process, "advance 60") == []
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_ends_on_sigterm_with_standard_input_open() -> None:
    """SIGTERM ends it at once, although the control reader still waits on an open pipe.

    It used to hang: asyncio.run waited for the executor thread blocked reading stdin.
    """
    process = _start("--token", "T")
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    assert process.stdin is not None
    process.stdin.close()


def test_unknown_command_is_reported() -> None:
    """A typo is reported on standard error, and the simulator goes on."""
    process = _start("--token", "T")
    try:
        assert _command(process, "frobnicate now") == []
        (stats,) = _command(process, "stats")
        assert stats.startswith("stats ")
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        assert "unknown control command: frobnicate" in process.stderr.read()


def test_release_and_shapes_options() -> None:
    """``--shapes``/``--verdict-delay`` are accepted and ``release`` is a control command."""
    process = _start("--token", "T", "--shapes", "guessed", "--verdict-delay", "3600")
    try:
        assert _command(process, "release") == []
        assert _command(process, 'fail REBOOT ""') == []
    finally:
        process.terminate()
        process.wait(timeout=10)
