"""Security and ordering rules over a planned resource graph (SECURITY.md).

Each rule is a pure function of the graph and a few facts about the stage. The plan runs all
of them on every stack and fails when one finds something; the tests run them on every
example stack and on graphs altered to break each rule. Rule IDs are SECURITY.md's; the
public rule each mirrors is named in its ``reference``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from argosy.config import eks_versions
from argosy.config.models import ALL_LOG_TYPES
from argosy.manifests.iam import STS_AUDIENCE, account_of_arn, elements

# `X as X`: re-exported, so that imports of the shared types and of the Argo CD types from
# this module keep working since they moved to argosy.policy.base and .argocd_rules.
from argosy.policy.argocd_rules import APPLICATION as APPLICATION
from argosy.policy.argocd_rules import APPLICATION_SET as APPLICATION_SET
from argosy.policy.argocd_rules import ARGOCD_RULES, LIFECYCLE_RULES
from argosy.policy.argocd_rules import CAPABILITY as CAPABILITY
from argosy.policy.argocd_rules import HELM_RELEASE as HELM_RELEASE
from argosy.policy.argocd_rules import REGISTRATION_CREDENTIALS as REGISTRATION_CREDENTIALS
from argosy.policy.argocd_rules import RESOURCES_FINALIZER as RESOURCES_FINALIZER
from argosy.policy.argocd_rules import SECRET as SECRET
from argosy.policy.base import ACCESS_ENTRY as ACCESS_ENTRY
from argosy.policy.base import ATTACHMENT, ROLE, ROLE_POLICY
from argosy.policy.base import Check as Check
from argosy.policy.base import Finding as Finding
from argosy.policy.base import Rule as Rule
from argosy.policy.base import StageFacts as StageFacts
from argosy.policy.base import decode_json as _json
from argosy.policy.base import statements as _statements
from argosy.policy.base import trust_statements as _trust_statements
from argosy.policy.controller_rules import (
    CONTROLLER_RULES,
    check_namespace_policies,
    check_scoped_writes,
)
from argosy.policy.graph import PlanGraph

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ADDON = "aws:eks/addon:Addon"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
VPC = "aws:ec2/vpc:Vpc"
POD_IDENTITY_ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
AWS_PROVIDER = "pulumi:providers:aws"
K8S_PROVIDER = "pulumi:providers:kubernetes"

#: Managed policies a node role may hold: join the cluster and pull images. SECURITY.md's E6
#: also admits the CNI policy; argosy gives vpc-cni its own Pod Identity role instead, so any
#: pod that reaches the node's credentials cannot manage the VPC's network interfaces.
NODE_ROLE_ALLOWED_POLICIES = frozenset(
    {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEC2ContainerRegistryPullOnly",
    }
)
#: Add-ons that run pods, and so need a node to exist first.
POD_ADDONS = frozenset({"coredns", "aws-ebs-csi-driver"})
#: Add-ons a node needs to become Ready.
NODE_ADDONS = frozenset({"eks-pod-identity-agent", "vpc-cni", "kube-proxy"})
#: AWS managed policies an add-on's own identity may hold: each is scoped by AWS to what one
#: add-on needs. Anything else is an inline policy of the role, with resource ARNs (E15).
ADDON_MANAGED_POLICIES = frozenset({"AmazonEBSCSIDriverPolicy", "AmazonEKS_CNI_Policy"})
#: Actions that use a KMS key, or hand its use to someone (a grant); the rest administer it.
KMS_USE_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


# --------------------------------------------------------------------------------------
# EKS


def both(first: Check, second: Check) -> Check:
    """One rule's check made of two: the findings of both, in order."""

    def check(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
        yield from first(graph, facts)
        yield from second(graph, facts)

    check.__doc__ = f"{first.__doc__}\n\nAnd: {second.__doc__}"
    return check


def check_endpoint(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E1: private endpoint in production; a public one lists ranges, never the internet."""
    for cluster in graph.of_type(CLUSTER):
        vpc = cluster.inputs.get("vpcConfig") or {}
        public = vpc.get("endpointPublicAccess", True)
        if facts.production and public:
            yield Finding(rule="E1", urn=cluster.urn, message="production endpoint is public")
        if not vpc.get("endpointPrivateAccess", False):
            yield Finding(rule="E1", urn=cluster.urn, message="private endpoint is off")
        if public:
            cidrs = vpc.get("publicAccessCidrs") or []
            if not cidrs:
                yield Finding(
                    rule="E1", urn=cluster.urn, message="public endpoint without publicAccessCidrs"
                )
            for cidr in cidrs:
                if cidr in ("0.0.0.0/0", "::/0"):
                    yield Finding(
                        rule="E1", urn=cluster.urn, message=f"public endpoint open to {cidr}"
                    )


def check_secrets_encryption(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E2: Secrets envelope-encrypted with a rotating customer-managed key of the stage."""
    for cluster in graph.of_type(CLUSTER):
        configs = cluster.inputs.get("encryptionConfig")
        configs = configs if isinstance(configs, list) else [configs] if configs else []
        secrets = [c for c in configs if "secrets" in (c.get("resources") or [])]
        if not secrets:
            yield Finding(rule="E2", urn=cluster.urn, message="Secrets are not envelope-encrypted")
            continue
        key_arn = (secrets[0].get("provider") or {}).get("keyArn", "")
        key = graph.find_by_output(KMS_KEY, "arn", key_arn)
        if key is None:
            yield Finding(rule="E2", urn=cluster.urn, message=f"key {key_arn} is not managed here")
            continue
        if key.inputs.get("enableKeyRotation") is not True:
            yield Finding(rule="E2", urn=key.urn, message="key rotation is off")
        if facts.account_id and account_of_arn(key_arn) != facts.account_id:
            yield Finding(rule="E2", urn=key.urn, message="key is outside the stage's account")


def check_control_plane_logs(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E3: every log type on, into a log group with retention created before the cluster."""
    for cluster in graph.of_type(CLUSTER):
        enabled = set(cluster.inputs.get("enabledClusterLogTypes") or [])
        missing = [t for t in ALL_LOG_TYPES if t not in enabled]
        if missing:
            yield Finding(
                rule="E3", urn=cluster.urn, message=f"log types off: {', '.join(missing)}"
            )
        name = cluster.inputs.get("name", "")
        wanted = f"/aws/eks/{name}/cluster"
        group = graph.find_by_output(LOG_GROUP, "name", wanted)
        if group is None:
            yield Finding(rule="E3", urn=cluster.urn, message=f"no log group {wanted}")
            continue
        if not group.inputs.get("retentionInDays"):
            yield Finding(rule="E3", urn=group.urn, message="log group keeps logs forever")
        if group.urn not in graph.waits_for(cluster.urn):
            yield Finding(
                rule="E3",
                urn=cluster.urn,
                message="cluster does not wait for its log group (EKS would create one "
                "without retention)",
            )


def check_instance_metadata(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E4: every node group on a launch template with IMDSv2 required and hop limit 1."""
    for template in graph.of_type(LAUNCH_TEMPLATE):
        options = template.inputs.get("metadataOptions") or {}
        if options.get("httpTokens") != "required":
            yield Finding(rule="E4", urn=template.urn, message="IMDSv1 allowed")
        if options.get("httpPutResponseHopLimit") != 1:
            yield Finding(
                rule="E4",
                urn=template.urn,
                message=f"metadata hop limit {options.get('httpPutResponseHopLimit')}, not 1",
            )
    for group in graph.of_type(NODE_GROUP):
        template_ref = group.inputs.get("launchTemplate") or {}
        if graph.find_by_output(LAUNCH_TEMPLATE, "id", template_ref.get("id")) is None:
            yield Finding(rule="E4", urn=group.urn, message="no launch template of this stack")


def check_access_entries(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E5: authentication through access entries only; no aws-auth ConfigMap."""
    for cluster in graph.of_type(CLUSTER):
        mode = (cluster.inputs.get("accessConfig") or {}).get("authenticationMode")
        if mode != "API":
            yield Finding(rule="E5", urn=cluster.urn, message=f"authenticationMode is {mode}")
    for config_map in graph.of_type(CONFIG_MAP):
        if (config_map.inputs.get("metadata") or {}).get("name") == "aws-auth":
            yield Finding(rule="E5", urn=config_map.urn, message="aws-auth ConfigMap declared")


def check_workload_identity(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E6: IRSA trust pinned to one service account and STS; node roles least privilege."""
    for role in graph.of_type(ROLE):
        for statement in _trust_statements(role):
            if "Federated" not in (statement.get("Principal") or {}):
                continue
            condition = statement.get("Condition") or {}
            exact = condition.get("StringEquals") or {}
            subjects = [v for k, v in exact.items() if k.endswith(":sub")]
            audiences = [v for k, v in exact.items() if k.endswith(":aud")]
            if set(condition) - {"StringEquals"}:
                yield Finding(
                    rule="E6", urn=role.urn, message="trust uses conditions other than equality"
                )
            if len(subjects) != 1 or not str(subjects[0]).startswith("system:serviceaccount:"):
                yield Finding(
                    rule="E6", urn=role.urn, message="trust not pinned to one service account"
                )
            elif "*" in str(subjects[0]) or len(str(subjects[0]).split(":")) != 4:
                yield Finding(
                    rule="E6", urn=role.urn, message=f"subject {subjects[0]} is not exact"
                )
            if audiences != [STS_AUDIENCE]:
                yield Finding(rule="E6", urn=role.urn, message=f"audience is not {STS_AUDIENCE}")
    # The managed node groups' role, and that of the nodes Karpenter launches: the principal
    # of an EC2_LINUX access entry.
    node_role_arns = {g.inputs.get("nodeRoleArn") for g in graph.of_type(NODE_GROUP)} | {
        e.inputs.get("principalArn")
        for e in graph.of_type(ACCESS_ENTRY)
        if e.inputs.get("type") == "EC2_LINUX"
    }
    for arn in sorted(a for a in node_role_arns if a):
        node_role = graph.find_by_output(ROLE, "arn", arn)
        if node_role is None:
            yield Finding(rule="E6", urn=None, message=f"node role {arn} is not managed here")
            continue
        name = node_role.outputs.get("name")
        attached = {
            str(a.inputs.get("policyArn", "")).rsplit("/", 1)[-1]
            for a in graph.of_type(ATTACHMENT)
            if a.inputs.get("role") == name
        }
        extra = sorted(attached - NODE_ROLE_ALLOWED_POLICIES)
        if extra:
            yield Finding(
                rule="E6", urn=node_role.urn, message=f"node role also holds {', '.join(extra)}"
            )
        if any(p.inputs.get("role") == name for p in graph.of_type(ROLE_POLICY)):
            yield Finding(rule="E6", urn=node_role.urn, message="node role has an inline policy")


def _private_subnet_ids(graph: PlanGraph) -> set[str]:
    """Subnets whose default route leads to a NAT gateway, not an internet gateway."""
    nat_tables = {
        r.inputs.get("routeTableId")
        for r in graph.of_type(ROUTE)
        if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0" and r.inputs.get("natGatewayId")
    }
    return {
        str(a.inputs.get("subnetId"))
        for a in graph.of_type(ROUTE_TABLE_ASSOCIATION)
        if a.inputs.get("routeTableId") in nat_tables
    }


def check_node_placement(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E7: nodes in private subnets only; no SSH key and no remote access."""
    private = _private_subnet_ids(graph)
    for group in graph.of_type(NODE_GROUP):
        public = sorted(set(group.inputs.get("subnetIds") or []) - private)
        if public:
            yield Finding(rule="E7", urn=group.urn, message=f"not private: {', '.join(public)}")
        if group.inputs.get("remoteAccess"):
            yield Finding(rule="E7", urn=group.urn, message="remote access (SSH) enabled")
    for template in graph.of_type(LAUNCH_TEMPLATE):
        if template.inputs.get("keyName"):
            yield Finding(rule="E7", urn=template.urn, message="launch template has an SSH key")


def check_network_policy(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E8 (cluster half): the VPC CNI enforces NetworkPolicy objects."""
    for addon in graph.of_type(ADDON):
        if addon.inputs.get("addonName") != "vpc-cni":
            continue
        values = _json(addon.inputs.get("configurationValues") or "{}")
        if not isinstance(values, dict) or values.get("enableNetworkPolicy") != "true":
            yield Finding(rule="E8", urn=addon.urn, message="vpc-cni network policy is off")
    clusters = graph.of_type(CLUSTER)
    cni = [a for a in graph.of_type(ADDON) if a.inputs.get("addonName") == "vpc-cni"]
    if clusters and not cni:
        yield Finding(rule="E8", urn=clusters[0].urn, message="no managed vpc-cni add-on")


def check_version(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E9: a Kubernetes version EKS supports; an explicit upgrade policy."""
    supported = eks_versions.supported_versions()
    for cluster in graph.of_type(CLUSTER):
        version = cluster.inputs.get("version")
        if version not in supported:
            yield Finding(rule="E9", urn=cluster.urn, message=f"version {version} not supported")
        policy = (cluster.inputs.get("upgradePolicy") or {}).get("supportType")
        if policy not in ("STANDARD", "EXTENDED"):
            yield Finding(rule="E9", urn=cluster.urn, message="upgradePolicy.supportType not set")


# --------------------------------------------------------------------------------------
# Logs, keys and identities


def check_flow_logs(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E12: every VPC has a flow log, into CloudWatch (retention and KMS) or S3."""
    for vpc in graph.of_type(VPC):
        logs = [f for f in graph.of_type(FLOW_LOG) if f.inputs.get("vpcId") == vpc.id]
        if not logs:
            yield Finding(rule="E12", urn=vpc.urn, message="VPC has no flow log")
        for flow_log in logs:
            kind = flow_log.inputs.get("logDestinationType", "cloud-watch-logs")
            destination = flow_log.inputs.get("logDestination")
            if kind == "s3":
                if not str(destination or "").startswith("arn:"):
                    yield Finding(rule="E12", urn=flow_log.urn, message="no S3 destination")
                continue
            group = graph.find_by_output(LOG_GROUP, "arn", destination)
            if group is None:
                yield Finding(rule="E12", urn=flow_log.urn, message="log group is not managed here")
            elif not (group.inputs.get("kmsKeyId") and group.inputs.get("retentionInDays")):
                yield Finding(
                    rule="E12", urn=flow_log.urn, message="log group lacks a key or retention"
                )
            if not flow_log.inputs.get("iamRoleArn"):
                yield Finding(rule="E12", urn=flow_log.urn, message="no delivery role")


def check_key_policies(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E13: every key has an explicit policy; only named users and services may use it."""
    for key in graph.of_type(KMS_KEY):
        document = _json(key.inputs.get("policy"))
        if not isinstance(document, dict):
            yield Finding(rule="E13", urn=key.urn, message="no explicit key policy")
            continue
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions = [str(a) for a in elements(statement.get("Action"))]
            principals = elements((statement.get("Principal") or {}).get("AWS"))
            uses = [
                a
                for a in actions
                if any(fnmatch.fnmatchcase(use.lower(), a.lower()) for use in KMS_USE_ACTIONS)
            ]
            if "kms:*" in actions or "*" in actions:
                yield Finding(rule="E13", urn=key.urn, message="a statement allows kms:*")
            elif uses and any(str(p).endswith(":root") for p in principals):
                yield Finding(rule="E13", urn=key.urn, message="the account root may use the key")
            if "*" in principals and not statement.get("Condition"):
                yield Finding(
                    rule="E13", urn=key.urn, message="anyone may use the key, unconditionally"
                )


def check_log_groups(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E14: every log group is encrypted with a KMS key of the stage and has retention."""
    for group in graph.of_type(LOG_GROUP):
        if not group.inputs.get("kmsKeyId"):
            yield Finding(rule="E14", urn=group.urn, message="log group is not KMS-encrypted")
        elif graph.find_by_output(KMS_KEY, "arn", group.inputs.get("kmsKeyId")) is None:
            yield Finding(rule="E14", urn=group.urn, message="log group key is not managed here")
        if not group.inputs.get("retentionInDays"):
            yield Finding(rule="E14", urn=group.urn, message="log group keeps logs forever")


def _pod_identity_bindings(graph: PlanGraph) -> dict[str, list[tuple[str, str]]]:
    """Role ARN to the (namespace, service account) pairs bound to it by Pod Identity."""
    bindings: dict[str, list[tuple[str, str]]] = {}
    for association in graph.of_type(POD_IDENTITY_ASSOCIATION):
        role = str(association.inputs.get("roleArn"))
        pair = (
            str(association.inputs.get("namespace")),
            str(association.inputs.get("serviceAccount")),
        )
        bindings.setdefault(role, []).append(pair)
    for addon in graph.of_type(ADDON):
        # An add-on's own associations live in its namespace (kube-system for EKS's).
        namespace = str((addon.inputs.get("namespaceConfig") or {}).get("namespace", "kube-system"))
        for item in addon.inputs.get("podIdentityAssociations") or []:
            role = str(item.get("roleArn"))
            bindings.setdefault(role, []).append((namespace, str(item.get("serviceAccount"))))
    return bindings


def check_service_account_identities(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E15: a pod's AWS identity serves one service account, with a least-privilege policy."""
    bindings = _pod_identity_bindings(graph)
    for role in graph.of_type(ROLE):
        statements = _trust_statements(role)
        services = {
            str(s)
            for statement in statements
            for s in elements((statement.get("Principal") or {}).get("Service"))
        }
        federated = any("Federated" in (s.get("Principal") or {}) for s in statements)
        pod_identity = "pods.eks.amazonaws.com" in services
        if not (pod_identity or federated):
            continue
        arn = role.outputs.get("arn")
        if pod_identity:
            bound = bindings.get(str(arn), [])
            if len(bound) != 1:
                yield Finding(
                    rule="E15",
                    urn=role.urn,
                    message=f"bound to {len(bound)} service accounts by Pod Identity, not 1",
                )
            for statement in statements:
                exact = (statement.get("Condition") or {}).get("StringEquals") or {}
                pinned = {
                    k: exact.get(f"aws:RequestTag/{k}")
                    for k in (
                        "eks-cluster-arn",
                        "kubernetes-namespace",
                        "kubernetes-service-account",
                    )
                }
                missing = sorted(k for k, v in pinned.items() if not isinstance(v, str) or "*" in v)
                if missing:
                    yield Finding(
                        rule="E15",
                        urn=role.urn,
                        message=f"trust does not pin {', '.join(missing)}",
                    )
                elif (
                    bound
                    and (
                        pinned["kubernetes-namespace"],
                        pinned["kubernetes-service-account"],
                    )
                    not in bound
                ):
                    shown = ", ".join("/".join(pair) for pair in sorted(bound))
                    yield Finding(
                        rule="E15",
                        urn=role.urn,
                        message=f"trust pins another service account than {shown}",
                    )
        name = role.outputs.get("name")
        for attachment in graph.of_type(ATTACHMENT):
            if attachment.inputs.get("role") != name:
                continue
            policy_arn = str(attachment.inputs.get("policyArn", ""))
            policy = policy_arn.rsplit("/", 1)[-1]
            # AWS's own policies are broad unless listed; a policy of the stage's account is
            # the team's own, scoped to what it names (Crossplane's, from its config).
            customer = facts.account_id is not None and f"::{facts.account_id}:policy/" in (
                policy_arn
            )
            if policy not in ADDON_MANAGED_POLICIES and not customer:
                yield Finding(
                    rule="E15", urn=role.urn, message=f"holds the broad managed policy {policy}"
                )
        for inline in graph.of_type(ROLE_POLICY):
            if inline.inputs.get("role") != name:
                continue
            for statement in _statements(_json(inline.inputs.get("policy"))):
                actions = [str(a) for a in elements(statement.get("Action"))]
                if any(a == "*" or a.endswith(":*") for a in actions):
                    yield Finding(
                        rule="E15", urn=role.urn, message="inline policy grants a wildcard action"
                    )


def check_audit_log_retention(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """L8: in production, audit log groups (control plane, flow logs) outlive the stack."""
    if not facts.production:
        return
    audit = {f"/aws/eks/{c.inputs.get('name')}/cluster" for c in graph.of_type(CLUSTER)}
    audit |= {str(f.inputs.get("logDestination")) for f in graph.of_type(FLOW_LOG)}
    for group in graph.of_type(LOG_GROUP):
        if (group.outputs.get("name") in audit or group.outputs.get("arn") in audit) and not (
            group.retain_on_delete
        ):
            yield Finding(
                rule="L8", urn=group.urn, message="audit log group is deleted with the stack"
            )


def _kubeconfig_clusters(kubeconfig: Any) -> set[str]:
    """The EKS clusters a kubeconfig reaches: its clusters' names and ``--cluster-name``s."""
    document = _json(kubeconfig)
    if not isinstance(document, dict):
        return set()
    names = {str(c.get("name")) for c in document.get("clusters") or [] if isinstance(c, dict)}
    for user in document.get("users") or []:
        args = ((user.get("user") or {}).get("exec") or {}).get("args") or []
        names |= {str(args[i + 1]) for i, a in enumerate(args[:-1]) if a == "--cluster-name"}
    return names


def check_kubernetes_reach(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """P2: an AWS stage's stack calls no Kubernetes API; Argo CD delivers what is inside."""
    if facts.kubernetes_allowed:
        for provider in graph.of_type(K8S_PROVIDER):
            if facts.own_cluster is None:
                continue
            targets = {str(provider.inputs.get("clusterIdentifier"))}
            targets |= _kubeconfig_clusters(provider.inputs.get("kubeconfig"))
            for target in sorted(targets - {facts.own_cluster}):
                yield Finding(
                    rule="P2",
                    urn=provider.urn,
                    message=f"targets {target}, not the stage's own cluster {facts.own_cluster}",
                )
        return
    for resource in graph.resources:
        if resource.type.startswith(("kubernetes:", "pulumi:providers:kubernetes")):
            yield Finding(
                rule="P2",
                urn=resource.urn,
                message="a Kubernetes resource in a stage that must reach only AWS APIs",
            )


# --------------------------------------------------------------------------------------
# Providers, ordering, protection


def check_account_guard(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """P1: every AWS resource uses an explicit provider confined to the stage's account."""
    providers = {p.urn: p for p in graph.of_type(AWS_PROVIDER)}
    for provider in providers.values():
        allowed = _json(provider.inputs.get("allowedAccountIds", "[]"))
        if allowed != [facts.account_id]:
            yield Finding(rule="P1", urn=provider.urn, message=f"allowedAccountIds is {allowed}")
        for assumed in _json(provider.inputs.get("assumeRoles", "[]")) or []:
            if account_of_arn(str(assumed.get("roleArn", ""))) != facts.account_id:
                yield Finding(
                    rule="P1", urn=provider.urn, message="assumes a role in another account"
                )
    for resource in graph.resources:
        if not resource.custom or resource.type.startswith("pulumi:"):
            continue
        package = resource.type.split(":", 1)[0]
        used = graph.by_urn.get(resource.provider_urn or "")
        if used is None or used.type != f"pulumi:providers:{package}":
            yield Finding(rule="P1", urn=resource.urn, message="no explicit provider of the stage")


def check_ordering(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """O1: nodes wait for vpc-cni and kube-proxy; pod add-ons wait for a node group."""
    node_groups = {g.urn for g in graph.of_type(NODE_GROUP)}
    addons = {str(a.inputs.get("addonName")): a for a in graph.of_type(ADDON)}
    for urn in sorted(node_groups):
        waits = graph.waits_for(urn)
        for name in sorted(NODE_ADDONS & addons.keys()):
            if addons[name].urn not in waits:
                yield Finding(rule="O1", urn=urn, message=f"node group does not wait for {name}")
    private = _private_subnet_ids(graph)
    egress = {
        r.urn
        for r in graph.of_type(ROUTE)
        if r.inputs.get("natGatewayId") and r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
    }
    for urn in sorted(node_groups):
        if private and not egress <= graph.waits_for(urn):
            yield Finding(
                rule="O1", urn=urn, message="node group does not wait for the private routes"
            )
    agent, cni = addons.get("eks-pod-identity-agent"), addons.get("vpc-cni")
    if agent and cni and agent.urn not in graph.waits_for(cni.urn):
        yield Finding(rule="O1", urn=cni.urn, message="vpc-cni does not wait for the agent")
    for name in sorted(POD_ADDONS & addons.keys()):
        if node_groups and not node_groups & graph.waits_for(addons[name].urn):
            yield Finding(
                rule="O1",
                urn=addons[name].urn,
                message="created before any node group: its pods would have nowhere to run",
            )
    # An add-on's pods use its role as soon as they start: the role's policies come first.
    for addon in addons.values():
        waits = graph.waits_for(addon.urn)
        for item in addon.inputs.get("podIdentityAssociations") or []:
            role = graph.find_by_output(ROLE, "arn", item.get("roleArn"))
            role_name = role.outputs.get("name") if role else None
            for attachment in graph.of_type(ATTACHMENT) + graph.of_type(ROLE_POLICY):
                if (
                    role_name
                    and attachment.inputs.get("role") == role_name
                    and attachment.urn not in waits
                ):
                    yield Finding(
                        rule="O1",
                        urn=addon.urn,
                        message="add-on does not wait for its role's policies",
                    )


#: Stateful resources production protects besides clusters and keys: buckets, databases,
#: the apps' Prometheus workspace and the hosted zones the stack makes.
STATEFUL: Final = (
    "aws:s3/bucket:Bucket",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/instance:Instance",
    "aws:amp/workspace:Workspace",
    "aws:route53/zone:Zone",
)
_RDS_WITH_DELETION_PROTECTION: Final = ("aws:rds/cluster:Cluster", "aws:rds/instance:Instance")


def check_protection(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """L3: in production, clusters, KMS keys and stateful resources are protected.

    The EKS cluster and the databases also have their service's deletion protection on.
    """
    if not facts.production:
        return
    stateful = [r for t in (CLUSTER, KMS_KEY, *STATEFUL) for r in graph.of_type(t)]
    for resource in sorted(stateful, key=lambda r: r.urn):
        if not resource.protect:
            yield Finding(rule="L3", urn=resource.urn, message="not protected in production")
    for cluster in graph.of_type(CLUSTER):
        if cluster.inputs.get("deletionProtection") is not True:
            yield Finding(rule="L3", urn=cluster.urn, message="EKS deletion protection is off")
    for database in [r for t in _RDS_WITH_DELETION_PROTECTION for r in graph.of_type(t)]:
        if database.inputs.get("deletionProtection") is not True:
            yield Finding(rule="L3", urn=database.urn, message="RDS deletion protection is off")


RULES: tuple[Rule, ...] = (
    Rule(id="E1", title="API endpoint private in production, never open to the internet",
         reference="CIS EKS 5.4.1/5.4.2; CKV_AWS_38, CKV_AWS_39", check=check_endpoint),
    Rule(id="E2", title="Secrets encrypted with a rotating customer-managed key",
         reference="CIS EKS 5.3.1; CKV_AWS_58", check=check_secrets_encryption),
    Rule(id="E3", title="Every control-plane log type, with retention",
         reference="CIS EKS 2.1.1; CKV_AWS_37", check=check_control_plane_logs),
    Rule(id="E4", title="IMDSv2 required, hop limit 1",
         reference="CKV_AWS_79, CKV_AWS_341", check=check_instance_metadata),
    Rule(id="E5", title="Access entries only (authenticationMode API)",
         reference="EKS access entries", check=check_access_entries),
    Rule(id="E6", title="IRSA pinned to one service account; least-privilege node roles",
         reference="EKS best practices: IRSA",
         check=check_workload_identity),
    Rule(id="E7", title="Nodes in private subnets, no SSH",
         reference="EKS best practices: network", check=check_node_placement),
    Rule(id="E8", title="VPC CNI enforces NetworkPolicy; every controller's namespace denied "
         "by default",
         reference="CVE-2024-31989 (network isolation of Argo CD's Redis)",
         check=both(check_network_policy, check_namespace_policies)),
    Rule(id="E9", title="A supported Kubernetes version and an explicit upgrade policy",
         reference="EKS version lifecycle", check=check_version),
    Rule(id="E12", title="Every VPC has flow logs (CloudWatch with retention and KMS, or S3)",
         reference="CKV2_AWS_11, CIS AWS 3.9", check=check_flow_logs),
    Rule(id="E13", title="Every KMS key has an explicit policy; only named users may use it",
         reference="CKV2_AWS_64", check=check_key_policies),
    Rule(id="E14", title="Every log group KMS-encrypted, with retention",
         reference="CKV_AWS_158, CKV_AWS_338", check=check_log_groups),
    Rule(id="E15", title="A pod identity serves one service account, least privilege",
         reference="EKS best practices: IAM",
         check=both(check_service_account_identities, check_scoped_writes)),
    *ARGOCD_RULES,
    *CONTROLLER_RULES,
    *LIFECYCLE_RULES,
    Rule(id="P1", title="Every AWS resource on the stage's account-confined provider",
         reference="argosy: one stack, one account", check=check_account_guard),
    Rule(id="O1", title="Nodes after their network add-ons; pod add-ons after nodes",
         reference="EKS add-on ordering", check=check_ordering),
    Rule(id="L3", title="Production cluster and keys protected",
         reference="argosy reliability", check=check_protection),
    Rule(id="L8", title="Production audit logs retained on delete",
         reference="argosy reliability", check=check_audit_log_retention),
    Rule(id="P2", title="A stage's stack reaches only AWS APIs (Argo CD delivers the rest)",
         reference="argosy delivery model", check=check_kubernetes_reach),
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class CheckReport:
    """The outcome of every rule on one stack."""

    passed: tuple[str, ...]
    findings: tuple[Finding, ...]


def evaluate(graph: PlanGraph, facts: StageFacts, rules: Iterable[Rule] = RULES) -> CheckReport:
    """Run ``rules`` over ``graph``."""
    passed: list[str] = []
    findings: list[Finding] = []
    for rule in rules:
        found = sorted(rule.check(graph, facts))
        findings.extend(found)
        if not found:
            passed.append(rule.id)
    return CheckReport(passed=tuple(passed), findings=tuple(findings))
