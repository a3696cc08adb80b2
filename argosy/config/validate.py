"""Validate a stage's configuration into a typed, frozen :data:`StageConfig`.

One entry point, :func:`validate_stage`, serves both callers: the offline plan (values from the
stack file, with lines) and the Pulumi program (values as the CLI hands them over). It reports
every problem at once and raises before anything is registered.

Every mistake is reported whatever else is wrong: rules that compare values (a repeated name,
derived name lengths, stages against each other) read the values as written rather than
waiting for everything else to be valid, and every issue's example is valid where the issue
points, in the context of the same file (the stage's account, partition and zones).
"""

from __future__ import annotations

import copy
import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from argosy import naming
from argosy.config import eks_versions, regions
from argosy.config.errors import (
    MISSING,
    NOT_SET,
    ConfigInvalidError,
    ConfigIssue,
    show_value,
)
from argosy.config.models import (
    AccessGrant,
    AccessSettings,
    AwsSettings,
    BackendUrl,
    BootstrapSettings,
    ClusterSettings,
    EndpointSettings,
    FlowLogSettings,
    LocalKubernetesSettings,
    NetworkSettings,
    NodeGroupSettings,
    StrictBool,
    Tags,
    VpcCidr,
    dns_label,
    example_account,
    example_partition,
    example_region,
    example_role_arn,
    example_subnets,
    partition_of,
    suggest_group_name,
    unused_name,
)
from argosy.config.source import (
    STACK_FILE_KEYS,
    ConfigSource,
    PathPart,
    ReadFinding,
    SecretValue,
    ValuePath,
)

NAMESPACE = "argosy"
Role = Literal["hub", "workload", "local"]
AwsRole = Literal["hub", "workload"]
ROLES: tuple[Role, ...] = get_args(Role)
AWS_ROLES: frozenset[str] = frozenset(get_args(AwsRole))


@dataclass(frozen=True, kw_only=True)
class AwsStageConfig:
    """A stage with its own AWS account, VPC and EKS cluster (roles ``hub`` and ``workload``).

    Attributes:
        stage: The stage's name, which is the Pulumi stack name.
        role: ``hub`` (control plane) or ``workload`` (runtime cluster).
        production: Whether production rules apply (private endpoint, protection, ...).
        aws: Account, region and deploy role.
        network: The VPC.
        cluster: The EKS cluster and its node groups.
        access: IAM principals with Kubernetes access.
        tags: Extra tags for every AWS resource (on top of stage, project, managed-by).
        bootstrap: What `argosy bootstrap` creates; ``None`` when not configured.
        backend: The Pulumi state backend URL, once bootstrap wrote it.
        source: Where the config came from.
        warnings: Problems that do not stop the plan.
    """

    stage: str
    role: AwsRole
    production: bool
    aws: AwsSettings
    network: NetworkSettings
    cluster: ClusterSettings
    access: AccessSettings
    tags: Mapping[str, str]
    source: ConfigSource
    bootstrap: BootstrapSettings | None = None
    backend: str | None = None
    warnings: tuple[ConfigIssue, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LocalStageConfig:
    """A stage on an existing kind or k3d cluster: the Argo layer only, no AWS.

    Attributes:
        stage: The stage's name, which is the Pulumi stack name.
        role: Always ``local``.
        production: Always false in practice; kept so every stage states it.
        kubernetes: The kubeconfig context to deploy to.
        source: Where the config came from.
        warnings: Problems that do not stop the plan.
    """

    stage: str
    role: Literal["local"]
    production: bool
    kubernetes: LocalKubernetesSettings
    source: ConfigSource
    warnings: tuple[ConfigIssue, ...] = ()


StageConfig = AwsStageConfig | LocalStageConfig


@dataclass(frozen=True, kw_only=True)
class KeySpec:
    """A top-level ``argosy:<name>`` key: its type, which roles read it, and an example."""

    name: str
    adapter: TypeAdapter[Any]
    model: type[BaseModel] | None
    allowed: frozenset[str]
    required: frozenset[str]
    example: str
    description: str
    is_object: bool = True

    @property
    def key(self) -> str:
        """The namespaced key as written in the stack file."""
        return f"{NAMESPACE}:{self.name}"


def _spec(
    name: str,
    target: Any,
    *,
    allowed: Iterable[str],
    required: Iterable[str] = (),
    example: str,
    description: str,
    is_object: bool = True,
) -> KeySpec:
    model = target if isinstance(target, type) and issubclass(target, BaseModel) else None
    return KeySpec(
        name=name,
        adapter=TypeAdapter(target),
        model=model,
        allowed=frozenset(allowed),
        required=frozenset(required),
        example=example,
        description=description,
        is_object=is_object,
    )


KEYS: tuple[KeySpec, ...] = (
    _spec(
        "role",
        Role,
        allowed=ROLES,
        required=ROLES,
        example="argosy:role: workload",
        description="What the stage runs: `hub` (the control-plane cluster), `workload` (a "
        "runtime cluster) or `local` (an existing kind/k3d cluster, no AWS).",
        is_object=False,
    ),
    _spec(
        "production",
        StrictBool,
        allowed=ROLES,
        required=ROLES,
        example="argosy:production: false",
        description="Production rules: private API endpoint, every control-plane log type, "
        "the cluster and its key protected (Pulumi `protect` and EKS deletion protection).",
        is_object=False,
    ),
    _spec(
        "aws",
        AwsSettings,
        allowed=AWS_ROLES,
        required=AWS_ROLES,
        example='argosy:aws: {accountId: "111111111111", region: eu-west-1, '
        "deployRoleArn: arn:aws:iam::111111111111:role/argosy-deploy}",
        description="The stage's own AWS account; the stack can touch no other.",
    ),
    _spec(
        "network",
        NetworkSettings,
        allowed=AWS_ROLES,
        required=AWS_ROLES,
        example="argosy:network: {vpcCidr: 10.20.0.0/16, azCount: 3, natGateways: per-az}",
        description="The stage's VPC.",
    ),
    _spec(
        "cluster",
        ClusterSettings,
        allowed=AWS_ROLES,
        required=AWS_ROLES,
        example=f'argosy:cluster: {{version: "{eks_versions.newest_version()}", nodeGroups: '
        "[{name: system, instanceTypes: [m7g.large], minSize: 2, desiredSize: 3, maxSize: 6}]}",
        description="The stage's EKS cluster and its managed node groups.",
    ),
    _spec(
        "access",
        AccessSettings,
        allowed=AWS_ROLES,
        example="argosy:access: {admins: [{principalArn: "
        "arn:aws:iam::111111111111:role/platform-admins, policy: cluster-admin}]}",
        description="IAM principals with Kubernetes access (EKS access entries).",
    ),
    _spec(
        "tags",
        Tags,
        allowed=AWS_ROLES,
        example="argosy:tags: {cost-center: platform}",
        description="Extra tags on every AWS resource, besides `stage`, `project` and "
        "`managed-by`: a map of tag key to value.",
    ),
    _spec(
        "bootstrap",
        BootstrapSettings,
        allowed=AWS_ROLES,
        example="argosy:bootstrap: {githubRepository: acme/platform}",
        description="What `argosy bootstrap` creates in the stage's account before the first "
        "`pulumi up`: the state bucket, the stack secrets key and the roles CI assumes. Only "
        "`bootstrap` and `doctor` read it.",
    ),
    _spec(
        "backend",
        BackendUrl,
        allowed=AWS_ROLES,
        example="argosy:backend: s3://argosy-state-111111111111-eu-west-1?region=eu-west-1"
        "&awssdk=v2",
        description="The stage's Pulumi state backend (`pulumi login` URL), written by "
        "`argosy bootstrap --write`.",
        is_object=False,
    ),
    _spec(
        "kubernetes",
        LocalKubernetesSettings,
        allowed={"local"},
        required={"local"},
        example="argosy:kubernetes: {context: kind-argosy}",
        description="The existing cluster a local stage deploys to.",
    ),
)
KEYS_BY_KEY: dict[str, KeySpec] = {spec.key: spec for spec in KEYS}
#: Namespaced keys whose values are objects (JSON-encoded by the CLI).
OBJECT_KEYS: frozenset[str] = frozenset(s.key for s in KEYS if s.is_object)


# --------------------------------------------------------------------------------------
# Paths, values and the validation context


def _format_path(path: ValuePath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = str(part)
        elif str(part).replace("-", "").replace("_", "").isalnum():
            text += f".{part}"
        else:
            text += f'["{part}"]'
    return text


def _lookup(value: Any, loc: Sequence[PathPart]) -> Any:
    for part in loc:
        in_mapping = isinstance(value, Mapping) and part in value
        in_sequence = (
            isinstance(value, list | tuple) and isinstance(part, int) and part < len(value)
        )
        if not (in_mapping or in_sequence):
            return MISSING
        value = value[part]
    return value


def _show(value: Any) -> str:
    if value is MISSING:
        return NOT_SET
    if isinstance(value, SecretValue):
        return "[secret]"
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    return show_value(_plain(value))


def _plain(value: Any) -> Any:
    """Make a value safe to render: secrets hidden, tuples as lists."""
    if isinstance(value, SecretValue):
        return "[secret]"
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def _validation_context(values: Mapping[str, Any]) -> dict[str, Any]:
    """Facts from other keys that nested rules and examples need.

    Each is ``None`` unless it is valid: a rule never compares with, and an example never
    repeats, a value that is itself wrong (an 11-digit account, a region that does not exist).
    """
    aws = values.get(f"{NAMESPACE}:aws")
    aws = aws if isinstance(aws, Mapping) else {}
    account = aws.get("accountId")
    region = aws.get("region")
    role_arn = aws.get("deployRoleArn")
    known = regions.BY_CODE.get(region) if isinstance(region, str) else None
    return {
        "production": values.get(f"{NAMESPACE}:production") is True,
        "account": account if isinstance(account, str) and _ACCOUNT_ID.fullmatch(account) else None,
        "region": known.code if known else None,
        "partition": known.partition if known else None,
        "zones": known.zones if known else None,
        "deploy_role_arn": role_arn if isinstance(role_arn, str) else None,
    }


def _unwrap(annotation: Any) -> Any:
    """The model or item type behind Optional, Annotated, tuple[...] and Mapping[...]."""
    while True:
        origin = get_origin(annotation)
        args = get_args(annotation)
        if origin is None:
            return annotation
        if origin in (tuple, list):
            annotation = args[0]
        elif origin is Mapping or (isinstance(origin, type) and issubclass(origin, Mapping)):
            annotation = args[1]
        else:
            # Annotated[X, ...] and unions with None: the first non-None argument.
            candidates = [a for a in args if a is not type(None)]
            if not candidates or candidates[0] is annotation:
                return annotation
            annotation = candidates[0]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _aliases(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {info.alias or name: info for name, info in model.model_fields.items()}


@dataclass(frozen=True)
class _Field:
    """A model field found along a value's location."""

    key: str
    info: FieldInfo
    owner: type[BaseModel]
    loc: ValuePath  # the location of the field itself


def _field_at(model: type[BaseModel] | None, loc: Sequence[PathPart]) -> _Field | None:
    """The last model field named along ``loc``, with its camelCase key."""
    found: _Field | None = None
    current: Any = model
    for n, part in enumerate(loc):
        if not isinstance(part, str):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        info = _aliases(current).get(part)
        if info is None:
            break
        found = _Field(key=part, info=info, owner=current, loc=tuple(loc[: n + 1]))
        current = _unwrap(info.annotation)
    return found


def _allowed_fields(model: type[BaseModel] | None, loc: Sequence[PathPart]) -> list[str]:
    parent = _field_at(model, loc)
    target: Any = model if parent is None else _unwrap(parent.info.annotation)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(_aliases(target))
    return []


# --------------------------------------------------------------------------------------
# Valid examples
#
# A field's ``examples`` hold a value valid anywhere; the functions below replace it where
# validity depends on the rest of the file (the stage's account, partition and zones, the
# other items of a list), so that pasting an example at the reported place makes it valid.


@dataclass(frozen=True)
class _At:
    """Where an example is wanted: the context, the key's value and the field's location."""

    context: Mapping[str, Any]
    raw: Any
    loc: ValuePath

    def sibling(self, name: str) -> Any:
        return _lookup(self.raw, (*self.loc[:-1], name))

    def item_values(self, name: str) -> tuple[list[Any], int | None]:
        """``name`` of every item of the list holding this field's item, and its index."""
        items = _lookup(self.raw, self.loc[:-2])
        index = self.loc[-2] if len(self.loc) >= 2 else None
        if not isinstance(items, list | tuple) or not isinstance(index, int):
            return [], None
        return [i.get(name) if isinstance(i, Mapping) else None for i in items], index


def _int_in(value: Any, low: int, high: int) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if ok else None


def _valid(adapter: TypeAdapter[Any], value: Any, context: Mapping[str, Any]) -> bool:
    try:
        adapter.validate_python(value, context=context)
    except ValidationError:
        return False
    return True


_VPC = TypeAdapter(VpcCidr)


def _ex_deploy_role(at: _At) -> str:
    region = at.sibling("region")
    account = at.sibling("accountId")
    partition = partition_of(region) if region in regions.BY_CODE else example_partition(at.context)
    if not (isinstance(account, str) and _ACCOUNT_ID.fullmatch(account)):
        account = example_account(at.context)
    return f"arn:{partition}:iam::{account}:role/argosy-deploy"


def _ex_subnets(which: Literal["private", "public"]) -> Callable[[_At], Any]:
    def example(at: _At) -> Any:
        vpc = at.sibling("vpcCidr")
        zones = at.context.get("zones") or 6
        other = at.sibling("privateSubnets" if which == "public" else "publicSubnets")
        return example_subnets(
            which,
            vpc if _valid(_VPC, vpc, at.context) else None,
            _int_in(at.sibling("azCount"), 2, min(6, zones)),
            [o for o in other if isinstance(o, str)] if isinstance(other, list) else None,
        )

    return example


def _ex_upgrade_policy(at: _At) -> str:
    version = at.sibling("version")
    extended = eks_versions.versions_with("EXTENDED")
    return "EXTENDED" if version in extended else "STANDARD"


def _ex_group_name(at: _At) -> str:
    names, index = at.item_values("name")
    return "system" if index is None else suggest_group_name(names, index)


def _ex_min_size(at: _At) -> int:
    desired = _int_in(at.sibling("desiredSize"), 0, 450)
    return 2 if desired is None else min(2, desired)


def _ex_desired_size(at: _At) -> int:
    low = _int_in(at.sibling("minSize"), 0, 450) or 0
    return max(3, low)


def _ex_max_size(at: _At) -> int:
    low = max(
        _int_in(at.sibling("minSize"), 0, 450) or 0,
        _int_in(at.sibling("desiredSize"), 0, 450) or 0,
    )
    return max(6, low)


def _ex_public_cidrs(at: _At) -> list[str]:
    return ["203.0.113.0/24"] if at.sibling("publicAccess") is True else []


def _unused_principal(context: Mapping[str, Any], taken: Iterable[Any]) -> str:
    names = [a.rpartition("/")[2] for a in taken if isinstance(a, str)]
    deploy = context.get("deploy_role_arn")
    if isinstance(deploy, str):
        names.append(deploy.rpartition("/")[2])
    return example_role_arn(context, unused_name("platform-admins", names))


def _ex_principal(at: _At) -> str:
    arns, _ = at.item_values("principalArn")
    return _unused_principal(at.context, arns)


def _ex_namespaces(at: _At) -> list[str]:
    return [] if at.sibling("policy") == "cluster-admin" else ["team-a"]


def _ex_admins(at: _At) -> list[dict[str, str]]:
    return [{"principalArn": _unused_principal(at.context, []), "policy": "cluster-admin"}]


_EXAMPLES: dict[tuple[type[BaseModel], str], Callable[[_At], Any]] = {
    (AwsSettings, "region"): lambda at: example_region(_lookup(at.raw, at.loc), at.context),
    (AwsSettings, "deployRoleArn"): _ex_deploy_role,
    (NetworkSettings, "azCount"): lambda at: min(3, at.context.get("zones") or 3),
    (NetworkSettings, "privateSubnets"): _ex_subnets("private"),
    (NetworkSettings, "publicSubnets"): _ex_subnets("public"),
    (FlowLogSettings, "s3BucketArn"): lambda at: (
        f"arn:{example_partition(at.context)}:s3:::acme-log-archive/flow-logs"
    ),
    (ClusterSettings, "upgradePolicy"): _ex_upgrade_policy,
    (NodeGroupSettings, "name"): _ex_group_name,
    (NodeGroupSettings, "minSize"): _ex_min_size,
    (NodeGroupSettings, "desiredSize"): _ex_desired_size,
    (NodeGroupSettings, "maxSize"): _ex_max_size,
    (EndpointSettings, "publicAccessCidrs"): _ex_public_cidrs,
    (AccessGrant, "principalArn"): _ex_principal,
    (AccessGrant, "namespaces"): _ex_namespaces,
    (AccessSettings, "admins"): _ex_admins,
    (BootstrapSettings, "trustedPrincipals"): lambda at: [
        example_role_arn(at.context, "platform-admins")
    ],
}


def _key_example(spec: KeySpec, values: Mapping[str, Any], context: Mapping[str, Any]) -> str:
    """A valid ``argosy:<key>: <value>`` line for a whole top-level key."""
    if spec.name == "network":
        zones = min(3, context.get("zones") or 3)
        return f"{spec.key}: {{vpcCidr: 10.20.0.0/16, azCount: {zones}, natGateways: per-az}}"
    if spec.name == "access":
        arn = _unused_principal(context, [])
        return f"{spec.key}: {{admins: [{{principalArn: {arn}, policy: cluster-admin}}]}}"
    if spec.name == "role":
        written = values.get(spec.key)
        close = difflib.get_close_matches(str(written), ROLES, n=1, cutoff=0.5)
        aws_keys = {f"{NAMESPACE}:{k}" for k in ("aws", "network", "cluster")}
        local = f"{NAMESPACE}:kubernetes" in values and not aws_keys & values.keys()
        role = close[0] if close else "local" if local else "workload"
        return f"{spec.key}: {role}"
    return spec.example


def _field_example(
    spec: KeySpec,
    loc: Sequence[PathPart],
    raw: Any,
    values: Mapping[str, Any],
    context: Mapping[str, Any],
) -> str:
    """A valid ``key: value`` line for the field at ``loc`` of ``spec``'s value."""
    located = _field_at(spec.model, loc)
    if located is None:
        return _key_example(spec, values, context)
    make = _EXAMPLES.get((located.owner, located.key))
    if make is not None:
        value = make(_At(context=context, raw=raw, loc=located.loc))
    elif located.info.examples:
        value = located.info.examples[0]
    else:
        return _key_example(spec, values, context)
    return f"{located.key}: {show_value(value)}"


# --------------------------------------------------------------------------------------
# Field names as written


def _spelling(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


_NAMESPACED = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9_.-]+$")


@dataclass
class _Spelling:
    """What respelling found: renamed fields and config keys written inside a value.

    ``written`` maps a location as validated (camelCase) to the location as written, for
    every place where the two differ; deeper entries already include their parents'.
    """

    written: dict[ValuePath, ValuePath] = field(default_factory=dict)
    respelled: list[tuple[ValuePath, str, ValuePath]] = field(default_factory=list)
    misplaced: list[tuple[ValuePath, str, Any]] = field(default_factory=list)

    def as_written(self, path: ValuePath) -> ValuePath:
        for end in range(len(path), 0, -1):
            written = self.written.get(path[:end])
            if written is not None:
                return (*written, *path[end:])
        return path

    def as_validated(self, path: ValuePath) -> ValuePath:
        for end in range(len(path), 0, -1):
            for validated, written in self.written.items():
                if written == path[:end]:
                    return (*validated, *path[end:])
        return path


def _respell(
    model: type[BaseModel] | None,
    raw: Any,
    written: ValuePath,
    validated: ValuePath,
    found: _Spelling,
) -> Any:
    """``raw`` with field names written in another case (``vpc_cidr``) spelled as validated.

    pydantic would report ``vpc_cidr`` as unknown and ``vpcCidr`` as missing; respelled, the
    value is checked under its field, and the name is reported once, where it is written.
    Config keys written inside a value (``argosy:network`` indented under ``argosy:aws``) are
    taken out, to be reported and checked where they belong.
    """
    if model is None:
        return raw
    if isinstance(raw, list | tuple):
        return [
            _respell(model, item, (*written, i), (*validated, i), found)
            for i, item in enumerate(raw)
        ]
    if not isinstance(raw, Mapping):
        return raw
    fields = _aliases(model)
    by_spelling = {_spelling(alias): alias for alias in fields}
    result: dict[Any, Any] = {}
    for key, value in raw.items():
        here = (*written, key)
        target = key
        if isinstance(key, str) and key not in fields:
            if _NAMESPACED.fullmatch(key):
                found.misplaced.append((here, key, value))
                continue
            alias = by_spelling.get(_spelling(key))
            if alias is not None and alias not in raw and alias not in result:
                target = alias
                found.respelled.append((here, alias, (*validated, alias)))
                found.written[(*validated, alias)] = here
        info = fields.get(target) if isinstance(target, str) else None
        inner = _model_of(info.annotation) if info is not None else None
        result[target] = _respell(inner, value, here, (*validated, target), found)
    return result


def _python_names_as_written(
    model: type[BaseModel] | None, loc: Sequence[PathPart], raw: Any
) -> list[PathPart]:
    """``loc`` with field names spelled as in the file.

    pydantic reports a defaulted field (validated with ``validate_default``) by its Python
    name, every other field by its alias; a name that is literally a key of the value (an
    unknown field) stays as written.
    """
    written: list[PathPart] = []
    current: Any = model
    for part in loc:
        if (
            isinstance(part, str)
            and isinstance(current, type)
            and issubclass(current, BaseModel)
            and not (isinstance(raw, Mapping) and part in raw)
        ):
            for name, info in current.model_fields.items():
                alias = info.alias or name
                if part in (name, alias):
                    part = alias
                    break
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            located = _aliases(current).get(part)
            current = _unwrap(located.annotation) if located is not None else None
        raw = _lookup(raw, [part]) if raw is not MISSING else MISSING
        written.append(part)
    return written


# --------------------------------------------------------------------------------------
# Turning pydantic errors into issues


_BUILTIN_RULES: dict[str, str] = {
    "string_type": "must be a string (quote it in YAML)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "bool_type": "must be true or false",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "string_too_short": "must not be empty",
}


def _rule_for(error: Mapping[str, Any], spec: KeySpec, loc: Sequence[PathPart]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "argosy":
        return str(ctx["rule"])
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(spec.model, loc[:-1])
        return "unknown field; the fields here are: " + ", ".join(allowed)
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"must be one of: {expected.replace(' or ', ', ')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "too_short":
        n = ctx["min_length"]
        return f"must list at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return f"must list at most {ctx['max_length']} items"
    return _BUILTIN_RULES.get(kind, str(error["msg"]))


#: Values longer than this are not repeated in examples; the field's own example is shown.
_EXAMPLE_WIDTH = 100
# --------------------------------------------------------------------------------------
# The stage as a whole


@dataclass(frozen=True)
class _Found:
    """An issue and, for one about a value, where the value is (as written, under config)."""

    issue: ConfigIssue
    path: ValuePath | None


class _Validation:
    """One run of :func:`validate_stage`: every check, every issue, then the verdict."""

    def __init__(self, stage: str, values: Mapping[str, Any], source: ConfigSource) -> None:
        self.stage = stage
        self.values = values
        self.source = source
        self.found: list[_Found] = [_Found(i, None) for i in source.issues]
        self.ours: dict[str, Any] = {
            k: v for k, v in values.items() if isinstance(k, str) and k.startswith(f"{NAMESPACE}:")
        }
        self.context = _validation_context(self.ours)
        self.spelling = _Spelling()
        #: Each key's value as validated (field names respelled), by namespaced key.
        self.validated: dict[str, Any] = {}
        self.parsed: dict[str, Any] = {}

    # -- issues

    def add(
        self,
        path: ValuePath,
        value: Any,
        rule: str,
        example: str,
        *,
        shown: str | None = None,
        severity: Literal["error", "warning"] = "error",
        line: int | None = None,
        path_text: str | None = None,
        about_value: bool = True,
        key_line: bool = False,
    ) -> None:
        """Report an issue at ``path`` (as written, under config).

        ``about_value`` says the issue is about the value there (rather than its key, say),
        which makes the value unfit to repeat in an example; ``key_line`` points the issue
        at the key rather than the value (for a key that is wrong itself).
        """
        if line is None:
            line = self.source.key_line_of(path) if key_line else self.source.line_of(path)
        issue = ConfigIssue(
            file=self.source.file,
            line=line,
            path=path_text if path_text is not None else _format_path(path),
            value=shown if shown is not None else _show(value),
            rule=rule,
            example=example,
            severity=severity,
        )
        self.found.append(_Found(issue, path if about_value else None))

    def add_file_issue(self, path: str, value: str, rule: str, example: str) -> None:
        issue = ConfigIssue(
            file=self.source.file, line=None, path=path, value=value, rule=rule, example=example
        )
        self.found.append(_Found(issue, None))

    def clean_under(self, path: ValuePath) -> bool:
        """Whether no error concerns the value at ``path`` or anything inside it."""
        return not any(
            f.path is not None and f.issue.severity == "error" and f.path[: len(path)] == path
            for f in self.found
        )

    # -- the run

    def run(self) -> StageConfig:
        self.check_stage_name()
        self.check_keys()
        for spec in KEYS:
            self.check_key(spec)
        self.check_derived_names()
        self.report_findings()
        issues = [f.issue for f in self.found]
        if any(i.severity == "error" for i in issues):
            raise ConfigInvalidError(issues)
        warnings = tuple(i for i in issues if i.severity == "warning")
        return _with_warnings(self.build(), warnings)

    def check_stage_name(self) -> None:
        try:
            dns_label(self.stage)
        except Exception:
            self.add_file_issue(
                "(stack name)",
                show_value(self.stage),
                "the stack name names the stage and its resources: a DNS-1123 label of "
                "lowercase letters, digits and '-', at most 63 characters",
                "pulumi stack init staging",
            )

    def check_keys(self) -> None:
        """Unknown keys, config keys written without namespace or inside another value."""
        for key in sorted(self.ours.keys() - KEYS_BY_KEY.keys()):
            spec = self.closest_unset_key(key)
            self.add(
                (key,),
                self.ours[key],
                "unknown key; argosy reads: " + ", ".join(s.key for s in KEYS),
                self.candidate_example(spec, self.ours[key]),
                about_value=False,
                key_line=True,
            )
        for found in self.source.findings:
            if found.kind == "not-namespaced" and isinstance(found.path[0], str):
                target = f"{NAMESPACE}:{found.path[0]}"
                if target in KEYS_BY_KEY and target not in self.ours:
                    # Checked as the key it must be, so its value's mistakes show now too.
                    self.ours[target] = found.value
                    self.spelling.written[(target,)] = found.path
        for spec in KEYS:
            if spec.key in self.ours:
                written = self.spelling.as_written((spec.key,))
                self.validated[spec.key] = _respell(
                    spec.model, self.ours[spec.key], written, (spec.key,), self.spelling
                )
        for here, key, value in self.spelling.misplaced:
            if key in KEYS_BY_KEY and key not in self.ours:
                spec = KEYS_BY_KEY[key]
                self.ours[key] = value
                self.spelling.written[(key,)] = here
                self.validated[key] = _respell(spec.model, value, here, (key,), self.spelling)
        self.context = _validation_context(self.ours)

    def closest_unset_key(self, key: str) -> KeySpec:
        """The key argosy reads that ``key`` most likely means: a close one, else one unset."""
        close = difflib.get_close_matches(key, list(KEYS_BY_KEY), n=1, cutoff=0.6)
        if close:
            return KEYS_BY_KEY[close[0]]
        role = self.ours.get(f"{NAMESPACE}:role")
        unset = [
            s.key
            for s in KEYS
            if s.key not in self.ours and (role not in ROLES or role in s.allowed)
        ]
        close = difflib.get_close_matches(key, unset or list(KEYS_BY_KEY), n=1, cutoff=0.0)
        return KEYS_BY_KEY[close[0]] if close else KEYS[0]

    def candidate_example(self, spec: KeySpec, value: Any) -> str:
        """``<spec's key>: <value>`` when the value is valid there, else the key's example."""
        shown = _show(value)
        valid = _valid(spec.adapter, value, self.context)
        if valid and len(shown) <= _EXAMPLE_WIDTH:
            return f"{spec.key}: {shown}"
        return _key_example(spec, self.ours, self.context)

    def check_key(self, spec: KeySpec) -> None:
        role_value = self.ours.get(f"{NAMESPACE}:role")
        role = role_value if role_value in ROLES else None
        raw = self.validated.get(spec.key, MISSING)
        path = self.spelling.as_written((spec.key,))
        example = _key_example(spec, self.ours, self.context)
        if raw is MISSING:
            if role is not None and role in spec.required:
                self.add(path, MISSING, f"required for role {role}", example)
            elif role is None and spec.name in ("role", "production"):
                self.add(path, MISSING, "required", example)
            return
        if role is not None and role not in spec.allowed:
            self.add(
                path,
                self.ours[spec.key],
                f"not read by role {role} (only by {', '.join(sorted(spec.allowed))}); remove it",
                f"argosy:role: {sorted(spec.allowed)[0]}",
                key_line=True,
            )
            return
        try:
            self.parsed[spec.name] = spec.adapter.validate_python(raw, context=self.context)
        except ValidationError as exc:
            self.add_errors(exc, spec, raw)
        for here, alias, validated in self.spelling.respelled:
            if validated[:1] == (spec.key,):
                self.report_respelled(spec, here, alias, validated)

    def add_errors(self, exc: ValidationError, spec: KeySpec, raw: Any) -> None:
        errors = exc.errors(include_url=False)
        failed_below = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
        for error in errors:
            # pydantic counts only the items that passed; a length error above failing items
            # would blame the list for its items' faults.
            if error["type"] in ("too_short", "too_long") and tuple(error["loc"]) in failed_below:
                continue
            # Mapping keys are reported as (..., key, "[key]"): the key itself is at fault.
            loc = _python_names_as_written(
                spec.model, [p for p in error["loc"] if p != "[key]"], raw
            )
            ctx = error.get("ctx") or {}
            if error["type"] == "argosy" and "field" in ctx:
                loc.append(ctx["field"])
            if error["type"] == "argosy":
                example = str(ctx["example"])
            elif error["type"] == "extra_forbidden":
                example = self.unknown_field_example(spec, raw, loc)
            else:
                example = _field_example(spec, loc, raw, self.ours, self.context)
            if error["type"] == "missing" or (
                error["input"] is None and _lookup(raw, loc) is MISSING
            ):
                value: Any = MISSING
            elif error["type"] == "argosy" and "field" in ctx:
                value = _lookup(raw, loc)
            else:
                value = error["input"]
            path = self.spelling.as_written((spec.key, *loc))
            unknown = error["type"] == "extra_forbidden"
            self.add(path, value, _rule_for(error, spec, loc), example, key_line=unknown)

    def unknown_field_example(self, spec: KeySpec, raw: Any, loc: Sequence[PathPart]) -> str:
        """The closest field, with the value written when it is valid there."""
        parent, key = tuple(loc[:-1]), loc[-1]
        allowed = _allowed_fields(spec.model, parent)
        siblings = _lookup(raw, parent)
        siblings = siblings if isinstance(siblings, Mapping) else {}
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if not close:
            unset = [a for a in allowed if a not in siblings]
            close = difflib.get_close_matches(str(key), unset or allowed, n=1, cutoff=0.0)
        if not close:
            return _key_example(spec, self.ours, self.context)
        name = close[0]
        value = siblings.get(key) if name not in siblings else siblings[name]
        # Try the value under the close name: suggest it only if it is valid there.
        trial = copy.deepcopy(raw)
        holder = _lookup(trial, parent)
        if isinstance(holder, dict):
            holder.pop(key, None)
            holder[name] = value
        target = (*parent, name)
        if len(_show(value)) <= _EXAMPLE_WIDTH and not self.errors_under(spec, trial, target):
            return f"{name}: {_show(value)}"
        return _field_example(spec, target, raw, self.ours, self.context)

    def errors_under(self, spec: KeySpec, raw: Any, loc: ValuePath) -> bool:
        try:
            spec.adapter.validate_python(raw, context=self.context)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                where = [p for p in error["loc"] if p != "[key]"]
                at = _python_names_as_written(spec.model, where, raw)
                ctx = error.get("ctx") or {}
                if error["type"] == "argosy" and "field" in ctx:
                    at.append(ctx["field"])
                if tuple(at[: len(loc)]) == loc:
                    return True
        return False

    def report_respelled(
        self, spec: KeySpec, here: ValuePath, alias: str, validated: ValuePath
    ) -> None:
        allowed = _allowed_fields(spec.model, validated[1:-1])
        value = _lookup(self.validated.get(spec.key), validated[1:])
        if self.clean_under(here) and len(_show(value)) <= _EXAMPLE_WIDTH:
            example = f"{alias}: {_show(value)}"
        else:
            example = _field_example(
                spec, validated[1:], self.validated.get(spec.key), self.ours, self.context
            )
        written = _lookup(self.values, here)
        self.add(
            here,
            value if written is MISSING else written,
            "unknown field; the fields here are: " + ", ".join(allowed),
            example,
            about_value=False,
            key_line=True,
        )

    # -- derived names

    def check_derived_names(self) -> None:
        """Every derived name within its service's limit, from the names as written."""
        cluster = self.validated.get(f"{NAMESPACE}:cluster")
        groups = _lookup(cluster, ["nodeGroups"])
        names = [
            g.get("name") if isinstance(g, Mapping) else None
            for g in (groups if isinstance(groups, list | tuple) else [])
        ]
        base = list(naming.derived_names(self.stage, ()))
        for derived in base:
            if len(derived.name) > derived.limit:
                self.add_file_issue(
                    "(stack name)",
                    show_value(self.stage),
                    _derived_rule(derived),
                    "pulumi stack init prod-eu",
                )
        for i, name in enumerate(names):
            if not isinstance(name, str):
                continue
            for derived in list(naming.derived_names(self.stage, (name,)))[len(base) :]:
                if len(derived.name) <= derived.limit:
                    continue
                room = derived.limit - (len(derived.name) - len(name))
                path = self.spelling.as_written((f"{NAMESPACE}:cluster", "nodeGroups", i, "name"))
                if room < 1:
                    self.add_file_issue(
                        "(stack name)",
                        show_value(self.stage),
                        _derived_rule(derived),
                        "pulumi stack init prod-eu",
                    )
                    continue
                shorter = suggest_group_name(names, i, limit=room)
                self.add(path, name, _derived_rule(derived), f"name: {shorter}")

    # -- what reading found

    def report_findings(self) -> None:
        for found in self.source.findings:
            if found.kind == "tag":
                self.add(
                    found.path,
                    found.value,
                    "Pulumi stack files take plain YAML values, not tags such as "
                    "CloudFormation's !Ref, !Sub or !GetAtt; write the value itself",
                    self.example_line(found.path, found.value, where=found.where),
                    shown=f"{found.detail} {_show(found.value)}",
                    line=found.line,
                    about_value=False,
                )
            elif found.kind == "outside-config":
                self.add(
                    found.path,
                    found.value,
                    "outside config: Pulumi reads config keys only under config: and ignores "
                    "this one at the top level of the file; indent it under config:",
                    "config:\n" + " " * 15 + self.outside_example(found),
                    line=found.line,
                    about_value=False,
                )
            elif found.kind == "repeated-key":
                self.add(
                    found.path,
                    found.value,
                    "each key at most once in a mapping; YAML would silently keep only the last",
                    "config:  # once, with the keys of both blocks"
                    if found.where == "file" and found.path == ("config",)
                    else self.example_line(found.path, found.value, where=found.where),
                    shown="(repeated key)",
                    line=found.line,
                    about_value=False,
                )
            elif found.kind == "not-namespaced":
                self.report_not_namespaced(found)
            elif found.kind == "recursive-alias":
                self.add(
                    found.path,
                    None,
                    "an alias must not refer to a value that contains it",
                    self.example_line(found.path, MISSING),
                    shown="(recursive alias)",
                    line=found.line,
                    about_value=False,
                )
            elif found.kind == "top-level-key":
                self.add(
                    found.path,
                    found.value,
                    "Pulumi ignores top-level keys other than "
                    f"{', '.join(STACK_FILE_KEYS)}; is it {found.detail}?",
                    f"{found.detail}: {_show(found.value)}",
                    severity="warning",
                    line=found.line,
                    about_value=False,
                )
        for here, key, value in self.spelling.misplaced:
            self.add(
                here,
                value,
                f"a config key written inside {_format_path(here[:-1])}, indented too far; "
                "indent it like the keys directly under config:",
                self.example_line((key,), value),
                about_value=False,
                key_line=True,
            )

    def outside_example(self, found: ReadFinding) -> str:
        """The key outside config: as it would be written under it."""
        key = str(found.path[0])
        spec = KEYS_BY_KEY.get(key)
        if spec is not None and self.values.get(key) is not found.value:
            # config: has the key too; this value was not checked where it is: try it.
            return self.candidate_example(spec, found.value)
        return self.example_line(found.path, found.value)

    def report_not_namespaced(self, found: ReadFinding) -> None:
        key = found.path[0]
        target = f"{NAMESPACE}:{key}"
        if target in KEYS_BY_KEY:
            example = self.example_line((target,), found.value)
        elif key in _OTHER_NAMESPACES:
            example = f"{_OTHER_NAMESPACES[str(key)]}:{key}: {_show(found.value)}"
        else:
            spec = self.closest_unset_key(f"{NAMESPACE}:{key}")
            example = self.candidate_example(spec, found.value)
        self.add(
            found.path,
            found.value,
            "config keys are namespaced, <namespace>:<key>, as `pulumi config set` writes them",
            example,
            shown=str(key),
            line=found.line,
            path_text=f"config.{key}",
            about_value=False,
        )

    def example_line(
        self, path: ValuePath, value: Any, *, where: Literal["config", "file"] = "config"
    ) -> str:
        """``key: value`` for the value at ``path`` (as written), valid where it is.

        The value as written when nothing is wrong with it (and it is short), else the
        field's example. ``key`` is the last name along ``path``: an item's example is its
        list's.
        """
        strings = [i for i, part in enumerate(path) if isinstance(part, str)]
        end = strings[-1] + 1 if strings else len(path)
        key = str(path[end - 1]) if path else ""
        written_value = _lookup(self.values, path[:end])
        if written_value is MISSING:
            written_value = value
        if where == "file" or not path:
            return f"{key}: {_show(written_value)}"
        validated = self.spelling.as_validated(path[:end])
        spec = KEYS_BY_KEY.get(str(validated[0]))
        if spec is None:
            return f"{key}: {_show(written_value)}"
        raw = self.validated.get(spec.key, MISSING)
        current = _lookup(raw, validated[1:]) if raw is not MISSING else MISSING
        if current is not MISSING:
            fine = self.clean_under(self.spelling.as_written(validated))
        else:
            current = written_value
            fine = len(validated) == 1 and _valid(spec.adapter, current, self.context)
        if fine and current is not MISSING and len(_show(current)) <= _EXAMPLE_WIDTH:
            return f"{key}: {_show(current)}"
        if len(validated) == 1:
            return _key_example(spec, self.ours, self.context)
        return _field_example(spec, validated[1:], raw, self.ours, self.context)

    # -- the result

    def build(self) -> StageConfig:
        parsed = self.parsed
        if parsed["role"] == "local":
            return LocalStageConfig(
                stage=self.stage,
                role="local",
                production=parsed["production"],
                kubernetes=parsed["kubernetes"],
                source=self.source,
            )
        return AwsStageConfig(
            stage=self.stage,
            role=parsed["role"],
            production=parsed["production"],
            aws=parsed["aws"],
            network=parsed["network"],
            cluster=parsed["cluster"],
            access=parsed.get("access", AccessSettings()),
            tags=dict(parsed.get("tags", {})),
            bootstrap=parsed.get("bootstrap"),
            backend=parsed.get("backend"),
            source=self.source,
        )


#: Namespaces of common keys written without theirs.
_OTHER_NAMESPACES = {
    "disable-default-providers": "pulumi",
    "region": "aws",
    "profile": "aws",
}


def _derived_rule(derived: naming.DerivedName) -> str:
    return (
        f"the derived {derived.what} {derived.name!r} is {len(derived.name)} characters; at "
        f"most {derived.limit} (the last {naming.AUTONAME_SUFFIX_LENGTH} are Pulumi's random "
        "suffix): shorten the stack or node group name"
    )


def validate_stage(stage: str, values: Mapping[str, Any], *, source: ConfigSource) -> StageConfig:
    """Validate one stage's config; raise ConfigInvalidError listing every problem.

    ``values`` maps namespaced keys (``argosy:network``) to their values; keys of other
    namespaces are ignored (they configure Pulumi or providers, not argosy). What reading the
    stack file found (``source.issues`` and ``source.findings``) is reported too.
    """
    return _Validation(stage, values, source).run()


def _with_warnings(config: StageConfig, found: Sequence[ConfigIssue]) -> StageConfig:
    """``config`` with its warnings: those found while validating and the advice below."""
    if not isinstance(config, AwsStageConfig):
        return LocalStageConfig(**{**config.__dict__, "warnings": tuple(found)})
    source = config.source
    warnings: list[ConfigIssue] = list(found)
    cluster = config.cluster
    version = eks_versions.BY_VERSION[cluster.version]
    if version.support_on(eks_versions.REVIEWED_ON) == "EXTENDED":
        warnings.append(
            _warning(
                source,
                ("argosy:cluster", "version"),
                cluster.version,
                f"Kubernetes {cluster.version} is in extended support: the control plane costs "
                "$0.60 instead of $0.10 per hour until "
                f"{version.end_of_extended_support.isoformat()}; plan the upgrade",
                f'version: "{eks_versions.newest_version()}"',
            )
        )
    if config.production and config.network.nat_gateways == "single":
        warnings.append(
            _warning(
                source,
                ("argosy:network", "natGateways"),
                "single",
                "production with one NAT gateway loses egress from every private subnet when "
                "its zone fails",
                "natGateways: per-az",
            )
        )
    for i, group in enumerate(cluster.node_groups):
        if group.capacity_type == "SPOT" and len(group.instance_types) < 2:
            warnings.append(
                _warning(
                    source,
                    ("argosy:cluster", "nodeGroups", i, "instanceTypes"),
                    list(group.instance_types),
                    "spot node groups should list several instance types so EC2 can find capacity",
                    "instanceTypes: [m7g.large, m6g.large, c7g.xlarge]",
                )
            )
    return AwsStageConfig(**{**config.__dict__, "warnings": tuple(warnings)})


def _warning(
    source: ConfigSource, path: ValuePath, value: Any, rule: str, example: str
) -> ConfigIssue:
    return ConfigIssue(
        file=source.file,
        line=source.line_of(path),
        path=_format_path(path),
        value=_show(value),
        rule=rule,
        example=example,
        severity="warning",
    )


# --------------------------------------------------------------------------------------
# Rules between stages


@dataclass(frozen=True, kw_only=True)
class StageFootprint:
    """What the rules between stages read of a stage: its account and VPC range, if usable.

    Taken from the values as written, so that a stage with mistakes of its own is still
    checked against the others.
    """

    stage: str
    source: ConfigSource
    account_id: str | None
    account_value: Any
    vpc: ipaddress.IPv4Network | None
    vpc_value: Any


def stage_footprint(stage: str, values: Mapping[str, Any], source: ConfigSource) -> StageFootprint:
    """The account and VPC range of a stage's config as written, when they are usable."""
    aws = values.get(f"{NAMESPACE}:aws")
    network = values.get(f"{NAMESPACE}:network")
    account = aws.get("accountId") if isinstance(aws, Mapping) else None
    cidr = network.get("vpcCidr") if isinstance(network, Mapping) else None
    account_id = str(account) if isinstance(account, str | int) else None
    vpc = None
    if isinstance(cidr, str):
        try:
            vpc = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            vpc = None
    return StageFootprint(
        stage=stage,
        source=source,
        account_id=account_id if account_id and _ACCOUNT_ID.fullmatch(account_id) else None,
        account_value=account,
        vpc=vpc,
        vpc_value=cidr,
    )


def _footprint(config: StageConfig | StageFootprint) -> StageFootprint | None:
    if isinstance(config, StageFootprint):
        return config
    if not isinstance(config, AwsStageConfig):
        return None
    return StageFootprint(
        stage=config.stage,
        source=config.source,
        account_id=config.aws.account_id,
        account_value=config.aws.account_id,
        vpc=ipaddress.IPv4Network(config.network.vpc_cidr),
        vpc_value=config.network.vpc_cidr,
    )


def _free_account(used: set[str]) -> str:
    """A documentation-style account ID (one digit repeated) that no stage uses."""
    return next(d * 12 for d in "123456789" if d * 12 not in used)


def _free_vpc_range(used: Sequence[ipaddress.IPv4Network]) -> str:
    """The first 10.N.0.0/16 that overlaps no stage's VPC."""
    for octet in range(10, 256):
        candidate = ipaddress.IPv4Network(f"10.{octet}.0.0/16")
        if not any(candidate.overlaps(u) for u in used):
            return str(candidate)
    return "172.16.0.0/16"


def _stage_issue(
    stage: StageFootprint, path: ValuePath, value: Any, rule: str, example: str
) -> ConfigIssue:
    return ConfigIssue(
        file=stage.source.file,
        line=stage.source.line_of(path),
        path=_format_path(path),
        value=_show(value),
        rule=rule,
        example=example,
    )


def check_across_stages(configs: Sequence[StageConfig | StageFootprint]) -> list[ConfigIssue]:
    """Rules between stages planned together: own accounts, non-overlapping VPCs.

    Stages may be given as validated configs or, for those with mistakes of their own, as
    footprints of their values as written. The examples offered are free: an account and a
    range no planned stage uses.
    """
    issues: list[ConfigIssue] = []
    stages = [f for f in map(_footprint, configs) if f is not None]
    free_account = _free_account({s.account_id for s in stages if s.account_id})
    free_range = _free_vpc_range([s.vpc for s in stages if s.vpc is not None])
    seen_accounts: dict[str, StageFootprint] = {}
    for stage in stages:
        if stage.account_id is None:
            continue
        other = seen_accounts.get(stage.account_id)
        if other is None:
            seen_accounts[stage.account_id] = stage
            continue
        issues.append(
            _stage_issue(
                stage,
                (f"{NAMESPACE}:aws", "accountId"),
                stage.account_value,
                f"each stage has its own AWS account; stage {other.stage} "
                f"({other.source.file}) uses {stage.account_id} too",
                f'accountId: "{free_account}"',
            )
        )
    for i, stage in enumerate(stages):
        if stage.vpc is None:
            continue
        for other in stages[:i]:
            if other.vpc is not None and stage.vpc.overlaps(other.vpc):
                issues.append(
                    _stage_issue(
                        stage,
                        (f"{NAMESPACE}:network", "vpcCidr"),
                        stage.vpc_value,
                        f"stage VPCs must not overlap, so they can be peered or routed later; "
                        f"stage {other.stage} ({other.source.file}) uses {other.vpc}",
                        f"vpcCidr: {free_range}",
                    )
                )
    return issues
