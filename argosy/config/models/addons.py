"""The controllers Argo CD delivers to a stage, and their settings: ``argosy:addons``.

Every stage gets Argo Rollouts, Argo Workflows and Argo Events; a stage on AWS also gets the
AWS Load Balancer Controller and external-secrets, external-dns once it names its hosted
zones, and Karpenter, Crossplane and Istio when turned on. The local stage gets the Argo
controllers (and Istio if asked) only: the others call AWS. Each setting says the upstream
value it maps to; the add-on modules (:mod:`argosy.addons`) turn them into Helm values, AWS
identities and objects of the GitOps tree.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from argosy.config.models.base import (
    Model,
    StrictBool,
    StrictInt,
    StrictStr,
    example_account,
    example_partition,
    is_production,
    validation_context,
    violation,
)
from argosy.config.models.scalars import (
    DnsLabel,
    check_certificate_arn,
    check_hostname,
    check_https_url,
)

#: A Route 53 hosted zone ID, as the console and the API show it (without ``/hostedzone/``).
_ZONE_ID = re.compile(r"^Z[0-9A-Z]{1,31}$")
#: A Secrets Manager name prefix: the characters a secret name may hold, ending with ``/``.
_SECRETS_PREFIX = re.compile(r"^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*/$")
#: An AMI alias of an EC2NodeClass (``amiSelectorTerms[].alias``).
_AMI_ALIAS = re.compile(r"^(al2023|bottlerocket)@(latest|v[0-9]+(\.[0-9]+)*)$")
_DURATION = re.compile(r"^([0-9]+(s|m|h))+$")
_POLICY_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}|aws):policy/[\w+=,.@/-]+$")


def _hostname(value: str) -> str:
    check_hostname(value, "hostname: workflows.dev.acme.example")
    return value


Hostname = Annotated[StrictStr, AfterValidator(_hostname)]


def _is_local(info: ValidationInfo) -> bool:
    return validation_context(info).get("role") == "local"


# --------------------------------------------------------------------------------------
# Argo Rollouts


class RolloutsSettings(Model):
    """Argo Rollouts (the argo-rollouts chart)."""

    dashboard: StrictBool = Field(
        default=False,
        description="Run the read-only Rollouts dashboard (chart dashboard.enabled). It has "
        "no sign-in of its own, so production refuses it. Default: false.",
        examples=[False],
    )

    @field_validator("dashboard")
    @classmethod
    def _dashboard(cls, value: bool, info: ValidationInfo) -> bool:
        if value and is_production(info):
            violation(
                "the Rollouts dashboard has no sign-in: production keeps it off (use the "
                "kubectl argo rollouts plugin, or Argo CD's resource view)",
                "dashboard: false",
            )
        return value


# --------------------------------------------------------------------------------------
# Argo Workflows

WorkflowsAuthMode = Literal["sso", "client", "server"]


class WorkflowsSsoSettings(Model):
    """Sign-in to the Argo Workflows server through OIDC (chart ``server.sso``)."""

    issuer: StrictStr = Field(
        description="The OIDC provider's issuer URL (server.sso.issuer).",
        examples=["https://acme.okta.com"],
    )
    secret_name: DnsLabel = Field(
        default="argo-workflows-sso",
        description="The Secret in the argo-workflows namespace holding the OAuth client, "
        "under the keys client-id and client-secret (server.sso.clientId/clientSecret). On "
        "AWS, external-secrets fills it from the Secrets Manager secret "
        "`<externalSecrets.prefix>argo-workflows/sso` (JSON with those two keys). Default: "
        "argo-workflows-sso.",
        examples=["argo-workflows-sso"],
    )
    scopes: tuple[StrictStr, ...] = Field(
        default=("openid", "profile", "email", "groups"),
        description="Scopes asked for (server.sso.scopes); `groups` lets RBAC map groups to "
        "service accounts. Default: openid, profile, email, groups.",
        examples=[["openid", "profile", "email", "groups"]],
    )
    rbac: StrictBool = Field(
        default=True,
        description="Map each user to a service account by its groups (server.sso.rbac."
        "enabled); without it every user acts as the server's own account. Default: true.",
        examples=[True],
    )

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        return check_https_url(value, "issuer: https://acme.okta.com")

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in value:
            violation("OIDC needs the openid scope", "scopes: [openid, profile, email, groups]")
        return value

    @field_validator("rbac")
    @classmethod
    def _rbac(cls, value: bool, info: ValidationInfo) -> bool:
        if not value and is_production(info):
            violation(
                "in production each user acts as the service account their groups map to, "
                "not as the server's own",
                "rbac: true",
            )
        return value


class WorkflowsSettings(Model):
    """Argo Workflows (the argo-workflows chart) and its artifact repository."""

    auth_modes: tuple[WorkflowsAuthMode, ...] | None = Field(
        default=None,
        description="How the server authenticates callers (server.authModes): `sso` and/or "
        "`client` (a bearer token), never `server` (SECURITY.md W1). Default: [sso] with "
        "sso, else [client].",
        examples=[["sso", "client"]],
    )
    sso: WorkflowsSsoSettings | None = Field(
        default=None,
        description="OIDC sign-in; required with a hostname. Default: none.",
        examples=[{"issuer": "https://acme.okta.com"}],
    )
    hostname: Hostname | None = Field(
        default=None,
        description="Where the UI is served, through an ALB Ingress with TLS that "
        "external-dns publishes (server.ingress.hosts). Default: none (reach the server with "
        "kubectl port-forward).",
        examples=["workflows.dev.acme.example"],
    )
    certificate_arn: StrictStr | None = Field(
        default=None,
        description="The ACM certificate of the hostname (alb.ingress.kubernetes.io/"
        "certificate-arn). Default: none, the controller finds the certificate by host.",
        examples=[
            "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
        ],
    )
    internet_facing: StrictBool = Field(
        default=False,
        description="An internet-facing ALB instead of an internal one "
        "(alb.ingress.kubernetes.io/scheme). Default: false.",
        examples=[False],
    )
    namespaces: tuple[DnsLabel, ...] = Field(
        default=("workflows",),
        min_length=1,
        description="The namespaces workflows run in (controller.workflowNamespaces). Each "
        "gets the service account `argo-workflow` with a Role of its own (SECURITY.md W2) "
        "and, on AWS, an identity that reads and writes its own prefix of the artifact "
        "bucket. Default: [workflows].",
        examples=[["workflows"]],
    )
    artifact_expiry_days: StrictInt = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days after which the artifact bucket deletes an artifact (S3 lifecycle "
        "expiration). Default: 30.",
        examples=[30],
    )

    @field_validator("auth_modes")
    @classmethod
    def _auth_modes(
        cls, value: tuple[WorkflowsAuthMode, ...] | None
    ) -> tuple[WorkflowsAuthMode, ...] | None:
        if value is None:
            return value
        if "server" in value:
            violation(
                "`server` lets anyone who reaches the server act as its service account: use "
                "`sso` and/or `client` (SECURITY.md W1)",
                "authModes: [client]",
            )
        if not value or len(set(value)) != len(value):
            violation("one or both of sso and client, each once", "authModes: [client]")
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate_arn(cls, value: str | None) -> str | None:
        return check_certificate_arn(value)

    @field_validator("hostname")
    @classmethod
    def _hostname_on_aws(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and _is_local(info):
            violation(
                "the local stage has no load balancer controller: reach the server with "
                "kubectl -n argo-workflows port-forward svc/argo-workflows-server 2746",
                "argoWorkflows: {}",
            )
        return value

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        reserved = {"default", "kube-system", "kube-public", "kube-node-lease", "argocd"}
        if len(set(value)) != len(value):
            violation("each namespace once", "namespaces: [workflows]")
        for namespace in value:
            if namespace in reserved or namespace.startswith("argo-"):
                violation(
                    "a namespace of its own for workflows: not default, kube-*, argocd or a "
                    "controller's argo-* namespace",
                    "namespaces: [workflows]",
                )
        return value

    @model_validator(mode="after")
    def _sso_with_hostname(self) -> WorkflowsSettings:
        modes = self.effective_auth_modes
        if "sso" in modes and self.sso is None:
            violation(
                "authMode sso needs the sso settings",
                "sso: {issuer: https://acme.okta.com}",
                field="sso",
            )
        if self.hostname is not None and "sso" not in modes:
            violation(
                "a server reachable through a load balancer signs people in with SSO (the "
                "UI behind an ALB Ingress)",
                "sso: {issuer: https://acme.okta.com}",
                field="sso",
            )
        return self

    @property
    def effective_auth_modes(self) -> tuple[str, ...]:
        """The auth modes in effect: as written, else ``sso`` with SSO and ``client`` without."""
        if self.auth_modes is not None:
            return tuple(sorted(self.auth_modes))
        return ("sso",) if self.sso is not None else ("client",)


# --------------------------------------------------------------------------------------
# Argo Events


class EventsSettings(Model):
    """Argo Events (the argo-events chart) and the cluster's JetStream EventBus."""

    event_bus_replicas: StrictInt = Field(
        default=3,
        ge=3,
        le=9,
        description="JetStream servers of the EventBus (EventBus spec.jetstream.replicas); "
        "at least 3, so that the bus keeps a quorum when one server is lost. Default: 3.",
        examples=[3],
    )
    event_bus_volume_gib: StrictInt = Field(
        default=10,
        ge=1,
        le=1000,
        description="Each JetStream server's volume, in GiB (spec.jetstream.persistence."
        "volumeSize). Default: 10.",
        examples=[10],
    )


# --------------------------------------------------------------------------------------
# AWS-only add-ons


class HostedZone(Model):
    """A Route 53 hosted zone external-dns may write to."""

    id: StrictStr = Field(
        description="The hosted zone's ID (external-dns zoneIdFilters; the IAM policy's resource).",
        examples=["Z0123456789ABCDEFGHIJ"],
    )
    domain: Hostname = Field(
        description="Its domain (external-dns domainFilters).",
        examples=["dev.acme.example"],
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ZONE_ID.fullmatch(value):
            violation(
                "a Route 53 hosted zone ID: Z followed by capital letters and digits, without "
                "/hostedzone/",
                "id: Z0123456789ABCDEFGHIJ",
            )
        return value


class ExternalDnsSettings(Model):
    """external-dns: records for the stage's Ingresses and Services, in its own zones only."""

    zones: tuple[HostedZone, ...] = Field(
        min_length=1,
        description="The hosted zones in the stage's account external-dns manages, and no other.",
        examples=[[{"id": "Z0123456789ABCDEFGHIJ", "domain": "dev.acme.example"}]],
    )
    policy: Literal["upsert-only", "sync"] = Field(
        default="upsert-only",
        description="`upsert-only` never deletes a record; `sync` also deletes the records "
        "of objects that are gone (external-dns policy). Default: upsert-only.",
        examples=["upsert-only"],
    )

    @field_validator("zones")
    @classmethod
    def _zones(cls, value: tuple[HostedZone, ...]) -> tuple[HostedZone, ...]:
        ids = [z.id for z in value]
        if len(set(ids)) != len(ids):
            violation(
                "each zone once",
                "zones: [{id: Z0123456789ABCDEFGHIJ, domain: dev.acme.example}]",
            )
        return value


class ExternalSecretsSettings(Model):
    """external-secrets: Kubernetes Secrets from the stage's AWS Secrets Manager secrets."""

    prefix: StrictStr | None = Field(
        default=None,
        description="The Secrets Manager name prefix the stage's ClusterSecretStore may read, "
        "ending with `/`; the IAM policy allows nothing else. Default: argosy/<stage>/.",
        examples=["argosy/dev/"],
    )

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str | None) -> str | None:
        if value is not None and not _SECRETS_PREFIX.fullmatch(value):
            violation(
                "a Secrets Manager name prefix ending with '/', such as argosy/dev/ (letters, "
                "digits and _+=.@- between the slashes)",
                "prefix: argosy/dev/",
            )
        return value


class KarpenterSettings(Model):
    """Karpenter: nodes that grow and shrink with the pending pods."""

    enabled: StrictBool = Field(
        default=False,
        description="Deliver Karpenter, its default NodePool and EC2NodeClass, and create "
        "its AWS side (controller identity, node role, interruption queue). Default: false.",
        examples=[True],
    )
    architectures: tuple[Literal["arm64", "amd64"], ...] = Field(
        default=("arm64",),
        min_length=1,
        description="CPU architectures of the nodes (NodePool requirement kubernetes.io/arch). "
        "Default: [arm64].",
        examples=[["arm64"]],
    )
    capacity_types: tuple[Literal["on-demand", "spot"], ...] = Field(
        default=("on-demand",),
        min_length=1,
        description="Capacity types (requirement karpenter.sh/capacity-type). Default: "
        "[on-demand].",
        examples=[["on-demand", "spot"]],
    )
    instance_categories: tuple[Literal["c", "m", "r", "t"], ...] = Field(
        default=("c", "m", "r"),
        min_length=1,
        description="EC2 instance categories (requirement karpenter.k8s.aws/instance-"
        "category). Default: [c, m, r].",
        examples=[["c", "m", "r"]],
    )
    cpu_limit: StrictInt = Field(
        default=100,
        ge=1,
        le=100000,
        description="The most vCPUs the NodePool may run at once (spec.limits.cpu). Default: 100.",
        examples=[100],
    )
    consolidate_after: StrictStr = Field(
        default="1m",
        description="How long a node stays empty or underused before Karpenter replaces or "
        "removes it (spec.disruption.consolidateAfter). Default: 1m.",
        examples=["1m"],
    )
    ami_alias: StrictStr = Field(
        default="al2023@latest",
        description="The EKS-optimized AMI family and release (EC2NodeClass "
        "amiSelectorTerms alias). Production pins a release, such as al2023@v20260714; "
        "`@latest` rolls every node when AWS publishes one. Default: al2023@latest.",
        examples=["al2023@v20260714"],
    )

    @field_validator("consolidate_after")
    @classmethod
    def _consolidate_after(cls, value: str) -> str:
        if not _DURATION.fullmatch(value):
            violation("a duration such as 30s, 1m or 1h", "consolidateAfter: 1m")
        return value

    @field_validator("ami_alias")
    @classmethod
    def _ami_alias(cls, value: str, info: ValidationInfo) -> str:
        if not _AMI_ALIAS.fullmatch(value):
            violation(
                "an AMI alias <family>@<version>: family al2023 or bottlerocket, version "
                "latest or a release such as v20260714",
                "amiAlias: al2023@v20260714",
            )
        return value

    @model_validator(mode="after")
    def _pinned_in_production(self, info: ValidationInfo) -> KarpenterSettings:
        # A model rule: the default (@latest) is not validated as a field, and only matters
        # once Karpenter is on.
        if self.enabled and self.ami_alias.endswith("@latest") and is_production(info):
            violation(
                "production pins the AMI release, so that nodes change only when this file "
                "does (Karpenter docs, 'Managing AMIs')",
                "amiAlias: al2023@v20260714",
                field="amiAlias",
            )
        return self

    @field_validator("architectures", "capacity_types", "instance_categories")
    @classmethod
    def _once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            violation("each value once", "architectures: [arm64]")
        return tuple(sorted(value))


CrossplaneFamily = Literal[
    "s3", "rds", "ec2", "iam", "sqs", "sns", "dynamodb", "ecr", "elasticache", "kms"
]


class CrossplaneSettings(Model):
    """Crossplane and its Upbound AWS provider families."""

    enabled: StrictBool = Field(
        default=False,
        description="Deliver Crossplane with the AWS provider families below. Default: false.",
        examples=[True],
    )
    providers: tuple[CrossplaneFamily, ...] = Field(
        default=(),
        description="AWS provider families to install (upbound/provider-aws-<family>). "
        "Default: none.",
        examples=[["s3"]],
    )
    policy_arns: tuple[StrictStr, ...] = Field(
        default=(),
        description="IAM policies of the stage's account the providers' identity gets: what "
        "Crossplane may create. It gets nothing else, so with none it can manage nothing. "
        "Default: none.",
        examples=[["arn:aws:iam::111111111111:policy/crossplane-s3"]],
    )

    @field_validator("policy_arns")
    @classmethod
    def _policy_arns(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        account = example_account(info)
        example = f"policyArns: [arn:{example_partition(info)}:iam::{account}:policy/crossplane-s3]"
        for arn in value:
            if not _POLICY_ARN.fullmatch(arn):
                violation("an IAM policy ARN", example)
            owner = arn.split(":")[4]
            known = validation_context(info).get("account")
            if owner == "aws" or (known is not None and owner != known):
                violation(
                    "a policy of the stage's own account, scoped to what Crossplane manages: "
                    "AWS's managed policies are broad (SECURITY.md E15)",
                    example,
                )
        return value

    @field_validator("providers")
    @classmethod
    def _providers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            violation("each family once", "providers: [s3]")
        return tuple(sorted(value))


class IstioSettings(Model):
    """Istio's control plane (the base and istiod charts)."""

    enabled: StrictBool = Field(
        default=False,
        description="Deliver Istio (base and istiod). Default: false.",
        examples=[True],
    )


# --------------------------------------------------------------------------------------
# The key


class AddonsSettings(Model):
    """``argosy:addons``: what Argo CD delivers to the stage besides its baseline."""

    argo_rollouts: RolloutsSettings = Field(
        default_factory=RolloutsSettings,
        description="Argo Rollouts, on every stage.",
        examples=[{"dashboard": False}],
    )
    argo_workflows: WorkflowsSettings = Field(
        default_factory=WorkflowsSettings,
        description="Argo Workflows, on every stage, with an S3 artifact repository on AWS.",
        examples=[{"namespaces": ["workflows"]}],
    )
    argo_events: EventsSettings = Field(
        default_factory=EventsSettings,
        description="Argo Events and its JetStream EventBus, on every stage.",
        examples=[{"eventBusReplicas": 3}],
    )
    external_dns: ExternalDnsSettings | None = Field(
        default=None,
        description="external-dns, on AWS once the stage names its zones. Default: none.",
        examples=[{"zones": [{"id": "Z0123456789ABCDEFGHIJ", "domain": "dev.acme.example"}]}],
    )
    external_secrets: ExternalSecretsSettings = Field(
        default_factory=ExternalSecretsSettings,
        description="external-secrets and the stage's ClusterSecretStore, on AWS.",
        examples=[{"prefix": "argosy/dev/"}],
    )
    karpenter: KarpenterSettings = Field(
        default_factory=KarpenterSettings,
        description="Karpenter, on AWS when enabled.",
        examples=[{"enabled": True, "amiAlias": "al2023@v20260714"}],
    )
    crossplane: CrossplaneSettings = Field(
        default_factory=CrossplaneSettings,
        description="Crossplane with AWS providers, on AWS when enabled.",
        examples=[{"enabled": True, "providers": ["s3"]}],
    )
    istio: IstioSettings = Field(
        default_factory=IstioSettings,
        description="Istio, when enabled.",
        examples=[{"enabled": True}],
    )

    @model_validator(mode="after")
    def _local(self, info: ValidationInfo) -> AddonsSettings:
        if not _is_local(info):
            return self
        aws_only = {
            "external_dns": "externalDns",
            "external_secrets": "externalSecrets",
            "karpenter": "karpenter",
            "crossplane": "crossplane",
        }
        for field, key in aws_only.items():
            if field in self.model_fields_set:
                violation(
                    f"{key} calls AWS, which the local stage has none of: local gets the Argo "
                    "controllers (and Istio if asked) only",
                    "argosy:addons: {argoRollouts: {dashboard: true}}",
                    field=key,
                )
        return self
