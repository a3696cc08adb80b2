"""Reading stack files: values, the line of every value, and secrets kept opaque.

A stack file is ``stacks/Pulumi.<stack>.yaml``. Its ``config`` map holds namespaced keys
(``argosy:network``, ``pulumi:disable-default-providers``); ``secure:`` values are ciphertext
that only the Pulumi CLI can decrypt, so offline they stay :class:`SecretValue` objects.

Reading goes as far as the file allows, so that one run reports every mistake: bytes that are
not UTF-8, tags YAML does not define (CloudFormation's ``!Ref``), repeated keys and keys
written outside ``config:`` become :class:`ReadFinding` objects carried by the
:class:`ConfigSource`, and validation reports them with the rest (it knows the valid value
to suggest). Only a file that is missing, is not YAML or is not a mapping stops here.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from argosy.config.errors import ConfigInvalidError, ConfigIssue, show_value

PathPart = str | int
ValuePath = tuple[PathPart, ...]

#: The top-level keys of a stack settings file (Pulumi's "stack settings file reference").
STACK_FILE_KEYS: tuple[str, ...] = (
    "config",
    "secretsprovider",
    "encryptedkey",
    "encryptionsalt",
    "environment",
)

_YAML = "tag:yaml.org,2002:"
#: Tags whose values argosy reads as YAML defines them (explicit ``!!str`` included).
_PLAIN_TAGS = frozenset(_YAML + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
_TIMESTAMP = _YAML + "timestamp"
_MERGE = _YAML + "merge"


@dataclass(frozen=True)
class SecretValue:
    """A ``secure:`` config value. Its plain text never exists offline."""

    ciphertext: str

    def __repr__(self) -> str:
        return "[secret]"


ReadKind = Literal[
    "tag", "outside-config", "repeated-key", "not-namespaced", "recursive-alias", "top-level-key"
]


@dataclass(frozen=True, kw_only=True)
class ReadFinding:
    """A problem found while reading a stack file, which validation reports.

    Validation turns each into a :class:`ConfigIssue` with a valid example, which needs the
    config schema that reading does not know.

    Attributes:
        kind: ``tag`` (a tag YAML does not define, such as ``!Ref``), ``outside-config`` (a
            namespaced key at the top level of the file), ``repeated-key``, ``not-namespaced``
            (a config key without ``<namespace>:``), ``recursive-alias`` (an alias inside the
            value it names) or ``top-level-key`` (a top-level key Pulumi ignores, close to one
            it reads; a warning).
        path: Where the value sits (see ``where``).
        line: 1-based line of the key or value.
        value: The value as read (plain, without its tag); for ``repeated-key``, the value
            YAML keeps (the last).
        detail: The tag (``!Ref``) for ``tag``; the closest stack file key for
            ``top-level-key``; empty otherwise.
        where: ``config`` when ``path`` is relative to ``config``; ``file`` when it is relative
            to the file (a top-level key, or a value outside ``config:``).
    """

    kind: ReadKind
    path: ValuePath
    line: int | None
    value: Any
    detail: str = ""
    where: Literal["config", "file"] = "config"


@dataclass(frozen=True, kw_only=True)
class ConfigSource:
    """Where a stage's config came from, for error messages.

    Attributes:
        file: The file as the user named it (or the default stack file path).
        lines: 1-based line of each value, keyed by its path under ``config``, e.g.
            ``("argosy:cluster", "nodeGroups", 0, "minSize")``. Empty when unknown.
        key_lines: 1-based line of each key, by the same paths (a mapping value's line is
            that of its first key, the line after its own key).
        issues: Problems with the file as a whole found while reading it (bytes that are not
            UTF-8), reported by validation with the rest.
        findings: Problems found while reading that validation reports with an example.
    """

    file: str
    lines: Mapping[ValuePath, int] = field(default_factory=dict)
    key_lines: Mapping[ValuePath, int] = field(default_factory=dict)
    issues: tuple[ConfigIssue, ...] = ()
    findings: tuple[ReadFinding, ...] = ()

    def line_of(self, path: ValuePath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def key_line_of(self, path: ValuePath) -> int | None:
        """The line of the key that ends ``path`` (for a problem with the key itself)."""
        line = self.key_lines.get(path)
        return line if line is not None else self.line_of(path)


@dataclass(frozen=True, kw_only=True)
class StackFile:
    """A parsed stack file.

    Attributes:
        stack: The stack name (``dev`` for ``Pulumi.dev.yaml``).
        path: The file on disk.
        source: File name, value lines and reading problems for error messages. A stack file
            with findings is never valid: validation reports them.
        config: The ``config`` map: namespaced key to YAML value; secrets as SecretValue.
            Namespaced keys written outside ``config:`` are included (when ``config:`` lacks
            them) so that validation checks their values too.
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
    """Builds values from a composed YAML node tree, noting lines and reading problems.

    Merge keys (``<<: *base``, or a list of them) work as YAML 1.1 defines them: the merged
    mappings' keys first, the mapping's own keys winning, earlier merges winning over later
    ones; a merged value keeps the line where it is written. Tags YAML does not define are
    reported once per node and read as the plain value, so later checks still run.
    """

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[ValuePath, int] = {}
        self.key_lines: dict[ValuePath, int] = {}
        self.findings: list[ReadFinding] = []
        self._reported: set[tuple[str, int]] = set()
        self._open: set[int] = set()

    def read(self, node: yaml.Node, path: ValuePath) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if id(node) in self._open:
            self._find("recursive-alias", path, node, None)
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                value = self._mapping(node, path)
            elif isinstance(node, yaml.SequenceNode):
                value = [self.read(item, (*path, i)) for i, item in enumerate(node.value)]
            else:
                value = self._scalar(node)
        finally:
            self._open.discard(id(node))
        if not _known_tag(node):
            self._find("tag", path, node, value, detail=node.tag)
        return value

    def _find(
        self, kind: ReadKind, path: ValuePath, node: yaml.Node, value: Any, detail: str = ""
    ) -> None:
        """Note a problem with ``node``, once even when aliases read it again elsewhere."""
        if (kind, id(node)) in self._reported:
            return
        self._reported.add((kind, id(node)))
        line = node.start_mark.line + 1
        self.findings.append(
            ReadFinding(kind=kind, path=path, line=line, value=value, detail=detail)
        )

    def _scalar(self, node: yaml.Node) -> Any:
        assert isinstance(node, yaml.ScalarNode)
        if node.tag == _TIMESTAMP:
            # The Pulumi CLI hands a date-like scalar to the program as its text.
            return node.value
        if node.tag in _PLAIN_TAGS:
            return self.loader.construct_object(node, deep=True)
        # A tag YAML does not define: the value as if it were written without the tag.
        resolve: Callable[..., str] = self.loader.resolve
        tag = resolve(yaml.ScalarNode, node.value, (node.style is None, node.style is not None))
        if tag not in _PLAIN_TAGS:
            return node.value
        plain = yaml.ScalarNode(tag, node.value, node.start_mark, node.end_mark, node.style)
        return self.loader.construct_object(plain, deep=True)

    def _key(self, node: yaml.Node, path: ValuePath) -> Any:
        if isinstance(node, yaml.ScalarNode):
            key = self._scalar(node)
            if not _known_tag(node):
                self._find("tag", (*path, key), node, key, detail=node.tag)
            return key
        # A sequence or mapping as a key: its text, which no key rule accepts.
        return show_value(self.read(node, (*path, "?")))

    def _pairs(self, node: yaml.MappingNode, path: ValuePath) -> list[tuple[Any, yaml.Node]]:
        """The mapping's (key, value node) pairs after merges, the last of a key winning.

        Repeated keys among the mapping's own keys are reported; keys a merge brings are not
        repeats, they are what a merge is for.
        """
        merged: dict[Any, yaml.Node] = {}
        own: list[tuple[Any, yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            sources = _merge_sources(key_node, value_node)
            if sources is None or any(id(s) in self._open for s in sources):
                own.append((self._key(key_node, path), key_node, value_node))
                continue
            for source in sources:
                self._open.add(id(source))
                try:
                    pairs = self._pairs(source, path)
                finally:
                    self._open.discard(id(source))
                for key, value in pairs:
                    # Earlier merges win over later ones.
                    merged.setdefault(key, value)
        result = dict(merged)
        seen: set[Any] = set()
        for key, key_node, value_node in own:
            self.key_lines[(*path, key)] = key_node.start_mark.line + 1
            if key in seen:
                self._find("repeated-key", (*path, key), key_node, None)
            seen.add(key)
            result.pop(key, None)
            result[key] = value_node
        return list(result.items())

    def _mapping(self, node: yaml.MappingNode, path: ValuePath) -> Any:
        before = len(self.findings)
        result = {key: self.read(value, (*path, key)) for key, value in self._pairs(node, path)}
        # A repeated key shows the value YAML keeps (the last), now that it is read.
        for i in range(before, len(self.findings)):
            found = self.findings[i]
            if found.kind == "repeated-key" and found.path[:-1] == path:
                kept = result.get(found.path[-1])
                self.findings[i] = ReadFinding(
                    kind=found.kind, path=found.path, line=found.line, value=kept
                )
        if set(result) == {"secure"} and isinstance(result["secure"], str):
            return SecretValue(result["secure"])
        return result


def _known_tag(node: yaml.Node) -> bool:
    return node.tag in _PLAIN_TAGS or node.tag in (_TIMESTAMP, _MERGE)


def _merge_sources(key_node: yaml.Node, value_node: yaml.Node) -> list[yaml.MappingNode] | None:
    """The mappings a merge key brings in, or None when this is no merge YAML defines."""
    if key_node.tag != _MERGE:
        return None
    sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
    if not sources or not all(isinstance(s, yaml.MappingNode) for s in sources):
        return None
    return list(sources)


def _not_utf8(data: bytes, error: UnicodeDecodeError, shown: str) -> ConfigIssue:
    """The issue for the first byte of ``data`` that is not UTF-8."""
    start = data.rfind(b"\n", 0, error.start) + 1
    end = data.find(b"\n", error.start)
    line_bytes = data[start : end if end != -1 else len(data)].rstrip(b"\r")
    # Most such files were saved as Windows-1252 or Latin-1: show the line as meant.
    meant = line_bytes.decode("cp1252", errors="replace").strip()
    return _issue(
        shown,
        data.count(b"\n", 0, error.start) + 1,
        "(file)",
        f"(byte 0x{data[error.start]:02x} at column {error.start - start + 1})",
        "a stack file is UTF-8 text (Pulumi reads it as UTF-8); save it as UTF-8",
        meant,
    )


def _unparsable(shown: str, exc: yaml.YAMLError, text: str) -> ConfigInvalidError:
    line: int | None = None
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        problem = f"character #x{exc.character:04x} is not allowed in YAML"
    else:
        problem = str(exc)
    return ConfigInvalidError(
        [
            _issue(
                shown,
                line,
                "(file)",
                "(unparsable)",
                f"valid YAML: {problem}",
                "argosy:network:\n      vpcCidr: 10.20.0.0/16",
            )
        ]
    )


def _read_document(reader: _Reader, root: yaml.Node | None) -> Any:
    """The document's value, ``config`` read first.

    Reading config first makes a problem in an anchored value (a tag, say) that config uses
    through an alias be reported where config uses it.
    """
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return reader.read(root, ())
    reader.lines[()] = root.start_mark.line + 1
    pairs = reader._pairs(root, ())
    pairs.sort(key=lambda pair: pair[0] != "config")
    return {key: reader.read(node, (key,)) for key, node in pairs}


def read_stack_file(path: Path, *, stack: str, display: str | None = None) -> StackFile:
    """Parse a stack file as far as it goes.

    Raises ConfigInvalidError when the file is missing, is not YAML or is not a mapping.
    Every other problem (not UTF-8, unknown tags, repeated keys, keys outside ``config:``)
    is carried by the returned source, for validation to report with the rest.
    """
    shown = display if display is not None else str(path)
    try:
        data = path.read_bytes()
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
    file_issues: list[ConfigIssue] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        file_issues.append(_not_utf8(data, exc, shown))
        text = data.decode("utf-8", errors="replace")

    try:
        # The loader checks the characters as it starts.
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:
        raise _unparsable(shown, exc, text) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _unparsable(shown, exc, text) from None
        reader = _Reader(loader)
        document = _read_document(reader, root)
    finally:
        loader.dispose()

    if not isinstance(document, dict):
        raise ConfigInvalidError(
            [
                *file_issues,
                _issue(
                    shown,
                    1,
                    "(file)",
                    "(not a mapping)",
                    "a stack file is a YAML mapping",
                    "config:\n  argosy:role: workload",
                ),
            ]
        )
    raw_config = document.get("config", {})
    if raw_config is None:
        raw_config = {}
    if not isinstance(raw_config, dict):
        file_issues.append(
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
    config = dict(raw_config)
    # Lines and findings below config are relative to it, where validation addresses values.
    lines = {p[1:]: n for p, n in reader.lines.items() if p[:1] == ("config",) and p[1:]}
    key_lines = {p[1:]: n for p, n in reader.key_lines.items() if p[:1] == ("config",) and p[1:]}
    ignored: set[Any] = set()
    findings: list[ReadFinding] = []
    for key, value in document.items():
        if key in STACK_FILE_KEYS:
            continue
        if isinstance(key, str) and ":" in key:
            findings.append(
                ReadFinding(
                    kind="outside-config",
                    path=(key,),
                    line=reader.key_lines.get((key,)),
                    value=value,
                    where="file",
                )
            )
            if key not in config:
                # Checked as if written under config:, so its own mistakes show now too.
                config[key] = value
                lines.update({p: n for p, n in reader.lines.items() if p[:1] == (key,)})
                key_lines.update({p: n for p, n in reader.key_lines.items() if p[:1] == (key,)})
            continue
        # Pulumi ignores other top-level keys (a place for YAML anchors, say); a name close
        # to one it reads is most likely a misspelling.
        ignored.add(key)
        close = difflib.get_close_matches(str(key), STACK_FILE_KEYS, n=1, cutoff=0.75)
        if close:
            findings.append(
                ReadFinding(
                    kind="top-level-key",
                    path=(key,),
                    line=reader.key_lines.get((key,)),
                    value=value,
                    detail=close[0],
                    where="file",
                )
            )
    for found in reader.findings:
        if found.path[:1] == ("config",) and len(found.path) > 1:
            findings.append(dataclasses.replace(found, path=found.path[1:]))
        elif found.path[:1] and isinstance(found.path[0], str) and ":" in found.path[0]:
            findings.append(found)  # below a key outside config:, checked as if under it
        elif found.path[:1] and found.path[0] not in ignored:
            findings.append(dataclasses.replace(found, where="file"))
    for key in raw_config:
        if not isinstance(key, str) or ":" not in key:
            findings.append(
                ReadFinding(
                    kind="not-namespaced",
                    path=(key,),
                    line=reader.key_lines.get(("config", key)),
                    value=raw_config[key],
                )
            )

    provider = document.get("secretsprovider")
    return StackFile(
        stack=stack,
        path=path,
        source=ConfigSource(
            file=shown,
            lines=lines,
            key_lines=key_lines,
            issues=tuple(file_issues),
            findings=tuple(findings),
        ),
        config=config,
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


@dataclass(frozen=True, kw_only=True)
class YamlFile:
    """A YAML file other than a stack file (an app file), read with the lines of its values.

    Attributes:
        value: The document, as :class:`_Reader` reads it (merge keys, unknown tags plain).
        source: File name, lines, and what reading found (repeated keys, unknown tags,
            recursive aliases), which the caller reports with its own issues.
    """

    value: Any
    source: ConfigSource


def read_yaml_file(path: Path, *, display: str, example: str) -> YamlFile:
    """Read one YAML document with its lines.

    ``example`` is a valid file's beginning, shown when the file is not YAML at all.

    Raises:
        ConfigInvalidError: the file is unreadable, not UTF-8 or not YAML.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigInvalidError(
            [
                _issue(
                    display,
                    None,
                    "(file)",
                    "(unreadable)",
                    f"a readable file ({exc.strerror})",
                    example,
                )
            ]
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        issue = _not_utf8(data, exc, display)
        raise ConfigInvalidError(
            [dataclasses.replace(issue, rule="a YAML file is UTF-8 text; save it as UTF-8")]
        ) from None
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:
        raise _with_example(_unparsable(display, exc, text), example) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _with_example(_unparsable(display, exc, text), example) from None
        reader = _Reader(loader)
        value = reader.read(root, ()) if root is not None else None
    finally:
        loader.dispose()
    return YamlFile(
        value=value,
        source=ConfigSource(
            file=display,
            lines=reader.lines,
            key_lines=reader.key_lines,
            findings=tuple(reader.findings),
        ),
    )


def _with_example(error: ConfigInvalidError, example: str) -> ConfigInvalidError:
    return ConfigInvalidError(dataclasses.replace(i, example=example) for i in error.issues)
