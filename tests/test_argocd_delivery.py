"""Deliveries: the versions table, the delivery spec, its Applications and ApplicationSets."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import types
from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from argosy.argocd.delivery import (
    RESOURCES_FINALIZER,
    SYNC_WAVE_ANNOTATION,
    ClusterFacts,
    Delivery,
    IgnoreDifference,
    Retry,
    SyncPolicy,
    application,
    application_set,
)
from argosy.argocd.metadata import ClusterMetadata
from argosy.argocd.versions import (
    APP_VERSION_FLOORS,
    CHARTS,
    ChartVersion,
    StagePin,
    chart_repositories,
    version_key,
)
from argosy.manifests.argo_schemas import argo_schema_problems, check_argo_manifest
from argosy.manifests.validation import ManifestInvalidError
from tests.conftest import assert_golden
from tests.test_argocd_builders import dev
from tests.test_argocd_builders import prod as builders_prod

LBC_ROLE = "arn:aws:iam::444444444444:role/argosy-prod-aws-load-balancer-controller"
ROLLOUTS_PIN = StagePin(
    version="2.40.10",
    app_version="v1.9.0",
    source=(
        "argoproj/argo-helm charts/argo-rollouts/Chart.yaml at "
        "cd9afb263a9aadec7f881ef943900b78415a8be2 (tag argo-rollouts-2.40.10)"
    ),
)
PRODUCTION = {"argosy.dev/production": "true"}


def prod(**changes: Any) -> ClusterMetadata:
    """prod as the builders' tests have it, on 1.36, with the Load Balancer Controller's role."""
    fields: dict[str, Any] = {
        "kubernetes_version": "1.36",
        "addon_roles": {"aws_load_balancer_controller": LBC_ROLE},
    }
    return builders_prod(**{**fields, **changes})


def rollouts_values(facts: ClusterFacts) -> Mapping[str, Any]:
    # Keys deliberately out of order: the values object comes out sorted.
    return {
        "dashboard": {"enabled": False},
        "controller": {"replicas": 2, "metrics": {"enabled": True}},
        "installCRDs": True,
    }


def lbc_values(facts: ClusterFacts) -> Mapping[str, Any]:
    return {
        "clusterName": facts.cluster_name,
        "region": facts.region,
        "serviceAccount": {
            "name": "aws-load-balancer-controller",
            "annotations": {
                "eks.amazonaws.com/role-arn": facts.addon_role_arn("aws_load_balancer_controller")
            },
        },
        "defaultTags": {"argosy.dev/stage": facts.stage},
    }


def rollouts(**changes: Any) -> Delivery:
    arguments: dict[str, Any] = {
        "name": "argo-rollouts",
        "namespace": "argo-rollouts",
        "chart": "argo-rollouts",
        "values": rollouts_values,
        "sync_policy": SyncPolicy.automated(prune=True, self_heal=True),
        "finalizer": True,
        "sync_wave": -1,
        "server_side_apply": True,
    }
    return Delivery.helm(**{**arguments, **changes})


def baseline(**changes: Any) -> Delivery:
    arguments: dict[str, Any] = {
        "name": "baseline",
        "namespace": "kube-system",
        "path": "clusters/{stage}/baseline",
        "sync_policy": SyncPolicy.automated(prune=False, self_heal=True),
        "finalizer": False,
        "sync_wave": -2,
    }
    return Delivery.directory(**{**arguments, **changes})


def lbc(**changes: Any) -> Delivery:
    arguments: dict[str, Any] = {
        "name": "aws-load-balancer-controller",
        "namespace": "kube-system",
        "chart": "aws-load-balancer-controller",
        "values": lbc_values,
        "sync_policy": SyncPolicy.automated(prune=True, self_heal=True),
        "finalizer": True,
        "ignore_differences": [IgnoreDifference.replicas(name="aws-load-balancer-controller")],
    }
    return Delivery.helm(**{**arguments, **changes})


def app(delivery: Delivery, cluster: ClusterMetadata, project: str = "platform") -> dict[str, Any]:
    return application(delivery, cluster, argocd_namespace="argocd", project=project)


def appset(
    delivery: Delivery, selector: Mapping[str, str] = PRODUCTION, project: str = "platform"
) -> dict[str, Any]:
    return application_set(delivery, argocd_namespace="argocd", project=project, selector=selector)


def pinned_table() -> Mapping[str, ChartVersion]:
    entry = dataclasses.replace(CHARTS["argo-rollouts"], stage_pins={"dev": ROLLOUTS_PIN})
    return types.MappingProxyType({**CHARTS, "argo-rollouts": entry})


def as_yaml(manifest: Mapping[str, Any]) -> str:
    return yaml.safe_dump(manifest, sort_keys=True)


# --------------------------------------------------------------------------------------
# The versions table


def test_every_chart_is_keyed_by_its_name_and_cites_its_chart_yaml() -> None:
    assert set(CHARTS) == {
        "argo-rollouts",
        "argo-workflows",
        "argo-events",
        "aws-load-balancer-controller",
        "crossplane",
        "external-dns",
        "external-secrets",
        "istio-base",
        "istiod",
        "karpenter",
    }
    # Keyed by the chart's name, except Istio's base chart (the key says whose it is).
    renamed = {"istio-base": "base"}
    # The Chart.yaml at a full commit; Karpenter's packaging sets the version, so its entry
    # cites the Chart.yaml that reads it.
    citation = re.compile(r"Chart\.yaml (at|reads \S+ from) [0-9a-f]{40}")
    for key, chart in CHARTS.items():
        assert chart.chart == renamed.get(key, key)
        assert citation.search(chart.source), key
        assert dict(chart.stage_pins) == {}, "the table pins no stage yet"


def test_argo_cd_installed_by_pulumi_is_outside_the_delivered_charts() -> None:
    # Argo CD is installed by its host's stack (ARGO_CD), not delivered by Argo CD. The
    # newest argo-cd chart read, 10.1.1, ships v3.4.4, below SECURITY.md A7: without the
    # image override it cannot be built.
    assert "argo-cd" not in CHARTS
    with pytest.raises(ValueError) as caught:
        ChartVersion(
            repository="https://argoproj.github.io/argo-helm",
            chart="argo-cd",
            version="10.1.1",
            app_version="v3.4.4",
            source="argoproj/argo-helm charts/argo-cd/Chart.yaml at af0a9310",
        )
    assert str(caught.value) == (
        "chart argo-cd app_version 'v3.4.4' is not valid: at or above 3.3.14, 3.4.7 or 3.5.1 "
        "on its minor line, or any release after 3.5.1 (SECURITY.md A7)"
    )


@pytest.mark.parametrize(
    ("chart", "app_version", "admitted"),
    [
        ("argo-cd", "v3.3.14", True),
        ("argo-cd", "v3.4.7", True),
        ("argo-cd", "v3.4.6", False),
        ("argo-cd", "v3.5.0", False),
        ("argo-cd", "v3.5.1", True),
        ("argo-cd", "v3.6.0", True),
        ("argo-cd", "v3.5.1-rc1", False),
        ("argo-cd", "v3.2.9", False),
        ("argo-workflows", "v3.7.15", True),
        ("argo-workflows", "v3.7.14", False),
        ("argo-workflows", "v4.0.5", False),
        ("argo-workflows", "v4.0.6", True),
        ("argo-workflows", "v4.1.2", True),
        ("argo-events", "v1.9.5", False),
        ("argo-events", "v1.9.6", True),
        ("argo-events", "v1.10.0", True),
    ],
)
def test_app_version_floors(chart: str, app_version: str, admitted: bool) -> None:
    assert APP_VERSION_FLOORS[chart].admits(app_version) is admitted


def test_the_tables_argo_versions_meet_their_floors() -> None:
    assert version_key(CHARTS["argo-workflows"].app_version) >= version_key("4.0.6")
    assert version_key(CHARTS["argo-events"].app_version) >= version_key("1.9.6")


def test_a_stage_pin_below_the_floor_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(
            CHARTS["argo-workflows"],
            stage_pins={"dev": StagePin(version="0.45.0", app_version="v3.6.4", source="x")},
        )
    assert str(caught.value) == (
        "chart argo-workflows stage_pins['dev'] app_version 'v3.6.4' is not valid: at or above "
        "3.7.15 or 4.0.6 on its minor line, or any release after 4.0.6 (SECURITY.md W6)"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"version": "2.41"},
            "chart argo-rollouts version '2.41' is not valid: a SemVer 2 chart version such as "
            "2.41.0",
        ),
        (
            {"app_version": "latest"},
            "chart argo-rollouts app_version 'latest' is not valid: a release version such as "
            "v1.9.0 or 0.21.0",
        ),
        (
            {"repository": "https://argoproj.github.io/argo-helm/"},
            "chart argo-rollouts repository 'https://argoproj.github.io/argo-helm/' is not "
            "valid: a Helm repository https://host/path or an OCI registry oci://registry/path, "
            "without a trailing '/'",
        ),
        (
            {"source": " "},
            "chart argo-rollouts source is empty: cite the Chart.yaml the versions were read "
            "from (repository, path and commit)",
        ),
        (
            {"stage_pins": {"Prod": ROLLOUTS_PIN}},
            "chart argo-rollouts stage_pins key 'Prod' is not valid: a stage name, a DNS-1123 "
            "label: at most 63 lowercase letters, digits or '-', starting and ending with a "
            "letter or digit",
        ),
    ],
)
def test_invalid_chart_versions_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(CHARTS["argo-rollouts"], **changes)
    assert str(caught.value) == message


def test_oci_charts_drop_the_scheme_in_repo_url() -> None:
    karpenter = CHARTS["karpenter"]
    assert karpenter.is_oci
    assert karpenter.argocd_repo_url == "public.ecr.aws/karpenter"
    assert not CHARTS["argo-rollouts"].is_oci
    assert chart_repositories() == (
        "https://argoproj.github.io/argo-helm",
        "https://aws.github.io/eks-charts",
        "https://charts.crossplane.io/stable",
        "https://charts.external-secrets.io",
        "https://istio-release.storage.googleapis.com/charts",
        "https://kubernetes-sigs.github.io/external-dns",
        "public.ecr.aws/karpenter",
    )


def test_stage_pins_are_a_read_only_copy() -> None:
    pins = {"dev": ROLLOUTS_PIN}
    entry = dataclasses.replace(CHARTS["argo-rollouts"], stage_pins=pins)
    pins["prod"] = ROLLOUTS_PIN
    assert list(entry.stage_pins) == ["dev"]
    assert entry.version_for("dev") == "2.40.10"
    assert entry.version_for("prod") == "2.41.0"
    assert entry.app_version_for("dev") == "v1.9.0"


# --------------------------------------------------------------------------------------
# Goldens


def test_helm_application_golden() -> None:
    assert_golden("argocd/delivery/argo-rollouts-prod.yaml", as_yaml(app(rollouts(), prod())))


def test_directory_application_golden() -> None:
    manifest = app(baseline(), dev())
    assert manifest["spec"]["source"] == {
        "repoURL": "https://github.com/acme/platform.git",
        "targetRevision": "main",
        "path": "gitops/clusters/dev/baseline",
    }
    assert_golden("argocd/delivery/baseline-dev.yaml", as_yaml(manifest))


def test_application_set_golden() -> None:
    assert_golden(
        "argocd/delivery/aws-load-balancer-controller-production.yaml", as_yaml(appset(lbc()))
    )


# --------------------------------------------------------------------------------------
# Applications


def test_helm_application_shape() -> None:
    manifest = app(rollouts(), prod())
    metadata = manifest["metadata"]
    assert metadata["name"] == "argo-rollouts-prod"
    assert metadata["namespace"] == "argocd"
    assert metadata["labels"] == {
        "argosy.dev/delivery": "argo-rollouts",
        "argosy.dev/stage": "prod",
        "argosy.dev/production": "true",
    }
    assert metadata["annotations"] == {SYNC_WAVE_ANNOTATION: "-1"}
    spec = manifest["spec"]
    assert spec["destination"] == {"name": "prod", "namespace": "argo-rollouts"}
    assert spec["source"]["repoURL"] == "https://argoproj.github.io/argo-helm"
    assert spec["source"]["chart"] == "argo-rollouts"
    assert spec["source"]["targetRevision"] == "2.41.0"
    helm = spec["source"]["helm"]
    assert helm["releaseName"] == "argo-rollouts"
    assert list(helm["valuesObject"]) == ["controller", "dashboard", "installCRDs"]
    assert list(helm["valuesObject"]["controller"]) == ["metrics", "replicas"]
    assert spec["syncPolicy"]["retry"] == {
        "limit": 5,
        "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"},
    }


def test_application_values_read_the_clusters_facts() -> None:
    values = app(lbc(), prod())["spec"]["source"]["helm"]["valuesObject"]
    assert values == {
        "clusterName": "argosy-prod",
        "defaultTags": {"argosy.dev/stage": "prod"},
        "region": "eu-west-1",
        "serviceAccount": {
            "annotations": {"eks.amazonaws.com/role-arn": LBC_ROLE},
            "name": "aws-load-balancer-controller",
        },
    }


def test_a_missing_addon_role_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        app(lbc(), dev())
    assert str(caught.value) == (
        "cluster 'dev' has no IAM role for add-on 'aws_load_balancer_controller': its "
        "metadata's addon_roles must name it (the registration's "
        "aws_load_balancer_controller_iam_role_arn annotation)"
    )


def test_oci_chart_application() -> None:
    karpenter = Delivery.helm(
        name="karpenter",
        namespace="kube-system",
        chart="karpenter",
        values=lambda facts: {"settings": {"clusterName": facts.cluster_name}},
        sync_policy=SyncPolicy.automated(),
        finalizer=True,
    )
    source = app(karpenter, prod())["spec"]["source"]
    assert source["repoURL"] == "public.ecr.aws/karpenter"
    assert source["chart"] == "karpenter"
    assert source["targetRevision"] == "1.14.1"


def test_chart_defaults_have_no_values_object_and_release_name_can_be_set() -> None:
    events = Delivery.helm(
        name="argo-events",
        namespace="argo-events",
        chart="argo-events",
        release_name="events",
        sync_policy=SyncPolicy.automated(),
        finalizer=True,
    )
    assert app(events, dev())["spec"]["source"]["helm"] == {"releaseName": "events"}


# --------------------------------------------------------------------------------------
# L2: production states selfHeal


def test_production_applications_state_self_heal() -> None:
    for delivery in (rollouts(), baseline(), lbc()):
        automated = app(delivery, prod())["spec"]["syncPolicy"]["automated"]
        assert "selfHeal" in automated
    # Stated off is still stated: a deliberate choice.
    off = rollouts(sync_policy=SyncPolicy.automated(prune=True, self_heal=False))
    assert app(off, prod())["spec"]["syncPolicy"]["automated"] == {
        "prune": True,
        "selfHeal": False,
    }


@pytest.mark.parametrize(
    "policy", [SyncPolicy.manual(), SyncPolicy.automated(self_heal=None)], ids=["manual", "unset"]
)
def test_self_heal_left_implicit_in_production_is_refused(policy: SyncPolicy) -> None:
    with pytest.raises(ValueError) as caught:
        app(rollouts(sync_policy=policy), prod())
    assert str(caught.value) == (
        "delivery 'argo-rollouts' leaves selfHeal implicit on production stage 'prod': "
        "production Applications state it (SECURITY.md L2), e.g. "
        "SyncPolicy.automated(prune=True, self_heal=True)"
    )
    with pytest.raises(ValueError) as caught:
        appset(rollouts(sync_policy=policy), {"aws_region": "eu-west-1"})
    assert str(caught.value) == (
        "delivery 'argo-rollouts' leaves selfHeal implicit on the production clusters its "
        "selector may match (argosy.dev/production is not 'false'): production Applications "
        "state it (SECURITY.md L2), e.g. SyncPolicy.automated(prune=True, self_heal=True)"
    )


def test_manual_sync_outside_production() -> None:
    manual = rollouts(sync_policy=SyncPolicy.manual(retry=None))
    policy = app(manual, dev())["spec"]["syncPolicy"]
    assert policy == {
        "syncOptions": ["CreateNamespace=true", "PruneLast=true", "ServerSideApply=true"]
    }
    generated = appset(manual, {"argosy.dev/production": "false"})
    assert "automated" not in generated["spec"]["template"]["spec"]["syncPolicy"]


# --------------------------------------------------------------------------------------
# A4 and L5


def test_project_is_never_default() -> None:
    for manifest in (app(rollouts(), prod()), app(baseline(), dev())):
        assert manifest["spec"]["project"] == "platform"
    assert appset(lbc())["spec"]["template"]["spec"]["project"] == "platform"
    message = (
        "project 'default' is not valid: Argo CD's default project allows every source and "
        "destination (SECURITY.md A4); use a bounded project such as 'platform'"
    )
    with pytest.raises(ValueError) as caught:
        app(rollouts(), prod(), project="default")
    assert str(caught.value) == message
    with pytest.raises(ValueError) as caught:
        appset(lbc(), project="default")
    assert str(caught.value) == message


def test_argo_cds_namespace_is_never_a_destination() -> None:
    with pytest.raises(ValueError) as caught:
        app(rollouts(namespace="argocd"), prod())
    assert str(caught.value) == (
        "delivery 'argo-rollouts' namespace 'argocd' is not valid: Argo CD's namespace is never "
        "managed by an Application (SECURITY.md L5)"
    )


# --------------------------------------------------------------------------------------
# Finalizer, sync options


def test_finalizer_is_a_deliberate_choice() -> None:
    assert app(rollouts(finalizer=True), prod())["metadata"]["finalizers"] == [RESOURCES_FINALIZER]
    assert "finalizers" not in app(rollouts(finalizer=False), prod())["metadata"]
    with_finalizer = appset(lbc(finalizer=True))["spec"]
    assert with_finalizer["template"]["metadata"]["finalizers"] == [RESOURCES_FINALIZER]
    assert "syncPolicy" not in with_finalizer
    # Without it, the ApplicationSet controller must be told not to add it.
    without = appset(lbc(finalizer=False))["spec"]
    assert "finalizers" not in without["template"]["metadata"]
    assert without["syncPolicy"] == {"preserveResourcesOnDeletion": True}
    with pytest.raises(TypeError):
        Delivery.helm(  # type: ignore[call-arg]
            name="x", namespace="x", chart="karpenter", sync_policy=SyncPolicy.automated()
        )


def test_sync_options() -> None:
    options = app(rollouts(server_side_apply=True), prod())["spec"]["syncPolicy"]["syncOptions"]
    assert options == ["CreateNamespace=true", "PruneLast=true", "ServerSideApply=true"]
    options = app(rollouts(server_side_apply=False), prod())["spec"]["syncPolicy"]["syncOptions"]
    assert options == ["CreateNamespace=true", "PruneLast=true"]
    # Ignored differences are left alone by syncs too.
    spec = app(lbc(), prod())["spec"]
    assert "RespectIgnoreDifferences=true" in spec["syncPolicy"]["syncOptions"]
    assert spec["ignoreDifferences"] == [
        {
            "group": "apps",
            "kind": "Deployment",
            "name": "aws-load-balancer-controller",
            "jsonPointers": ["/spec/replicas"],
        }
    ]


def test_retry_is_configurable_or_off() -> None:
    policy = SyncPolicy.automated(
        retry=Retry(limit=10, duration="10s", factor=3, max_duration="1h")
    )
    retry = app(rollouts(sync_policy=policy), prod())["spec"]["syncPolicy"]["retry"]
    assert retry == {"limit": 10, "backoff": {"duration": "10s", "factor": 3, "maxDuration": "1h"}}
    no_retry = rollouts(sync_policy=SyncPolicy.automated(retry=None))
    assert "retry" not in app(no_retry, prod())["spec"]["syncPolicy"]


# --------------------------------------------------------------------------------------
# Per-stage overrides


def test_a_stage_pin_changes_the_chart_version_for_that_stage_only() -> None:
    delivery = rollouts(charts=pinned_table())
    assert app(delivery, dev())["spec"]["source"]["targetRevision"] == "2.40.10"
    assert app(delivery, prod())["spec"]["source"]["targetRevision"] == "2.41.0"
    staging = dev(
        stage="staging",
        account_id="333333333333",
        cluster_name="argosy-staging",
        cluster_arn="arn:aws:eks:eu-west-1:333333333333:cluster/argosy-staging",
    )
    assert app(delivery, staging)["spec"]["source"]["targetRevision"] == "2.41.0"
    assert app(rollouts(), dev())["spec"]["source"]["targetRevision"] == "2.41.0"


def test_an_application_set_carries_stage_pins_in_its_generators() -> None:
    spec = appset(rollouts(charts=pinned_table()), {"aws_region": "eu-west-1"})["spec"]
    assert spec["generators"] == [
        {
            "clusters": {
                "selector": {
                    "matchLabels": {"aws_region": "eu-west-1"},
                    "matchExpressions": [
                        {"key": "environment", "operator": "NotIn", "values": ["dev"]}
                    ],
                },
                "values": {"chartVersion": "2.41.0"},
            }
        },
        {
            "clusters": {
                "selector": {"matchLabels": {"aws_region": "eu-west-1", "environment": "dev"}},
                "values": {"chartVersion": "2.40.10"},
            }
        },
    ]
    assert spec["template"]["spec"]["source"]["targetRevision"] == "{{.values.chartVersion}}"
    # A selector naming the stage resolves the pin statically.
    one = appset(rollouts(charts=pinned_table()), {"environment": "dev"})["spec"]
    assert one["template"]["spec"]["source"]["targetRevision"] == "2.40.10"
    assert len(one["generators"]) == 1


def test_stage_values_override_one_stage_only() -> None:
    delivery = rollouts(stage_values={"prod": {"controller": {"replicas": 3}}})
    prod_values = app(delivery, prod())["spec"]["source"]["helm"]["valuesObject"]
    dev_values = app(delivery, dev())["spec"]["source"]["helm"]["valuesObject"]
    assert prod_values["controller"] == {"metrics": {"enabled": True}, "replicas": 3}
    assert dev_values["controller"] == {"metrics": {"enabled": True}, "replicas": 2}
    # An ApplicationSet over one stage applies that stage's values.
    over_prod = appset(delivery, {"environment": "prod", "argosy.dev/production": "true"})
    values = over_prod["spec"]["template"]["spec"]["source"]["helm"]["valuesObject"]
    assert values["controller"]["replicas"] == 3


def test_stage_values_across_stages_cannot_be_one_application_set() -> None:
    delivery = rollouts(stage_values={"prod": {"controller": {"replicas": 3}}})
    with pytest.raises(ValueError) as caught:
        appset(delivery)
    assert str(caught.value) == (
        "delivery 'argo-rollouts' has stage_values for prod, which one ApplicationSet cannot "
        "template: select one stage (environment: <stage>), or declare an Application per "
        "cluster"
    )


# --------------------------------------------------------------------------------------
# ApplicationSets


def test_application_set_shape() -> None:
    manifest = appset(lbc())
    assert manifest["metadata"] == {
        "name": "aws-load-balancer-controller",
        "namespace": "argocd",
        "labels": {"argosy.dev/delivery": "aws-load-balancer-controller"},
    }
    spec = manifest["spec"]
    assert spec["goTemplate"] is True
    assert spec["goTemplateOptions"] == ["missingkey=error"]
    assert spec["generators"] == [
        {"clusters": {"selector": {"matchLabels": {"argosy.dev/production": "true"}}}}
    ]
    template = spec["template"]
    assert template["metadata"]["name"] == "aws-load-balancer-controller-{{.name}}"
    assert template["spec"]["destination"] == {"name": "{{.name}}", "namespace": "kube-system"}
    values = template["spec"]["source"]["helm"]["valuesObject"]
    assert values["clusterName"] == "{{.metadata.annotations.aws_cluster_name}}"
    assert values["region"] == "{{.metadata.annotations.aws_region}}"
    assert values["serviceAccount"]["annotations"] == {
        "eks.amazonaws.com/role-arn": (
            "{{.metadata.annotations.aws_load_balancer_controller_iam_role_arn}}"
        )
    }


def test_directory_application_set_reads_the_tree_from_the_registration() -> None:
    source = appset(baseline())["spec"]["template"]["spec"]["source"]
    assert source == {
        "repoURL": "{{.metadata.annotations.addons_repo_url}}",
        "targetRevision": "{{.metadata.annotations.addons_repo_revision}}",
        "path": "{{.metadata.annotations.addons_repo_basepath}}clusters/{{.name}}/baseline",
    }


def test_literal_braces_in_values_are_escaped_in_templates_only() -> None:
    def values(facts: ClusterFacts) -> Mapping[str, Any]:
        return {
            "podAnnotations": {"note": "{{ .Release.Name }}"},
            "bucket": f"arn:aws:s3:::argosy-{facts.stage}-logs",
        }

    delivery = rollouts(values=values)
    applied = app(delivery, prod())["spec"]["source"]["helm"]["valuesObject"]
    assert applied == {
        "bucket": "arn:aws:s3:::argosy-prod-logs",
        "podAnnotations": {"note": "{{ .Release.Name }}"},
    }
    templated = appset(delivery)["spec"]["template"]["spec"]["source"]["helm"]["valuesObject"]
    assert templated == {
        "bucket": "arn:aws:s3:::argosy-{{.name}}-logs",
        "podAnnotations": {"note": '{{ "{{" }} .Release.Name }}'},
    }


def test_sliced_template_facts_are_refused() -> None:
    delivery = rollouts(values=lambda facts: {"short": str(facts.region)[:4]})
    assert app(delivery, prod())["spec"]["source"]["helm"]["valuesObject"] == {"short": "eu-w"}
    with pytest.raises(ValueError, match="holds part of a templated fact"):
        appset(delivery)


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (
            {},
            "selector is empty: select the registrations by label, such as "
            "{'argosy.dev/production': 'true'}",
        ),
        (
            {"enviroment": "prod"},
            "selector key 'enviroment' is not valid: a label of cluster registrations, one of "
            "environment, cluster_name, kubernetes_version, aws_region, aws_account_id, "
            "argosy.dev/production",
        ),
        (
            {"environment": "prod dev"},
            "selector environment value 'prod dev' is not valid: a Kubernetes label value: at "
            "most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        ),
    ],
)
def test_invalid_selectors_are_refused(selector: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        appset(lbc(), selector)
    assert str(caught.value) == message


# --------------------------------------------------------------------------------------
# Invalid specs


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: rollouts(name="Argo_Rollouts"),
            "delivery name 'Argo_Rollouts' is not valid: a DNS-1123 label: at most 63 lowercase "
            "letters, digits or '-', starting and ending with a letter or digit",
        ),
        (
            lambda: rollouts(namespace="argo rollouts"),
            "delivery 'argo-rollouts' namespace 'argo rollouts' is not valid: a DNS-1123 label: "
            "at most 63 lowercase letters, digits or '-', starting and ending with a letter or "
            "digit",
        ),
        (
            lambda: rollouts(chart="argo-rolouts"),
            "unknown chart key 'argo-rolouts': one of argo-events, argo-rollouts, "
            "argo-workflows, aws-load-balancer-controller, crossplane, external-dns, "
            "external-secrets, istio-base, istiod, karpenter (the versions table, "
            "argosy/argocd/versions.py)",
        ),
        (
            lambda: rollouts(chart="argo-cd"),
            "unknown chart key 'argo-cd': one of argo-events, argo-rollouts, argo-workflows, "
            "aws-load-balancer-controller, crossplane, external-dns, external-secrets, "
            "istio-base, istiod, karpenter (the versions table, argosy/argocd/versions.py)",
        ),
        (
            lambda: Retry(limit=-1),
            "retry limit -1 is not valid: the number of retries of a failed sync, 0 or more "
            "(0: none)",
        ),
        (
            lambda: Retry(factor=0),
            "retry factor 0 is not valid: a whole number, 1 or more (each wait is the previous "
            "one times the factor)",
        ),
        (
            lambda: Retry(duration="5"),
            "retry duration '5' is not valid: a duration such as 5s, 2m or 1h",
        ),
        (
            lambda: Retry(duration="5m", max_duration="1m"),
            "retry max_duration '1m' is shorter than duration '5m': the longest wait is at "
            "least the first",
        ),
        (
            lambda: SyncPolicy(automatic=False, prune=True),
            "a manual sync policy neither prunes nor self-heals: use SyncPolicy.manual(), or "
            "SyncPolicy.automated(prune=..., self_heal=...)",
        ),
        (
            lambda: rollouts(release_name="r" * 54),
            f"release_name {'r' * 54!r} is not valid: a Helm release name, at most 53 lowercase "
            "letters, digits or '-', starting and ending with a letter or digit",
        ),
        (
            lambda: rollouts(finalizer=None),
            "delivery 'argo-rollouts' finalizer None is not valid: True or False",
        ),
        (
            lambda: rollouts(sync_wave="1"),
            "delivery 'argo-rollouts' sync_wave '1' is not valid: a whole number, such as -1 to "
            "come before wave 0",
        ),
        (
            lambda: baseline(path="/clusters/{stage}/baseline"),
            "directory path '/clusters/{stage}/baseline' is not valid: a relative directory of "
            "the GitOps tree without leading or trailing '/' or '..', where {stage} stands for "
            "the stage, such as clusters/{stage}/baseline",
        ),
        (
            lambda: baseline(path="clusters/../secrets"),
            "directory path 'clusters/../secrets' is not valid: a relative directory of the "
            "GitOps tree without leading or trailing '/' or '..', where {stage} stands for the "
            "stage, such as clusters/{stage}/baseline",
        ),
        (
            lambda: Delivery(
                name="baseline",
                namespace="kube-system",
                source=baseline().source,
                sync_policy=SyncPolicy.automated(),
                finalizer=False,
                stage_values={"prod": {"x": 1}},
            ),
            "delivery 'baseline' has stage_values but delivers a directory: per-stage values "
            "are Helm values; a directory differs by stage through its path ({stage})",
        ),
        (
            lambda: rollouts(stage_values={"prod": {"ratio": float("nan")}}),
            "stage_values['prod'] of delivery 'argo-rollouts' are not valid: Out of range float "
            "values are not JSON compliant",
        ),
        (
            lambda: IgnoreDifference(kind="Deployment", group="apps"),
            "ignore_differences for Deployment names no field: give json_pointers, "
            "jq_path_expressions or managed_fields_managers",
        ),
        (
            lambda: IgnoreDifference(kind="Deployment", json_pointers=("spec/replicas",)),
            "ignore_differences JSON pointer 'spec/replicas' is not valid: it starts with '/', "
            "such as /spec/replicas",
        ),
    ],
)
def test_invalid_specs_are_refused(build: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        build()
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            lambda facts: {"ports": {80, 443}},
            "values of delivery 'argo-rollouts' are not valid: {80, 443} is not JSON (mappings "
            "with string keys, lists, strings, numbers, booleans and null)",
        ),
        (
            lambda facts: {1: "one"},
            "values of delivery 'argo-rollouts' are not valid: key 1 is not a string (Helm "
            "values are JSON)",
        ),
        (
            lambda facts: ["not", "a", "mapping"],
            "values of delivery 'argo-rollouts' are not valid: the builder returned ['not', "
            "'a', 'mapping'], not a mapping",
        ),
    ],
)
def test_values_that_are_not_json_are_refused(values: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        app(rollouts(values=values), prod())
    assert str(caught.value) == message


def test_application_name_too_long_is_refused() -> None:
    delivery = rollouts(name="a" * 60)
    with pytest.raises(ValueError) as caught:
        app(delivery, prod())
    assert str(caught.value) == (
        f"Application name {'a' * 60 + '-prod'!r} is not valid: a DNS-1123 label: at most 63 "
        "lowercase letters, digits or '-', starting and ending with a letter or digit; shorten "
        "the delivery's name"
    )


def test_specs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        rollouts().name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        SyncPolicy.automated().prune = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        rollouts().stage_values["dev"] = {}  # type: ignore[index]


# --------------------------------------------------------------------------------------
# Strict schema validity, determinism


def everything() -> list[dict[str, Any]]:
    pinned = rollouts(charts=pinned_table())
    return [
        app(rollouts(), prod()),
        app(rollouts(finalizer=False, server_side_apply=False), dev()),
        app(baseline(), dev()),
        app(baseline(), prod()),
        app(lbc(), prod()),
        app(pinned, dev()),
        app(rollouts(sync_policy=SyncPolicy.manual()), dev()),
        appset(lbc()),
        appset(lbc(finalizer=False)),
        appset(baseline()),
        appset(pinned, {"aws_region": "eu-west-1"}),
        appset(rollouts(sync_policy=SyncPolicy.manual()), {"argosy.dev/production": "false"}),
    ]


def test_everything_matches_its_strict_schema() -> None:
    for manifest in everything():
        assert argo_schema_problems(manifest) == [], manifest["metadata"]["name"]


def test_a_typo_is_caught_by_the_strict_schema() -> None:
    manifest = copy.deepcopy(app(rollouts(), prod()))
    manifest["spec"]["syncPolicy"]["automated"]["selfHeals"] = True
    with pytest.raises(ManifestInvalidError) as caught:
        check_argo_manifest(manifest)
    assert caught.value.problems == [
        "spec.syncPolicy.automated: Additional properties are not allowed ('selfHeals' was "
        "unexpected)"
    ]
    generated = copy.deepcopy(appset(lbc()))
    generated["spec"]["template"]["spec"]["destination"]["cluster"] = "{{.name}}"
    assert argo_schema_problems(generated) == [
        "spec.template.spec.destination: Additional properties are not allowed ('cluster' was "
        "unexpected)"
    ]


def test_builds_are_deterministic() -> None:
    first = [as_yaml(m) for m in everything()]
    second = [as_yaml(m) for m in everything()]
    assert first == second
    assert app(rollouts(), prod()) == app(rollouts(), prod())


def test_values_are_canonical_json() -> None:
    def shuffled(facts: ClusterFacts) -> Mapping[str, Any]:
        return types.MappingProxyType(
            {
                "installCRDs": True,
                "controller": {"replicas": 2, "metrics": {"enabled": True}},
                "dashboard": {"enabled": False},
            }
        )

    ordered = app(rollouts(), prod())["spec"]["source"]["helm"]["valuesObject"]
    reordered = app(rollouts(values=shuffled), prod())["spec"]["source"]["helm"]["valuesObject"]
    assert json.dumps(ordered) == json.dumps(reordered)
    assert json.dumps(ordered) == json.dumps(ordered, sort_keys=True)


def test_values_are_copies() -> None:
    shared = {"controller": {"replicas": 2}}
    delivery = rollouts(values=lambda facts: shared)
    built = app(delivery, prod())
    built["spec"]["source"]["helm"]["valuesObject"]["controller"]["replicas"] = 9
    assert shared == {"controller": {"replicas": 2}}
    assert app(delivery, prod())["spec"]["source"]["helm"]["valuesObject"] == shared
