"""Reading stack files: values, the line of every value, and secrets kept opaque.

A stack file is ``stacks/Pulumi.<stack>.yaml``. Its ``config`` map holds namespaced keys
(``argosy:network``, ``pulumi:disable-default-providers``); ``secure:`` values are ciphertext
that only the Pulumi CLI can decrypt, so offline they stay :class:`SecretValue` objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from argosy.config.errors import ConfigInvalidError, ConfigIssue

PathPart = str | int
ValuePath = tuple[PathPart, ...]


@dataclass(frozen=True)
class SecretValue:
    """A ``secure:`` config value. Its plain text never exists offline."""

    ciphertext: str

    def __repr__(self) -> str:
        return "[secret]"


@dataclass(frozen=True, kw_only=True)
class ConfigSource:
    """Where a stage's config came from, for error messages.

    Attributes:
        file: The file as the user named it (or the default stack file path).
        lines: 1-based line of each value, keyed by its path under ``config``, e.g.
            ``("argosy:cluster", "nodeGroups", 0, "minSize")``. Empty when unknown.
    """

    file: str
    lines: Mapping[ValuePath, int] = field(default_factory=dict)

    def line_of(self, path: ValuePath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


@dataclass(frozen=True, kw_only=True)
class StackFile:
    """A parsed stack file.

    Attributes:
        stack: The stack name (``dev`` for ``Pulumi.dev.yaml``).
        path: The file on disk.
        source: File name and value lines for error messages.
        config: The ``config`` map: namespaced key to YAML value; secrets as SecretValue.
        secrets_provider: The ``secretsprovider`` line, if any.
    """

    stack: str
    path: Path
    source: ConfigSource
    config: Mapping[str, Any]
    secrets_provider: str | None


def _issue(
    display: str, line: int | None, path: str, value: str, rule: str, example: str
) -> ConfigIssue:
    return ConfigIssue(file=display, line=line, path=path, value=value, rule=rule, example=example)


class _Reader:
    """Builds values from a composed YAML node tree, noting lines and duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, display: str) -> None:
        self.loader = loader
        self.display = display
        self.lines: dict[ValuePath, int] = {}
        self.issues: list[ConfigIssue] = []

    def read(self, node: yaml.Node, path: ValuePath) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if key in result:
                    self.issues.append(
                        _issue(
                            self.display,
                            key_node.start_mark.line + 1,
                            ".".join(map(str, (*path, key))) or str(key),
                            "(repeated key)",
                            "each key at most once in a mapping; YAML would silently keep "
                            "only the last",
                            f"{key}: <one value>",
                        )
                    )
                result[key] = self.read(value_node, (*path, key))
            if set(result) == {"secure"} and isinstance(result["secure"], str):
                return SecretValue(result["secure"])
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def read_stack_file(path: Path, *, stack: str, display: str | None = None) -> StackFile:
    """Parse a stack file; raise ConfigInvalidError listing every structural problem."""
    shown = display if display is not None else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigInvalidError(
            [
                _issue(
                    shown,
                    None,
                    "(file)",
                    "(missing)",
                    f"stack {stack} needs its stack file; create it from one of the examples "
                    "in stacks/",
                    "cp stacks/Pulumi.dev.yaml " + shown,
                )
            ]
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise ConfigInvalidError(
                [
                    _issue(
                        shown,
                        mark.line + 1 if mark else None,
                        "(file)",
                        "(unparsable)",
                        f"valid YAML: {exc.problem or exc}",
                        "argosy:network:\n      vpcCidr: 10.20.0.0/16",
                    )
                ]
            ) from None
        reader = _Reader(loader, shown)
        document = reader.read(root, ()) if root is not None else {}
    finally:
        loader.dispose()

    issues = list(reader.issues) if root is not None else []
    if not isinstance(document, dict):
        raise ConfigInvalidError(
            [
                _issue(
                    shown,
                    1,
                    "(file)",
                    "(not a mapping)",
                    "a stack file is a YAML mapping",
                    "config:\n  argosy:role: workload",
                )
            ]
        )
    raw_config = document.get("config", {})
    if raw_config is None:
        raw_config = {}
    if not isinstance(raw_config, dict):
        issues.append(
            _issue(
                shown,
                reader.lines.get(("config",)),
                "config",
                "(not a mapping)",
                "config is a mapping of namespaced keys",
                "config:\n  argosy:role: workload",
            )
        )
        raw_config = {}
    for key in raw_config:
        if not isinstance(key, str) or ":" not in key:
            issues.append(
                _issue(
                    shown,
                    reader.lines.get(("config", key)),
                    f"config.{key}",
                    str(key),
                    "config keys are namespaced, <namespace>:<key>, as `pulumi config set` "
                    "writes them",
                    f"argosy:{key}: ...",
                )
            )
    if issues:
        raise ConfigInvalidError(issues)

    # Value paths are relative to the config map, where validation addresses them.
    lines = {p[1:]: line for p, line in reader.lines.items() if p[:1] == ("config",) and p[1:]}
    provider = document.get("secretsprovider")
    return StackFile(
        stack=stack,
        path=path,
        source=ConfigSource(file=shown, lines=lines),
        config=raw_config,
        secrets_provider=provider if isinstance(provider, str) else None,
    )


def encode_for_program(config: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Encode a stack file's config as the Pulumi CLI hands it to a program.

    Top-level strings pass as they are, other scalars as their text, maps and lists as JSON.
    Secrets become the placeholder ``[secret]`` (offline there is no plain text) and their
    keys are returned as secret keys, so ``Config.get_secret`` still yields a secret Output.
    """
    encoded: dict[str, str] = {}
    secret_keys: list[str] = []

    def plain(value: Any) -> Any:
        if isinstance(value, SecretValue):
            return "[secret]"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    def contains_secret(value: Any) -> bool:
        if isinstance(value, SecretValue):
            return True
        if isinstance(value, dict):
            return any(contains_secret(v) for v in value.values())
        if isinstance(value, list):
            return any(contains_secret(v) for v in value)
        return False

    for key, value in sorted(config.items()):
        if contains_secret(value):
            secret_keys.append(key)
        value = plain(value)
        if isinstance(value, str):
            encoded[key] = value
        elif isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            encoded[key] = str(value)
        elif value is None:
            encoded[key] = ""
        else:
            encoded[key] = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return encoded, secret_keys


def decode_from_program(encoded: Mapping[str, str], object_keys: frozenset[str]) -> dict[str, Any]:
    """Undo :func:`encode_for_program` for the keys a program reads.

    ``object_keys`` (namespaced) are parsed as JSON; the text of one that does not parse is
    kept, so that validation reports it as the wrong type. Other values that the CLI can only
    have sent as JSON (a map or a list) are parsed too. ``true``/``false`` become booleans,
    as ``Config.get_bool`` reads them.
    """
    decoded: dict[str, Any] = {}
    for key, text in encoded.items():
        if key in object_keys or text.startswith(("{", "[")):
            try:
                decoded[key] = json.loads(text)
            except json.JSONDecodeError:
                decoded[key] = text
        elif text in ("true", "false"):
            decoded[key] = text == "true"
        else:
            decoded[key] = text
    return decoded
