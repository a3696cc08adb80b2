"""What Argo CD knows about a cluster it manages: labels and annotations of its registration.

The stack that hosts Argo CD registers every cluster it manages with a Secret that carries
the cluster's facts, following the GitOps Bridge convention (gitops-bridge-dev): ApplicationSet
cluster generators **select** clusters by labels and **template** from annotations
(``{{metadata.labels.environment}}``, ``{{metadata.annotations.aws_region}}``).

- Labels hold the short facts a selector matches on: the stage (``environment``), the EKS
  cluster name, the Kubernetes minor version, the region, the account and whether the stage is
  production. Each value must be a valid Kubernetes label value.
- Annotations hold the facts templates read, including those no label can hold (ARNs, a CIDR,
  URLs, paths): the AWS facts under ``aws_*``, the GitOps tree under ``addons_repo_*``, and one
  ``<addon>_iam_role_arn`` per add-on. ``environment`` and ``cluster_name`` are in both, as the
  GitOps Bridge writes them, so its templates work unchanged.

Every key is named once below. The hub cannot read a spoke's VPC ID (each stage keeps its
state in its own account's backend, so there is no StackReference across stages); the VPC
CIDR, which the spoke's stack file fixes, stands in for it as ``aws_vpc_cidr``.

Argo CD's own name for a cluster (the Secret's ``name``, ``{{name}}`` in a cluster generator)
is the stage; ``cluster_name`` is the EKS cluster's name, which add-ons such as the AWS Load
Balancer Controller need.
"""

from __future__ import annotations

import ipaddress
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from argosy import patterns
from argosy.config.models.scalars import IAM_PRINCIPAL_ARN
from argosy.patterns import is_dns_label, is_label_value

# --------------------------------------------------------------------------------------
# Keys: each written once. A key may be both a label and an annotation.

#: The stage (label and annotation).
ENVIRONMENT = "environment"
#: The EKS cluster's name (label and annotation).
CLUSTER_NAME = "cluster_name"
#: The control plane's Kubernetes minor version, such as ``1.33`` (label).
KUBERNETES_VERSION = "kubernetes_version"
#: ``"true"`` on production stages, else ``"false"`` (label). Not a GitOps Bridge key, so it
#: carries argosy's prefix: it can collide neither with the Bridge's keys nor with a team's.
PRODUCTION = "argosy.dev/production"
#: The stage's AWS account ID (label and annotation).
AWS_ACCOUNT_ID = "aws_account_id"
#: The stage's AWS region (label and annotation).
AWS_REGION = "aws_region"
#: The EKS cluster's name, under the Bridge's AWS name (annotation).
AWS_CLUSTER_NAME = "aws_cluster_name"
#: The EKS cluster's ARN (annotation; an ARN holds ``:`` and ``/``, so it cannot be a label).
AWS_CLUSTER_ARN = "aws_cluster_arn"
#: The VPC's IPv4 range (annotation; ``/`` cannot be in a label value).
AWS_VPC_CIDR = "aws_vpc_cidr"
#: The Git repository of the GitOps tree (annotation).
ADDONS_REPO_URL = "addons_repo_url"
#: The tree's directory in that repository, ending with ``/`` (or empty for the root), so that
#: templates join it to a path as the Bridge does (annotation).
ADDONS_REPO_BASEPATH = "addons_repo_basepath"
#: The branch, tag or commit Argo CD follows (annotation).
ADDONS_REPO_REVISION = "addons_repo_revision"
#: Suffix of an add-on's role annotation: ``<addon>_iam_role_arn`` (the EKS Blueprints
#: add-ons' ``gitops_metadata`` naming).
IAM_ROLE_ARN_SUFFIX = "_iam_role_arn"

#: The keys of :meth:`ClusterMetadata.labels`, in order.
LABEL_KEYS = (
    ENVIRONMENT,
    CLUSTER_NAME,
    KUBERNETES_VERSION,
    AWS_REGION,
    AWS_ACCOUNT_ID,
    PRODUCTION,
)
#: The keys of :meth:`ClusterMetadata.annotations` besides the add-ons' roles, in order.
ANNOTATION_KEYS = (
    ENVIRONMENT,
    CLUSTER_NAME,
    AWS_ACCOUNT_ID,
    AWS_REGION,
    AWS_CLUSTER_NAME,
    AWS_CLUSTER_ARN,
    AWS_VPC_CIDR,
    ADDONS_REPO_URL,
    ADDONS_REPO_BASEPATH,
    ADDONS_REPO_REVISION,
)

# --------------------------------------------------------------------------------------
# Value rules

LABEL_VALUE_RULE = (
    "a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and "
    "ending with a letter or digit"
)
DNS_LABEL_RULE = (
    "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with "
    "a letter or digit"
)
_KUBERNETES_MINOR = re.compile(r"^[0-9]+\.[0-9]+$")
_CLUSTER_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):eks:(?P<region>[^:]+):(?P<account>[0-9]{12}):"
    r"cluster/(?P<name>[^/]+)$"
)
#: An add-on's name as the GitOps Bridge spells it: snake_case, usable as a template field.
_ADDON_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
#: The longest add-on name whose ``<addon>_iam_role_arn`` key is a valid annotation name.
_ADDON_NAME_MAX = 63 - len(IAM_ROLE_ARN_SUFFIX)


def addon_role_annotation(addon: str) -> str:
    """The annotation key of ``addon``'s IAM role ARN: ``<addon>_iam_role_arn``."""
    if len(addon) > _ADDON_NAME_MAX or not _ADDON_NAME.fullmatch(addon):
        raise ValueError(
            f"add-on name {addon!r} is not valid: snake_case (lowercase letters, digits and "
            f"single '_', starting with a letter), at most {_ADDON_NAME_MAX} characters, so "
            f"that {addon}{IAM_ROLE_ARN_SUFFIX} is an annotation key templates can read; e.g. "
            f"{addon.replace('-', '_').lower()!r}"
        )
    return f"{addon}{IAM_ROLE_ARN_SUFFIX}"


def _fail(name: str, value: object, rule: str) -> NoReturn:
    raise ValueError(f"{name} {value!r} is not valid: {rule}")


def _require(ok: bool, name: str, value: object, rule: str) -> None:
    if not ok:
        _fail(name, value, rule)


@dataclass(frozen=True, kw_only=True)
class ClusterMetadata:
    """The facts about one managed cluster that its registration carries.

    Built by the stack that hosts Argo CD from what it can know about a stage: its stack file
    (stage, account, region, cluster name and so ARN, VPC range, the GitOps tree) and,
    later, the add-ons' role ARNs (derived from deterministic names). Validated at
    construction; every label value is a valid Kubernetes label value.

    The local stage's cluster has no AWS facts: ``account_id``, ``region``, ``cluster_arn``
    and ``vpc_cidr`` are all ``None`` there, and its registration carries no ``aws_*`` label
    or annotation.

    Attributes:
        stage: The stage (stack) name, a DNS-1123 label; Argo CD's name for the cluster.
        account_id: The stage's AWS account ID, 12 digits; ``None`` on local.
        region: The stage's AWS region, such as ``eu-west-1``; ``None`` on local.
        production: Whether production rules apply to the stage.
        cluster_name: The EKS cluster's name (at most 63 characters, to be a label value).
        cluster_arn: The EKS cluster's ARN, in ``account_id`` and ``region``, ending with
            ``cluster/<cluster_name>``; ``None`` on local.
        kubernetes_version: The control plane's minor version, such as ``1.33``.
        vpc_cidr: The VPC's IPv4 range, such as ``10.20.0.0/16``; ``None`` on local.
        gitops_repo_url: The Git repository of the GitOps tree (https, ssh:// or git@).
        gitops_path: The tree's directory in the repository, relative, such as ``gitops``;
            empty for the repository's root.
        gitops_revision: The branch, tag or commit Argo CD follows, such as ``main``.
        addon_roles: Add-on name (snake_case, such as ``aws_load_balancer_controller``) to
            the ARN of the IAM role it runs as. Default: none.
    """

    stage: str
    account_id: str | None
    region: str | None
    production: bool
    cluster_name: str
    cluster_arn: str | None
    kubernetes_version: str
    vpc_cidr: str | None
    gitops_repo_url: str
    gitops_path: str
    gitops_revision: str
    addon_roles: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))

    def __post_init__(self) -> None:
        _require(is_dns_label(self.stage), "stage", self.stage, DNS_LABEL_RULE)
        aws_facts = (self.account_id, self.region, self.cluster_arn, self.vpc_cidr)
        if all(fact is None for fact in aws_facts):
            self._check_common()
            return
        _require(
            None not in aws_facts,
            "AWS facts",
            aws_facts,
            "account_id, region, cluster_arn and vpc_cidr all set (a cluster on AWS) or all "
            "None (the local stage's)",
        )
        assert self.account_id is not None and self.region is not None
        assert self.vpc_cidr is not None
        _require(
            bool(patterns.ACCOUNT_ID.fullmatch(self.account_id)),
            "account_id",
            self.account_id,
            "an AWS account ID is exactly 12 digits",
        )
        _require(
            bool(patterns.REGION.fullmatch(self.region)),
            "region",
            self.region,
            "an AWS region code such as eu-west-1",
        )
        self._check_cluster_arn()
        try:
            ipaddress.IPv4Network(self.vpc_cidr, strict=True)
        except ValueError:
            _fail(
                "vpc_cidr",
                self.vpc_cidr,
                "an IPv4 network in CIDR notation with no host bits set, such as 10.20.0.0/16",
            )
        self._check_common()

    def _check_common(self) -> None:
        _require(
            isinstance(self.production, bool),
            "production",
            self.production,
            "True or False",
        )
        _require(
            is_label_value(self.cluster_name), "cluster_name", self.cluster_name, LABEL_VALUE_RULE
        )
        _require(
            bool(_KUBERNETES_MINOR.fullmatch(self.kubernetes_version)),
            "kubernetes_version",
            self.kubernetes_version,
            "a Kubernetes minor version such as 1.33",
        )
        _require(
            bool(patterns.GIT_URL.fullmatch(self.gitops_repo_url)),
            "gitops_repo_url",
            self.gitops_repo_url,
            "a Git repository URL: https://host/owner/repo.git, ssh://... or git@host:owner/repo",
        )
        _require(
            self.gitops_path == ""
            or (
                bool(patterns.GIT_PATH.fullmatch(self.gitops_path))
                and ".." not in self.gitops_path.split("/")
            ),
            "gitops_path",
            self.gitops_path,
            "a relative directory in the repository without leading or trailing '/' or '..', "
            "such as gitops (empty for the repository's root)",
        )
        _require(
            bool(patterns.GIT_REVISION.fullmatch(self.gitops_revision)),
            "gitops_revision",
            self.gitops_revision,
            "a branch, tag or commit such as main",
        )
        roles = {}
        for addon, role_arn in sorted(self.addon_roles.items()):
            addon_role_annotation(addon)
            match = IAM_PRINCIPAL_ARN.fullmatch(role_arn)
            _require(
                match is not None and match["kind"] == "role",
                f"addon_roles[{addon!r}]",
                role_arn,
                "an IAM role ARN such as arn:aws:iam::222222222222:role/argosy-dev-external-dns",
            )
            roles[addon] = role_arn
        # A read-only copy, in name order: the caller's mapping can change nothing later.
        object.__setattr__(self, "addon_roles", types.MappingProxyType(roles))

    @property
    def on_aws(self) -> bool:
        """Whether the cluster is an EKS cluster (with AWS facts), not the local stage's."""
        return self.account_id is not None

    def _check_cluster_arn(self) -> None:
        match = _CLUSTER_ARN.fullmatch(self.cluster_arn or "")
        expected = (
            f"arn:<partition>:eks:{self.region}:{self.account_id}:cluster/{self.cluster_name}"
        )
        _require(
            match is not None
            and (match["region"], match["account"], match["name"])
            == (self.region, self.account_id, self.cluster_name),
            "cluster_arn",
            self.cluster_arn,
            f"the ARN of this stage's EKS cluster: {expected}",
        )

    @property
    def addons_repo_basepath(self) -> str:
        """The GitOps tree's directory with a trailing ``/`` (empty for the repository root)."""
        return f"{self.gitops_path}/" if self.gitops_path else ""

    def labels(self) -> dict[str, str]:
        """The labels of the cluster's registration: what ApplicationSets select clusters by."""
        written = {
            ENVIRONMENT: self.stage,
            CLUSTER_NAME: self.cluster_name,
            KUBERNETES_VERSION: self.kubernetes_version,
            AWS_REGION: self.region,
            AWS_ACCOUNT_ID: self.account_id,
            PRODUCTION: "true" if self.production else "false",
        }
        labels = {key: value for key, value in written.items() if value is not None}
        # Each field was checked above; this keeps the promise if a field's rule ever widens.
        for key, value in labels.items():
            _require(is_label_value(value), f"label {key}", value, LABEL_VALUE_RULE)
        return labels

    def annotations(self) -> dict[str, str]:
        """The annotations of the cluster's registration: what ApplicationSet templates read."""
        annotations = {
            ENVIRONMENT: self.stage,
            CLUSTER_NAME: self.cluster_name,
            AWS_ACCOUNT_ID: self.account_id,
            AWS_REGION: self.region,
            AWS_CLUSTER_NAME: self.cluster_name if self.on_aws else None,
            AWS_CLUSTER_ARN: self.cluster_arn,
            AWS_VPC_CIDR: self.vpc_cidr,
            ADDONS_REPO_URL: self.gitops_repo_url,
            ADDONS_REPO_BASEPATH: self.addons_repo_basepath,
            ADDONS_REPO_REVISION: self.gitops_revision,
        }
        present = {key: value for key, value in annotations.items() if value is not None}
        for addon, role_arn in self.addon_roles.items():
            present[addon_role_annotation(addon)] = role_arn
        return present
