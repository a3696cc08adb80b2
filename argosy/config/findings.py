"""Keys out of place, and everything else reading the stack file found.

Before the values are checked (:func:`check_keys`), keys argosy does not read are reported and
config keys written out of place (without their namespace, or indented into another key's
value) are taken where they belong, so that their values are checked too. After
(:func:`report_findings`), what :mod:`argosy.config.source` found while reading the file is
reported: YAML tags, keys outside ``config:``, repeated keys, keys written without namespace
or inside another value, recursive aliases, unknown top-level keys. Each issue's example is
the value as written when it is valid where it belongs, else a valid one.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from argosy.config.context import validation_context
from argosy.config.errors import MISSING
from argosy.config.examples import EXAMPLE_WIDTH, field_example, is_valid, key_example
from argosy.config.keys import KEYS, KEYS_BY_KEY, NAMESPACE, ROLES, KeySpec
from argosy.config.run import ValidationRun
from argosy.config.source import STACK_FILE_KEYS, ReadFinding, ValuePath
from argosy.config.spelling import respell
from argosy.config.values import format_path, lookup, show

#: Namespaces of common keys written without theirs.
OTHER_NAMESPACES = {
    "disable-default-providers": "pulumi",
    "region": "aws",
    "profile": "aws",
}


def check_keys(run: ValidationRun) -> None:
    """Unknown keys, config keys written without namespace or inside another value."""
    for key in sorted(run.ours.keys() - KEYS_BY_KEY.keys()):
        spec = _closest_unset_key(run, key)
        run.add(
            (key,),
            run.ours[key],
            "unknown key; argosy reads: " + ", ".join(s.key for s in KEYS),
            _candidate_example(run, spec, run.ours[key]),
            about_value=False,
            key_line=True,
        )
    for found in run.source.findings:
        if found.kind == "not-namespaced" and isinstance(found.path[0], str):
            target = f"{NAMESPACE}:{found.path[0]}"
            if target in KEYS_BY_KEY and target not in run.ours:
                # Checked as the key it must be, so its value's mistakes show now too.
                run.ours[target] = found.value
                run.spelling.written[(target,)] = found.path
    for spec in KEYS:
        if spec.key in run.ours:
            written = run.spelling.as_written((spec.key,))
            run.validated[spec.key] = respell(
                spec.model, run.ours[spec.key], written, (spec.key,), run.spelling
            )
    for here, key, value in run.spelling.misplaced:
        if key in KEYS_BY_KEY and key not in run.ours:
            spec = KEYS_BY_KEY[key]
            run.ours[key] = value
            run.spelling.written[(key,)] = here
            run.validated[key] = respell(spec.model, value, here, (key,), run.spelling)
    run.context = validation_context(run.ours)


def _closest_unset_key(run: ValidationRun, key: str) -> KeySpec:
    """The key argosy reads that ``key`` most likely means: a close one, else one unset."""
    close = difflib.get_close_matches(key, list(KEYS_BY_KEY), n=1, cutoff=0.6)
    if close:
        return KEYS_BY_KEY[close[0]]
    role = run.ours.get(f"{NAMESPACE}:role")
    unset = [
        s.key for s in KEYS if s.key not in run.ours and (role not in ROLES or role in s.allowed)
    ]
    close = difflib.get_close_matches(key, unset or list(KEYS_BY_KEY), n=1, cutoff=0.0)
    return KEYS_BY_KEY[close[0]] if close else KEYS[0]


def _candidate_example(run: ValidationRun, spec: KeySpec, value: Any) -> str:
    """``<spec's key>: <value>`` when the value is valid there, else the key's example."""
    shown = show(value)
    valid = is_valid(spec.adapter, value, run.context)
    if valid and len(shown) <= EXAMPLE_WIDTH:
        return f"{spec.key}: {shown}"
    return key_example(spec, run.ours, run.context)


def report_findings(run: ValidationRun) -> None:
    """Report what reading the stack file found, then config keys indented too far."""
    for found in run.source.findings:
        if found.kind == "tag":
            run.add(
                found.path,
                found.value,
                "Pulumi stack files take plain YAML values, not tags such as "
                "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself",
                _example_line(run, found.path, found.value, where=found.where),
                shown=f"{found.detail} {show(found.value)}",
                line=found.line,
                about_value=False,
            )
        elif found.kind == "outside-config":
            run.add(
                found.path,
                found.value,
                "outside config: Pulumi reads config keys only under config: and ignores "
                "this one at the top level of the file; indent it under config:",
                "config:\n" + " " * 15 + _outside_example(run, found),
                line=found.line,
                about_value=False,
            )
        elif found.kind == "repeated-key":
            run.add(
                found.path,
                found.value,
                "each key at most once in a mapping; YAML would silently keep only the last",
                "config:  # once, with the keys of both blocks"
                if found.where == "file" and found.path == ("config",)
                else _example_line(run, found.path, found.value, where=found.where),
                shown="(repeated key)",
                line=found.line,
                about_value=False,
            )
        elif found.kind == "not-namespaced":
            _report_not_namespaced(run, found)
        elif found.kind == "recursive-alias":
            run.add(
                found.path,
                None,
                "an alias must not refer to a value that contains it",
                _example_line(run, found.path, MISSING),
                shown="(recursive alias)",
                line=found.line,
                about_value=False,
            )
        elif found.kind == "top-level-key":
            run.add(
                found.path,
                found.value,
                "Pulumi ignores top-level keys other than "
                f"{', '.join(STACK_FILE_KEYS)}; is it {found.detail}?",
                f"{found.detail}: {show(found.value)}",
                severity="warning",
                line=found.line,
                about_value=False,
            )
    for here, key, value in run.spelling.misplaced:
        run.add(
            here,
            value,
            f"a config key written inside {format_path(here[:-1])}, indented too far; "
            "indent it like the keys directly under config:",
            _example_line(run, (key,), value),
            about_value=False,
            key_line=True,
        )


def _outside_example(run: ValidationRun, found: ReadFinding) -> str:
    """The key outside config: as it would be written under it."""
    key = str(found.path[0])
    spec = KEYS_BY_KEY.get(key)
    if spec is not None and run.values.get(key) is not found.value:
        # config: has the key too; this value was not checked where it is: try it.
        return _candidate_example(run, spec, found.value)
    return _example_line(run, found.path, found.value)


def _report_not_namespaced(run: ValidationRun, found: ReadFinding) -> None:
    """Report a config key written without namespace, with the namespaced key it means."""
    key = found.path[0]
    target = f"{NAMESPACE}:{key}"
    if target in KEYS_BY_KEY:
        example = _example_line(run, (target,), found.value)
    elif key in OTHER_NAMESPACES:
        example = f"{OTHER_NAMESPACES[str(key)]}:{key}: {show(found.value)}"
    else:
        spec = _closest_unset_key(run, f"{NAMESPACE}:{key}")
        example = _candidate_example(run, spec, found.value)
    run.add(
        found.path,
        found.value,
        "config keys are namespaced, <namespace>:<key>, as `pulumi config set` writes them",
        example,
        shown=str(key),
        line=found.line,
        path_text=f"config.{key}",
        about_value=False,
    )


def _example_line(
    run: ValidationRun, path: ValuePath, value: Any, *, where: Literal["config", "file"] = "config"
) -> str:
    """``key: value`` for the value at ``path`` (as written), valid where it is.

    The value as written when nothing is wrong with it (and it is short), else the
    field's example. ``key`` is the last name along ``path``: an item's example is its
    list's.
    """
    strings = [i for i, part in enumerate(path) if isinstance(part, str)]
    end = strings[-1] + 1 if strings else len(path)
    key = str(path[end - 1]) if path else ""
    written_value = lookup(run.values, path[:end])
    if written_value is MISSING:
        written_value = value
    if where == "file" or not path:
        return f"{key}: {show(written_value)}"
    validated = run.spelling.as_validated(path[:end])
    spec = KEYS_BY_KEY.get(str(validated[0]))
    if spec is None:
        return f"{key}: {show(written_value)}"
    raw = run.validated.get(spec.key, MISSING)
    current = lookup(raw, validated[1:]) if raw is not MISSING else MISSING
    if current is not MISSING:
        fine = run.clean_under(run.spelling.as_written(validated))
    else:
        current = written_value
        fine = len(validated) == 1 and is_valid(spec.adapter, current, run.context)
    if fine and current is not MISSING and len(show(current)) <= EXAMPLE_WIDTH:
        return f"{key}: {show(current)}"
    if len(validated) == 1:
        return key_example(spec, run.ours, run.context)
    return field_example(spec, validated[1:], raw, run.ours, run.context)
