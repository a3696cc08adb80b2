"""The top-level ``argosy:<name>`` keys of a stack file, and the roles that read them.

One table, :data:`KEYS`, says of every key its type, which roles read and require it, a valid
example and a description. Validation checks a stage's keys against it, the program decodes
the object-valued keys (:data:`OBJECT_KEYS`) by it, and the config reference is written from
it, so that the three never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, TypeAdapter

from argosy.config import eks_versions
from argosy.config.models import (
    AccessSettings,
    AddonsSettings,
    AppsSettings,
    ArgoCdSettings,
    AwsSettings,
    BackendUrl,
    BootstrapSettings,
    ClusterSettings,
    LocalKubernetesSettings,
    NetworkSettings,
    StrictBool,
    Tags,
)

NAMESPACE = "argosy"
Role = Literal["hub", "workload", "local"]
AwsRole = Literal["hub", "workload"]
ROLES: tuple[Role, ...] = get_args(Role)
AWS_ROLES: frozenset[str] = frozenset(get_args(AwsRole))


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
        "argocd",
        ArgoCdSettings,
        allowed={"hub", "workload", "local"},
        required={"local"},
        example="argosy:argocd: {spokes: [dev], gitops: {repoUrl: "
        "https://github.com/acme/platform.git}, managed: {identityCenter: {instanceArn: "
        "arn:aws:sso:::instance/ssoins-0123456789abcdef}, rbac: [{role: ADMIN, groups: "
        "[906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]}}",
        description="Argo CD hosted here: on the hub for every stage (hub-spoke), or on a "
        "stage for itself (standalone; the local stage always), as the EKS Argo CD "
        "capability or the argo-cd chart, with its sign-in, roles and the GitOps repository. "
        "The stage's stack then reaches its own cluster's Kubernetes API.",
    ),
    _spec(
        "addons",
        AddonsSettings,
        allowed={"hub", "workload", "local"},
        example="argosy:addons: {argoWorkflows: {namespaces: [workflows]}, externalDns: "
        "{zones: [{id: Z0123456789ABCDEFGHIJ, domain: dev.acme.example}]}}",
        description="The controllers Argo CD delivers to the stage and their settings: Argo "
        "Rollouts, Workflows (with an S3 artifact repository on AWS) and Events everywhere; "
        "on AWS the Load Balancer Controller, external-secrets, external-dns (once zones are "
        "named) and, when enabled, Karpenter and Crossplane; Istio when enabled. Each "
        "controller that calls AWS gets an identity of its own in the stage's stack.",
    ),
    _spec(
        "apps",
        AppsSettings,
        allowed={"hub", "workload", "local"},
        example="argosy:apps: {domain: dev.acme.example, teams: {todo: {groups: "
        "[todo-developers]}}}",
        description="The platform's choices for apps on the stage (the app catalog, "
        "`apps/*.yaml`): the domain app hosts sit under (its hosted zone and certificate are "
        "made here), the delivery strategy, canary steps and analysis apps get unless they say "
        "otherwise, the sync policy and windows, and the teams that deploy here with their "
        "SSO groups.",
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
