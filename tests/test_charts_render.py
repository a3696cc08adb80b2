"""Every pinned chart rendered with argosy's values by ``helm template``: the add-ons, Argo CD.

Needs ``helm`` on PATH and the pinned charts unpacked under ``$ARGOSY_CHARTS/<chart key>/``
(for instance ``helm pull <repository> <chart> --version <version> --untar`` for each entry of
``argosy/argocd/versions.py``); skipped, saying so, otherwise: CI has neither. For every
example stage and every add-on it gets, the chart must render, every cluster-scoped object it
makes must be a kind the platform AppProject allows (Argo CD refuses the whole sync
otherwise), every identity's service account must be one the chart creates, every core
object must match the Kubernetes schemas, and the objects argosy names (the NetworkPolicies'
pod selectors, the ignored differences) must exist.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from argosy.addons import argo_workflows, external_secrets, load_balancer_controller
from argosy.addons.catalog import addons_for
from argosy.addons.spec import Addon, AddonContext
from argosy.argocd.install import argo_cd_values
from argosy.argocd.projects import CONTROLLER_CLUSTER_RESOURCES
from argosy.argocd.versions import ARGO_CD
from argosy.config.source import read_stack_file
from argosy.config.validate import validate_stage
from argosy.manifests.validation import kubernetes_schema_problems
from tests import test_argocd_install
from tests.conftest import EXAMPLE_STACKS, REPO

HELM = shutil.which("helm")
CHARTS = Path(os.environ["ARGOSY_CHARTS"]) if os.environ.get("ARGOSY_CHARTS") else None
pytestmark = pytest.mark.skipif(
    HELM is None or CHARTS is None,
    reason="needs helm on PATH and ARGOSY_CHARTS naming a directory of the pinned charts, "
    "unpacked as <chart key>/ (see the module docstring)",
)

#: Core kinds that live outside namespaces.
CLUSTER_SCOPED_CORE = frozenset(
    {
        "APIService",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "PersistentVolume",
        "PriorityClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
    }
)


#: A stage with every optional add-on on besides the examples': dev with Karpenter, Istio
#: and Crossplane.
ALL_ON = "dev-all-on"


def context(stage: str) -> AddonContext:
    name = "dev" if stage == ALL_ON else stage
    stack_file = read_stack_file(REPO / "stacks" / f"Pulumi.{name}.yaml", stack=name)
    config = dict(stack_file.config)
    if stage == ALL_ON:
        config["argosy:addons"] = {
            **config["argosy:addons"],
            "karpenter": {"enabled": True},
            "istio": {"enabled": True},
            "crossplane": {
                "enabled": True,
                "providers": ["s3"],
                "policyArns": ["arn:aws:iam::222222222222:policy/crossplane-s3"],
            },
        }
    return AddonContext.of(validate_stage(name, config, source=stack_file.source))


def render(addon: Addon, ctx: AddonContext, tmp_path: Path) -> list[dict[str, Any]]:
    assert HELM is not None and CHARTS is not None
    chart = CHARTS / addon.chart
    assert chart.is_dir(), f"{chart} is missing: unpack the pinned {addon.chart} chart there"
    values = tmp_path / f"{ctx.stage}-{addon.name}.json"
    values.write_text(json.dumps(addon.values(ctx)))
    done = subprocess.run(
        [
            HELM,
            "template",
            addon.release_name or addon.chart,
            str(chart),
            "--namespace",
            addon.namespace,
            "--values",
            str(values),
            "--kube-version",
            ctx.kubernetes_version,
            "--include-crds",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{ctx.stage} {addon.name}: {done.stderr}"
    return list(_flatten(yaml.safe_load_all(done.stdout)))


def _flatten(documents: Iterator[Any]) -> Iterator[dict[str, Any]]:
    for document in documents:
        if not document:
            continue
        if document.get("kind") == "List":
            yield from document["items"]
        else:
            yield document


def cases() -> list[tuple[str, str]]:
    stages = (*EXAMPLE_STACKS, ALL_ON)
    return [(stage, addon.name) for stage in stages for addon in addons_for(context(stage))]


@pytest.mark.parametrize(("stage", "name"), cases())
def test_the_chart_renders_what_the_platform_allows(stage: str, name: str, tmp_path: Path) -> None:
    ctx = context(stage)
    addon = next(a for a in addons_for(ctx) if a.name == name)
    objects = render(addon, ctx, tmp_path)
    scopes = {
        (o["spec"]["group"], o["spec"]["names"]["kind"]): o["spec"]["scope"]
        for o in objects
        if o["kind"] == "CustomResourceDefinition"
    }
    allowed = set(CONTROLLER_CLUSTER_RESOURCES)
    service_accounts = set()
    for obj in objects:
        group = obj["apiVersion"].rpartition("/")[0]
        kind = obj["kind"]
        if kind in CLUSTER_SCOPED_CORE or scopes.get((group, kind)) == "Cluster":
            assert (group, kind) in allowed, f"{name} makes {group}/{kind}, not allowed"
        if kind == "ServiceAccount":
            metadata = obj["metadata"]
            service_accounts.add((metadata.get("namespace", addon.namespace), metadata["name"]))
        core = "." not in group or group.endswith(".k8s.io")
        if core and kind != "CustomResourceDefinition":
            assert kubernetes_schema_problems(obj, ctx.kubernetes_version) == [], obj
    # Service accounts the add-on's own objects make its runtime create (Crossplane's
    # providers run as the DeploymentRuntimeConfig's account).
    for tree_object in addon.objects(ctx):
        template = tree_object.manifest.get("spec", {}).get("serviceAccountTemplate")
        if template:
            service_accounts.add((addon.namespace, template["metadata"]["name"]))
    for identity in addon.identities_on(ctx):
        assert (identity.namespace, identity.service_account) in service_accounts


def pod_labels(objects: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        o["spec"]["template"]["metadata"]["labels"] for o in objects if o["kind"] == "Deployment"
    ]


def test_what_argosy_names_in_the_charts_exists(tmp_path: Path) -> None:
    prod, hub = context("prod"), context("hub")
    controller = render(load_balancer_controller.ADDON, prod, tmp_path)
    names = {(o["kind"], o["metadata"]["name"]) for o in controller}
    for difference in load_balancer_controller.WEBHOOK_CERTIFICATE:
        assert (difference.kind, difference.name) in names
    for addon, ctx, selector in (
        (argo_workflows.ADDON, hub, argo_workflows.SERVER_POD_LABELS),
        (external_secrets.ADDON, prod, external_secrets.WEBHOOK_POD_LABELS),
    ):
        labels = pod_labels(render(addon, ctx, tmp_path))
        assert any(all(pod.get(k) == v for k, v in selector.items()) for pod in labels)


@pytest.mark.parametrize("install", ["hub", "dev", "local"])
def test_the_argo_cd_chart_renders_with_argosys_values(install: str, tmp_path: Path) -> None:
    """The self-hosted Argo CD (issue 7): the argo-cd chart with redis-ha, as the stack installs it.

    Needs ``$ARGOSY_CHARTS/argo-cd/`` with its redis-ha dependency under ``charts/``.
    """
    built = getattr(test_argocd_install, install)()
    assert HELM is not None and CHARTS is not None
    values = tmp_path / "values.json"
    values.write_text(json.dumps(argo_cd_values(built)))
    done = subprocess.run(
        [
            HELM,
            "template",
            "argocd",
            str(CHARTS / "argo-cd"),
            "--namespace",
            built.namespace,
            "--values",
            str(values),
            "--kube-version",
            "1.36",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    objects = list(_flatten(yaml.safe_load_all(done.stdout)))
    images = {
        container["image"]
        for obj in objects
        if obj["kind"] in ("Deployment", "StatefulSet")
        for container in obj["spec"]["template"]["spec"]["containers"]
        if "argocd" in container["image"]
    }
    # Every Argo CD component runs the image A7's floor was checked against.
    assert images == {f"quay.io/argoproj/argocd:{ARGO_CD.run_version}"}
    kinds = {obj["kind"] for obj in objects}
    assert "NetworkPolicy" in kinds
    assert ("Ingress" in kinds) is built.on_aws
    for obj in objects:
        group = obj["apiVersion"].rpartition("/")[0]
        if ("." not in group or group.endswith(".k8s.io")) and obj[
            "kind"
        ] != "CustomResourceDefinition":
            assert kubernetes_schema_problems(obj, "1.36") == [], obj
