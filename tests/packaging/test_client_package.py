"""The protocol client builds as its own package, installs, and imports without Home Assistant.

packages/bluecurrent-ws builds the wheel from custom_components/blue_current/api (the build
backend is fetched by the package client, as any build would). The wheel goes into a fresh
virtualenv with only its own dependencies, where it must import, typed, as bluecurrent_ws.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
import re
import subprocess
import sys
import tarfile
import textwrap
import tomllib
import zipfile

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "packages" / "bluecurrent-ws"
API = REPO / "custom_components" / "blue_current" / "api"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("uv") is None, reason="uv (installed by scripts/setup) is missing"
)


def uv(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run uv of this environment; fail the test with its output."""
    env = dict(os.environ)
    if "SSL_CERT_FILE" not in env and Path("/etc/ssl/certs/ca-certificates.crt").is_file():
        env["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt"
    result = subprocess.run(  # noqa: S603  # our own interpreter, fixed arguments
        [sys.executable, "-m", "uv", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel built from it, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    uv("build", "--quiet", PACKAGE, "--out-dir", out)
    return out


def test_the_wheel_holds_the_client_and_its_metadata(dist: Path) -> None:
    """Every module of api/, py.typed, its own version, aiohttp as the one dependency (orjson an
    optional extra)."""
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    (wheel,) = dist.glob("*.whl")
    assert wheel.name == f"bluecurrent_ws-{project['version']}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {f"bluecurrent_ws/{path.name}" for path in API.glob("*.py")}
    assert modules | {"bluecurrent_ws/py.typed"} <= names
    assert f"bluecurrent_ws-{project['version']}.dist-info/licenses/LICENSE" in names
    assert not any("__pycache__" in name or "homeassistant" in name for name in names)
    metadata = zipfile.ZipFile(wheel).read(
        f"bluecurrent_ws-{project['version']}.dist-info/METADATA"
    )
    requires = [
        line.split(":", 1)[1].strip()
        for line in metadata.decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]

    def name(requirement: str) -> str:
        return re.split(r"[;<>=~! ]", requirement, maxsplit=1)[0]

    assert [name(r) for r in requires if "extra ==" not in r] == ["aiohttp"]
    # orjson only as the optional speed-up: the client reads every frame without it.
    assert [name(r) for r in requires if "extra ==" in r] == ["orjson"]


def test_the_sdist_builds_alone(dist: Path) -> None:
    """The sdist carries the client itself (a wheel was built from it, outside the repo)."""
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(name.endswith("bluecurrent_ws/client.py") for name in names)
    assert any(name.endswith("bluecurrent_ws/py.typed") for name in names)


def test_installs_and_imports_without_home_assistant(dist: Path, tmp_path: Path) -> None:
    """In a virtualenv of its own (aiohttp and its dependencies only) the client works."""
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    uv("venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    uv("pip", "install", "--quiet", "--python", python, wheel)
    script = textwrap.dedent(
        """
        import asyncio, importlib.util, sys
        import aiohttp
        import bluecurrent_ws
        from bluecurrent_ws import BlueCurrentClient, InvalidApiTokenError, UpdateKind

        assert importlib.util.find_spec("homeassistant") is None
        assert not any(name.startswith("homeassistant") for name in sys.modules)
        typed = importlib.util.find_spec("bluecurrent_ws").submodule_search_locations[0]

        async def main():
            async with aiohttp.ClientSession() as session:
                client = BlueCurrentClient(session, "token")
                assert not client.connected
                await client.disconnect()

        asyncio.run(main())
        print(bluecurrent_ws.DEFAULT_URL, UpdateKind.STATUS.name, typed.endswith("bluecurrent_ws"))
        """
    )
    result = subprocess.run(  # noqa: S603  # the virtualenv's interpreter, our script
        [python, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wss://motown.bluecurrent.nl/haserver", "STATUS", "True"]
    installed = venv.glob("lib/python3*/site-packages/bluecurrent_ws/py.typed")
    assert list(installed)
