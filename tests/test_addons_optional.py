"""The optional add-ons: Karpenter, Crossplane and Istio (base and istiod)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest
import yaml

from argosy.addons import crossplane, istio, karpenter
from argosy.addons.spec import Addon, AddonContext, AwsTarget, TreeObject
from argosy.argocd.delivery import Delivery, SyncPolicy, application
from argosy.argocd.projects import PLATFORM_PROJECT
from argosy.argocd.versions import CHARTS
from argosy.config.models.addons import AddonsSettings
from argosy.manifests.argo_schemas import check_manifest
from argosy.manifests.crd_schemas import crd_schema_problems
from argosy.manifests.iam import to_json
from tests.conftest import assert_golden
from tests.test_argocd_builders import prod as prod_cluster

#: A real Amazon Linux 2023 EKS AMI release: awslabs/amazon-eks-ami CHANGELOG.md, "AMI Release
#: v20260714" (commit 158225113dac62583729bca127cce67b4211737a), AL2023 AMIs for 1.30 to 1.36.
AMI_ALIAS = "al2023@v20260714"
POLICY_ARN = "arn:aws:iam::444444444444:policy/crossplane-s3"

PROD_AWS = AwsTarget(
    account_id="444444444444",
    region="eu-west-1",
    partition="aws",
    cluster_name="argosy-prod",
    cluster_arn="arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod",
    vpc_name="argosy-prod",
    vpc_cidr="10.40.0.0/16",
)
DEV_AWS = AwsTarget(
    account_id="222222222222",
    region="eu-west-1",
    partition="aws",
    cluster_name="argosy-dev",
    cluster_arn="arn:aws:eks:eu-west-1:222222222222:cluster/argosy-dev",
    vpc_name="argosy-dev",
    vpc_cidr="10.20.0.0/16",
)

ALL_ON: dict[str, Any] = {
    "karpenter": {"enabled": True, "amiAlias": AMI_ALIAS},
    "crossplane": {"enabled": True, "providers": ["s3", "rds"], "policyArns": [POLICY_ARN]},
    "istio": {"enabled": True},
}


def settings(data: dict[str, Any], *, production: bool, role: str = "workload") -> AddonsSettings:
    return AddonsSettings.model_validate(data, context={"production": production, "role": role})


def prod(data: dict[str, Any] | None = None) -> AddonContext:
    return AddonContext(
        stage="prod",
        production=True,
        kubernetes_version="1.36",
        settings=settings(ALL_ON if data is None else data, production=True),
        aws=PROD_AWS,
        storage_class="ebs-csi-default-sc",
    )


def dev(data: dict[str, Any] | None = None) -> AddonContext:
    return AddonContext(
        stage="dev",
        production=False,
        kubernetes_version="1.36",
        settings=settings(ALL_ON if data is None else data, production=False),
        aws=DEV_AWS,
        storage_class="ebs-csi-default-sc",
    )


def local(data: dict[str, Any] | None = None, *, validated_as: str = "local") -> AddonContext:
    return AddonContext(
        stage="local",
        production=False,
        kubernetes_version="1.36",
        settings=settings(data or {}, production=False, role=validated_as),
        aws=None,
        storage_class=None,
    )


def dump(values: Any) -> str:
    return yaml.safe_dump(values, sort_keys=True, default_flow_style=False)


def assert_objects_golden(directory: str, objects: tuple[TreeObject, ...]) -> None:
    for obj in objects:
        comment = "".join(
            f"# {line}\n" for line in textwrap.wrap(obj.comment, 98, break_on_hyphens=False)
        )
        text = comment + dump(dict(obj.manifest))
        assert_golden(f"addons/{directory}/{obj.path}", text)


# --------------------------------------------------------------------------------------
# Delivery: which stages get what


ADDONS: tuple[Addon, ...] = (karpenter.ADDON, crossplane.ADDON, *istio.ADDONS)


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_nothing_is_delivered_when_disabled(addon: Addon) -> None:
    for ctx in (prod({}), dev({}), local()):
        assert not addon.delivered_to(ctx)
        assert addon.identities_on(ctx) == ()


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_delivered_when_enabled_on_aws(addon: Addon) -> None:
    assert addon.delivered_to(prod())
    assert addon.delivered_to(dev())


def test_aws_only_addons_never_reach_local() -> None:
    # Even with settings validated for an AWS stage, a stage without AWS gets neither.
    ctx = local(ALL_ON, validated_as="workload")
    assert not karpenter.ADDON.delivered_to(ctx)
    assert not crossplane.ADDON.delivered_to(ctx)
    assert karpenter.ADDON.identities_on(ctx) == ()
    assert crossplane.ADDON.identities_on(ctx) == ()


def test_istio_reaches_local_when_asked() -> None:
    ctx = local({"istio": {"enabled": True}})
    assert all(addon.delivered_to(ctx) for addon in istio.ADDONS)


@pytest.mark.parametrize(
    "builder",
    [karpenter.values, karpenter.objects, karpenter.identities],
)
def test_karpenter_refuses_a_stage_without_aws(builder: Any) -> None:
    with pytest.raises(ValueError) as error:
        builder(local(ALL_ON, validated_as="workload"))
    assert str(error.value) == "add-on 'karpenter' runs on AWS only; stage 'local' is local"


@pytest.mark.parametrize(
    "builder",
    [crossplane.values, crossplane.objects, crossplane.identities],
)
def test_crossplane_refuses_a_stage_without_aws(builder: Any) -> None:
    with pytest.raises(ValueError) as error:
        builder(local(ALL_ON, validated_as="workload"))
    assert str(error.value) == "add-on 'crossplane' runs on AWS only; stage 'local' is local"


def test_the_addons_specs() -> None:
    assert (karpenter.ADDON.namespace, karpenter.ADDON.sync_wave) == ("kube-system", -1)
    assert karpenter.ADDON.aws_only and crossplane.ADDON.aws_only
    assert crossplane.ADDON.namespace == "crossplane-system"
    base, istiod = istio.ADDONS
    assert (base.name, base.chart, base.namespace, base.sync_wave) == (
        "istio-base",
        "istio-base",
        "istio-system",
        -1,
    )
    assert (istiod.name, istiod.chart, istiod.namespace, istiod.after) == (
        "istiod",
        "istiod",
        "istio-system",
        ("istio-base",),
    )
    assert not base.aws_only and not istiod.aws_only


# --------------------------------------------------------------------------------------
# Versions


def test_the_new_charts_are_pinned() -> None:
    assert (CHARTS["crossplane"].chart, CHARTS["crossplane"].version) == ("crossplane", "2.3.4")
    assert CHARTS["crossplane"].repository == "https://charts.crossplane.io/stable"
    assert (CHARTS["istio-base"].chart, CHARTS["istio-base"].version) == ("base", "1.30.3")
    assert (CHARTS["istiod"].chart, CHARTS["istiod"].version) == ("istiod", "1.30.3")


def test_a_key_other_than_the_charts_name_reaches_the_application_as_the_name() -> None:
    delivery = Delivery.helm(
        name="istio-base",
        namespace="istio-system",
        chart="istio-base",
        release_name="istio-base",
        sync_policy=SyncPolicy.automated(),
        finalizer=True,
    )
    app = application(delivery, prod_cluster(), argocd_namespace="argocd", project=PLATFORM_PROJECT)
    (source,) = app["spec"]["sources"] if "sources" in app["spec"] else [app["spec"]["source"]]
    assert source["chart"] == "base"
    assert source["repoURL"] == "https://istio-release.storage.googleapis.com/charts"
    assert source["targetRevision"] == "1.30.3"
    assert source["helm"]["releaseName"] == "istio-base"


# --------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize(
    ("golden", "builder"),
    [
        ("karpenter/values", karpenter.values),
        ("crossplane/values", crossplane.values),
        ("istio/base-values", istio.base_values),
        ("istio/istiod-values", istio.istiod_values),
    ],
)
@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_values_golden(golden: str, builder: Any, stage: str) -> None:
    ctx = prod() if stage == "prod" else dev()
    assert_golden(f"addons/{golden}-{stage}.yaml", dump(builder(ctx)))


def test_karpenter_values_name_the_stage() -> None:
    result = karpenter.values(prod())
    assert result["settings"] == {
        "clusterName": "argosy-prod",
        "interruptionQueue": "argosy-prod-karpenter",
    }
    assert result["serviceAccount"] == {"create": True, "name": "karpenter"}
    assert result["controller"]["env"] == [{"name": "AWS_REGION", "value": "eu-west-1"}]
    assert result["replicas"] == 2
    assert karpenter.values(dev())["replicas"] == 1
    # Never on a node Karpenter launched.
    terms = result["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"}]}
    ]


@pytest.mark.parametrize("ctx", [prod(), dev()], ids=["prod", "dev"])
def test_every_container_has_requests_and_limits(ctx: AddonContext) -> None:
    for resources in (
        karpenter.values(ctx)["controller"]["resources"],
        crossplane.values(ctx)["resourcesCrossplane"],
        crossplane.values(ctx)["resourcesRBACManager"],
        istio.istiod_values(ctx)["resources"],
    ):
        assert set(resources) == {"requests", "limits"}
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


def test_production_runs_two_replicas_with_budgets() -> None:
    xp = crossplane.values(prod())
    assert xp["replicas"] == xp["rbacManager"]["replicas"] == 2
    kinds = [o.manifest["kind"] for o in crossplane.objects(prod())]
    assert kinds.count("PodDisruptionBudget") == 2
    assert "PodDisruptionBudget" not in [o.manifest["kind"] for o in crossplane.objects(dev())]
    istiod = istio.istiod_values(prod())
    # The chart renders its budget only when the autoscaler's minimum is above 1.
    assert (istiod["autoscaleEnabled"], istiod["autoscaleMin"]) == (True, 2)
    assert istio.istiod_values(dev())["replicaCount"] == 1


# --------------------------------------------------------------------------------------
# Karpenter's policy

#: The actions of the controller's policies in the getting-started template of v1.14.1:
#: aws/karpenter-provider-aws website/content/en/v1.14/getting-started/
#: getting-started-with-karpenter/cloudformation.yaml at
#: 1d927085dd81a9df9301e613f371dac5b4d16bfe (NodeLifecyclePolicy, IAMIntegrationPolicy,
#: EKSIntegrationPolicy, InterruptionPolicy, ZonalShiftPolicy, ResourceDiscoveryPolicy).
UPSTREAM_ACTIONS = frozenset(
    {
        "ec2:RunInstances",
        "ec2:CreateFleet",
        "ec2:CreateLaunchTemplate",
        "ec2:CreateTags",
        "ec2:TerminateInstances",
        "ec2:DeleteLaunchTemplate",
        "iam:PassRole",
        "iam:CreateInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:DeleteInstanceProfile",
        "eks:DescribeCluster",
        "sqs:DeleteMessage",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
        "arc-zonal-shift:GetManagedResource",
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribePlacementGroups",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory",
        "ec2:DescribeSubnets",
        "ssm:GetParameter",
        "pricing:GetProducts",
        "iam:ListInstanceProfiles",
        "iam:GetInstanceProfile",
    }
)
#: The statements' Sids there, in order.
UPSTREAM_SIDS = (
    "AllowScopedEC2InstanceAccessActions",
    "AllowScopedEC2LaunchTemplateAccessActions",
    "AllowScopedEC2InstanceActionsWithTags",
    "AllowScopedResourceCreationTagging",
    "AllowScopedResourceTagging",
    "AllowScopedDeletion",
    "AllowPassingInstanceRole",
    "AllowScopedInstanceProfileCreationActions",
    "AllowScopedInstanceProfileTagActions",
    "AllowScopedInstanceProfileActions",
    "AllowAPIServerEndpointDiscovery",
    "AllowInterruptionQueueActions",
    "AllowZonalShiftStatusReadOnly",
    "AllowRegionalReadActions",
    "AllowSSMReadActions",
    "AllowPricingReadActions",
    "AllowUnscopedInstanceProfileListAction",
    "AllowInstanceProfileReadActions",
)
#: Left out on purpose: the chart's settings.enableZonalShift stays off.
ZONAL_SHIFT = ("AllowZonalShiftStatusReadOnly", "arc-zonal-shift:GetManagedResource")


def _actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


def _resources(statement: dict[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def test_karpenter_policy_golden() -> None:
    policy = karpenter.controller_policy(PROD_AWS, "prod")
    assert_golden(
        "addons/karpenter/controller-policy-prod.json",
        json.dumps(policy, indent=2, sort_keys=True) + "\n",
    )


def test_karpenter_policy_has_upstreams_actions_and_sids() -> None:
    policy = karpenter.controller_policy(PROD_AWS, "prod")
    assert _actions(policy) == UPSTREAM_ACTIONS - {ZONAL_SHIFT[1]}
    sids = tuple(s["Sid"] for s in policy["Statement"])
    assert sids == tuple(sid for sid in UPSTREAM_SIDS if sid != ZONAL_SHIFT[0])


def test_karpenter_policy_names_the_stage() -> None:
    policy = karpenter.controller_policy(PROD_AWS, "prod")
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["AllowPassingInstanceRole"]["Resource"] == (
        "arn:aws:iam::444444444444:role/argosy-prod-karpenter-node"
    )
    assert by_sid["AllowInterruptionQueueActions"]["Resource"] == (
        "arn:aws:sqs:eu-west-1:444444444444:argosy-prod-karpenter"
    )
    assert by_sid["AllowAPIServerEndpointDiscovery"]["Resource"] == PROD_AWS.cluster_arn
    # Every tag condition keeps upstream's keys, with the cluster's name.
    tagged = by_sid["AllowScopedResourceCreationTagging"]["Condition"]["StringEquals"]
    assert tagged["aws:RequestTag/kubernetes.io/cluster/argosy-prod"] == "owned"
    assert tagged["aws:RequestTag/eks:eks-cluster-name"] == "argosy-prod"


def test_karpenter_policy_is_least_privilege() -> None:
    policy = karpenter.controller_policy(PROD_AWS, "prod")
    for statement in policy["Statement"]:
        resources = _resources(statement)
        if statement["Sid"] in karpenter.WILDCARD_SIDS:
            assert resources == ["*"]
            continue
        for arn in resources:
            # The stage's account wherever a resource belongs to one; AWS-owned public AMIs,
            # snapshots and parameters have none.
            assert ":444444444444:" in arn or arn.startswith(
                (
                    "arn:aws:ec2:eu-west-1::image/",
                    "arn:aws:ec2:eu-west-1::snapshot/",
                    "arn:aws:ssm:eu-west-1::parameter/aws/service/",
                )
            ), arn
            assert ":*:" not in arn, arn


def test_karpenter_policy_fits_a_managed_policy() -> None:
    # IAM's smallest limit, a managed policy's 6,144 characters (an inline one has 10,240).
    assert len(to_json(karpenter.controller_policy(PROD_AWS, "prod"))) <= 6144


def test_karpenter_identity() -> None:
    (identity,) = karpenter.ADDON.identities_on(prod())
    assert (identity.key, identity.role, identity.namespace, identity.service_account) == (
        "karpenter",
        "karpenter-controller",
        "kube-system",
        "karpenter",
    )
    assert identity.policy == karpenter.controller_policy(PROD_AWS, "prod")


# --------------------------------------------------------------------------------------
# Objects


def test_karpenter_objects_golden() -> None:
    assert_objects_golden("karpenter/prod", karpenter.objects(prod()))


def test_crossplane_objects_golden() -> None:
    assert_objects_golden("crossplane/prod", crossplane.objects(prod()))
    assert_objects_golden("crossplane/dev", crossplane.objects(dev()))


@pytest.mark.parametrize("ctx", [prod(), dev()], ids=["prod", "dev"])
def test_every_object_passes_its_schema(ctx: AddonContext) -> None:
    for addon in ADDONS:
        for obj in addon.objects(ctx):
            assert check_manifest(obj.manifest, "1.36") is obj.manifest


def test_istio_brings_no_objects() -> None:
    assert all(addon.objects(prod()) == () for addon in istio.ADDONS)


def test_the_crd_schemas_are_strict() -> None:
    node_pool = dict(karpenter.node_pool(prod()).manifest)
    node_pool["spec"] = {**node_pool["spec"], "limit": {"cpu": "1"}}
    assert crd_schema_problems(node_pool) == [
        "spec: Additional properties are not allowed ('limit' was unexpected)"
    ]
    provider = dict(crossplane.provider(prod(), "s3").manifest)
    provider["spec"] = {**provider["spec"], "runtimeConfig": {"name": "x"}}
    assert crd_schema_problems(provider) == [
        "spec: Additional properties are not allowed ('runtimeConfig' was unexpected)"
    ]


def test_node_class_keeps_pods_off_the_nodes_role() -> None:
    spec = karpenter.node_class(prod()).manifest["spec"]
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert spec["role"] == "argosy-prod-karpenter-node"
    assert spec["securityGroupSelectorTerms"] == [{"tags": {"aws:eks:cluster-name": "argosy-prod"}}]
    assert spec["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "argosy-prod"}}]
    assert all(d["ebs"]["encrypted"] for d in spec["blockDeviceMappings"])


def test_node_class_follows_the_ami_family() -> None:
    ctx = prod({"karpenter": {"enabled": True, "amiAlias": "bottlerocket@v1.40.0"}})
    devices = karpenter.node_class(ctx).manifest["spec"]["blockDeviceMappings"]
    assert [(d["deviceName"], d["ebs"]["volumeSize"]) for d in devices] == [
        ("/dev/xvda", "4Gi"),
        ("/dev/xvdb", "20Gi"),
    ]


def test_node_pool_follows_the_settings() -> None:
    ctx = dev(
        {
            "karpenter": {
                "enabled": True,
                "architectures": ["amd64", "arm64"],
                "capacityTypes": ["spot", "on-demand"],
                "instanceCategories": ["m"],
                "cpuLimit": 32,
                "consolidateAfter": "5m",
            }
        }
    )
    spec = karpenter.node_pool(ctx).manifest["spec"]
    requirements = {r["key"]: r for r in spec["template"]["spec"]["requirements"]}
    assert requirements["kubernetes.io/arch"]["values"] == ["amd64", "arm64"]
    assert requirements["karpenter.sh/capacity-type"]["values"] == ["on-demand", "spot"]
    assert requirements["karpenter.k8s.aws/instance-category"]["values"] == ["m"]
    assert requirements["karpenter.k8s.aws/instance-generation"] == {
        "key": "karpenter.k8s.aws/instance-generation",
        "operator": "Gt",
        "values": ["5"],
    }
    assert spec["limits"] == {"cpu": "32"}
    assert spec["disruption"]["consolidateAfter"] == "5m"
    assert spec["template"]["spec"]["nodeClassRef"] == {
        "group": "karpenter.k8s.aws",
        "kind": "EC2NodeClass",
        "name": "default",
    }


def test_crossplane_providers_follow_the_settings() -> None:
    providers = [o.manifest for o in crossplane.objects(prod()) if o.manifest["kind"] == "Provider"]
    assert [(p["metadata"]["name"], p["spec"]["package"]) for p in providers] == [
        ("provider-aws-rds", "xpkg.upbound.io/upbound/provider-aws-rds:v2.6.0"),
        ("provider-aws-s3", "xpkg.upbound.io/upbound/provider-aws-s3:v2.6.0"),
    ]
    assert all(p["spec"]["runtimeConfigRef"]["name"] == "aws-providers" for p in providers)
    none = dev({"crossplane": {"enabled": True}})
    assert "Provider" not in [o.manifest["kind"] for o in crossplane.objects(none)]


def test_crossplane_identity_only_with_policies() -> None:
    (identity,) = crossplane.ADDON.identities_on(prod())
    assert (identity.key, identity.role, identity.namespace, identity.service_account) == (
        "crossplane_provider_aws",
        "crossplane-provider-aws",
        "crossplane-system",
        "provider-aws",
    )
    assert identity.policy is None
    assert identity.managed_policy_arns == (POLICY_ARN,)
    no_policies = prod({"crossplane": {"enabled": True, "providers": ["s3"]}})
    assert crossplane.ADDON.identities_on(no_policies) == ()
