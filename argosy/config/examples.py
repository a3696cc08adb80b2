"""Valid examples: what every issue offers to write instead, valid where the issue points.

A field's ``examples`` hold a value valid anywhere; the functions below replace it where
validity depends on the rest of the file (the stage's account, partition and zones, the
other items of a list), so that pasting an example at the reported place makes it valid.
:func:`key_example` gives a whole top-level key's line, :func:`field_example` a field's.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from argosy.config import eks_versions, regions
from argosy.config.context import ACCOUNT_ID
from argosy.config.errors import show_value
from argosy.config.fields import field_at
from argosy.config.keys import NAMESPACE, ROLES, KeySpec
from argosy.config.models import (
    AccessGrant,
    AccessSettings,
    AwsSettings,
    BootstrapSettings,
    ClusterSettings,
    EndpointSettings,
    FlowLogSettings,
    NetworkSettings,
    NodeGroupSettings,
    VpcCidr,
    example_account,
    example_partition,
    example_region,
    example_role_arn,
    example_subnets,
    partition_of,
    suggest_group_name,
    unused_name,
)
from argosy.config.source import PathPart, ValuePath
from argosy.config.values import lookup

#: Values longer than this are not repeated in examples; the field's own example is shown.
EXAMPLE_WIDTH = 100


@dataclass(frozen=True)
class _At:
    """Where an example is wanted: the context, the key's value and the field's location."""

    context: Mapping[str, Any]
    raw: Any
    loc: ValuePath

    def sibling(self, name: str) -> Any:
        return lookup(self.raw, (*self.loc[:-1], name))

    def item_values(self, name: str) -> tuple[list[Any], int | None]:
        """``name`` of every item of the list holding this field's item, and its index."""
        items = lookup(self.raw, self.loc[:-2])
        index = self.loc[-2] if len(self.loc) >= 2 else None
        if not isinstance(items, list | tuple) or not isinstance(index, int):
            return [], None
        return [i.get(name) if isinstance(i, Mapping) else None for i in items], index


def _int_in(value: Any, low: int, high: int) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if ok else None


def is_valid(adapter: TypeAdapter[Any], value: Any, context: Mapping[str, Any]) -> bool:
    """Whether ``value`` passes ``adapter`` in the stage's validation context."""
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
    if not (isinstance(account, str) and ACCOUNT_ID.fullmatch(account)):
        account = example_account(at.context)
    return f"arn:{partition}:iam::{account}:role/argosy-deploy"


def _ex_subnets(which: Literal["private", "public"]) -> Callable[[_At], Any]:
    def example(at: _At) -> Any:
        vpc = at.sibling("vpcCidr")
        zones = at.context.get("zones") or 6
        other = at.sibling("privateSubnets" if which == "public" else "publicSubnets")
        return example_subnets(
            which,
            vpc if is_valid(_VPC, vpc, at.context) else None,
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
    (AwsSettings, "region"): lambda at: example_region(lookup(at.raw, at.loc), at.context),
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


def key_example(spec: KeySpec, values: Mapping[str, Any], context: Mapping[str, Any]) -> str:
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
    if spec.name == "argocd" and context.get("role") == "local":
        return (
            f"{spec.key}: {{topology: standalone, install: self-hosted, gitops: {{repoUrl: "
            "https://github.com/acme/platform.git}, selfHosted: {adminLogin: true}}"
        )
    if spec.name == "argocd" and context.get("role") == "workload":
        return (
            f"{spec.key}: {{topology: standalone, gitops: {{repoUrl: "
            "https://github.com/acme/platform.git}, managed: {identityCenter: {instanceArn: "
            "arn:aws:sso:::instance/ssoins-0123456789abcdef}, rbac: [{role: ADMIN, groups: "
            "[906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]}}"
        )
    return spec.example


def field_example(
    spec: KeySpec,
    loc: Sequence[PathPart],
    raw: Any,
    values: Mapping[str, Any],
    context: Mapping[str, Any],
) -> str:
    """A valid ``key: value`` line for the field at ``loc`` of ``spec``'s value."""
    located = field_at(spec.model, loc)
    if located is None:
        return key_example(spec, values, context)
    make = _EXAMPLES.get((located.owner, located.key))
    if make is not None:
        value = make(_At(context=context, raw=raw, loc=located.loc))
    elif located.info.examples:
        value = located.info.examples[0]
    else:
        return key_example(spec, values, context)
    return f"{located.key}: {show_value(value)}"
