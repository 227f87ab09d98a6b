"""Build the release asset HACS installs: ``dist/blue_current.zip``.

``hacs.json`` sets ``zip_release``: HACS downloads the zip attached to a GitHub release and
unpacks it into ``custom_components/blue_current``, so the integration's files sit at the
root of the zip. The version in ``manifest.json`` must have an entry in ``CHANGELOG.md``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
import re
import zipfile

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "custom_components" / "blue_current"
LEFT_OUT = re.compile(r"(^|/)(__pycache__|\.mypy_cache)(/|$)|\.py[co]$")


def release_files() -> list[Path]:
    """What goes into the zip, sorted so that builds are reproducible."""
    return sorted(
        path
        for path in SOURCE.rglob("*")
        if path.is_file() and not LEFT_OUT.search(path.relative_to(SOURCE).as_posix())
    )


def check_changelog(version: str) -> None:
    """Refuse to build a version the changelog does not describe."""
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## \[?{re.escape(version)}\]?", changelog, re.MULTILINE):
        raise SystemExit(f"release: CHANGELOG.md has no entry for version {version}")


def build(target: Path) -> Path:
    """Write the zip to ``target`` (a directory) and return its path."""
    manifest = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    check_changelog(manifest["version"])
    target.mkdir(parents=True, exist_ok=True)
    archive = target / "blue_current.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in release_files():
            info = zipfile.ZipInfo(path.relative_to(SOURCE).as_posix(), (2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zipped.writestr(info, path.read_bytes())
    return archive


def main() -> None:
    """Build into ``dist/`` and print what to upload."""
    archive = build(REPO / "dist")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    print(f"{archive.relative_to(REPO)}  sha256 {digest}")
    print("Attach it to a GitHub release tagged with the manifest's version.")


if __name__ == "__main__":
    main()
