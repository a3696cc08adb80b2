"""Pure builders of what Argo CD reads: cluster metadata, registrations, the platform project."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import pytest
import yaml

from argosy import patterns
from argosy.argocd import metadata as keys
from argosy.argocd.metadata import ClusterMetadata, addon_role_annotation
from argosy.argocd.projects import (
    CONTROLLER_CLUSTER_RESOURCES,
    PLATFORM_PROJECT,
    Destination,
    platform_project,
)
from argosy.argocd.registration import (
    aws_auth_config,
    cluster_secret_name,
    managed_cluster_secret,
    self_hosted_cluster_secret,
)
from argosy.manifests.argo_schemas import check_argo_manifest, check_manifest
from argosy.manifests.validation import ManifestInvalidError
from tests.conftest import assert_golden

HOST_VERSION = "1.36"
LBC_ROLE = "arn:aws:iam::444444444444:role/argosy-prod-aws-load-balancer-controller"
DNS_ROLE = "arn:aws:iam::444444444444:role/argosy-prod-external-dns"
CA_DATA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
PLATFORM_REPOS = (
    "https://github.com/acme/platform.git",
    "https://argoproj.github.io/argo-helm",
    "https://aws.github.io/eks-charts",
)


def prod(**changes: Any) -> ClusterMetadata:
    fields: dict[str, Any] = {
        "stage": "prod",
        "account_id": "444444444444",
        "region": "eu-west-1",
        "production": True,
        "cluster_name": "argosy-prod",
        "cluster_arn": "arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod",
        "kubernetes_version": "1.36",
        "vpc_cidr": "10.40.0.0/16",
        "gitops_repo_url": "https://github.com/acme/platform.git",
        "gitops_path": "gitops",
        "gitops_revision": "main",
        "addon_roles": {"external_dns": DNS_ROLE, "aws_load_balancer_controller": LBC_ROLE},
    }
    return ClusterMetadata(**{**fields, **changes})


def dev(**changes: Any) -> ClusterMetadata:
    fields: dict[str, Any] = {
        "stage": "dev",
        "account_id": "222222222222",
        "region": "eu-west-1",
        "production": False,
        "cluster_name": "argosy-dev",
        "cluster_arn": "arn:aws:eks:eu-west-1:222222222222:cluster/argosy-dev",
        "kubernetes_version": "1.35",
        "vpc_cidr": "10.20.0.0/16",
        "gitops_repo_url": "https://github.com/acme/platform.git",
        "gitops_path": "gitops",
        "gitops_revision": "main",
    }
    return ClusterMetadata(**{**fields, **changes})


def managed() -> dict[str, Any]:
    return managed_cluster_secret(prod(), project="platform", host_kubernetes_version=HOST_VERSION)


def self_hosted() -> dict[str, Any]:
    return self_hosted_cluster_secret(
        dev(),
        project="platform",
        role_arn="arn:aws:iam::222222222222:role/argosy-dev-argocd",
        endpoint="https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
        ca_data=CA_DATA.decode(),
        host_kubernetes_version=HOST_VERSION,
    )


def project_destinations() -> list[Destination]:
    return [
        Destination.by_name("prod", "argo-rollouts"),
        Destination.by_name("prod", "kube-system"),
        Destination.by_server(
            "arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod", "external-dns"
        ),
        Destination.by_name("dev", "argo-*"),
    ]


def project(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "namespace": "argocd",
        "source_repos": PLATFORM_REPOS,
        "destinations": project_destinations(),
        "production": True,
        "source_namespaces": ["argocd"],
    }
    return platform_project(**{**arguments, **changes})


def as_yaml(manifest: dict[str, Any]) -> str:
    return yaml.safe_dump(manifest, sort_keys=True)


# --------------------------------------------------------------------------------------
# Metadata: labels and annotations


def test_labels_are_exactly_the_selectable_facts() -> None:
    assert prod().labels() == {
        "environment": "prod",
        "cluster_name": "argosy-prod",
        "kubernetes_version": "1.36",
        "aws_region": "eu-west-1",
        "aws_account_id": "444444444444",
        "argosy.dev/production": "true",
    }
    assert dev().labels()["argosy.dev/production"] == "false"


def test_annotations_are_exactly_the_templated_facts() -> None:
    assert prod().annotations() == {
        "environment": "prod",
        "cluster_name": "argosy-prod",
        "aws_account_id": "444444444444",
        "aws_region": "eu-west-1",
        "aws_cluster_name": "argosy-prod",
        "aws_cluster_arn": "arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod",
        "aws_vpc_cidr": "10.40.0.0/16",
        "addons_repo_url": "https://github.com/acme/platform.git",
        "addons_repo_basepath": "gitops/",
        "addons_repo_revision": "main",
        "aws_load_balancer_controller_iam_role_arn": LBC_ROLE,
        "external_dns_iam_role_arn": DNS_ROLE,
    }


def test_no_addon_roles_by_default_and_root_basepath_is_empty() -> None:
    metadata = dev(gitops_path="")
    assert dict(metadata.addon_roles) == {}
    assert set(metadata.annotations()) == set(keys.ANNOTATION_KEYS)
    assert metadata.annotations()["addons_repo_basepath"] == ""
    assert set(metadata.labels()) == set(keys.LABEL_KEYS)


def test_addon_roles_are_a_read_only_copy_in_name_order() -> None:
    roles = {"external_dns": DNS_ROLE, "aws_load_balancer_controller": LBC_ROLE}
    metadata = prod(addon_roles=roles)
    roles["cert_manager"] = DNS_ROLE
    assert list(metadata.addon_roles) == ["aws_load_balancer_controller", "external_dns"]
    with pytest.raises(TypeError):
        metadata.addon_roles["x"] = DNS_ROLE  # type: ignore[index]
    assert addon_role_annotation("external_dns") == "external_dns_iam_role_arn"


def test_every_label_is_a_valid_kubernetes_label() -> None:
    for metadata in (prod(), dev()):
        for key, value in metadata.labels().items():
            name = key.rpartition("/")[2]
            assert patterns.is_label_value(name), key
            assert patterns.is_label_value(value), (key, value)


LONG_NAME = "argosy-" + "x" * 60


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"stage": "Prod"},
            "stage 'Prod' is not valid: a DNS-1123 label: at most 63 lowercase letters, digits "
            "or '-', starting and ending with a letter or digit",
        ),
        (
            {"account_id": "44444444444"},
            "account_id '44444444444' is not valid: an AWS account ID is exactly 12 digits",
        ),
        (
            {"region": "eu-west"},
            "region 'eu-west' is not valid: an AWS region code such as eu-west-1",
        ),
        (
            {"production": "true"},
            "production 'true' is not valid: True or False",
        ),
        (
            {
                "cluster_name": LONG_NAME,
                "cluster_arn": f"arn:aws:eks:eu-west-1:444444444444:cluster/{LONG_NAME}",
            },
            f"cluster_name {LONG_NAME!r} is not valid: a Kubernetes label value: at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        ),
        (
            # The AWS facts are checked first: the ARN no longer names this cluster.
            {"cluster_name": "argosy_prod_"},
            "cluster_arn 'arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod' is not valid: "
            "the ARN of this stage's EKS cluster: "
            "arn:<partition>:eks:eu-west-1:444444444444:cluster/argosy_prod_",
        ),
        (
            {
                "cluster_name": "argosy_prod_",
                "cluster_arn": "arn:aws:eks:eu-west-1:444444444444:cluster/argosy_prod_",
            },
            "cluster_name 'argosy_prod_' is not valid: a Kubernetes label value: at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        ),
        (
            # All four AWS facts or none (the local stage's), never some.
            {"cluster_arn": None},
            "AWS facts ('444444444444', 'eu-west-1', None, '10.40.0.0/16') is not valid: "
            "account_id, region, cluster_arn and vpc_cidr all set (a cluster on AWS) or all "
            "None (the local stage's)",
        ),
        (
            {"account_id": None, "region": None, "cluster_arn": None},
            "AWS facts (None, None, None, '10.40.0.0/16') is not valid: account_id, region, "
            "cluster_arn and vpc_cidr all set (a cluster on AWS) or all None (the local "
            "stage's)",
        ),
        (
            {"cluster_arn": "arn:aws:eks:eu-west-1:444444444444:cluster/argosy-dev"},
            "cluster_arn 'arn:aws:eks:eu-west-1:444444444444:cluster/argosy-dev' is not valid: "
            "the ARN of this stage's EKS cluster: "
            "arn:<partition>:eks:eu-west-1:444444444444:cluster/argosy-prod",
        ),
        (
            {"kubernetes_version": "v1.36"},
            "kubernetes_version 'v1.36' is not valid: a Kubernetes minor version such as 1.33",
        ),
        (
            {"vpc_cidr": "10.40.0.1/16"},
            "vpc_cidr '10.40.0.1/16' is not valid: an IPv4 network in CIDR notation with no "
            "host bits set, such as 10.20.0.0/16",
        ),
        (
            {"gitops_repo_url": "github.com/acme/platform"},
            "gitops_repo_url 'github.com/acme/platform' is not valid: a Git repository URL: "
            "https://host/owner/repo.git, ssh://... or git@host:owner/repo",
        ),
        (
            {"gitops_path": "/gitops/"},
            "gitops_path '/gitops/' is not valid: a relative directory in the repository "
            "without leading or trailing '/' or '..', such as gitops (empty for the "
            "repository's root)",
        ),
        (
            {"gitops_path": "gitops/../secrets"},
            "gitops_path 'gitops/../secrets' is not valid: a relative directory in the "
            "repository without leading or trailing '/' or '..', such as gitops (empty for the "
            "repository's root)",
        ),
        (
            {"gitops_revision": "main branch"},
            "gitops_revision 'main branch' is not valid: a branch, tag or commit such as main",
        ),
        (
            {"addon_roles": {"aws-load-balancer-controller": LBC_ROLE}},
            "add-on name 'aws-load-balancer-controller' is not valid: snake_case (lowercase "
            "letters, digits and single '_', starting with a letter), at most 50 characters, "
            "so that aws-load-balancer-controller_iam_role_arn is an annotation key templates "
            "can read; e.g. 'aws_load_balancer_controller'",
        ),
        (
            {"addon_roles": {"external_dns": "arn:aws:iam::444444444444:user/dns"}},
            "addon_roles['external_dns'] 'arn:aws:iam::444444444444:user/dns' is not valid: an "
            "IAM role ARN such as arn:aws:iam::222222222222:role/argosy-dev-external-dns",
        ),
    ],
)
def test_invalid_metadata_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        prod(**changes)
    assert str(caught.value) == message


def test_local_metadata_has_no_aws_facts() -> None:
    """The local stage's cluster: all four AWS facts None, accepted, and no aws_* key."""
    local = prod(
        stage="local",
        account_id=None,
        region=None,
        production=False,
        cluster_name="argosy-local",
        cluster_arn=None,
        vpc_cidr=None,
        addon_roles={},
    )
    assert local.on_aws is False
    assert prod().on_aws is True
    assert local.labels() == {
        "environment": "local",
        "cluster_name": "argosy-local",
        "kubernetes_version": "1.36",
        "argosy.dev/production": "false",
    }
    assert local.annotations() == {
        "environment": "local",
        "cluster_name": "argosy-local",
        "addons_repo_url": "https://github.com/acme/platform.git",
        "addons_repo_basepath": "gitops/",
        "addons_repo_revision": "main",
    }
    assert [k for k in (*local.labels(), *local.annotations()) if k.startswith("aws_")] == []


def test_metadata_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        prod().stage = "dev"  # type: ignore[misc]


# --------------------------------------------------------------------------------------
# Registrations


def test_managed_registration_golden() -> None:
    assert_golden("argocd/managed-cluster-secret.yaml", as_yaml(managed()))


def test_self_hosted_registration_golden() -> None:
    assert_golden("argocd/self-hosted-cluster-secret.yaml", as_yaml(self_hosted()))


def test_managed_registration_names_the_cluster_by_arn_and_holds_no_credential() -> None:
    secret = managed()
    assert secret["metadata"]["name"] == "cluster-prod"
    assert secret["metadata"]["namespace"] == "argocd"
    assert secret["type"] == "Opaque"
    assert secret["metadata"]["labels"] == {
        "argocd.argoproj.io/secret-type": "cluster",
        **prod().labels(),
    }
    assert secret["metadata"]["annotations"] == prod().annotations()
    assert secret["stringData"] == {
        "name": "prod",
        "server": "arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod",
        "project": "platform",
    }
    assert "data" not in secret


def test_self_hosted_registration_assumes_a_role_and_holds_no_token() -> None:
    secret = self_hosted()
    data = secret["stringData"]
    assert set(data) == {"name", "server", "config", "project"}
    assert data["server"].startswith("https://")
    assert json.loads(data["config"]) == {
        "awsAuthConfig": {
            "clusterName": "argosy-dev",
            "roleARN": "arn:aws:iam::222222222222:role/argosy-dev-argocd",
        },
        "tlsClientConfig": {"caData": CA_DATA.decode()},
    }
    for forbidden in ("bearerToken", "password", "keyData", "certData", "insecure", "username"):
        assert forbidden not in data["config"]


def test_config_json_is_canonical() -> None:
    config = aws_auth_config(
        cluster_name="argosy-dev", role_arn="arn:aws:iam::222222222222:role/r", ca_data="Q0E="
    )
    assert config == (
        '{"awsAuthConfig":{"clusterName":"argosy-dev",'
        '"roleARN":"arn:aws:iam::222222222222:role/r"},"tlsClientConfig":{"caData":"Q0E="}}'
    )
    assert config == json.dumps(json.loads(config), sort_keys=True, separators=(",", ":"))


def test_builds_are_deterministic() -> None:
    assert managed() == managed()
    assert as_yaml(self_hosted()) == as_yaml(self_hosted())
    assert as_yaml(project()) == as_yaml(project())
    shuffled = project(
        source_repos=tuple(reversed(PLATFORM_REPOS)),
        destinations=list(reversed(project_destinations())),
    )
    assert shuffled == project()


def test_secret_name_is_a_dns_label() -> None:
    assert cluster_secret_name("staging") == "cluster-staging"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"namespace": "Argo_CD"},
            "namespace 'Argo_CD' is not valid: a DNS-1123 label: at most 63 lowercase letters, "
            "digits or '-', starting and ending with a letter or digit",
        ),
        (
            {"project": "*"},
            "project '*' is not valid: the name of an AppProject, a DNS-1123 subdomain "
            "(lowercase letters, digits, '-' and '.', at most 253 characters)",
        ),
        (
            {"role_arn": "arn:aws:iam::222222222222:user/argocd"},
            "role_arn 'arn:aws:iam::222222222222:user/argocd' is not valid: an IAM role ARN such "
            "as arn:aws:iam::222222222222:role/argosy-dev-argocd",
        ),
        (
            {"endpoint": "http://example.eks.amazonaws.com"},
            "endpoint 'http://example.eks.amazonaws.com' is not valid: the cluster's API server "
            "URL, https://<host> with no path",
        ),
        (
            {"ca_data": "not base64!"},
            "ca_data is not valid: the API server's CA bundle, base64-encoded, as EKS reports it "
            "(certificateAuthority.data)",
        ),
    ],
)
def test_invalid_self_hosted_arguments_are_refused(changes: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "project": "platform",
        "role_arn": "arn:aws:iam::222222222222:role/argosy-dev-argocd",
        "endpoint": "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
        "ca_data": "Q0E=",
        "host_kubernetes_version": HOST_VERSION,
    }
    with pytest.raises(ValueError) as caught:
        self_hosted_cluster_secret(dev(), **{**arguments, **changes})
    assert str(caught.value) == message


# --------------------------------------------------------------------------------------
# The platform project


def test_platform_project_golden() -> None:
    assert_golden("argocd/platform-project.yaml", as_yaml(project()))


def test_platform_project_respects_a4() -> None:
    spec = project()["spec"]
    assert project()["metadata"]["name"] == PLATFORM_PROJECT
    assert spec["sourceRepos"] == sorted(PLATFORM_REPOS)
    assert all("*" not in repo for repo in spec["sourceRepos"])
    whitelist = spec["clusterResourceWhitelist"]
    assert {"group": "*", "kind": "*"} not in whitelist
    assert all("*" not in item["group"] + item["kind"] for item in whitelist)
    assert {(item["group"], item["kind"]) for item in whitelist} == {
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("", "Namespace"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "StorageClass"),
        ("networking.k8s.io", "IngressClass"),
        ("elbv2.k8s.aws", "IngressClassParams"),
        ("apiregistration.k8s.io", "APIService"),
        # The add-ons' own cluster-scoped objects.
        ("karpenter.sh", "NodePool"),
        ("karpenter.k8s.aws", "EC2NodeClass"),
        ("external-secrets.io", "ClusterSecretStore"),
        ("pkg.crossplane.io", "Provider"),
        ("pkg.crossplane.io", "DeploymentRuntimeConfig"),
    }
    assert len(whitelist) == len(CONTROLLER_CLUSTER_RESOURCES)
    for destination in spec["destinations"]:
        assert destination.get("server") != "*"
        assert destination.get("name") != "*"
    assert spec["orphanedResources"] == {"warn": True}
    assert spec["sourceNamespaces"] == ["argocd"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"source_repos": ["*"]},
            "source repository '*' is not valid: one repository's URL, never a wildcard or a "
            "negation (SECURITY.md A4)",
        ),
        (
            {"source_repos": ["https://github.com/acme/*"]},
            "source repository 'https://github.com/acme/*' is not valid: one repository's URL, "
            "never a wildcard or a negation (SECURITY.md A4)",
        ),
        (
            {"source_repos": []},
            "source_repos is empty: list every repository the project may use",
        ),
        (
            {"destinations": []},
            "destinations is empty: list every cluster and namespace to deploy to",
        ),
        (
            {"destinations": [Destination.by_name("prod", "*")]},
            "destination {'name': 'prod', 'namespace': '*'} allows every namespace; in "
            "production list the namespaces, e.g. ('prod', 'argo-rollouts') (SECURITY.md A4)",
        ),
        (
            {"destinations": ["prod"]},
            "destination {'name': 'prod', 'namespace': '*'} allows every namespace; in "
            "production list the namespaces, e.g. ('prod', 'argo-rollouts') (SECURITY.md A4)",
        ),
        (
            {"source_namespaces": []},
            "source_namespaces is empty: name the namespace(s) the project's Applications live "
            "in (the EKS Argo CD capability requires spec.sourceNamespaces)",
        ),
        (
            {"source_namespaces": ["*"]},
            "source namespace '*' is not valid: one namespace, never a glob, a DNS-1123 label: "
            "at most 63 lowercase letters, digits or '-', starting and ending with a letter or "
            "digit",
        ),
        (
            {"namespace": "Argo"},
            "namespace 'Argo' is not valid: a DNS-1123 label: at most 63 lowercase letters, "
            "digits or '-', starting and ending with a letter or digit",
        ),
    ],
)
def test_invalid_project_arguments_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        project(**changes)
    assert str(caught.value) == message


def test_every_namespace_is_allowed_outside_production_only() -> None:
    spec = project(production=False, destinations=[Destination.by_name("dev", "*")])["spec"]
    assert spec["destinations"] == [{"name": "dev", "namespace": "*"}]


def test_destinations_in_short_spellings() -> None:
    arn = "arn:aws:eks:eu-west-1:222222222222:cluster/argosy-dev"
    spec = project(
        production=False,
        destinations=["dev", ("staging", "argo-*"), (arn, "kube-system"), ("dev", "*")],
    )["spec"]
    assert spec["destinations"] == [
        {"name": "dev", "namespace": "*"},
        {"name": "staging", "namespace": "argo-*"},
        {"server": arn, "namespace": "kube-system"},
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Destination.by_name("*", "argocd"),
            "destination name '*' is not valid: a registered cluster's name (never a wildcard), "
            "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending "
            "with a letter or digit",
        ),
        (
            lambda: Destination.by_server("*", "argocd"),
            "destination server '*' is not valid: one cluster's EKS ARN or https:// API URL, "
            "never a wildcard",
        ),
        (
            lambda: Destination.by_server("https://*.eks.amazonaws.com", "argocd"),
            "destination server 'https://*.eks.amazonaws.com' is not valid: one cluster's EKS "
            "ARN or https:// API URL, never a wildcard",
        ),
        (
            lambda: Destination(namespace="argocd", name="dev", server="https://x"),
            "a destination names its cluster by exactly one of name and server",
        ),
        (
            lambda: Destination(namespace="argocd"),
            "a destination names its cluster by exactly one of name and server",
        ),
        (
            lambda: Destination.by_name("dev", "Kube_System"),
            "destination namespace 'Kube_System' is not valid: a namespace or a glob of "
            "namespaces (lowercase letters, digits, '-' and '*'), such as argo-rollouts or "
            "argo-*",
        ),
    ],
)
def test_invalid_destinations_are_refused(make: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        make()
    assert str(caught.value) == message


# --------------------------------------------------------------------------------------
# Schemas


def test_every_object_passes_strict_validation() -> None:
    for secret in (managed(), self_hosted()):
        assert check_manifest(secret, HOST_VERSION) is secret
    assert check_argo_manifest(project()) == project()
    assert check_manifest(project(), HOST_VERSION) == project()


def test_strict_validation_would_catch_a_misspelt_field() -> None:
    broken = project()
    broken["spec"]["orphanedResource"] = broken["spec"].pop("orphanedResources")
    with pytest.raises(ManifestInvalidError):
        check_manifest(broken, HOST_VERSION)
    secret = managed()
    secret["stringdata"] = secret.pop("stringData")
    with pytest.raises(ManifestInvalidError):
        check_manifest(secret, HOST_VERSION)
