"""Print the requirements of what a Home Assistant sets up on its own, one a line.

Run with the virtualenv's Python: ``python scripts/smoke_requirements.py DOMAIN...`` (the
DOMAINs a configuration.yaml adds). From 2026.x Home Assistant sets up every base entity
platform (camera, tts, conversation, ...) whether configured or not; their libraries are not
dependencies of the ``homeassistant`` package, and each missing one is an ERROR with a
traceback at start. scripts/smoke_setup installs what this prints, with Home Assistant's own
constraints, so a real Home Assistant of the newest release starts without an ERROR line.
"""

from __future__ import annotations

import json
from pathlib import Path
import sys

from homeassistant import bootstrap, components


def main(extra: list[str]) -> None:
    """Walk the default integrations' dependencies and print their requirements."""
    root = Path(components.__file__).parent
    todo = [
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        *bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS,
        *extra,
    ]
    seen: set[str] = set()
    requirements: set[str] = set()
    while todo:
        domain = todo.pop()
        manifest_path = root / domain / "manifest.json"
        if domain in seen or not manifest_path.exists():
            continue
        seen.add(domain)
        manifest = json.loads(manifest_path.read_text())
        requirements.update(manifest.get("requirements", []))
        todo.extend(manifest.get("dependencies", []))
    print("\n".join(sorted(requirements)))


if __name__ == "__main__":
    main(sys.argv[1:])
