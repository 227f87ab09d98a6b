"""Offline checks of what hassfest and HACS validation check that matters for this integration.

Neither can run here (hassfest needs a checkout of Home Assistant's core, the HACS action its
own container and GitHub's API), so this script checks the same things from the files alone,
in about a second and without the network. The GitHub workflows run the real ones as well.

    scripts/validate              checks the repository, exit status 1 on any problem
    scripts/validate --root DIR   checks another copy (the tests break copies on purpose)

Checks: manifest.json (keys, their order, values), quality_scale.yaml against the current rule
list and the manifest's tier, translations (structure, no URLs, both languages alike, every key
the code uses), services.yaml against services.py, the translations and icons.json, icons.json,
hacs.json and the brand images.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterable, Iterator, Mapping
import json
from pathlib import Path
import re
import struct
import sys
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

DOMAIN = "blue_current"
LANGUAGES = ("en", "nl")

# Home Assistant's quality scale, rule by rule, as hassfest lists it (script/hassfest/
# quality_scale.py); 54 rules; the developer docs list the same ones.
TIERS = ("bronze", "silver", "gold", "platinum")
RULES: dict[str, str] = {
    **dict.fromkeys(
        (
            "action-setup",
            "appropriate-polling",
            "brands",
            "common-modules",
            "config-flow",
            "config-flow-test-coverage",
            "dependency-transparency",
            "docs-actions",
            "docs-conditions",
            "docs-high-level-description",
            "docs-installation-instructions",
            "docs-removal-instructions",
            "docs-triggers",
            "entity-event-setup",
            "entity-unique-id",
            "has-entity-name",
            "runtime-data",
            "test-before-configure",
            "test-before-setup",
            "unique-config-entry",
        ),
        "bronze",
    ),
    **dict.fromkeys(
        (
            "action-exceptions",
            "config-entry-unloading",
            "docs-configuration-parameters",
            "docs-installation-parameters",
            "entity-unavailable",
            "integration-owner",
            "log-when-unavailable",
            "parallel-updates",
            "reauthentication-flow",
            "test-coverage",
        ),
        "silver",
    ),
    **dict.fromkeys(
        (
            "devices",
            "diagnostics",
            "discovery",
            "discovery-update-info",
            "docs-data-update",
            "docs-examples",
            "docs-known-limitations",
            "docs-supported-devices",
            "docs-supported-functions",
            "docs-troubleshooting",
            "docs-use-cases",
            "dynamic-devices",
            "entity-category",
            "entity-device-class",
            "entity-disabled-by-default",
            "entity-translations",
            "exception-translations",
            "icon-translations",
            "reconfiguration-flow",
            "repair-issues",
            "stale-devices",
        ),
        "gold",
    ),
    **dict.fromkeys(("async-dependency", "inject-websession", "strict-typing"), "platinum"),
}

# hassfest's manifest schema for custom integrations (script/hassfest/manifest.py), the keys
# that can occur here; HACS adds issue_tracker, codeowners and version as required.
MANIFEST_KEYS = {
    "after_dependencies",
    "bluetooth",
    "codeowners",
    "config_flow",
    "dependencies",
    "dhcp",
    "disabled",
    "documentation",
    "domain",
    "homekit",
    "import_executor",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "loggers",
    "mqtt",
    "name",
    "quality_scale",
    "requirements",
    "single_config_entry",
    "ssdp",
    "usb",
    "version",
    "zeroconf",
}
MANIFEST_REQUIRED = {"domain", "name", "codeowners", "documentation", "issue_tracker", "version"}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system"}
QUALITY_SCALES = {*TIERS, "custom", "internal", "legacy", "no_score"}
VERSION = re.compile(r"^\d+(\.\d+){0,3}((a|b|rc|\.dev|\.post)\d+)?$")

# HACS's hacs.json schema (custom_components/hacs/utils/validate.py): nothing else is allowed.
HACS_KEYS = {
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
    "name",
}

TRANSLATION_SECTIONS = {
    "common",
    "config",
    "config_subentries",
    "device",
    "device_automation",
    "entity",
    "entity_component",
    "exceptions",
    "issues",
    "options",
    "selector",
    "services",
    "system_health",
    "title",
}
URL = re.compile(r"https?://|www\.", re.IGNORECASE)
SLUG = re.compile(r"^[a-z0-9_-]+$")
# Entity platforms, as the words their description classes carry (BinarySensor before Sensor).
PLATFORM_WORDS = (
    ("BinarySensor", "binary_sensor"),
    ("Sensor", "sensor"),
    ("Button", "button"),
    ("Number", "number"),
    ("Select", "select"),
    ("Switch", "switch"),
    ("Time", "time"),
    ("Event", "event"),
)
# Abort reasons Home Assistant's flow helpers use on the integration's behalf.
HELPER_ABORTS = {
    "_abort_if_unique_id_configured": "already_configured",
    "_abort_if_unique_id_mismatch": "unique_id_mismatch",
}
# Brand images (home-assistant/brands' rules): (width, height) or the shortest side's range.
SQUARE_ICONS = {"icon.png": 256, "icon@2x.png": 512}
LOGOS = {"logo.png": (128, 256), "logo@2x.png": (256, 512)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Problems:
    """The problems found, each with the file it is in."""

    def __init__(self, root: Path) -> None:
        """Collect problems of the repository at ``root``."""
        self.root = root
        self.items: list[str] = []

    def add(self, path: Path, message: str) -> None:
        """Record one problem."""
        try:
            where = path.relative_to(self.root)
        except ValueError:
            where = path
        self.items.append(f"{where}: {message}")


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": "x"}}`` -> ``{"a.b": "x"}`` (leaves of any type)."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load_json(path: Path, problems: Problems) -> dict[str, Any] | None:
    """A JSON object, or None (and a problem) when missing or broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(path, "missing")
        return None
    except json.JSONDecodeError as err:
        problems.add(path, f"invalid JSON: {err}")
        return None
    if not isinstance(data, dict):
        problems.add(path, "not a JSON object")
        return None
    return data


def load_yaml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """A YAML mapping, or None (and a problem) when missing or broken."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(path, "missing")
        return None
    except yaml.YAMLError as err:
        problems.add(path, f"invalid YAML: {err}")
        return None
    if not isinstance(data, dict):
        problems.add(path, "not a mapping")
        return None
    return data


# ---------------------------------------------------------------------------------- manifest


def check_manifest(component: Path, problems: Problems) -> dict[str, Any] | None:  # noqa: PLR0912
    """Keys, their order (domain, name, then alphabetical) and values, as hassfest and HACS."""
    path = component / "manifest.json"
    manifest = load_json(path, problems)
    if manifest is None:
        return None
    keys = list(manifest)
    for key in sorted(MANIFEST_REQUIRED - set(keys)):
        problems.add(path, f"missing key {key!r}")
    for key in sorted(set(keys) - MANIFEST_KEYS):
        problems.add(path, f"unknown key {key!r}")
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.add(path, "keys are not sorted: domain, name, then alphabetical order")
    if manifest.get("domain") != component.name:
        problems.add(path, f"domain {manifest.get('domain')!r} is not the folder's name")
    codeowners = manifest.get("codeowners")
    if not isinstance(codeowners, list) or not all(
        isinstance(owner, str) and re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", owner)
        for owner in codeowners
    ):
        problems.add(path, "codeowners must be a list of GitHub handles (@name)")
    for key in ("documentation", "issue_tracker"):
        url = manifest.get(key)
        if not isinstance(url, str) or not url.startswith("https://"):
            problems.add(path, f"{key} must be an https URL")
        elif url.startswith("https://www.home-assistant.io/integrations"):
            problems.add(path, f"{key} must point to this integration's own documentation")
    if not isinstance(manifest.get("version"), str) or not VERSION.match(manifest["version"]):
        problems.add(path, f"version {manifest.get('version')!r} is not a valid version")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.add(path, f"iot_class {manifest.get('iot_class')!r} is not one of {IOT_CLASSES}")
    if manifest.get("integration_type", "hub") not in INTEGRATION_TYPES:
        problems.add(path, f"integration_type {manifest.get('integration_type')!r} is unknown")
    if "quality_scale" in manifest and manifest["quality_scale"] not in QUALITY_SCALES:
        problems.add(path, f"quality_scale {manifest['quality_scale']!r} is not a known tier")
    for key in ("requirements", "dependencies", "after_dependencies", "loggers"):
        value = manifest.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.add(path, f"{key} must be a list of strings")
    if manifest.get("config_flow") and not (component / "config_flow.py").is_file():
        problems.add(path, "config_flow is true but there is no config_flow.py")
    return manifest


# ----------------------------------------------------------------------------- quality scale


def met_rules(rules: Mapping[str, Any]) -> set[str]:
    """The rules marked done or exempt."""
    met = set()
    for name, value in rules.items():
        status = value.get("status") if isinstance(value, Mapping) else value
        if status in ("done", "exempt"):
            met.add(name)
    return met


def reached_tier(rules: Mapping[str, Any]) -> str | None:
    """The highest tier whose rules, and every lower tier's, are all done or exempt."""
    met = met_rules(rules)
    reached = None
    for tier in TIERS:
        if any(rule not in met for rule, rule_tier in RULES.items() if rule_tier == tier):
            break
        reached = tier
    return reached


def check_quality_scale(  # noqa: PLR0912
    component: Path, manifest: Mapping[str, Any] | None, problems: Problems
) -> None:
    """Every current rule present with a valid status; the manifest claims what it reaches."""
    path = component / "quality_scale.yaml"
    data = load_yaml(path, problems)
    if data is None:
        return
    rules = data.get("rules")
    if not isinstance(rules, dict):
        problems.add(path, "no 'rules' mapping")
        return
    for rule in sorted(set(RULES) - set(rules)):
        problems.add(path, f"rule {rule!r} is missing")
    for rule in sorted(set(rules) - set(RULES)):
        problems.add(path, f"rule {rule!r} is not a quality scale rule")
    for rule, value in rules.items():
        if isinstance(value, str):
            if value not in ("done", "todo"):
                problems.add(path, f"{rule}: {value!r} needs a comment or is not a status")
            continue
        if not isinstance(value, dict) or set(value) - {"status", "comment"}:
            problems.add(path, f"{rule}: only 'status' and 'comment' are allowed")
            continue
        status, comment = value.get("status"), value.get("comment")
        if status not in ("done", "todo", "exempt"):
            problems.add(path, f"{rule}: status {status!r} is not done, todo or exempt")
        if status == "exempt" and not (isinstance(comment, str) and comment.strip()):
            problems.add(path, f"{rule}: an exempt rule needs a comment saying why")
        if comment is not None and not isinstance(comment, str):
            problems.add(path, f"{rule}: the comment must be text")
    if manifest is None:
        return
    reached = reached_tier(rules)
    claimed = manifest.get("quality_scale")
    claimed_tier = claimed if claimed in TIERS else None
    if claimed_tier != reached:
        problems.add(
            component / "manifest.json",
            f"quality_scale claims {claimed!r} but quality_scale.yaml reaches {reached!r}",
        )
    if claimed_tier in TIERS[1:] and not manifest.get("codeowners"):
        problems.add(component / "manifest.json", f"a {claimed} integration needs codeowners")


# ------------------------------------------------------------------------------ translations


def python_sources(component: Path) -> Iterator[tuple[Path, ast.Module]]:
    """Every module of the integration (the protocol client has no translations)."""
    for path in sorted(component.glob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _forwarding_helpers(tree: ast.Module, *, entities: bool = False) -> dict[str, int]:
    """Functions that pass one of their parameters on as ``translation_key``: its position.

    Those raising translated exceptions, or (``entities``) those making entity descriptions.
    """
    helpers: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        params = [arg.arg for arg in node.args.args]
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            if entities != _call_name(call).endswith("Description"):
                continue
            if entities or _keyword(call, "translation_domain") is not None:
                value = _keyword(call, "translation_key")
                if isinstance(value, ast.Name) and value.id in params:
                    helpers[node.name] = params.index(value.id)
    return helpers


def used_translation_keys(component: Path) -> dict[str, set[str]]:  # noqa: PLR0912
    """Keys the code uses: exceptions, devices, issues, config steps, errors and aborts."""
    used: dict[str, set[str]] = {
        "exceptions": set(),
        "device": set(),
        "issues": set(),
        "step": set(),
        "error": set(),
        "abort": set(),
    }
    for path, tree in python_sources(component):
        helpers = _forwarding_helpers(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and path.name == "const.py":
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id.startswith("ISSUE_"):
                    used["issues"].add(_constant(node.value) or "")
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            key = _constant(_keyword(node, "translation_key"))
            if key is not None and _keyword(node, "translation_domain") is not None:
                used["exceptions"].add(key)
            elif key is not None and name == "DeviceInfo":
                used["device"].add(key)
            if name in helpers and len(node.args) > helpers[name]:
                helper_key = _constant(node.args[helpers[name]])
                if helper_key is not None:
                    used["exceptions"].add(helper_key)
            if path.name != "config_flow.py":
                continue
            for keyword, section in (("step_id", "step"), ("reason", "abort")):
                value = _constant(_keyword(node, keyword))
                if value is not None:
                    used[section].add(value)
            if name in HELPER_ABORTS and _keyword(node, "reason") is None:
                used["abort"].add(HELPER_ABORTS[name])
        if path.name == "config_flow.py":
            used["error"] |= _form_errors(tree)
            used["step"] |= {
                node.name.removeprefix("async_step_")
                for node in ast.walk(tree)
                if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("async_step_")
            } - {"reauth"}
            if any(
                isinstance(node, ast.Attribute) and node.attr == "async_update_reload_and_abort"
                for node in ast.walk(tree)
            ):
                used["abort"] |= {"reauth_successful", "reconfigure_successful"}
    used["issues"].discard("")
    return used


def form_fields(component: Path) -> set[str]:
    """Keys of the config flow's forms: ``vol.Required(CONF_X)`` and ``vol.Optional(...)``.

    ``CONF_X`` constants name their key in lower case (``CONF_API_TOKEN`` is ``"api_token"``).
    """
    path = component / "config_flow.py"
    if not path.is_file():
        return set()
    fields: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and _call_name(node) in ("Required", "Optional")
            and node.args
        ):
            continue
        key = node.args[0]
        if isinstance(key, ast.Name) and key.id.startswith("CONF_"):
            fields.add(key.id.removeprefix("CONF_").lower())
        elif (value := _constant(key)) is not None:
            fields.add(value)
    return fields


def _form_errors(tree: ast.Module) -> set[str]:
    """Error keys a form can show: strings given for ``"base"`` or kept in error tables."""
    errors: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _constant(key) == "base" and _constant(value) is not None:
                    errors.add(_constant(value) or "")
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:  # (ErrorClass, "key") tables
            first, second = node.elts
            if isinstance(first, ast.Name) and first.id.endswith("Error"):
                errors.add(_constant(second) or "")
    errors.discard("")
    return errors


def check_translations(  # noqa: PLR0912
    component: Path, problems: Problems
) -> dict[str, dict[str, Any]]:
    """Structure, no URLs, both languages alike, and every key the code uses present."""
    translations: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        path = component / "translations" / f"{language}.json"
        data = load_json(path, problems)
        if data is None:
            continue
        translations[language] = data
        for section in sorted(set(data) - TRANSLATION_SECTIONS):
            problems.add(path, f"unknown section {section!r}")
        for key, value in flatten(data).items():
            if not isinstance(value, str):
                problems.add(path, f"{key}: must be text")
            elif URL.search(value):
                problems.add(path, f"{key}: no URLs in translations (use placeholders)")
            elif not value.strip():
                problems.add(path, f"{key}: empty text")
            for part in key.split(".")[1:]:
                if not SLUG.match(part):
                    problems.add(path, f"{key}: keys are lower-case letters, digits, _ and -")
                    break
    if set(translations) != set(LANGUAGES):
        return translations
    english, dutch = (flatten(translations[language]) for language in LANGUAGES)
    for key in sorted(set(english) ^ set(dutch)):
        where = "en.json" if key in english else "nl.json"
        problems.add(component / "translations", f"{key} is only in {where}")
    for key in sorted(set(english) & set(dutch)):
        placeholders = (set(re.findall(r"{(\w+)}", str(t))) for t in (english[key], dutch[key]))
        if next(placeholders) != next(placeholders):
            problems.add(component / "translations", f"{key}: placeholders differ")
    en_path = component / "translations" / "en.json"
    used = used_translation_keys(component)
    expected = [
        *(f"exceptions.{key}.message" for key in used["exceptions"]),
        *(f"device.{key}.name" for key in used["device"]),
        *(f"issues.{key}.title" for key in used["issues"]),
        *(f"issues.{key}.description" for key in used["issues"]),
        *(f"config.error.{key}" for key in used["error"]),
        *(f"config.abort.{key}" for key in used["abort"]),
    ]
    for key in sorted(expected):
        if key not in english:
            problems.add(en_path, f"{key} is used by the code but has no text")
    # Steps of the config flow and of the options flow (both in config_flow.py).
    steps = {
        **translations["en"].get("options", {}).get("step", {}),
        **translations["en"].get("config", {}).get("step", {}),
    }
    for step in sorted(used["step"] - set(steps)):
        problems.add(en_path, f"config step {step!r} has no texts")
    for field in sorted(form_fields(component)):
        for part in ("data", "data_description"):
            if not any(field in (texts.get(part) or {}) for texts in steps.values()):
                problems.add(en_path, f"config form field {field!r} has no {part} text")
    check_entity_translations(component, translations["en"], problems)
    return translations


def description_platform(name: str) -> str | None:
    """The platform of an entity description class (``ChargePointSensorDescription``)."""
    return next((platform for word, platform in PLATFORM_WORDS if word in name), None)


def _entity_descriptions(tree: ast.Module) -> Iterator[tuple[str, str | None, list[str]]]:
    """Each ``*Description(...)`` call: its platform, translation key and enum options."""
    for node in ast.walk(tree):
        name = _call_name(node) if isinstance(node, ast.Call) else ""
        if isinstance(node, ast.Call) and name.endswith("Description"):
            platform = description_platform(name)
            if platform is None:
                continue
            options = _keyword(node, "options")
            values = (
                [_constant(element) or "" for element in options.elts]
                if isinstance(options, ast.List | ast.Tuple)
                else []
            )
            yield platform, _constant(_keyword(node, "translation_key")), values


def check_entity_translations(
    component: Path, english: Mapping[str, Any], problems: Problems
) -> None:
    """Every constant entity translation key has a name; enum options a state text."""
    entities = english.get("entity", {})
    path = component / "translations" / "en.json"
    for _module, tree in python_sources(component):
        helpers = _forwarding_helpers(tree, entities=True)
        helper_platforms = _helper_platforms(tree, helpers)
        found = list(_entity_descriptions(tree))
        for node in ast.walk(tree):
            name = _call_name(node) if isinstance(node, ast.Call) else ""
            if (
                isinstance(node, ast.Call)
                and name in helper_platforms
                and len(node.args) > helpers[name]
            ):
                found.append((helper_platforms[name], _constant(node.args[helpers[name]]), []))
        for platform, key, options in found:
            if key is None:
                continue  # built from a variable: tests/integration/test_translations.py has it
            texts = entities.get(platform, {})
            if "name" not in texts.get(key, {}):
                problems.add(path, f"entity.{platform}.{key}.name is missing")
            for option in options:
                if option and option not in texts.get(key, {}).get("state", {}):
                    problems.add(path, f"entity.{platform}.{key}.state.{option} is missing")


def _helper_platforms(tree: ast.Module, helpers: Mapping[str, int]) -> dict[str, str]:
    """The platform of the description each helper makes."""
    platforms: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in helpers:
            for platform, _key, _options in _entity_descriptions(ast.Module([node], [])):
                platforms[node.name] = platform
    return platforms


# -------------------------------------------------------------------------- services, icons


def registered_services(component: Path) -> set[str]:
    """Action names services.py registers (the first item of each ``_SERVICES`` entry)."""
    tree = ast.parse((component / "services.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "_SERVICES" for t in targets):
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Tuple):
                for entry in value.elts:
                    if isinstance(entry, ast.Tuple) and entry.elts:
                        names.add(_constant(entry.elts[0]) or "")
    names.discard("")
    return names


def check_services(  # noqa: PLR0912
    component: Path, translations: Mapping[str, Mapping[str, Any]], problems: Problems
) -> dict[str, Any]:
    """services.yaml matches what services.py registers and what the translations name."""
    path = component / "services.yaml"
    services = load_yaml(path, problems) or {}
    registered = registered_services(component)
    for name in sorted(registered - set(services)):
        problems.add(path, f"action {name!r} is registered but not described")
    for name in sorted(set(services) - registered):
        problems.add(path, f"action {name!r} is described but not registered")
    for language, data in translations.items():
        texts = data.get("services", {})
        tpath = component / "translations" / f"{language}.json"
        for name in sorted(set(texts) - set(services)):
            problems.add(tpath, f"services.{name} is not an action of services.yaml")
        for name, spec in services.items():
            text = texts.get(name)
            if not isinstance(text, dict) or not {"name", "description"} <= set(text):
                problems.add(tpath, f"services.{name} needs a name and a description")
                continue
            fields = (spec or {}).get("fields", {}) or {}
            field_texts = text.get("fields", {})
            for field in sorted(set(fields) ^ set(field_texts)):
                problems.add(tpath, f"services.{name}.fields.{field} does not match services.yaml")
            for field in fields:
                if not {"name", "description"} <= set(field_texts.get(field, {})):
                    problems.add(tpath, f"services.{name}.fields.{field} needs name, description")
            for field_spec in fields.values():
                for key, options in _select_options(field_spec):
                    for option in options:
                        if option not in data.get("selector", {}).get(key, {}).get("options", {}):
                            problems.add(tpath, f"selector.{key}.options.{option} is missing")
    return services


def _select_options(field_spec: Any) -> Iterator[tuple[str, list[str]]]:
    select = ((field_spec or {}).get("selector") or {}).get("select") or {}
    if "translation_key" in select:
        yield select["translation_key"], [str(option) for option in select.get("options", [])]


def check_icons(
    component: Path,
    english: Mapping[str, Any] | None,
    services: Mapping[str, Any],
    problems: Problems,
) -> None:
    """Every action has an icon; every icon is for an action or entity key that exists."""
    path = component / "icons.json"
    icons = load_json(path, problems)
    if icons is None:
        return
    for key, value in flatten(icons).items():
        if not (isinstance(value, str) and value.startswith("mdi:")):
            problems.add(path, f"{key}: icons are 'mdi:' names")
    service_icons = icons.get("services", {})
    for name in sorted(set(services) - set(service_icons)):
        problems.add(path, f"action {name!r} has no icon")
    for name in sorted(set(service_icons) - set(services)):
        problems.add(path, f"services.{name} is not an action")
    if english is None:
        return
    entities = english.get("entity", {})
    for platform, keys in icons.get("entity", {}).items():
        for key, spec in keys.items():
            texts = entities.get(platform, {}).get(key)
            if texts is None:
                problems.add(path, f"entity.{platform}.{key} has no translation key")
                continue
            for state in (spec.get("state") or {}) if isinstance(spec, dict) else {}:
                if state not in ("on", "off") and state not in texts.get("state", {}):
                    problems.add(path, f"entity.{platform}.{key}.state.{state} is not a state")


# ---------------------------------------------------------------------------- HACS, brands


def check_hacs(root: Path, problems: Problems) -> None:
    """hacs.json as HACS's schema has it."""
    path = root / "hacs.json"
    hacs = load_json(path, problems)
    if hacs is None:
        return
    for key in sorted(set(hacs) - HACS_KEYS):
        problems.add(path, f"unknown key {key!r}")
    if not isinstance(hacs.get("name"), str):
        problems.add(path, "'name' is required")
    for key in ("content_in_root", "hide_default_branch", "render_readme", "zip_release"):
        if key in hacs and not isinstance(hacs[key], bool):
            problems.add(path, f"{key} must be true or false")
    if hacs.get("zip_release") and not hacs.get("filename"):
        problems.add(path, "zip_release needs a filename")
    version = hacs.get("homeassistant")
    if version is not None and not (isinstance(version, str) and VERSION.match(version)):
        problems.add(path, f"homeassistant {version!r} is not a version")


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height from a PNG's header; None when it is not a PNG."""
    head = path.read_bytes()[:24]
    if len(head) < 24 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def check_brand(component: Path, problems: Problems) -> None:
    """Icons square at 256 (and 512), logos 128-256 (and 256-512) on their shortest side."""
    brand = component / "brand"
    for name, side in SQUARE_ICONS.items():
        path = brand / name
        if not path.is_file():
            problems.add(path, "missing")
            continue
        size = png_size(path)
        if size != (side, side):
            problems.add(path, f"must be a {side}x{side} PNG (is {size})")
    for name, (low, high) in LOGOS.items():
        path = brand / name
        if not path.is_file():
            continue  # logos are optional
        size = png_size(path)
        if size is None or not low <= min(size) <= high:
            problems.add(path, f"must be a PNG {low}-{high} pixels on its shortest side")


# ------------------------------------------------------------------------------------- main


def validate(root: Path) -> list[str]:
    """Every problem of the repository at ``root`` (empty: all good)."""
    problems = Problems(root)
    component = root / "custom_components" / DOMAIN
    manifest = check_manifest(component, problems)
    check_quality_scale(component, manifest, problems)
    translations = check_translations(component, problems)
    services = check_services(component, translations, problems)
    check_icons(component, translations.get("en"), services, problems)
    check_hacs(root, problems)
    check_brand(component, problems)
    return problems.items


def main(argv: Iterable[str] | None = None) -> int:
    """Print the problems; exit status 1 when there are any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(list(argv) if argv is not None else None)
    found = validate(args.root)
    for problem in found:
        print(f"validate: {problem}")
    if found:
        print(f"validate: {len(found)} problem(s)")
        return 1
    print("validate: manifest, quality scale, translations, services, icons, HACS, brand: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
