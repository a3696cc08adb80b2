"""Validate a stage's configuration into a typed, frozen :data:`StageConfig`.

One entry point, :func:`validate_stage`, serves both callers: the offline plan (values from the
stack file, with lines) and the Pulumi program (values as the CLI hands them over). It reports
every problem at once and raises before anything is registered.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from argosy import naming
from argosy.config import eks_versions
from argosy.config.errors import (
    MISSING,
    NOT_SET,
    ConfigInvalidError,
    ConfigIssue,
    show_value,
)
from argosy.config.models import (
    AccessSettings,
    AwsSettings,
    BackendUrl,
    BootstrapSettings,
    ClusterSettings,
    LocalKubernetesSettings,
    NetworkSettings,
    StrictBool,
    Tags,
    dns_label,
    partition_of,
)
from argosy.config.source import ConfigSource, PathPart, SecretValue, ValuePath

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
# Turning pydantic errors into issues


def _format_path(path: ValuePath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = part
        elif part.replace("-", "").replace("_", "").isalnum():
            text += f".{part}"
        else:
            text += f'["{part}"]'
    return text


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


def _field_at(
    model: type[BaseModel] | None, loc: Sequence[PathPart]
) -> tuple[str, FieldInfo] | None:
    """The last model field named along ``loc``, with its camelCase key."""
    found: tuple[str, FieldInfo] | None = None
    current: Any = model
    for part in loc:
        if not isinstance(part, str):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        for name, info in current.model_fields.items():
            if (info.alias or name) == part:
                found = (part, info)
                current = _unwrap(info.annotation)
                break
    return found


def _as_written(model: type[BaseModel] | None, loc: Sequence[PathPart]) -> list[PathPart]:
    """``loc`` with field names spelled as in the file.

    pydantic reports a defaulted field (validated with ``validate_default``) by its Python
    name, every other field by its alias.
    """
    written: list[PathPart] = []
    current: Any = model
    for part in loc:
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            for name, info in current.model_fields.items():
                alias = info.alias or name
                if part in (name, alias):
                    part = alias
                    current = _unwrap(info.annotation)
                    break
        written.append(part)
    return written


def _example_for(spec: KeySpec, loc: Sequence[PathPart]) -> str:
    located = _field_at(spec.model, loc)
    if located is not None:
        key, info = located
        if info.examples:
            return f"{key}: {show_value(info.examples[0])}"
    return spec.example


def _allowed_fields(model: type[BaseModel] | None, loc: Sequence[PathPart]) -> list[str]:
    parent = _field_at(model, loc)
    target: Any = model if parent is None else _unwrap(parent[1].annotation)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [info.alias or name for name, info in target.model_fields.items()]
    return []


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


def _issues_from(
    exc: ValidationError, spec: KeySpec, raw: Any, source: ConfigSource
) -> list[ConfigIssue]:
    issues = []
    errors = exc.errors(include_url=False)
    failed_below = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
    for error in errors:
        # pydantic counts only the items that passed; a length error above failing items
        # would blame the list for its items' faults.
        if error["type"] in ("too_short", "too_long") and tuple(error["loc"]) in failed_below:
            continue
        # Mapping keys are reported as (..., key, "[key]"): the key itself is at fault.
        loc = _as_written(spec.model, [p for p in error["loc"] if p != "[key]"])
        ctx = error.get("ctx") or {}
        if error["type"] == "argosy" and "field" in ctx:
            loc.append(ctx["field"])
        if error["type"] == "argosy":
            example = str(ctx["example"])
        elif error["type"] == "extra_forbidden":
            allowed = _allowed_fields(spec.model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            example = (
                f"{close[0]}: {show_value(error['input'])}" if close else _example_for(spec, loc)
            )
        else:
            example = _example_for(spec, loc)
        if error["type"] == "missing" or (error["input"] is None and _lookup(raw, loc) is MISSING):
            shown = NOT_SET
        elif error["type"] == "argosy" and "field" in ctx:
            shown = show_value(_lookup(raw, loc))
        else:
            shown = _show(error["input"])
        path: ValuePath = (spec.key, *loc)
        issues.append(
            ConfigIssue(
                file=source.file,
                line=source.line_of(path),
                path=_format_path(path),
                value=shown,
                rule=_rule_for(error, spec, loc),
                example=example,
            )
        )
    return issues


def _show(value: Any) -> str:
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


# --------------------------------------------------------------------------------------
# The stage as a whole


def _issue(
    source: ConfigSource,
    path: ValuePath,
    value: Any,
    rule: str,
    example: str,
    *,
    severity: Literal["error", "warning"] = "error",
) -> ConfigIssue:
    return ConfigIssue(
        file=source.file,
        line=source.line_of(path),
        path=_format_path(path),
        value=_show(value) if value is not MISSING else NOT_SET,
        rule=rule,
        example=example,
        severity=severity,
    )


def _check_stage_name(stage: str, source: ConfigSource) -> list[ConfigIssue]:
    try:
        dns_label(stage)
    except Exception:
        return [
            ConfigIssue(
                file=source.file,
                line=None,
                path="(stack name)",
                value=show_value(stage),
                rule="the stack name names the stage and its resources: a DNS-1123 label of "
                "lowercase letters, digits and '-', at most 63 characters",
                example="pulumi stack init staging",
            )
        ]
    return []


def _check_derived_names(
    stage: str, cluster: ClusterSettings | None, source: ConfigSource
) -> list[ConfigIssue]:
    groups = tuple(g.name for g in cluster.node_groups) if cluster else ()
    issues = []
    for derived in naming.derived_names(stage, groups):
        if len(derived.name) > derived.limit:
            issues.append(
                ConfigIssue(
                    file=source.file,
                    line=None,
                    path="(stack name)",
                    value=show_value(stage),
                    rule=f"the derived {derived.what} {derived.name!r} is {len(derived.name)} "
                    f"characters; at most {derived.limit} (the last "
                    f"{naming.AUTONAME_SUFFIX_LENGTH} are Pulumi's random suffix): shorten the "
                    "stack or node group name",
                    example="pulumi stack init prod-eu",
                )
            )
    return issues


def _validation_context(values: Mapping[str, Any]) -> dict[str, Any]:
    """Facts from other keys that nested rules need; absent when those keys are invalid."""
    aws = values.get(f"{NAMESPACE}:aws")
    aws = aws if isinstance(aws, Mapping) else {}
    account = aws.get("accountId")
    region = aws.get("region")
    role_arn = aws.get("deployRoleArn")
    return {
        "production": values.get(f"{NAMESPACE}:production") is True,
        "account": account if isinstance(account, str) else None,
        "partition": partition_of(region) if isinstance(region, str) else None,
        "deploy_role_arn": role_arn if isinstance(role_arn, str) else None,
    }


def validate_stage(stage: str, values: Mapping[str, Any], *, source: ConfigSource) -> StageConfig:
    """Validate one stage's config; raise ConfigInvalidError listing every problem.

    ``values`` maps namespaced keys (``argosy:network``) to their values; keys of other
    namespaces are ignored (they configure Pulumi or providers, not argosy).
    """
    issues = _check_stage_name(stage, source)
    ours = {k: v for k, v in values.items() if k.startswith(f"{NAMESPACE}:")}
    for key in sorted(ours.keys() - KEYS_BY_KEY.keys()):
        close = difflib.get_close_matches(key, list(KEYS_BY_KEY), n=1)
        example = f"{close[0]}: ..." if close else KEYS[0].example
        issues.append(
            _issue(
                source,
                (key,),
                ours[key],
                "unknown key; argosy reads: " + ", ".join(s.key for s in KEYS),
                example,
            )
        )

    parsed: dict[str, Any] = {}
    context = _validation_context(ours)
    role_value = ours.get(f"{NAMESPACE}:role")
    role = role_value if role_value in ROLES else None
    for spec in KEYS:
        raw = ours.get(spec.key, MISSING)
        if raw is MISSING:
            if role is not None and role in spec.required:
                issues.append(
                    _issue(source, (spec.key,), MISSING, f"required for role {role}", spec.example)
                )
            elif role is None and spec.name in ("role", "production"):
                issues.append(_issue(source, (spec.key,), MISSING, "required", spec.example))
            continue
        if role is not None and role not in spec.allowed:
            issues.append(
                _issue(
                    source,
                    (spec.key,),
                    raw,
                    f"not read by role {role} (only by {', '.join(sorted(spec.allowed))}); "
                    "remove it",
                    f"argosy:role: {sorted(spec.allowed)[0]}",
                )
            )
            continue
        try:
            parsed[spec.name] = spec.adapter.validate_python(raw, context=context)
        except ValidationError as exc:
            issues.extend(_issues_from(exc, spec, raw, source))

    cluster = parsed.get("cluster")
    if not issues:
        issues.extend(_check_derived_names(stage, cluster, source))
    if any(i.severity == "error" for i in issues):
        raise ConfigInvalidError(issues)

    config: StageConfig
    if parsed["role"] == "local":
        config = LocalStageConfig(
            stage=stage,
            role="local",
            production=parsed["production"],
            kubernetes=parsed["kubernetes"],
            source=source,
        )
    else:
        config = AwsStageConfig(
            stage=stage,
            role=parsed["role"],
            production=parsed["production"],
            aws=parsed["aws"],
            network=parsed["network"],
            cluster=parsed["cluster"],
            access=parsed.get("access", AccessSettings()),
            tags=dict(parsed.get("tags", {})),
            bootstrap=parsed.get("bootstrap"),
            backend=parsed.get("backend"),
            source=source,
        )
    return _with_warnings(config)


def _with_warnings(config: StageConfig) -> StageConfig:
    if not isinstance(config, AwsStageConfig):
        return config
    source = config.source
    warnings: list[ConfigIssue] = []
    cluster = config.cluster
    version = eks_versions.BY_VERSION[cluster.version]
    if version.support_on(eks_versions.REVIEWED_ON) == "EXTENDED":
        warnings.append(
            _issue(
                source,
                ("argosy:cluster", "version"),
                cluster.version,
                f"Kubernetes {cluster.version} is in extended support: the control plane costs "
                "$0.60 instead of $0.10 per hour until "
                f"{version.end_of_extended_support.isoformat()}; plan the upgrade",
                f'version: "{eks_versions.newest_version()}"',
                severity="warning",
            )
        )
    if config.production and config.network.nat_gateways == "single":
        warnings.append(
            _issue(
                source,
                ("argosy:network", "natGateways"),
                "single",
                "production with one NAT gateway loses egress from every private subnet when "
                "its zone fails",
                "natGateways: per-az",
                severity="warning",
            )
        )
    for i, group in enumerate(cluster.node_groups):
        if group.capacity_type == "SPOT" and len(group.instance_types) < 2:
            warnings.append(
                _issue(
                    source,
                    ("argosy:cluster", "nodeGroups", i, "instanceTypes"),
                    list(group.instance_types),
                    "spot node groups should list several instance types so EC2 can find capacity",
                    "instanceTypes: [m7g.large, m6g.large, c7g.xlarge]",
                    severity="warning",
                )
            )
    return AwsStageConfig(**{**config.__dict__, "warnings": tuple(warnings)})


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


def check_across_stages(configs: Sequence[StageConfig]) -> list[ConfigIssue]:
    """Rules between stages planned together: own accounts, non-overlapping VPCs.

    The examples offered are free: an account and a range no planned stage uses.
    """
    issues: list[ConfigIssue] = []
    aws_stages = [c for c in configs if isinstance(c, AwsStageConfig)]
    free_account = _free_account({c.aws.account_id for c in aws_stages})
    free_range = _free_vpc_range([ipaddress.IPv4Network(c.network.vpc_cidr) for c in aws_stages])
    seen_accounts: dict[str, AwsStageConfig] = {}
    for config in aws_stages:
        other = seen_accounts.get(config.aws.account_id)
        if other is None:
            seen_accounts[config.aws.account_id] = config
            continue
        issues.append(
            _issue(
                config.source,
                ("argosy:aws", "accountId"),
                config.aws.account_id,
                f"each stage has its own AWS account; stage {other.stage} "
                f"({other.source.file}) uses {config.aws.account_id} too",
                f'accountId: "{free_account}"',
            )
        )
    for i, config in enumerate(aws_stages):
        mine = ipaddress.IPv4Network(config.network.vpc_cidr)
        for other in aws_stages[:i]:
            theirs = ipaddress.IPv4Network(other.network.vpc_cidr)
            if mine.overlaps(theirs):
                issues.append(
                    _issue(
                        config.source,
                        ("argosy:network", "vpcCidr"),
                        config.network.vpc_cidr,
                        f"stage VPCs must not overlap, so they can be peered or routed later; "
                        f"stage {other.stage} ({other.source.file}) uses {theirs}",
                        f"vpcCidr: {free_range}",
                    )
                )
    return issues
