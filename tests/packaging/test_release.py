"""The release zip HACS installs, the manifest and hacs.json agree with each other."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
import zipfile

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Packaging needs no Home Assistant."""


def _release() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release", REPO / "scripts" / "release.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_zip_has_the_integration_at_its_root(tmp_path: Path) -> None:
    """HACS unpacks the zip into custom_components/blue_current: no folder, no caches."""
    archive = _release().build(tmp_path)
    hacs = json.loads((REPO / "hacs.json").read_text())
    assert hacs["zip_release"] is True
    assert archive.name == hacs["filename"]
    names = zipfile.ZipFile(archive).namelist()
    for needed in ("manifest.json", "__init__.py", "api/client.py", "translations/nl.json"):
        assert needed in names
    assert "brand/icon.png" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_release_refuses_a_version_without_changelog_entry() -> None:
    """A release must say what changed."""
    with pytest.raises(SystemExit, match=r"no entry for version 99\.0\.0"):
        _release().check_changelog("99.0.0")


def test_builds_are_reproducible(tmp_path: Path) -> None:
    """The same sources give the same bytes, so a release can be verified."""
    release = _release()
    first = release.build(tmp_path / "a").read_bytes()
    assert release.build(tmp_path / "b").read_bytes() == first
