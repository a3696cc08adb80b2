"""The stack outputs of a stage: names other stacks and tools read, so they never change.

The stack that hosts Argo CD reads a spoke's outputs (a StackReference) for what only AWS
knows about it; people read them with ``pulumi stack output``. Renaming one breaks every
reader: add new names, never rename or remove one.
"""

from __future__ import annotations

#: Every output of an AWS stage (``hub`` and ``workload`` roles), with what it holds.
AWS_STAGE_OUTPUTS: dict[str, str] = {
    "stage": "The stage's name (the stack name).",
    "accountId": "The stage's AWS account ID.",
    "region": "The stage's AWS region.",
    "vpcId": "The VPC's ID.",
    "vpcCidr": "The VPC's IPv4 range.",
    "privateSubnetIds": "Private subnet IDs, in zone order.",
    "publicSubnetIds": "Public subnet IDs, in zone order.",
    "clusterName": "The EKS cluster's name.",
    "clusterArn": "The EKS cluster's ARN (what the EKS Argo CD capability registers).",
    "clusterEndpoint": "The Kubernetes API server URL.",
    "clusterCertificateAuthority": "The API server's CA bundle, base64.",
    "clusterSecurityGroupId": "The cluster security group EKS created.",
    "kubernetesVersion": "The control plane's Kubernetes minor version.",
    "oidcIssuerUrl": "The cluster's OIDC issuer URL (IRSA).",
    "oidcProviderArn": "The IAM OIDC provider IRSA roles trust.",
    "nodeRoleArn": "The managed nodes' IAM role (for later access entries, e.g. Karpenter).",
    "logsKeyArn": "The KMS key the stage's log groups are encrypted with.",
    "defaultStorageClass": "The default StorageClass (created by the EBS CSI add-on).",
    "kubeconfig": "A kubeconfig that runs `aws eks get-token` as the deploy role; no secret.",
}
#: Every output of a ``local`` stage.
LOCAL_STAGE_OUTPUTS: dict[str, str] = {
    "stage": "The stage's name (the stack name).",
    "kubeContext": "The kubeconfig context deployed to.",
}
#: Outputs of an AWS stage with an app domain (``argosy:apps`` ``domain``), after the others.
APPS_DNS_OUTPUTS: dict[str, str] = {
    "appsZoneId": "The app domain's public hosted zone (made by the stack or adopted).",
    "appsZoneNameServers": "Its name servers: delegate the domain to them from its parent.",
    "appsCertificateArn": "The validated ACM certificate of the domain and *.<domain>.",
}
