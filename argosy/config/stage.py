"""A stage's validated configuration: what :func:`~argosy.config.validate.validate_stage` returns.

Two shapes, one per kind of stage: :class:`AwsStageConfig` for the ``hub`` and ``workload``
roles (an AWS account, a VPC and an EKS cluster of their own) and :class:`LocalStageConfig` for
``local`` (an existing kind or k3d cluster). Both are frozen and typed, so everything that
builds a stage (the Pulumi program, the plan, bootstrap, doctor) reads checked values only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from argosy.config.errors import ConfigIssue
from argosy.config.keys import AwsRole
from argosy.config.models import (
    AccessSettings,
    AddonsSettings,
    AppsSettings,
    ArgoCdSettings,
    AwsSettings,
    BootstrapSettings,
    ClusterSettings,
    LocalKubernetesSettings,
    NetworkSettings,
)
from argosy.config.source import ConfigSource


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
        argocd: Argo CD hosted by this stage; ``None`` when it hosts none.
        addons: The controllers Argo CD delivers here (``argosy:addons``; defaults if absent).
        apps: The platform's app defaults and the app domain (``argosy:apps``).
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
    argocd: ArgoCdSettings | None = None
    addons: AddonsSettings = field(default_factory=AddonsSettings)
    apps: AppsSettings = field(default_factory=AppsSettings)
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
        argocd: The self-hosted Argo CD installed there (standalone).
        apps: The platform's app defaults (``argosy:apps``).
        addons: The controllers Argo CD delivers there (the Argo ones, Istio if asked).
        source: Where the config came from.
        warnings: Problems that do not stop the plan.
    """

    stage: str
    role: Literal["local"]
    production: bool
    kubernetes: LocalKubernetesSettings
    argocd: ArgoCdSettings
    source: ConfigSource
    addons: AddonsSettings = field(default_factory=AddonsSettings)
    apps: AppsSettings = field(default_factory=AppsSettings)
    warnings: tuple[ConfigIssue, ...] = ()


StageConfig = AwsStageConfig | LocalStageConfig
