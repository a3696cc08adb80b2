"""Reading stack files, and handing their config to the program as the Pulumi CLI does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from argosy.config.errors import ConfigInvalidError
from argosy.config.keys import OBJECT_KEYS
from argosy.config.source import (
    ConfigSource,
    SecretValue,
    decode_from_program,
    encode_for_program,
    read_stack_file,
)
from argosy.config.validate import validate_stage
from tests.conftest import EXAMPLE_STACKS, REPO

#: A valid stack file, line by line, for tests that plant one mistake in it.
VALID = """\
config:
  pulumi:disable-default-providers: ["*"]
  argosy:role: workload
  argosy:production: false
  argosy:aws:
    accountId: "222222222222"
    region: eu-west-1
    deployRoleArn: arn:aws:iam::222222222222:role/argosy-deploy
  argosy:network:
    vpcCidr: 10.20.0.0/16
    azCount: 2
  argosy:cluster:
    version: "1.35"
    nodeGroups:
      - name: system
        instanceTypes: [t4g.large]
        minSize: 1
        desiredSize: 2
        maxSize: 3
"""


def issues_of(path: Path, stack: str = "dev") -> list[str]:
    with pytest.raises(ConfigInvalidError) as caught:
        stack_file = read_stack_file(path, stack=stack, display=path.name)
        validate_stage(stack, stack_file.config, source=stack_file.source)
    return [i.format() for i in caught.value.errors]


def test_the_valid_file_is_valid(write_stack: Callable[..., Path]) -> None:
    stack_file = read_stack_file(write_stack(VALID), stack="dev")
    validate_stage("dev", stack_file.config, source=stack_file.source)


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
    path = write_stack(VALID + "  argosy:role: hub\n")
    # The path is relative to config, like every other; the example is the value YAML kept.
    assert issues_of(path) == [
        "Pulumi.dev.yaml:20: argosy:role = (repeated key)\n"
        "    rule: each key at most once in a mapping; YAML would silently keep only the last\n"
        "    example: argosy:role: hub"
    ]


def test_a_repeated_config_block(write_stack: Callable[..., Path]) -> None:
    path = write_stack(VALID + "config:\n  argosy:tags: {team: platform}\n")
    # YAML keeps the second block only: what the first held is missing.
    assert issues_of(path) == [
        "Pulumi.dev.yaml: argosy:production = (not set)\n"
        "    rule: required\n"
        "    example: argosy:production: false",
        "Pulumi.dev.yaml: argosy:role = (not set)\n"
        "    rule: required\n"
        "    example: argosy:role: workload",
        "Pulumi.dev.yaml:20: config = (repeated key)\n"
        "    rule: each key at most once in a mapping; YAML would silently keep only the last\n"
        "    example: config:  # once, with the keys of both blocks",
    ]


def test_yaml_syntax_error(write_stack: Callable[..., Path]) -> None:
    path = write_stack("config:\n  argosy:role: [workload\n")
    [issue] = issues_of(path)
    assert issue.startswith("Pulumi.dev.yaml:3: (file) = (unparsable)\n    rule: valid YAML:")


def test_keys_must_be_namespaced(write_stack: Callable[..., Path]) -> None:
    path = write_stack(VALID.replace("argosy:role: workload", "role: workload"))
    # The value is checked as argosy:role, so argosy:role is not reported missing too.
    assert issues_of(path) == [
        "Pulumi.dev.yaml:3: config.role = role\n"
        "    rule: config keys are namespaced, <namespace>:<key>, as `pulumi config set` writes "
        "them\n"
        "    example: argosy:role: workload"
    ]
    path = write_stack(VALID.replace("argosy:role: workload", "role: spoke"))
    assert issues_of(path) == [
        "Pulumi.dev.yaml:3: config.role = role\n"
        "    rule: config keys are namespaced, <namespace>:<key>, as `pulumi config set` writes "
        "them\n"
        "    example: argosy:role: workload",
        "Pulumi.dev.yaml:3: role = spoke\n"
        "    rule: must be one of: hub, workload, local\n"
        "    example: argosy:role: workload",
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


# --------------------------------------------------------------------------------------
# Reading as far as the file goes: merges, tags, encodings, keys in the wrong place


def test_merge_keys_work_as_yaml_defines() -> None:
    """Merged keys first, own keys win, earlier merges win over later ones."""
    path = REPO / "tests" / "fixtures" / "broken" / "merge-keys.yaml"
    stack_file = read_stack_file(path, stack="dev")
    assert stack_file.source.findings == ()
    groups = stack_file.config["argosy:cluster"]["nodeGroups"]
    assert groups[1] == {
        "name": "batch",
        "instanceTypes": ["t4g.large"],
        "minSize": 1,
        "desiredSize": 2,
        "maxSize": 6,
        "labels": {"argosy.dev/team": "platform"},
    }
    assert (groups[2]["capacityType"], groups[2]["maxSize"]) == ("SPOT", 3)
    assert groups[2]["instanceTypes"] == ["t4g.large", "t4g.xlarge"]
    assert groups[2]["labels"] == {"argosy.dev/team": "platform", "argosy.dev/capacity": "spot"}
    # A merged value's line is where it is written: in the anchored mapping.
    lines = stack_file.source.lines
    assert lines[("argosy:cluster", "nodeGroups", 1, "instanceTypes")] == 19
    assert lines[("argosy:cluster", "nodeGroups", 1, "maxSize")] == 27
    config = validate_stage("dev", stack_file.config, source=stack_file.source)
    assert [w.path for w in config.warnings] == []


def test_merged_keys_are_no_repeats_but_own_repeats_are(write_stack: Callable[..., Path]) -> None:
    text = VALID.replace(
        "      - name: system\n",
        "      - &base\n        name: system\n",
    ) + (
        "      - <<: *base\n"
        "        name: batch\n"
        "        name: batch-2\n"
        "        instanceTypes: [t4g]\n"
    )
    # The mistake in the second group is reported where it is written; the own repeated key
    # is a repeat, the keys brought by the merge are not.
    assert issues_of(write_stack(text)) == [
        "Pulumi.dev.yaml:23: argosy:cluster.nodeGroups[1].name = (repeated key)\n"
        "    rule: each key at most once in a mapping; YAML would silently keep only the last\n"
        "    example: name: batch-2",
        "Pulumi.dev.yaml:24: argosy:cluster.nodeGroups[1].instanceTypes[0] = t4g\n"
        "    rule: an EC2 instance type such as m7g.large\n"
        "    example: instanceTypes: [m7g.large]",
    ]


def test_a_mistake_in_an_anchor_is_reported_where_it_is_written(
    write_stack: Callable[..., Path],
) -> None:
    text = VALID.replace("[t4g.large]", "&types [t4g]") + (
        "      - name: batch\n"
        "        instanceTypes: *types\n"
        "        minSize: 0\n"
        "        desiredSize: 0\n"
        "        maxSize: 2\n"
    )
    assert [i.splitlines()[0] for i in issues_of(write_stack(text))] == [
        "Pulumi.dev.yaml:16: argosy:cluster.nodeGroups[0].instanceTypes[0] = t4g",
        "Pulumi.dev.yaml:16: argosy:cluster.nodeGroups[1].instanceTypes[0] = t4g",
    ]


def test_unknown_tags_are_read_as_plain_values(write_stack: Callable[..., Path]) -> None:
    text = (
        VALID.replace('version: "1.35"', 'version: !Sub "1.35"')
        .replace("minSize: 1", "minSize: !Ref 1")
        .replace("[t4g.large]", "[!Ref t4g.large]")
    )
    stack_file = read_stack_file(write_stack(text), stack="dev")
    cluster = stack_file.config["argosy:cluster"]
    assert cluster["version"] == "1.35"  # quoted: a string, as without the tag
    assert cluster["nodeGroups"][0]["minSize"] == 1  # plain: a number, as without the tag
    assert [(f.kind, f.path, f.line, f.detail) for f in stack_file.source.findings] == [
        ("tag", ("argosy:cluster", "version"), 13, "!Sub"),
        ("tag", ("argosy:cluster", "nodeGroups", 0, "instanceTypes", 0), 16, "!Ref"),
        ("tag", ("argosy:cluster", "nodeGroups", 0, "minSize"), 17, "!Ref"),
    ]
    assert issues_of(write_stack(text))[0] == (
        "Pulumi.dev.yaml:13: argosy:cluster.version = !Sub '1.35'\n"
        "    rule: Pulumi stack files take plain YAML values, not tags such as CloudFormation's "
        "!Ref, !Sub or !GetAtt; write the value itself\n"
        "    example: version: '1.35'"
    )


def test_a_tag_in_an_anchor_is_reported_once(write_stack: Callable[..., Path]) -> None:
    text = VALID.replace("[t4g.large]", "&types [!Ref Types]") + (
        "      - name: batch\n"
        "        instanceTypes: *types\n"
        "        minSize: 0\n"
        "        desiredSize: 0\n"
        "        maxSize: 2\n"
    )
    findings = read_stack_file(write_stack(text), stack="dev").source.findings
    assert [(f.kind, f.line) for f in findings] == [("tag", 16)]


def test_not_utf8_is_reported_with_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    text = VALID.replace("azCount: 2", "azCount: 4") + "  argosy:tags: {owner: Ren\xe9e}\n"
    path.write_bytes(text.encode("latin-1"))
    # The rest is read with the bad byte replaced: the tag's value is reported as well.
    assert issues_of(path) == [
        "Pulumi.dev.yaml:11: argosy:network.azCount = 4\n"
        "    rule: region eu-west-1 offers 3 availability zones to a new account "
        "(argosy/config/regions.py); azCount must not be more than 3\n"
        "    example: azCount: 3",
        "Pulumi.dev.yaml:20: (file) = (byte 0xe9 at column 27)\n"
        "    rule: a stack file is UTF-8 text (Pulumi reads it as UTF-8); save it as UTF-8\n"
        "    example: argosy:tags: {owner: Renée}",
        "Pulumi.dev.yaml:20: argosy:tags.owner = Ren\ufffde\n"
        "    rule: an AWS tag value: at most 256 letters, digits, spaces or + - = . _ : / @\n"
        "    example: argosy:tags: {cost-center: platform}",
    ]


def test_a_whole_config_written_outside_it(write_stack: Callable[..., Path]) -> None:
    """config: left empty, every key below it at the top level (indentation lost)."""
    text = "config:\n" + "\n".join(line[2:] for line in VALID.splitlines()[1:]) + "\n"
    text = text.replace("natGateways", "natGateway").replace("azCount: 2", "azCount: 2\n")
    issues = issues_of(write_stack(text))
    assert [i.splitlines()[0] for i in issues] == [
        "Pulumi.dev.yaml:2: pulumi:disable-default-providers = ['*']",
        "Pulumi.dev.yaml:3: argosy:role = workload",
        "Pulumi.dev.yaml:4: argosy:production = false",
        "Pulumi.dev.yaml:5: argosy:aws = {accountId: '222222222222', region: eu-west-1, "
        "deployRoleArn: 'arn:aws:iam::222222222222:role/argosy-deploy'}",
        "Pulumi.dev.yaml:9: argosy:network = {vpcCidr: 10.20.0.0/16, azCount: 2}",
        "Pulumi.dev.yaml:13: argosy:cluster = {version: '1.35', nodeGroups: [{name: system, "
        "instanceTypes: [t4g.large], minSize: 1, desiredSize: 2, maxSize: 3}]}",
    ]
    assert issues[1] == (
        "Pulumi.dev.yaml:3: argosy:role = workload\n"
        "    rule: outside config: Pulumi reads config keys only under config: and ignores this "
        "one at the top level of the file; indent it under config:\n"
        "    example: config:\n"
        "               argosy:role: workload"
    )


def test_a_config_key_indented_into_another(write_stack: Callable[..., Path]) -> None:
    text = VALID.replace(
        "  argosy:network:\n    vpcCidr: 10.20.0.0/16\n    azCount: 2\n",
        "    argosy:network:\n      vpcCidr: 10.20.0.1/16\n      azCount: 2\n",
    )
    # Reported once where it is written, and checked as the key it is.
    assert issues_of(write_stack(text)) == [
        'Pulumi.dev.yaml:9: argosy:aws["argosy:network"] = {vpcCidr: 10.20.0.1/16, azCount: 2}\n'
        "    rule: a config key written inside argosy:aws, indented too far; indent it like the "
        "keys directly under config:\n"
        "    example: argosy:network: {vpcCidr: 10.20.0.0/16, azCount: 3, natGateways: per-az}",
        'Pulumi.dev.yaml:10: argosy:aws["argosy:network"].vpcCidr = 10.20.0.1/16\n'
        "    rule: the address must be the network's first address (10.20.0.0/16 here), with no "
        "host bits set\n"
        "    example: vpcCidr: 10.20.0.0/16",
    ]


def test_a_misspelt_top_level_key_is_a_warning(write_stack: Callable[..., Path]) -> None:
    path = write_stack(VALID + "secretprovider: awskms://alias/argosy-dev-pulumi\n")
    stack_file = read_stack_file(path, stack="dev", display=path.name)
    config = validate_stage("dev", stack_file.config, source=stack_file.source)
    assert [w.format() for w in config.warnings] == [
        "warning: Pulumi.dev.yaml:20: secretprovider = awskms://alias/argosy-dev-pulumi\n"
        "    rule: Pulumi ignores top-level keys other than config, secretsprovider, "
        "encryptedkey, encryptionsalt, environment; is it secretsprovider?\n"
        "    example: secretsprovider: awskms://alias/argosy-dev-pulumi"
    ]


def test_dates_are_read_as_the_cli_reads_them(write_stack: Callable[..., Path]) -> None:
    path = write_stack(VALID + "  argosy:tags: {review: 2026-12-31}\n")
    stack_file = read_stack_file(path, stack="dev")
    assert stack_file.config["argosy:tags"] == {"review": "2026-12-31"}
    encode_for_program(stack_file.config)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("  argosy:tags: &t {a: *t}\n", "Pulumi.dev.yaml:20: argosy:tags.a = (recursive alias)"),
        ("  ? [a, b]\n  : c\n", "Pulumi.dev.yaml:20: config.[a, b] = [a, b]"),
        ('  argosy:tags: {a: "\\x07"}\n', 'Pulumi.dev.yaml:20: argosy:tags.a = "\\a"'),
    ],
)
def test_odd_yaml_is_reported_not_raised(
    write_stack: Callable[..., Path], text: str, first: str
) -> None:
    issues = issues_of(write_stack(VALID + text))
    assert issues[0].splitlines()[0] == first


def test_characters_yaml_refuses(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(VALID.encode() + b"  argosy:tags: {a: b\x00}\n")
    [issue] = issues_of(path)
    assert issue.startswith(
        "Pulumi.dev.yaml:20: (file) = (unparsable)\n"
        "    rule: valid YAML: character #x0000 is not allowed in YAML"
    )
