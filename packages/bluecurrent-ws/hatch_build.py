"""Put the client's modules into the package: from the repository, or from an unpacked sdist.

In the repository the modules live in custom_components/blue_current/api (the integration
ships them too); an sdist carries its own copy under bluecurrent_ws/, so that a wheel built
from the sdist alone finds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "bluecurrent_ws"


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc,type-arg,unused-ignore]
    """Map every module of the client, and py.typed, into ``bluecurrent_ws``."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add the files to this build."""
        root = Path(self.root)
        in_repository = root.parents[1] / "custom_components" / "blue_current" / "api"
        source = in_repository if in_repository.is_dir() else root / PACKAGE
        modules = sorted(source.glob("*.py"))
        if not modules:
            message = f"no client modules in {in_repository} or {root / PACKAGE}"
            raise FileNotFoundError(message)
        files = build_data.setdefault("force_include", {})
        for module in modules:
            files[str(module)] = f"{PACKAGE}/{module.name}"
        marker = root / "py.typed"  # an sdist has it in the package already
        files[str(marker if marker.is_file() else source / "py.typed")] = f"{PACKAGE}/py.typed"
        # The repository's licence at the sdist's root (where the backend finds it for the
        # wheel); a wheel built straight from the repository carries it as extra metadata.
        licence = root.parents[1] / "LICENSE"
        if (root / "LICENSE").is_file() or not licence.is_file():
            return
        if self.target_name == "sdist":
            files[str(licence)] = "LICENSE"
        else:
            build_data.setdefault("extra_metadata", {})[str(licence)] = "licenses/LICENSE"
