"""Bad input: broken stack files, every mistake reported at once, every example valid.

The corpus in ``tests/fixtures/broken/`` holds one realistic stack file per way a stack file
used to defeat the bad-input promise, and one with many mistakes at once. Each is planned
through the real command line and must exit 2 with the exact report: file, line, field path,
value, rule and a valid example for every planted mistake, never a traceback.

"Valid example" is checked mechanically by :func:`assert_examples_valid`: each error's
example is written into the same file at the error's path, the file is validated again, and
no error may remain at that path. ``tests/test_config_validation.py`` runs the same check on
every broken config of its own.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner, Result

from argosy import cli
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.keys import KEYS_BY_KEY
from argosy.config.source import PathPart, read_stack_file
from argosy.plan.planner import StackRequest, validate_requests
from tests.conftest import REPO

BROKEN = REPO / "tests" / "fixtures" / "broken"

# --------------------------------------------------------------------------------------
# Putting an example where its issue points

#: Examples that are not a ``key: value`` for the issue's path, each with the reason. Every
#: other example must be one, and valid there.
NOT_KEY_VALUE: tuple[tuple[str, str, str], ...] = (
    # (path, how the example starts, why)
    ("(stack name)", "pulumi stack init ", "the stack name is not written in the file"),
    ("(file)", "", "the file as a whole: its encoding, its YAML, its existence"),
    ("config", "config:  # once", "a repeated config: block is merged, not given a value"),
)


def allowed_without_key_value(issue: ConfigIssue) -> bool:
    return any(
        issue.path == path and issue.example.startswith(start) for path, start, _ in NOT_KEY_VALUE
    )


_STEP = re.compile(r'\.([A-Za-z0-9_-]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(text: str) -> tuple[PathPart, ...]:
    """An issue's path as the config locations it names: ``a.b[0]["c d"]``."""
    if text.startswith("config."):  # a key written in config without its namespace
        return (text[len("config.") :],)
    head = re.match(r"[^.\[]+", text)
    assert head is not None, text
    parts: list[PathPart] = [head.group(0)]
    rest = text[head.end() :]
    while rest:
        step = _STEP.match(rest)
        assert step is not None, f"cannot parse {text!r} at {rest!r}"
        name, index, quoted = step.groups()
        parts.append(int(index) if index is not None else name if name is not None else quoted)
        rest = rest[step.end() :]
    return tuple(parts)


def _known(path: Sequence[PathPart]) -> bool:
    """Whether the last key of ``path`` is a name the schema allows where it is written."""
    top = path[0]
    if len(path) == 1:
        return (
            isinstance(top, str)
            and ":" in top
            and (not top.startswith("argosy:") or top in KEYS_BY_KEY)
        )
    spec = KEYS_BY_KEY.get(str(top))
    if spec is None:
        return True
    current: Any = spec.model
    for part in path[1:-1]:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        fields = {i.alias or n: i for n, i in current.model_fields.items()}
        if part not in fields:
            return False
        current = _inner_model(fields[part].annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return path[-1] in {i.alias or n for n, i in current.model_fields.items()}
    return True  # a map's key, or a list's item


def _inner_model(annotation: Any) -> Any:
    from argosy.config.fields import unwrap as _unwrap  # the same unwrapping validation uses

    return _unwrap(annotation)


def _holder(root: Any, path: Sequence[PathPart]) -> Any:
    for part in path:
        root = root[part]
    return root


def _fresh(value: Any) -> Any:
    """A copy sharing nothing, even where the original holds one object twice."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fresh(v) for v in value]
    return value


def format_path(path: Sequence[PathPart]) -> str:
    """A location as issues spell it (the inverse of :func:`parse_path`)."""
    text = str(path[0])
    for part in path[1:]:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.replace("-", "").replace("_", "").isalnum():
            text += f".{part}"
        else:
            text += f'["{part}"]'
    return text


def apply_example(document: dict[str, Any], issue: ConfigIssue) -> tuple[dict[str, Any], list[str]]:
    """``document`` (a stack file's data) with ``issue``'s example written at its path, and
    the locations (under config) the example wrote.

    The example is YAML, one ``key: value``. Its key names the place: the deepest part of the
    path with that name (``instanceTypes: [...]`` for ``instanceTypes[2]``), else a key beside
    the path's last one; a namespaced key (``argosy:tags: {...}``) is a key of config. When
    the path's own key is not a name the schema knows there (an unknown or misspelt field, a
    key without namespace), the example replaces it. ``config: {...}`` moves keys written at
    the top of the file under config.
    """
    example = yaml.safe_load(issue.example)
    assert isinstance(example, dict) and len(example) == 1, (
        f"the example of {issue.path} is not one `key: value`: {issue.example!r}"
    )
    [(key, value)] = example.items()
    result = _fresh(document)
    config = result.setdefault("config", {})
    path = parse_path(issue.path)
    if key == "config":
        assert isinstance(value, dict), issue.example
        if not isinstance(config, dict):  # config: itself was no mapping
            config = result["config"] = {}
        for moved, moved_value in value.items():
            result.pop(moved, None)
            config[moved] = moved_value
        return result, list(value)
    if isinstance(key, str) and ":" in key:
        if path != (key,) and not _known(path):
            del _holder(config, path[:-1])[path[-1]]
        config[key] = value
        return result, [key]
    for end in range(len(path), 0, -1):
        if path[end - 1] == key:
            _holder(config, path[: end - 1])[key] = value
            return result, [format_path(path[:end])]
    holder = _holder(config, path[:-1])
    if not _known(path):
        del holder[path[-1]]
    holder[key] = value
    return result, [format_path((*path[:-1], key))]


def place(issue: ConfigIssue) -> tuple[str, str, bool]:
    """Where an issue points: its file, its path, and whether that path is outside config.

    A key written at the top level of the file has the path it would have under config, so
    the rule tells the two places apart.
    """
    return (issue.file, issue.path, issue.rule.startswith("outside config:"))


def errors_at(issues: Iterable[ConfigIssue], at: tuple[str, str, bool]) -> list[ConfigIssue]:
    return [i for i in issues if i.severity == "error" and place(i) == at]


def errors_under(issues: Iterable[ConfigIssue], file: str, location: str) -> list[ConfigIssue]:
    """Errors in config at ``location`` or inside the value there."""
    return [
        i
        for i in issues
        if i.severity == "error"
        and place(i)[:1] == (file,)
        and not place(i)[2]
        and (i.path == location or i.path.startswith((f"{location}.", f"{location}[")))
    ]


def assert_examples_valid(
    issues: Sequence[ConfigIssue],
    documents: Mapping[str, dict[str, Any]],
    revalidate: Callable[[Mapping[str, dict[str, Any]]], Sequence[ConfigIssue]],
) -> None:
    """Every error's example, written where it points, is valid there.

    After the example is written, no error may remain at the issue's path, nor at or inside
    what the example wrote (a list's example replaces the list: none of its items may be
    wrong). Errors elsewhere may remain: they are other, independent mistakes.

    ``documents`` maps each file (as issues name it) to its data; ``revalidate`` validates a
    changed set of documents and returns the issues (an empty list when all is valid).
    """
    for issue in issues:
        if issue.severity != "error" or allowed_without_key_value(issue):
            continue
        document, written = apply_example(documents[issue.file], issue)
        after = revalidate({**documents, issue.file: document})
        left = errors_at(after, place(issue))
        left += [i for at in written for i in errors_under(after, issue.file, at) if i not in left]
        assert not left, (
            f"the example of\n{issue.format()}\nwritten at {issue.path} still gives\n"
            + "\n".join(i.format() for i in left)
        )


# --------------------------------------------------------------------------------------
# The corpus


def read_document(path: Path) -> dict[str, Any]:
    """A stack file's data as argosy reads it (merges applied, tags dropped)."""
    stack_file = read_stack_file(path, stack="x")
    document: dict[str, Any] = {"config": dict(stack_file.config)}
    for found in stack_file.source.findings:
        if found.kind == "outside-config":
            # Written at the top level: keep it there, where the example moves it from.
            key = str(found.path[0])
            document["config"].pop(key, None)
            document[key] = found.value
    return document


def validate_files(
    requests: Sequence[StackRequest], tmp_path: Path
) -> Callable[[Mapping[str, dict[str, Any]]], list[ConfigIssue]]:
    """Validate documents as the stack files of ``requests`` (as the plan does)."""

    def revalidate(documents: Mapping[str, dict[str, Any]]) -> list[ConfigIssue]:
        written = []
        for n, request in enumerate(requests):
            path = tmp_path / f"{n}" / request.config_file.name
            path.parent.mkdir(exist_ok=True)
            path.write_text(yaml.safe_dump(documents[request.display], sort_keys=False))
            written.append(
                StackRequest(stack=request.stack, config_file=path, display=request.display)
            )
        try:
            validate_requests(written)
        except ConfigInvalidError as exc:
            return list(exc.issues)
        return []

    return revalidate


@pytest.fixture
def argosy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process from the repository root; fail if anything gets planned."""

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a stack was planned although its config is invalid")

    monkeypatch.chdir(REPO)
    monkeypatch.setattr(cli, "plan_stack", refuse)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli.app, list(args))

    return invoke


def _report(file: str, *blocks: str) -> str:
    """The report of ``blocks`` (``line: path = value``, rule, example) for ``file``."""
    head = f"{len(blocks)} configuration error{'s' if len(blocks) != 1 else ''}:"
    return "\n".join([head, *(f"{file}:{b}" for b in blocks)]) + "\n"


F = "tests/fixtures/broken/"

CORPUS: dict[str, tuple[str, str]] = {
    # file: (stack, the exact report)
    "not-utf8.yaml": (
        "dev",
        _report(
            F + "not-utf8.yaml",
            "3: (file) = (byte 0xe9 at column 38)\n"
            "    rule: a stack file is UTF-8 text (Pulumi reads it as UTF-8); save it as UTF-8\n"
            "    example: # Owner: platform team (contact: André Björk)",
        ),
    ),
    "cloudformation-tags.yaml": (
        "dev",
        _report(
            F + "cloudformation-tags.yaml",
            "8: argosy:aws.region = !Ref AWS::Region\n"
            "    rule: Pulumi stack files take plain YAML values, not tags such as "
            "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself\n"
            "    example: region: eu-west-1",
            "8: argosy:aws.region = AWS::Region\n"
            "    rule: an AWS region code such as eu-west-1 or us-east-1\n"
            "    example: region: eu-west-1",
            "9: argosy:aws.deployRoleArn = !Sub arn:aws:iam::${AWS::AccountId}:role/"
            "argosy-deploy\n"
            "    rule: Pulumi stack files take plain YAML values, not tags such as "
            "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself\n"
            "    example: deployRoleArn: arn:aws:iam::222222222222:role/argosy-deploy",
            "9: argosy:aws.deployRoleArn = arn:aws:iam::${AWS::AccountId}:role/argosy-deploy\n"
            "    rule: the ARN of an IAM role\n"
            "    example: deployRoleArn: arn:aws:iam::222222222222:role/argosy-deploy",
            "11: argosy:network.vpcCidr = !GetAtt Vpc.CidrBlock\n"
            "    rule: Pulumi stack files take plain YAML values, not tags such as "
            "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself\n"
            "    example: vpcCidr: 10.20.0.0/16",
            "11: argosy:network.vpcCidr = Vpc.CidrBlock\n"
            "    rule: an IPv4 network in CIDR notation, such as 10.20.0.0/16\n"
            "    example: vpcCidr: 10.20.0.0/16",
            "18: argosy:cluster.nodeGroups[0].instanceTypes = !Split [',', "
            "'t4g.large,t4g.xlarge']\n"
            "    rule: Pulumi stack files take plain YAML values, not tags such as "
            "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself\n"
            "    example: instanceTypes: [m7g.large]",
            "18: argosy:cluster.nodeGroups[0].instanceTypes[0] = ','\n"
            "    rule: an EC2 instance type such as m7g.large\n"
            "    example: instanceTypes: [m7g.large]",
            "18: argosy:cluster.nodeGroups[0].instanceTypes[1] = t4g.large,t4g.xlarge\n"
            "    rule: an EC2 instance type such as m7g.large\n"
            "    example: instanceTypes: [m7g.large]",
            "23: argosy:tags.cost-center = !Sub engineering\n"
            "    rule: Pulumi stack files take plain YAML values, not tags such as "
            "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself\n"
            "    example: cost-center: engineering",
        ),
    ),
    "outside-config.yaml": (
        "dev",
        _report(
            F + "outside-config.yaml",
            "18: argosy:network = {vpcCidr: 10.20.0.0/16, azCount: 2, natGateways: single}\n"
            "    rule: outside config: Pulumi reads config keys only under config: and "
            "ignores this one at the top level of the file; indent it under config:\n"
            "    example: config:\n"
            "               argosy:network: {vpcCidr: 10.20.0.0/16, azCount: 2, natGateways: "
            "single}",
            "22: argosy:tags = {cost-center: engineering}\n"
            "    rule: outside config: Pulumi reads config keys only under config: and "
            "ignores this one at the top level of the file; indent it under config:\n"
            "    example: config:\n"
            "               argosy:tags: {cost-center: engineering}",
        ),
    ),
    "region-typo.yaml": (
        "dev",
        _report(
            F + "region-typo.yaml",
            "8: argosy:aws.region = eu-wset-1\n"
            "    rule: a region AWS offers; eu-wset-1 is none of the 38 regions argosy knows "
            "(argosy/config/regions.py)\n"
            "    example: region: eu-west-1",
        ),
    ),
    "too-many-zones.yaml": (
        "dev",
        _report(
            F + "too-many-zones.yaml",
            "12: argosy:network.azCount = 3\n"
            "    rule: region us-west-1 offers 2 availability zones to a new account "
            "(argosy/config/regions.py); azCount must not be more than 2\n"
            "    example: azCount: 2",
        ),
    ),
    "snake-case.yaml": (
        "dev",
        _report(
            F + "snake-case.yaml",
            "9: argosy:aws.deploy_role_arn = arn:aws:iam::222222222222:role/argosy-deploy\n"
            "    rule: unknown field; the fields here are: accountId, region, deployRoleArn\n"
            "    example: deployRoleArn: arn:aws:iam::222222222222:role/argosy-deploy",
            "11: argosy:network.vpc_cidr = 10.20.0.0/16\n"
            "    rule: unknown field; the fields here are: vpcCidr, azCount, natGateways, "
            "privateSubnets, publicSubnets, flowLogs\n"
            "    example: vpcCidr: 10.20.0.0/16",
            "16: argosy:cluster.node_groups = [{name: system, instance_types: [t4g.large], "
            "min_size: 1, desiredSize: 2, maxSize: 3}]\n"
            "    rule: unknown field; the fields here are: version, upgradePolicy, endpoint, "
            "logging, nodeGroups, storage, addonVersions\n"
            "    example: nodeGroups: [{name: system, instanceTypes: [t4g.large], minSize: "
            "1, desiredSize: 2, maxSize: 3}]",
            "18: argosy:cluster.node_groups[0].instance_types = [t4g.large]\n"
            "    rule: unknown field; the fields here are: name, instanceTypes, "
            "capacityType, minSize, desiredSize, maxSize, diskSizeGiB, labels, taints\n"
            "    example: instanceTypes: [t4g.large]",
            "19: argosy:cluster.node_groups[0].min_size = 1\n"
            "    rule: unknown field; the fields here are: name, instanceTypes, "
            "capacityType, minSize, desiredSize, maxSize, diskSizeGiB, labels, taints\n"
            "    example: minSize: 1",
        ),
    ),
    "independent-mistakes.yaml": (
        "dev",
        _report(
            F + "independent-mistakes.yaml",
            "13: argosy:network.natGateways = none\n"
            "    rule: must be one of: single, per-az\n"
            "    example: natGateways: per-az",
            "17: argosy:cluster.logging.types[2] = audit\n"
            "    rule: each log type at most once; types[1] is audit too\n"
            "    example: types: [api, audit, authenticator, controllerManager, scheduler]",
            "17: argosy:cluster.logging.types[3] = kubelet\n"
            "    rule: must be one of: api, audit, authenticator, controllerManager, scheduler\n"
            "    example: types: [api, audit, authenticator, controllerManager, scheduler]",
            "20: argosy:cluster.nodeGroups[0].instanceTypes[1] = t4g.large\n"
            "    rule: each instance type at most once; instanceTypes[0] is t4g.large too\n"
            "    example: instanceTypes: [t4g.large]",
            "20: argosy:cluster.nodeGroups[0].instanceTypes[2] = t4g\n"
            "    rule: an EC2 instance type such as m7g.large\n"
            "    example: instanceTypes: [m7g.large]",
            "24: argosy:cluster.nodeGroups[1].name = system\n"
            "    rule: node group names are unique in a cluster; nodeGroups[0] is named "
            "system too\n"
            "    example: name: system-2",
            "29: argosy:cluster.nodeGroups[2].name = "
            "machine-learning-training-jobs-with-gpus-attached-nightly\n"
            "    rule: the derived EKS node group name "
            "'dev-machine-learning-training-jobs-with-gpus-attached-nightlyxxxxxxxx' is 69 "
            "characters; at most 63 (the last 8 are Pulumi's random suffix): shorten the "
            "stack or node group name\n"
            "    example: name: machine-learning-training-jobs-with-gpus-attached",
            "31: argosy:cluster.nodeGroups[2].capacityType = spot\n"
            "    rule: must be one of: ON_DEMAND, SPOT\n"
            "    example: capacityType: ON_DEMAND",
            "40: argosy:access.admins[1].policy = editor\n"
            "    rule: must be one of: cluster-admin, admin, edit, view\n"
            "    example: policy: cluster-admin",
            "41: argosy:access.admins[2].principalArn = "
            "arn:aws:iam::222222222222:role/platform-admins\n"
            "    rule: one access entry per principal: admins[0] grants "
            "arn:aws:iam::222222222222:role/platform-admins already; remove this grant, or "
            "give it another principal\n"
            "    example: principalArn: arn:aws:iam::222222222222:role/platform-admins-2",
            "44: argosy:tags = {stage: dev, team: platform & data}\n"
            "    rule: managed-by, project, stage are set by argosy on every resource; "
            "choose other keys than stage\n"
            "    example: argosy:tags: {cost-center: platform}",
            "45: argosy:tags.team = platform & data\n"
            "    rule: an AWS tag value: at most 256 letters, digits, spaces or + - = . _ : / @\n"
            "    example: argosy:tags: {cost-center: platform}",
        ),
    ),
    "invalid-examples.yaml": (
        "dev",
        _report(
            F + "invalid-examples.yaml",
            "12: argosy:bootstrap.trustedPrincipals[0] = "
            "arn:aws:iam::999999999999:role/break-glass\n"
            "    rule: the principal must be in the stage's own account 222222222222; a "
            "stack only ever touches its own account\n"
            "    example: trustedPrincipals: [arn:aws-cn:iam::222222222222:role/break-glass]",
            "19: argosy:network.flowLogs.s3BucketArn = arn:aws:s3:::acme-log-archive/flow-logs\n"
            "    rule: the bucket must be in the stage's partition aws-cn\n"
            "    example: s3BucketArn: arn:aws-cn:s3:::acme-log-archive/flow-logs",
            "30: argosy:access.admins[0].principalArn = "
            "arn:aws-cn:iam::222222222222:role/argosy-deploy\n"
            "    rule: the deploy role (aws.deployRoleArn) is a cluster admin already; "
            "remove this grant\n"
            "    example: principalArn: arn:aws-cn:iam::222222222222:role/platform-admins",
            "32: argosy:access.admins[1].principalArn = "
            "arn:aws-cn:iam::999999999999:role/auditors\n"
            "    rule: the principal must be in the stage's own account 222222222222; a "
            "stack only ever touches its own account\n"
            "    example: principalArn: arn:aws-cn:iam::222222222222:role/auditors",
        ),
    ),
    "many-mistakes.yaml": (
        "qa",
        _report(
            F + "many-mistakes.yaml",
            "1: (file) = (byte 0xe9 at column 53)\n"
            "    rule: a stack file is UTF-8 text (Pulumi reads it as UTF-8); save it as UTF-8\n"
            "    example: # qa: every kind of mistake at once. Reviewed by Renée (the "
            "comment is Latin-1).",
            "12: argosy:aws.accountId = '33333333333'\n"
            "    rule: an AWS account ID is exactly 12 digits, written as a quoted string\n"
            '    example: accountId: "111111111111"',
            "14: argosy:aws.deployRoleArn = !Sub "
            "arn:aws:iam::${AWS::AccountId}:role/argosy-deploy\n"
            "    rule: Pulumi stack files take plain YAML values, not tags such as "
            "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself\n"
            "    example: deployRoleArn: arn:aws:iam::111111111111:role/argosy-deploy",
            "14: argosy:aws.deployRoleArn = arn:aws:iam::${AWS::AccountId}:role/argosy-deploy\n"
            "    rule: the ARN of an IAM role\n"
            "    example: deployRoleArn: arn:aws:iam::111111111111:role/argosy-deploy",
            "16: argosy:network.vpc_cidr = 10.30.0.0/16\n"
            "    rule: unknown field; the fields here are: vpcCidr, azCount, natGateways, "
            "privateSubnets, publicSubnets, flowLogs\n"
            "    example: vpcCidr: 10.30.0.0/16",
            "17: argosy:network.azCount = 3\n"
            "    rule: region us-west-1 offers 2 availability zones to a new account "
            "(argosy/config/regions.py); azCount must not be more than 2\n"
            "    example: azCount: 2",
            "24: argosy:cluster.nodeGroups[1].name = system\n"
            "    rule: node group names are unique in a cluster; nodeGroups[0] is named "
            "system too\n"
            "    example: name: system-2",
            "25: argosy:cluster.nodeGroups[1].maxSize = 0\n"
            "    rule: must be at least 1\n"
            "    example: maxSize: 6",
            "27: argosy:cluster.nodeGroups[2].name = "
            "nightly-reports-and-machine-learning-batch-jobs-for-finance\n"
            "    rule: the derived EKS node group name "
            "'qa-nightly-reports-and-machine-learning-batch-jobs-for-financexxxxxxxx' is 70 "
            "characters; at most 63 (the last 8 are Pulumi's random suffix): shorten the "
            "stack or node group name\n"
            "    example: name: nightly-reports-and-machine-learning-batch-jobs-for",
            "33: argosy:tags = {project: argosy, cost-center: R&D}\n"
            "    rule: managed-by, project, stage are set by argosy on every resource; "
            "choose other keys than project\n"
            "    example: argosy:tags: {cost-center: platform}",
            "34: argosy:tags.cost-center = R&D\n"
            "    rule: an AWS tag value: at most 256 letters, digits, spaces or + - = . _ : / @\n"
            "    example: argosy:tags: {cost-center: platform}",
            "35: argosy:role = (repeated key)\n"
            "    rule: each key at most once in a mapping; YAML would silently keep only the "
            "last\n"
            "    example: argosy:role: hub",
            "36: argosy:tags = {owner: platform}\n"
            "    rule: outside config: Pulumi reads config keys only under config: and "
            "ignores this one at the top level of the file; indent it under config:\n"
            "    example: config:\n"
            "               argosy:tags: {owner: platform}",
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_report(argosy: Callable[..., Result], name: str) -> None:
    stack, expected = CORPUS[name]
    result = argosy("plan", "--config-file", F + name, "--stack", stack)
    assert "Traceback" not in result.output
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == expected


def test_every_file_of_the_corpus_is_covered() -> None:
    files = {p.name for p in BROKEN.glob("*.yaml")} - {"merge-keys.yaml"}
    assert files == set(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_examples_are_valid(name: str, tmp_path: Path) -> None:
    stack, _ = CORPUS[name]
    request = StackRequest(stack=stack, config_file=BROKEN / name, display=F + name)
    with pytest.raises(ConfigInvalidError) as caught:
        validate_requests([request])
    documents = {request.display: read_document(BROKEN / name)}
    assert_examples_valid(caught.value.issues, documents, validate_files([request], tmp_path))


def test_the_real_command_never_shows_a_traceback(tmp_path: Path) -> None:
    for name in ("not-utf8.yaml", "cloudformation-tags.yaml"):
        done = subprocess.run(
            [sys.executable, "-m", "argosy", "plan", "--config-file", F + name, "--stack", "dev"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr == CORPUS[name][1]


CROSS = (F + "cross-stage/Pulumi.dev.yaml", F + "cross-stage/Pulumi.qa.yaml")


def test_stages_with_mistakes_are_still_checked_against_each_other(
    argosy: Callable[..., Result],
) -> None:
    """qa has a mistake of its own; its account and range still meet dev's, in one run."""
    result = argosy("plan", "--config-file", CROSS[0], "--config-file", CROSS[1])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == _report(
        CROSS[1],
        "7: argosy:aws.accountId = '222222222222'\n"
        f"    rule: each stage has its own AWS account; stage dev ({CROSS[0]}) uses "
        "222222222222 too\n"
        '    example: accountId: "111111111111"',
        "11: argosy:network.vpcCidr = 10.20.64.0/18\n"
        "    rule: stage VPCs must not overlap, so they can be peered or routed later; stage dev "
        f"({CROSS[0]}) uses 10.20.0.0/16\n"
        "    example: vpcCidr: 10.10.0.0/16",
        "22: argosy:cluster.nodeGroups[0].diskSizeGiB = 10\n"
        "    rule: must be at least 20\n"
        "    example: diskSizeGiB: 50",
    )


def test_cross_stage_examples_are_valid(tmp_path: Path) -> None:
    requests = [
        StackRequest(stack=stack, config_file=REPO / file, display=file)
        for stack, file in zip(("dev", "qa"), CROSS, strict=True)
    ]
    with pytest.raises(ConfigInvalidError) as caught:
        validate_requests(requests)
    documents = {r.display: read_document(r.config_file) for r in requests}
    assert_examples_valid(caught.value.issues, documents, validate_files(requests, tmp_path))


@pytest.mark.parametrize(
    ("path", "example"),
    [
        # Examples the issue found in reports before: each must fail the check.
        (  # a scalar where a list is needed
            "argosy:bootstrap.trustedPrincipals[0]",
            "trustedPrincipals: arn:aws-cn:iam::222222222222:role/break-glass",
        ),
        (  # an ARN in another account
            "argosy:access.admins[0].principalArn",
            "principalArn: arn:aws:iam::111111111111:role/platform-admins",
        ),
        (  # an 11-digit account
            "argosy:access.admins[1].principalArn",
            "principalArn: arn:aws-cn:iam::22222222222:role/auditors",
        ),
        (  # another partition than the region's
            "argosy:network.flowLogs.s3BucketArn",
            "s3BucketArn: arn:aws:s3:::acme-log-archive/flow-logs",
        ),
    ],
)
def test_the_check_catches_an_invalid_example(path: str, example: str, tmp_path: Path) -> None:
    name = "invalid-examples.yaml"
    request = StackRequest(stack="dev", config_file=BROKEN / name, display=F + name)
    with pytest.raises(ConfigInvalidError) as caught:
        validate_requests([request])
    [issue] = [i for i in caught.value.issues if i.path == path]
    wrong = dataclasses.replace(issue, example=example)
    documents = {request.display: read_document(BROKEN / name)}
    with pytest.raises(AssertionError, match="still gives"):
        assert_examples_valid([wrong], documents, validate_files([request], tmp_path))
