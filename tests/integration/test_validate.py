"""scripts/validate passes on the repository and catches what hassfest and HACS would."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import shutil
import struct
import subprocess
import sys
import zlib

import pytest

from .test_quality_scale import REPO, validate

COMPONENT = Path("custom_components") / "blue_current"


def test_the_repository_passes() -> None:
    """Nothing to report on the repository as it is."""
    assert validate.validate(REPO) == []


def test_the_script_runs_on_its_own() -> None:
    """The command CI runs: exit status 0 and a one-line verdict."""
    result = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, str(REPO / "scripts" / "validate.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": ok")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of what the validator reads, to break."""
    shutil.copytree(
        REPO / COMPONENT,
        tmp_path / COMPONENT,
        ignore=shutil.ignore_patterns("__pycache__", "api"),
    )
    shutil.copy(REPO / "hacs.json", tmp_path / "hacs.json")
    return tmp_path


def _edit_json(path: Path, change: Callable[[dict[str, object]], object]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def _unsorted_manifest(root: Path) -> None:
    path = root / COMPONENT / "manifest.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({"version": data.pop("version"), **data}))


def _url_in_translation(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        data["title"] = "See https://example.com for help"

    for language in ("en", "nl"):
        _edit_json(root / COMPONENT / "translations" / f"{language}.json", change)


def _dutch_missing_a_key(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        exceptions = data["exceptions"]
        assert isinstance(exceptions, dict)
        exceptions.pop(next(iter(exceptions)))

    _edit_json(root / COMPONENT / "translations" / "nl.json", change)


def _exception_without_text(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        exceptions = data["exceptions"]
        assert isinstance(exceptions, dict)
        exceptions.pop("not_connected")

    for language in ("en", "nl"):
        _edit_json(root / COMPONENT / "translations" / f"{language}.json", change)


def _entity_without_name(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        entity = data["entity"]
        assert isinstance(entity, dict)
        entity["sensor"].pop("actual_p1")

    for language in ("en", "nl"):
        _edit_json(root / COMPONENT / "translations" / f"{language}.json", change)


def _form_field_undescribed(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        config = data["config"]
        assert isinstance(config, dict)
        for step in config["step"].values():
            step.get("data_description", {}).pop("api_token", None)

    for language in ("en", "nl"):
        _edit_json(root / COMPONENT / "translations" / f"{language}.json", change)


def _service_field_untranslated(root: Path) -> None:
    path = root / COMPONENT / "services.yaml"
    path.write_text(
        path.read_text().replace(
            "list_current_overrides:\n  fields:\n",
            "list_current_overrides:\n  fields:\n    extra:\n      selector:\n        text:\n",
        )
    )


def _icon_for_no_action(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        services = data["services"]
        assert isinstance(services, dict)
        services["no_such_action"] = {"service": "mdi:help"}

    _edit_json(root / COMPONENT / "icons.json", change)


def _rule_missing(root: Path) -> None:
    path = root / COMPONENT / "quality_scale.yaml"
    path.write_text(path.read_text().replace("  docs-triggers:\n", "  docs-triggerz:\n"))


def _tier_overclaimed(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        data["quality_scale"] = "platinum"

    _edit_json(root / COMPONENT / "manifest.json", change)
    _sort_manifest(root)


def _sort_manifest(root: Path) -> None:
    path = root / COMPONENT / "manifest.json"
    data = json.loads(path.read_text())
    keys = ["domain", "name", *sorted(k for k in data if k not in ("domain", "name"))]
    path.write_text(json.dumps({key: data[key] for key in keys}, indent=2))


def _hacs_extra_key(root: Path) -> None:
    def change(data: dict[str, object]) -> None:
        data["domains"] = ["blue_current"]

    _edit_json(root / "hacs.json", change)


def _icon_wrong_size(root: Path) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 100, 80, 8, 6, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    (root / COMPONENT / "brand" / "icon.png").write_bytes(png)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_unsorted_manifest, "keys are not sorted"),
        (_url_in_translation, "no URLs in translations"),
        (_dutch_missing_a_key, "is only in en.json"),
        (_exception_without_text, "exceptions.not_connected.message is used by the code"),
        (_entity_without_name, "entity.sensor.actual_p1.name is missing"),
        (_form_field_undescribed, "form field 'api_token' has no data_description"),
        (_service_field_untranslated, "services.list_current_overrides.fields.extra"),
        (_icon_for_no_action, "services.no_such_action is not an action"),
        (_rule_missing, "rule 'docs-triggers' is missing"),
        (_tier_overclaimed, "quality_scale claims 'platinum'"),
        (_hacs_extra_key, "unknown key 'domains'"),
        (_icon_wrong_size, "icon.png: must be a 256x256 PNG"),
    ],
)
def test_a_broken_copy_fails(copy: Path, breakage: Callable[[Path], None], expected: str) -> None:
    """Each kind of breakage is reported, and the intact copy is clean."""
    assert validate.validate(copy) == []
    breakage(copy)
    problems = validate.validate(copy)
    assert any(expected in problem for problem in problems), problems
    assert validate.main(["--root", str(copy)]) == 1
