"""The EKS control plane and what must exist before its nodes.

Holds the customer-managed key that envelope-encrypts Secrets, the control-plane log group,
the cluster and node IAM roles, the cluster, its IAM OIDC provider (for IRSA), and the
add-ons a node needs to become Ready: the EKS Pod Identity agent, vpc-cni (whose AWS access
comes through Pod Identity) and kube-proxy. The cluster is created without EKS's self-managed
add-ons, so these are EKS managed add-ons from the first node on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy import naming
from argosy.config.models import ClusterSettings
from argosy.manifests import addons, iam, kms
from components._options import child_options
from components.addons import AddonCluster
from components.keys import customer_managed_key, encrypted_log_group

#: Policies the node role holds, and no others: join the cluster and pull images. (PullOnly
#: is the least-privileged ECR policy for pulling, narrower than ReadOnly.) The VPC CNI's
#: permissions are its own role's, through Pod Identity: no pod can borrow them from the node.
NODE_ROLE_POLICIES: tuple[str, ...] = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
)
CLUSTER_ROLE_POLICIES: tuple[str, ...] = ("AmazonEKSClusterPolicy",)
VPC_CNI_POLICY = "AmazonEKS_CNI_Policy"
#: Cluster arguments EKS reads only at creation. Changing them in code, or a provider
#: upgrade that reads them back differently, must not replace the cluster (pulumi-aws#3997,
#: terraform-aws-eks#3148).
CREATION_ONLY_INPUTS: tuple[str, ...] = (
    "bootstrapSelfManagedAddons",
    "accessConfig.bootstrapClusterCreatorAdminPermissions",
)


@dataclass(frozen=True, kw_only=True)
class EksClusterArgs:
    """Arguments of :class:`EksCluster`.

    Attributes:
        stage: Stage name; derives the cluster, alias and log group names.
        production: Protects the cluster and key (Pulumi ``protect`` and EKS
            ``deletionProtection``).
        settings: Version, upgrade policy, endpoint access, logging and add-on versions.
        subnet_ids: Private subnets for the control plane's network interfaces (EKS
            ``vpcConfig.subnetIds``).
        logs_key_arn: The stage's logs key, for the control-plane log group.
        account_id: The stage's account, for key policies and role trusts.
        partition: The AWS partition, for policy ARNs and service principals.
        provider: The stage's AWS provider.
    """

    stage: str
    production: bool
    settings: ClusterSettings
    subnet_ids: pulumi.Input[Sequence[str]]
    logs_key_arn: pulumi.Input[str]
    account_id: str
    partition: str
    provider: aws.Provider


def _attach_managed_policies(
    parent: pulumi.Resource,
    role: aws.iam.Role,
    role_name: str,
    policies: Sequence[str],
    partition: str,
    provider: aws.Provider,
) -> list[aws.iam.RolePolicyAttachment]:
    return [
        aws.iam.RolePolicyAttachment(
            f"{role_name}-{policy}",
            role=role.name,
            policy_arn=iam.managed_policy_arn(partition, policy),
            opts=child_options(parent, provider),
        )
        for policy in policies
    ]


def _oidc_issuer(identities: Sequence[aws.eks.outputs.ClusterIdentity]) -> str:
    """The OIDC issuer URL EKS reports for the cluster (it always has one)."""
    for identity in identities:
        for oidc in identity.oidcs or ():
            if oidc.issuer:
                return oidc.issuer
    raise ValueError("EKS reported no OIDC issuer for the cluster; IRSA cannot be set up")


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster with encrypted Secrets, full control-plane logs and access entries only.

    Authentication is ``API`` (access entries; no aws-auth ConfigMap) and the creator gets no
    implicit admin rights: every principal's access is declared (see :class:`ClusterAccess`).
    """

    name: pulumi.Output[str]
    """The cluster's name."""
    arn: pulumi.Output[str]
    """The cluster's ARN."""
    endpoint: pulumi.Output[str]
    """The Kubernetes API server URL."""
    certificate_authority_data: pulumi.Output[str]
    """Base64 CA bundle of the API server."""
    version: pulumi.Output[str]
    """The control plane's Kubernetes version."""
    oidc_issuer_url: pulumi.Output[str]
    """The cluster's OIDC issuer URL."""
    oidc_provider_arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider trusted by IRSA roles."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group EKS created for the control plane and managed nodes."""
    node_role_arn: pulumi.Output[str]
    """The node IAM role's ARN, shared by every managed node group."""
    secrets_key_arn: pulumi.Output[str]
    """ARN of the KMS key encrypting Kubernetes Secrets."""
    vpc_cni_role_arn: pulumi.Output[str]
    """The VPC CNI's Pod Identity role."""

    def __init__(
        self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:EksCluster", name, None, opts)
        provider = args.provider
        settings = args.settings
        cluster_name = naming.cluster_name(args.stage)

        # Created before the cluster: otherwise EKS creates it, unencrypted and kept forever.
        logs = encrypted_log_group(
            self,
            f"{name}-logs",
            log_group_name=naming.cluster_log_group_name(args.stage),
            retention_days=settings.logging.retention_days,
            key_arn=args.logs_key_arn,
            retain_on_delete=args.production,  # audit records (L8)
            provider=provider,
        )

        cluster_role_name = naming.cluster_role_resource_name(args.stage)
        cluster_role = aws.iam.Role(
            cluster_role_name,
            description=f"EKS control plane of {cluster_name}",
            assume_role_policy=iam.to_json(
                iam.service_trust_policy("eks", args.partition, tag_session=True)
            ),
            opts=child_options(self, provider),
        )
        cluster_role_policies = _attach_managed_policies(
            self, cluster_role, cluster_role_name, CLUSTER_ROLE_POLICIES, args.partition, provider
        )
        # The key's policy names the cluster role as its only user (rule E13), and the role's
        # own policy allows exactly that use: both halves of KMS's check.
        key = customer_managed_key(
            self,
            f"{name}-secrets",
            alias=naming.secrets_key_alias(args.stage),
            description=f"Envelope encryption of Kubernetes Secrets in EKS cluster {cluster_name}",
            policy=cluster_role.arn.apply(
                lambda role_arn: iam.to_json(
                    kms.secrets_key_policy(
                        partition=args.partition,
                        account_id=args.account_id,
                        cluster_role_arn=role_arn,
                    )
                )
            ),
            production=args.production,
            provider=provider,
        )
        encryption_policy = aws.iam.RolePolicy(
            f"{cluster_role_name}-secrets-key",
            role=cluster_role.name,
            policy=key.arn.apply(lambda arn: iam.to_json(iam.secrets_encryption_policy(arn))),
            opts=child_options(self, provider),
        )

        endpoint = settings.endpoint
        cluster = aws.eks.Cluster(
            name,
            name=cluster_name,
            role_arn=cluster_role.arn,
            version=settings.version,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args.subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=endpoint.public_access,
                public_access_cidrs=list(endpoint.public_access_cidrs) or None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=False,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn),
            ),
            enabled_cluster_log_types=list(settings.logging.types),
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type=settings.upgrade_policy),
            # vpc-cni, kube-proxy and coredns come as managed add-ons below, configured.
            bootstrap_self_managed_addons=False,
            deletion_protection=args.production,
            opts=child_options(
                self,
                provider,
                depends_on=[logs, encryption_policy, *cluster_role_policies],
                protect=args.production,
                ignore_changes=CREATION_ONLY_INPUTS,
            ),
        )
        issuer = cluster.identities.apply(_oidc_issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer,
            client_id_lists=[iam.STS_AUDIENCE],
            opts=child_options(self, provider),
        )

        node_role_name = naming.node_role_resource_name(args.stage)
        node_role = aws.iam.Role(
            node_role_name,
            description=f"Managed nodes of EKS cluster {cluster_name}",
            assume_role_policy=iam.to_json(iam.service_trust_policy("ec2", args.partition)),
            opts=child_options(self, provider),
        )
        _attach_managed_policies(
            self, node_role, node_role_name, NODE_ROLE_POLICIES, args.partition, provider
        )

        # A node turns Ready only once the CNI and kube-proxy run on it: they come first. The
        # Pod Identity agent comes before the CNI, which gets its credentials through it (a
        # vpc-cni started without the agent crash-loops: amazon-vpc-cni-k8s#3840,
        # terraform-aws-eks#3260).
        addon_cluster = AddonCluster(
            stage=args.stage,
            cluster_name=cluster.name,
            cluster_arn=cluster.arn,
            kubernetes_version=settings.version,
            pinned=settings.addon_versions,
            account_id=args.account_id,
            partition=args.partition,
            provider=provider,
        )
        pod_identity_agent = addon_cluster.addon(self, name, "eks-pod-identity-agent")
        cni_role = addon_cluster.identity(
            self,
            short_name=naming.VPC_CNI_ROLE_SHORT_NAME,
            namespace=naming.VPC_CNI_NAMESPACE,
            service_account=naming.VPC_CNI_SERVICE_ACCOUNT,
            policy=VPC_CNI_POLICY,
        )
        addon_cluster.addon(
            self,
            name,
            "vpc-cni",
            configuration=addons.vpc_cni_configuration(),
            identity=cni_role,
            after=[pod_identity_agent],
        )
        addon_cluster.addon(self, name, "kube-proxy")

        self.name = cluster.name
        self.arn = cluster.arn
        self.endpoint = cluster.endpoint
        self.certificate_authority_data = cluster.certificate_authority.data
        self.version = cluster.version
        self.vpc_cni_role_arn = cni_role.role_arn
        self.oidc_issuer_url = issuer
        self.oidc_provider_arn = oidc.arn
        self.cluster_security_group_id = cluster.vpc_config.cluster_security_group_id
        self.node_role_arn = node_role.arn
        self.secrets_key_arn = key.arn
        self.register_outputs(
            {
                "name": self.name,
                "arn": self.arn,
                "endpoint": self.endpoint,
                "certificateAuthorityData": self.certificate_authority_data,
                "version": self.version,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "oidcProviderArn": self.oidc_provider_arn,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "nodeRoleArn": self.node_role_arn,
                "secretsKeyArn": self.secrets_key_arn,
                "vpcCniRoleArn": self.vpc_cni_role_arn,
            }
        )
