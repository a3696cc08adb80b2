"""Reading stack files, and handing their config to the program as the Pulumi CLI does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from argosy.config.errors import ConfigInvalidError
from argosy.config.source import (
    ConfigSource,
    SecretValue,
    decode_from_program,
    encode_for_program,
    read_stack_file,
)
from argosy.config.validate import OBJECT_KEYS, validate_stage
from tests.conftest import EXAMPLE_STACKS, REPO


def issues_of(path: Path, stack: str = "dev") -> list[str]:
    with pytest.raises(ConfigInvalidError) as caught:
        stack_file = read_stack_file(path, stack=stack, display=path.name)
        validate_stage(stack, stack_file.config, source=stack_file.source)
    return [i.format() for i in caught.value.errors]


def test_lines_point_at_values(write_stack: Callable[..., Path]) -> None:
    path = write_stack(
        "config:\n"
        "  argosy:role: workload\n"
        "  argosy:production: false\n"
        "  argosy:network:\n"
        "    vpcCidr: 10.20.0.0/16\n"
    )
    source = read_stack_file(path, stack="dev").source
    assert source.line_of(("argosy:network", "vpcCidr")) == 5
    # A mapping's line is where its first key is; a missing field points at its parent.
    assert source.line_of(("argosy:network",)) == 5
    assert source.line_of(("argosy:network", "azCount")) == 5
    assert source.line_of(("argosy:role",)) == 2
    assert source.line_of(("argosy:cluster", "version")) is None


def test_repeated_keys_are_errors(write_stack: Callable[..., Path]) -> None:
    path = write_stack(
        "config:\n  argosy:role: workload\n  argosy:production: false\n  argosy:role: hub\n"
    )
    assert issues_of(path) == [
        "Pulumi.dev.yaml:4: config.argosy:role = (repeated key)\n"
        "    rule: each key at most once in a mapping; YAML would silently keep only the last\n"
        "    example: argosy:role: <one value>"
    ]


def test_yaml_syntax_error(write_stack: Callable[..., Path]) -> None:
    path = write_stack("config:\n  argosy:role: [workload\n")
    [issue] = issues_of(path)
    assert issue.startswith("Pulumi.dev.yaml:3: (file) = (unparsable)\n    rule: valid YAML:")


def test_keys_must_be_namespaced(write_stack: Callable[..., Path]) -> None:
    path = write_stack("config:\n  role: workload\n")
    assert issues_of(path) == [
        "Pulumi.dev.yaml:2: config.role = role\n"
        "    rule: config keys are namespaced, <namespace>:<key>, as `pulumi config set` writes "
        "them\n"
        "    example: argosy:role: ..."
    ]


def test_missing_stack_file(tmp_path: Path) -> None:
    assert issues_of(tmp_path / "Pulumi.qa.yaml", "qa") == [
        "Pulumi.qa.yaml: (file) = (missing)\n"
        "    rule: stack qa needs its stack file; create it from one of the examples in stacks/\n"
        "    example: cp stacks/Pulumi.dev.yaml Pulumi.qa.yaml"
    ]


def test_secure_values_stay_opaque(write_stack: Callable[..., Path]) -> None:
    path = write_stack(
        "config:\n  argosy:token:\n    secure: AAABAMg0bDc=\n  argosy:nested:\n"
        "    inner:\n      secure: AAABAJk=\n    plain: 1\n"
    )
    config = read_stack_file(path, stack="dev").config
    assert config["argosy:token"] == SecretValue("AAABAMg0bDc=")
    assert repr(config["argosy:token"]) == "[secret]"
    encoded, secret_keys = encode_for_program(config)
    assert encoded == {
        "argosy:nested": '{"inner":"[secret]","plain":1}',
        "argosy:token": "[secret]",
    }
    assert secret_keys == ["argosy:nested", "argosy:token"]
    assert "AAAB" not in str(encoded)


def test_encoding_matches_the_cli() -> None:
    encoded, _ = encode_for_program(
        {
            "argosy:role": "workload",
            "argosy:production": True,
            "argosy:count": 3,
            "argosy:network": {"vpcCidr": "10.20.0.0/16", "azCount": 2},
            "pulumi:disable-default-providers": ["*"],
        }
    )
    # Top-level scalars become their text; objects and lists become JSON.
    assert encoded == {
        "argosy:count": "3",
        "argosy:network": '{"azCount":2,"vpcCidr":"10.20.0.0/16"}',
        "argosy:production": "true",
        "argosy:role": "workload",
        "pulumi:disable-default-providers": '["*"]',
    }


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_program_path_validates_like_the_plan(stack: str) -> None:
    """The program reads CLI-encoded config; it must reach the same StageConfig."""
    stack_file = read_stack_file(REPO / "stacks" / f"Pulumi.{stack}.yaml", stack=stack)
    from_file = validate_stage(stack, stack_file.config, source=stack_file.source)
    encoded, _ = encode_for_program(stack_file.config)
    from_program = validate_stage(
        stack, decode_from_program(encoded, OBJECT_KEYS), source=ConfigSource(file="x")
    )
    assert from_program.__dict__ | {"source": None, "warnings": None} == (
        from_file.__dict__ | {"source": None, "warnings": None}
    )


def test_program_path_reports_the_same_errors(write_stack: Callable[..., Path]) -> None:
    text = (
        "config:\n  argosy:role: workload\n  argosy:production: maybe\n"
        "  argosy:aws: {accountId: 12, region: x, deployRoleArn: y}\n"
        '  argosy:network: "10.0.0.0/16"\n'
    )
    stack_file = read_stack_file(write_stack(text), stack="dev")
    with pytest.raises(ConfigInvalidError) as from_file:
        validate_stage("dev", stack_file.config, source=ConfigSource(file="f"))
    encoded, _ = encode_for_program(stack_file.config)
    with pytest.raises(ConfigInvalidError) as from_program:
        validate_stage(
            "dev", decode_from_program(encoded, OBJECT_KEYS), source=ConfigSource(file="f")
        )
    assert [i.format() for i in from_program.value.issues] == [
        i.format() for i in from_file.value.issues
    ]
    assert len(from_file.value.errors) == 6
