"""The AWS side of the controllers Argo CD delivers to a stage, in the stage's own stack.

What Argo CD cannot create and the controllers need from AWS, all with fixed names that the
stack hosting Argo CD derives from the same stack file (:mod:`argosy.addons.catalog`):

- one Pod Identity role per add-on identity (SECURITY.md E15): trusted by one namespace and
  service account of this cluster only, with the add-on's least-privilege policy, associated
  here through the EKS API; the chart needs no annotation;
- the Argo Workflows artifact repository: a bucket encrypted with a key of its own, public
  access blocked, TLS only, old artifacts expired;
- Karpenter's AWS side: the node role with its access entry, the interruption queue and the
  EventBridge rules that feed it.

Only AWS APIs are called (rule P2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy import naming
from argosy.addons import karpenter as karpenter_addon
from argosy.addons.argo_workflows import ADDON as WORKFLOWS
from argosy.addons.catalog import identities_for
from argosy.addons.spec import AddonContext, AwsTarget
from argosy.manifests import iam, interruption, kms
from components._options import child_options
from components.buckets import abort_incomplete_uploads, private_bucket
from components.cluster import NODE_ROLE_POLICIES
from components.identity import ServiceAccountRole, ServiceAccountRoleArgs
from components.keys import customer_managed_key


@dataclass(frozen=True, kw_only=True)
class ControllersAwsArgs:
    """Arguments of :class:`ControllersAws`.

    Attributes:
        context: The stage's add-on context (from its stack file).
        cluster_name: The cluster (Pod Identity associations, access entries).
        cluster_arn: The cluster's ARN, pinned in the roles' trust.
        provider: The stage's AWS provider.
        after: What must exist before any association: the Pod Identity agent add-on.
    """

    context: AddonContext
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    provider: aws.Provider
    after: Sequence[pulumi.Resource] = ()


class ControllersAws(pulumi.ComponentResource):
    """The controllers' identities, the artifact bucket and Karpenter's AWS side."""

    role_arns: dict[str, pulumi.Output[str]]
    """Identity key to role ARN (the same ARNs the registration carries)."""
    artifact_bucket: pulumi.Output[str] | None
    """The artifact bucket's name, when Argo Workflows runs on the stage."""
    ready: list[pulumi.Resource]
    """Every role's policies and Pod Identity association: before Argo CD may start the pods
    that use them (a pod started before its association gets no credentials until it is
    recreated)."""

    def __init__(
        self, name: str, args: ControllersAwsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:ControllersAws", name, None, opts)
        ctx = args.context
        target = ctx.require_aws("controllers")
        provider = args.provider
        self.role_arns = {}
        self.ready = []
        for identity in identities_for(ctx):
            role = ServiceAccountRole(
                f"{name}-{identity.role}",
                ServiceAccountRoleArgs(
                    namespace=identity.namespace,
                    service_account=identity.service_account,
                    cluster_name=args.cluster_name,
                    cluster_arn=args.cluster_arn,
                    account_id=target.account_id,
                    partition=target.partition,
                    provider=provider,
                    inline_policy=iam.to_json(identity.policy) if identity.policy else None,
                    policy_arns=identity.managed_policy_arns,
                    role_name=naming.addon_role_name(ctx.stage, identity.role),
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
            )
            self.role_arns[identity.key] = role.role_arn
            self.ready.extend(role.ready)

        self.artifact_bucket = None
        if WORKFLOWS.delivered_to(ctx):
            self.artifact_bucket = self._artifact_bucket(name, ctx, target, provider)
        if karpenter_addon.ADDON.delivered_to(ctx):
            self._karpenter(name, ctx, target, args.cluster_name, provider)
        self.register_outputs({"roleArns": self.role_arns, "artifactBucket": self.artifact_bucket})

    def _artifact_bucket(
        self, name: str, ctx: AddonContext, target: AwsTarget, provider: aws.Provider
    ) -> pulumi.Output[str]:
        """The Argo Workflows artifact bucket, protected in production (SECURITY.md L3)."""
        bucket_name = naming.artifact_bucket_name(ctx.stage, target.account_id)
        key = customer_managed_key(
            self,
            f"{name}-artifacts",
            alias=naming.artifacts_key_alias(ctx.stage),
            description=f"Argo Workflows artifacts of stage {ctx.stage}",
            policy=iam.to_json(
                kms.artifacts_key_policy(
                    partition=target.partition,
                    region=target.region,
                    account_id=target.account_id,
                )
            ),
            production=ctx.production,
            provider=provider,
        )
        bucket = private_bucket(
            self,
            f"{name}-artifacts",
            bucket_name=bucket_name,
            partition=target.partition,
            key_arn=key.arn,
            lifecycle_rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-artifacts",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=ctx.settings.argo_workflows.artifact_expiry_days
                    ),
                    abort_incomplete_multipart_upload=abort_incomplete_uploads(),
                )
            ],
            # Artifacts are build outputs: a production bucket is kept from deletion like
            # every stateful resource; elsewhere it may go with its contents.
            production=ctx.production,
            provider=provider,
        )
        return bucket.bucket

    def _karpenter(
        self,
        name: str,
        ctx: AddonContext,
        target: AwsTarget,
        cluster_name: pulumi.Input[str],
        provider: aws.Provider,
    ) -> None:
        """The role of Karpenter's nodes, their access entry, and the interruption queue."""
        node_role_name = naming.karpenter_node_role_name(ctx.stage)
        node_role = aws.iam.Role(
            f"{name}-karpenter-node",
            name=node_role_name,
            description=f"Nodes Karpenter launches in EKS cluster {target.cluster_name}",
            assume_role_policy=iam.to_json(iam.service_trust_policy("ec2", target.partition)),
            opts=child_options(self, provider),
        )
        # The managed node groups' policies and no others (SECURITY.md E6).
        for policy in NODE_ROLE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-karpenter-node-{policy}",
                role=node_role.name,
                policy_arn=iam.managed_policy_arn(target.partition, policy),
                opts=child_options(self, provider),
            )
        # Nodes join through an access entry of type EC2_LINUX, as managed nodes do.
        aws.eks.AccessEntry(
            f"{name}-karpenter-node",
            cluster_name=cluster_name,
            principal_arn=node_role.arn,
            type="EC2_LINUX",
            opts=child_options(self, provider),
        )
        queue = aws.sqs.Queue(
            f"{name}-karpenter",
            name=naming.karpenter_queue_name(ctx.stage),
            message_retention_seconds=interruption.MESSAGE_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            opts=child_options(self, provider),
        )
        queue_arn = target.arn("sqs", naming.karpenter_queue_name(ctx.stage))
        aws.sqs.QueuePolicy(
            f"{name}-karpenter",
            queue_url=queue.url,
            policy=iam.to_json(interruption.queue_policy(queue_arn)),
            opts=child_options(self, provider),
        )
        for rule_name, pattern in interruption.INTERRUPTION_RULES:
            rule = aws.cloudwatch.EventRule(
                f"{name}-karpenter-{rule_name}",
                name=f"{naming.karpenter_queue_name(ctx.stage)}-{rule_name}",
                event_pattern=iam.to_json(pattern),
                opts=child_options(self, provider),
            )
            aws.cloudwatch.EventTarget(
                f"{name}-karpenter-{rule_name}",
                rule=rule.name,
                arn=queue.arn,
                target_id="karpenter-interruption-queue",
                opts=child_options(self, provider),
            )
