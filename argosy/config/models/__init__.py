"""Typed, frozen models of a stage's configuration, one module per concept.

Each top-level ``argosy:<key>`` of a stack file is validated by one model: ``aws``,
``network``, ``cluster``, ``access``, ``tags``, ``bootstrap`` (with ``backend``) and, for
local stages, ``kubernetes``. Field names are snake_case in Python and camelCase in the stack
file. ``base`` holds the rule plumbing, ``scalars`` the shared value types. This package
re-exports the public names, so callers import from ``argosy.config.models``.
"""

from argosy.config.models.access import (
    ACCESS_POLICY_NAMES,
    AccessGrant,
    AccessPolicy,
    AccessSettings,
)
from argosy.config.models.addons import AddonsSettings
from argosy.config.models.apps import AppsSettings, SyncWindow, TeamSettings
from argosy.config.models.argocd import ArgoCdSettings, GitOpsSettings, ManagedArgoCdSettings
from argosy.config.models.aws import AwsSettings
from argosy.config.models.base import (
    Model,
    StrictBool,
    StrictInt,
    StrictStr,
    example_account,
    example_partition,
    example_role_arn,
    is_production,
    unused_name,
    violation,
)
from argosy.config.models.bootstrap import BackendUrl, BootstrapSettings, bucket_name
from argosy.config.models.cluster import (
    ALL_LOG_TYPES,
    AddonName,
    ClusterSettings,
    EndpointSettings,
    LoggingSettings,
    LogType,
    NodeGroupSettings,
    StorageSettings,
    Taint,
    UpgradePolicy,
    suggest_group_name,
)
from argosy.config.models.local import LocalKubernetesSettings
from argosy.config.models.network import (
    FlowLogSettings,
    NatMode,
    NetworkSettings,
    example_subnets,
)
from argosy.config.models.scalars import (
    LOG_RETENTION_DAYS,
    VpcCidr,
    dns_label,
    example_region,
    is_arm_instance_type,
    parse_ipv4_network,
)
from argosy.config.models.tags import RESERVED_TAG_KEYS, Tags, check_tags
from argosy.config.regions import dns_suffix_of, partition_of, reverse_dns_prefix_of

__all__ = [
    "ACCESS_POLICY_NAMES",
    "ALL_LOG_TYPES",
    "LOG_RETENTION_DAYS",
    "RESERVED_TAG_KEYS",
    "AccessGrant",
    "AccessPolicy",
    "AccessSettings",
    "AddonName",
    "AddonsSettings",
    "AppsSettings",
    "ArgoCdSettings",
    "AwsSettings",
    "BackendUrl",
    "BootstrapSettings",
    "ClusterSettings",
    "EndpointSettings",
    "FlowLogSettings",
    "GitOpsSettings",
    "LocalKubernetesSettings",
    "LogType",
    "LoggingSettings",
    "ManagedArgoCdSettings",
    "Model",
    "NatMode",
    "NetworkSettings",
    "NodeGroupSettings",
    "StorageSettings",
    "StrictBool",
    "StrictInt",
    "StrictStr",
    "SyncWindow",
    "Tags",
    "Taint",
    "TeamSettings",
    "UpgradePolicy",
    "VpcCidr",
    "bucket_name",
    "check_tags",
    "dns_label",
    "dns_suffix_of",
    "example_account",
    "example_partition",
    "example_region",
    "example_role_arn",
    "example_subnets",
    "is_arm_instance_type",
    "is_production",
    "parse_ipv4_network",
    "partition_of",
    "reverse_dns_prefix_of",
    "suggest_group_name",
    "unused_name",
    "violation",
]
