"""The controllers on every stage: their AWS side, their Applications, and the rules over both.

The example stacks are planned as the CLI plans them; each rule of this issue (W1, W4, W6,
L4, and the E6/E15 extensions) passes on every example and is then shown firing, with its
exact message, on a graph altered from a planned stack.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from argosy.addons.catalog import ADDONS_BY_NAME
from argosy.argocd import versions
from argosy.argocd.registration import helm_oci_repository_secret
from argosy.manifests.argo_schemas import check_manifest
from argosy.plan.monitor import REDACTED, Registration
from argosy.plan.planner import stage_facts
from argosy.policy.controller_rules import CONTROLLER_RULES
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES, evaluate
from tests.conftest import AWS_EXAMPLE_STACKS, EXAMPLE_STACKS, REPO, Planned, load_example
from tests.example_apps import app_applications, apps_on

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
SECRET = "kubernetes:core/v1:Secret"
ACCOUNTS = {"hub": "111111111111", "dev": "222222222222", "staging": "333333333333"}
ACCOUNTS["prod"] = "444444444444"
#: What each example stage gets, in delivery order.
ADDONS_OF = {
    "hub": (
        "aws-load-balancer-controller",
        "external-secrets",
        "external-dns",
        "argo-rollouts",
        "argo-workflows",
        "argo-events",
    ),
    "prod": (
        "aws-load-balancer-controller",
        "external-secrets",
        "external-dns",
        "karpenter",
        "argo-rollouts",
        "argo-workflows",
        "argo-events",
    ),
}
ADDONS_OF["dev"] = ADDONS_OF["staging"] = ADDONS_OF["hub"]
ADDONS_OF["local"] = ("argo-rollouts", "argo-workflows", "argo-events")


#: The label of an app's Application (its team): the app catalog's, not the platform's.
TEAM_LABEL = "argosy.dev/team"


def applications(plan: Planned) -> dict[str, Registration]:
    """The platform's Applications (the baselines and the add-ons'), by name."""
    return {
        a.inputs["metadata"]["name"]: a
        for a in plan.graph.of_type(APPLICATION)
        if TEAM_LABEL not in a.inputs["metadata"].get("labels", {})
    }


def app_applications_of(plan: Planned) -> dict[str, Registration]:
    """The app catalog's Applications (labelled with their team), by name."""
    return {
        a.inputs["metadata"]["name"]: a
        for a in plan.graph.of_type(APPLICATION)
        if TEAM_LABEL in a.inputs["metadata"].get("labels", {})
    }


def chart_source(application: Registration) -> dict[str, Any]:
    spec = application.inputs["spec"]
    sources = [spec["source"]] if "source" in spec else spec["sources"]
    return next(s for s in sources if "chart" in s)


# --------------------------------------------------------------------------------------
# The stack hosting Argo CD: an Application per add-on per stage


@pytest.mark.parametrize("host", ["hub", "local"])
def test_every_stage_gets_its_addons_as_pinned_applications(
    planned: Callable[[str], Planned], host: str
) -> None:
    plan = planned(host)
    found = applications(plan)
    stages = ("dev", "hub", "prod", "staging") if host == "hub" else ("local",)
    expected = {f"{addon}-{stage}" for stage in stages for addon in ADDONS_OF[stage]} | {
        f"baseline-{stage}" for stage in stages
    }
    assert set(found) == expected
    # Besides them, only the app catalog's Applications, each named as its app file says and
    # in its team's project, not the platform's (tests/test_app_*.py).
    apps = app_applications_of(plan)
    assert sorted(apps) == app_applications(stages)
    assert set(found).isdisjoint(apps)
    assert all(a.inputs["spec"]["project"] != "platform" for a in apps.values())
    for name, application in found.items():
        check_manifest(application.inputs, "1.36")
        if name.startswith("baseline-"):
            continue
        addon = ADDONS_BY_NAME[application.inputs["metadata"]["labels"]["argosy.dev/delivery"]]
        chart = versions.CHARTS[addon.chart]
        source = chart_source(application)
        assert (source["repoURL"], source["chart"], source["targetRevision"]) == (
            chart.argocd_repo_url,
            chart.chart,
            chart.version,
        )
        assert application.inputs["spec"]["project"] == "platform"
        policy = application.inputs["spec"]["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}
        assert policy["retry"]["limit"] == 10


def test_an_addon_with_objects_syncs_its_tree_directory_after_the_chart(
    planned: Callable[[str], Planned],
) -> None:
    found = applications(planned("hub"))
    karpenter = found["karpenter-prod"].inputs["spec"]
    assert "source" not in karpenter
    assert karpenter["sources"][1] == {
        "repoURL": "https://github.com/acme/platform.git",
        "targetRevision": "main",
        "path": "gitops/clusters/prod/addons/karpenter",
    }
    # No objects, one source.
    assert "sources" not in found["external-dns-prod"].inputs["spec"]


def test_what_makes_load_balancers_waits_for_the_controller(
    planned: Callable[[str], Planned],
) -> None:
    plan = planned("hub")
    found = applications(plan)
    for stage in ("dev", "hub", "prod", "staging"):
        workflows = found[f"argo-workflows-{stage}"]
        controller = found[f"aws-load-balancer-controller-{stage}"]
        secrets = found[f"external-secrets-{stage}"]
        waits = plan.graph.waits_for(workflows.urn)
        # Always after external-secrets (its SSO ExternalSecret); after the Load Balancer
        # Controller where the server has an Ingress: on the hub only.
        assert secrets.urn in waits
        assert (controller.urn in set(workflows.dependencies)) is (stage == "hub")
        # Deleting the controller's Application removes the controller (the hub runs the
        # capability: no self-hosted Argo CD load balancer to outlive).
        assert controller.inputs["metadata"]["finalizers"] == [
            "resources-finalizer.argocd.argoproj.io"
        ]
    values = chart_source(found["argo-workflows-hub"])["helm"]["valuesObject"]
    assert values["server"]["ingress"]["enabled"] is True
    assert values["server"]["authModes"] == ["sso"]


def test_the_registration_carries_the_addons_role_arns(
    planned: Callable[[str], Planned],
) -> None:
    secrets = {s.inputs["metadata"]["name"]: s for s in planned("hub").graph.of_type(SECRET)}
    annotations = secrets["cluster-prod"].inputs["metadata"]["annotations"]
    roles = {k: v for k, v in annotations.items() if k.endswith("_iam_role_arn")}
    prefix = "arn:aws:iam::444444444444:role/argosy-prod-"
    assert roles == {
        "argo_rollouts_iam_role_arn": prefix + "argo-rollouts",
        "argo_workflows_server_iam_role_arn": prefix + "argo-workflows-server",
        "argo_workflows_workflows_iam_role_arn": prefix + "workflows-workflows",
        "aws_load_balancer_controller_iam_role_arn": prefix + "aws-load-balancer-controller",
        "external_dns_iam_role_arn": prefix + "external-dns",
        "external_secrets_iam_role_arn": prefix + "external-secrets",
        "karpenter_iam_role_arn": prefix + "karpenter-controller",
    }


def test_the_karpenter_chart_is_read_through_an_oci_repository(
    planned: Callable[[str], Planned],
) -> None:
    secrets = {s.inputs["metadata"]["name"]: s for s in planned("hub").graph.of_type(SECRET)}
    repository = secrets["repository-karpenter"].inputs
    assert repository["metadata"]["labels"] == {"argocd.argoproj.io/secret-type": "repository"}
    # The Kubernetes provider makes every Secret's data secret; the builder's is plain.
    assert repository["stringData"] == REDACTED
    built = helm_oci_repository_secret(
        versions.CHARTS["karpenter"], namespace="argocd", host_kubernetes_version="1.36"
    )
    assert built["stringData"] == {
        "enableOCI": "true",
        "name": "karpenter",
        "type": "helm",
        "url": "public.ecr.aws/karpenter",
    }
    with pytest.raises(ValueError) as raised:
        helm_oci_repository_secret(versions.CHARTS["external-dns"], host_kubernetes_version="1.36")
    assert str(raised.value) == (
        "chart external-dns is not in an OCI registry: "
        "https://kubernetes-sigs.github.io/external-dns"
    )


# --------------------------------------------------------------------------------------
# Each stage's own stack: identities, the artifact bucket, Karpenter's AWS side


@pytest.mark.parametrize("stage", AWS_EXAMPLE_STACKS)
def test_each_identity_is_one_fixed_role_bound_to_one_service_account(
    planned: Callable[[str], Planned], stage: str
) -> None:
    plan = planned(stage)
    account = ACCOUNTS[stage]
    roles = {
        r.outputs["name"]: r
        for r in plan.graph.of_type(ROLE)
        if r.parent and "-controllers" in r.parent
    }
    associations = {
        a.inputs["roleArn"]: (a.inputs["namespace"], a.inputs["serviceAccount"])
        for a in plan.graph.of_type(ASSOCIATION)
    }
    workflows_ns = "ci" if stage == "hub" else "workflows"
    expected = {
        f"argosy-{stage}-aws-load-balancer-controller": (
            "kube-system",
            "aws-load-balancer-controller",
        ),
        f"argosy-{stage}-external-secrets": ("external-secrets", "external-secrets"),
        f"argosy-{stage}-external-dns": ("external-dns", "external-dns"),
        f"argosy-{stage}-argo-rollouts": ("argo-rollouts", "argo-rollouts"),
        f"argosy-{stage}-argo-workflows-server": ("argo-workflows", "argo-workflows-server"),
        f"argosy-{stage}-workflows-{workflows_ns}": (workflows_ns, "argo-workflow"),
    }
    if stage == "prod":
        expected[f"argosy-{stage}-karpenter-controller"] = ("kube-system", "karpenter")
        # Karpenter's node role is no pod identity.
        del roles[f"argosy-{stage}-karpenter-node"]
    assert set(roles) == set(expected)
    for name, role in roles.items():
        arn = f"arn:aws:iam::{account}:role/{name}"
        assert role.outputs["arn"] == arn
        assert associations[arn] == expected[name]
        trust = json.loads(role.inputs["assumeRolePolicy"])
        pinned = trust["Statement"][0]["Condition"]["StringEquals"]
        assert (
            pinned["aws:RequestTag/kubernetes-namespace"],
            pinned["aws:RequestTag/kubernetes-service-account"],
        ) == expected[name]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_artifact_bucket(planned: Callable[[str], Planned], stage: str) -> None:
    plan = planned(stage)
    account = ACCOUNTS[stage]
    name = f"argosy-{stage}-artifacts-{account}"
    # The controllers' bucket; the other buckets are the apps' own (tests/test_apps_aws.py).
    resource = f"{stage}-controllers-artifacts"
    assert sorted(b.name for b in plan.graph.of_type(BUCKET)) == sorted(
        [resource, *(f"{stage}-apps-{a.name}-bucket" for a in apps_on(stage) if a.bucket)]
    )
    bucket = plan.one(BUCKET, resource)
    assert bucket.inputs["bucket"] == name
    assert bucket.protect is (stage == "prod")
    assert bucket.inputs["forceDestroy"] is (stage != "prod")
    # Each of its settings names it.
    block = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", resource)
    assert block.inputs["bucket"] == bucket.id
    assert all(
        block.inputs[k]
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    encryption = plan.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        resource,
    )
    assert encryption.inputs["bucket"] == bucket.id
    rule = encryption.inputs["rules"][0]
    assert rule["bucketKeyEnabled"] is True
    default = rule["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    key = plan.graph.find_by_output("aws:kms/key:Key", "arn", default["kmsMasterKeyId"])
    assert key is not None and key.inputs["enableKeyRotation"] is True
    assert key.name == resource  # the artifacts' own key
    bucket_policy = plan.one("aws:s3/bucketPolicy:BucketPolicy", resource)
    assert bucket_policy.inputs["bucket"] == bucket.id
    policy = json.loads(bucket_policy.inputs["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    lifecycle_configuration = plan.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", resource
    )
    assert lifecycle_configuration.inputs["bucket"] == bucket.id
    lifecycle = lifecycle_configuration.inputs["rules"][0]
    assert lifecycle["expiration"] == {"days": 30}
    assert lifecycle["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_karpenter_aws_side_only_where_enabled(planned: Callable[[str], Planned]) -> None:
    for stage in ("dev", "hub", "staging"):
        assert planned(stage).graph.of_type(QUEUE) == []
    prod = planned("prod")
    queue = prod.one(QUEUE)
    assert queue.inputs["name"] == "argosy-prod-karpenter"
    assert queue.inputs["sqsManagedSseEnabled"] is True
    patterns = sorted(
        json.loads(r.inputs["eventPattern"])["detail-type"][0]
        for r in prod.graph.of_type(EVENT_RULE)
    )
    assert patterns == [
        "AWS Health Event",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "EC2 Spot Instance Interruption Warning",
    ]
    entry = next(e for e in prod.graph.of_type(ACCESS_ENTRY) if e.inputs["type"] == "EC2_LINUX")
    assert (
        entry.inputs["principalArn"] == "arn:aws:iam::444444444444:role/argosy-prod-karpenter-node"
    )
    node_role = prod.graph.find_by_output(ROLE, "arn", entry.inputs["principalArn"])
    assert node_role is not None
    attached = sorted(
        a.inputs["policyArn"].rsplit("/", 1)[-1]
        for a in prod.graph.of_type(ATTACHMENT)
        if a.inputs["role"] == node_role.outputs["name"]
    )
    assert attached == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]


def test_private_subnets_carry_karpenters_discovery_tag(
    planned: Callable[[str], Planned],
) -> None:
    subnets = planned("prod").graph.of_type("aws:ec2/subnet:Subnet")
    private = [s for s in subnets if "internal-elb" in json.dumps(s.inputs["tags"])]
    assert len(private) == 3
    assert all(s.inputs["tags"]["karpenter.sh/discovery"] == "argosy-prod" for s in private)


def test_local_gets_no_aws_and_registers_itself(planned: Callable[[str], Planned]) -> None:
    local = planned("local")
    assert not [r for r in local.graph.resources if r.type.startswith("aws:")]
    (registration,) = [
        s for s in local.graph.of_type(SECRET) if s.inputs["metadata"]["name"] == "cluster-local"
    ]
    labels = registration.inputs["metadata"]["labels"]
    assert labels == {
        "argocd.argoproj.io/secret-type": "cluster",
        "argosy.dev/production": "false",
        "cluster_name": "argosy-local",
        "environment": "local",
        "kubernetes_version": "1.36",
    }


# --------------------------------------------------------------------------------------
# Rules: every example passes; each rule caught on an altered graph


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_passes_the_controller_rules(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    report = evaluate(plan.graph, stage_facts(plan.config), RULES)
    assert report.findings == ()
    for rule in (*(r.id for r in CONTROLLER_RULES), "E6", "E15"):
        assert rule in report.passed


def altered(plan: Planned, urn: str, change: Callable[[Registration], Registration]) -> PlanGraph:
    return PlanGraph(change(r) if r.urn == urn else r for r in plan.graph.resources)


def with_values(application: Registration, edit: Callable[[dict[str, Any]], None]) -> Registration:
    inputs = copy.deepcopy(application.inputs)
    spec = inputs["spec"]
    sources = [spec["source"]] if "source" in spec else spec["sources"]
    edit(next(s for s in sources if "chart" in s)["helm"]["valuesObject"])
    return dataclasses.replace(application, inputs=inputs)


def findings(graph: PlanGraph, plan: Planned, rule: str) -> list[str]:
    check = next(r.check for r in RULES if r.id == rule)
    return [f.message for f in check(graph, stage_facts(plan.config))]


def test_w1_catches_the_server_auth_mode(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    target = applications(hub)["argo-workflows-dev"]

    def server_mode(values: dict[str, Any]) -> None:
        values["server"]["authModes"] = ["client", "server"]

    graph = altered(hub, target.urn, lambda r: with_values(r, server_mode))
    assert findings(graph, hub, "W1") == ["server.authModes has server: only sso and client"]

    def unstated(values: dict[str, Any]) -> None:
        del values["server"]["authModes"]

    graph = altered(hub, target.urn, lambda r: with_values(r, unstated))
    assert findings(graph, hub, "W1") == [
        "server.authModes is not stated: give [sso] and/or [client]"
    ]


def test_w4_catches_a_privileged_step_and_another_executor(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    target = applications(hub)["argo-workflows-prod"]

    def privileged(values: dict[str, Any]) -> None:
        values["executor"]["securityContext"]["privileged"] = True
        values["controller"]["containerRuntimeExecutor"] = "docker"

    graph = altered(hub, target.urn, lambda r: with_values(r, privileged))
    assert sorted(findings(graph, hub, "W4")) == [
        "controller.containerRuntimeExecutor selects another executor than emissary",
        "executor.securityContext.privileged is privileged",
    ]


def test_w6_catches_a_version_below_the_floor(
    planned: Callable[[str], Planned], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = planned("hub")
    target = applications(hub)["argo-events-dev"]

    def old_chart(application: Registration) -> Registration:
        inputs = copy.deepcopy(application.inputs)
        spec = inputs["spec"]
        source = spec["source"] if "source" in spec else spec["sources"][0]
        source["targetRevision"] = "2.4.8"
        return dataclasses.replace(application, inputs=inputs)

    graph = altered(hub, target.urn, old_chart)
    assert findings(graph, hub, "W6") == [
        "argo-events 2.4.8 is not in the versions table: W6 cannot tell what it runs"
    ]
    # A floor above what the pinned chart runs: every stage's Application is caught.
    floors = {
        **versions.APP_VERSION_FLOORS,
        "argo-events": versions.AppVersionFloor(rule="W6", floors=("1.9.11",)),
    }
    monkeypatch.setattr(versions, "APP_VERSION_FLOORS", floors)
    assert (
        findings(hub.graph, hub, "W6")
        == ["argo-events 2.4.22 runs v1.9.10, not at or above 1.9.11 (SECURITY.md W6)"] * 4
    )


def test_l4_catches_a_load_balancer_that_does_not_wait(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    found = applications(hub)
    workflows = found["argo-workflows-hub"]
    controller = found["aws-load-balancer-controller-hub"]

    def no_wait(application: Registration) -> Registration:
        # Forget every dependency on the controller, direct or through external-secrets.
        kept = tuple(
            d
            for d in application.dependencies
            if d != controller.urn and "external-secrets" not in d
        )
        return dataclasses.replace(application, dependencies=kept)

    graph = altered(hub, workflows.urn, no_wait)
    assert findings(graph, hub, "L4") == [
        "server.ingress.enabled makes a load balancer but does not wait for "
        f"{controller.name}: on delete it would outlive the controller"
    ]

    def no_finalizer(application: Registration) -> Registration:
        inputs = copy.deepcopy(application.inputs)
        del inputs["metadata"]["finalizers"]
        return dataclasses.replace(application, inputs=inputs)

    graph = altered(hub, controller.urn, no_finalizer)
    assert findings(graph, hub, "L4") == [
        "no resources finalizer: deleting the Application would leave the controller running "
        "unmanaged"
    ]


def test_l4_catches_a_load_balancer_on_a_cluster_without_the_controller(
    planned: Callable[[str], Planned],
) -> None:
    local = planned("local")
    target = applications(local)["argo-rollouts-local"]

    def load_balancer(values: dict[str, Any]) -> None:
        values["dashboard"]["service"] = {"type": "LoadBalancer"}

    graph = altered(local, target.urn, lambda r: with_values(r, load_balancer))
    assert findings(graph, local, "L4") == [
        "dashboard.service.type makes a load balancer on local, which gets no Load Balancer "
        "Controller"
    ]


def test_e6_catches_a_broad_karpenter_node_role(planned: Callable[[str], Planned]) -> None:
    prod = planned("prod")
    attachment = next(
        a
        for a in prod.graph.of_type(ATTACHMENT)
        if a.inputs["role"] == "argosy-prod-karpenter-node"
    )

    def admin(resource: Registration) -> Registration:
        inputs = {**resource.inputs, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
        return dataclasses.replace(resource, inputs=inputs)

    graph = altered(prod, attachment.urn, admin)
    assert findings(graph, prod, "E6") == ["node role also holds AdministratorAccess"]


def test_e15_catches_an_unconditioned_write_on_everything(
    planned: Callable[[str], Planned],
) -> None:
    dev = planned("dev")
    inline = next(
        p for p in dev.graph.of_type(ROLE_POLICY) if p.inputs["role"] == "argosy-dev-external-dns"
    )

    def broad(resource: Registration) -> Registration:
        policy = json.loads(resource.inputs["policy"])
        policy["Statement"].append(
            {
                "Sid": "Everything",
                "Effect": "Allow",
                "Action": ["route53:ChangeResourceRecordSets", "route53:ListHostedZones"],
                "Resource": "*",
            }
        )
        return dataclasses.replace(
            resource, inputs={**resource.inputs, "policy": json.dumps(policy)}
        )

    graph = altered(dev, inline.urn, broad)
    assert findings(graph, dev, "E15") == [
        "statement Everything allows route53:ChangeResourceRecordSets on * without a condition"
    ]


def test_w1_reads_every_place_the_chart_takes_an_auth_mode(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    target = applications(hub)["argo-workflows-hub"]

    def bypass(values: dict[str, Any]) -> None:
        values["server"]["authMode"] = "server"
        values["server"]["extraArgs"] = ["--auth-mode=server", "--auth-mode", "client"]
        values["server"]["extraEnv"] = [{"name": "ARGO_AUTH_MODE", "value": "server"}]

    graph = altered(hub, target.urn, lambda r: with_values(r, bypass))
    assert findings(graph, hub, "W1") == [
        "server.authMode has server: only sso and client",
        "server.extraArgs/extraEnv has server: only sso and client",
        "server.extraArgs/extraEnv has server: only sso and client",
    ]


def test_w6_reads_the_image_tags_the_values_set(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    found = applications(hub)

    def old_server(values: dict[str, Any]) -> None:
        values["server"]["image"] = {"tag": "v3.7.2"}

    def old_events(values: dict[str, Any]) -> None:
        values["global"]["image"] = {"tag": "v1.9.5"}

    graph = altered(hub, found["argo-workflows-dev"].urn, lambda r: with_values(r, old_server))
    assert findings(graph, hub, "W6") == [
        "server.image.tag runs v3.7.2, not at or above 3.7.15 or 4.0.6 on its minor line, or any "
        "release after 4.0.6 (SECURITY.md W6)"
    ]
    graph = altered(hub, found["argo-events-prod"].urn, lambda r: with_values(r, old_events))
    assert findings(graph, hub, "W6") == [
        "global.image.tag runs v1.9.5, not at or above 1.9.6 (SECURITY.md W6)"
    ]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            {"Sid": "Secrets", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            "statement Secrets allows secretsmanager:GetSecretValue on * without a condition",
        ),
        (
            {
                "Sid": "Buckets",
                "Action": ["s3:PutObject", "s3:ListBucket"],
                "Resource": "arn:aws:s3:::*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            "statement Buckets allows s3:PutObject on arn:aws:s3:::* without a condition",
        ),
        (
            {"Sid": "AllBut", "NotAction": "iam:*", "Resource": "*"},
            "statement AllBut grants by NotAction or NotResource",
        ),
    ],
)
def test_e15_catches_wide_grants_however_written(
    planned: Callable[[str], Planned], statement: dict[str, Any], message: str
) -> None:
    dev = planned("dev")
    inline = next(
        p for p in dev.graph.of_type(ROLE_POLICY) if p.inputs["role"] == "argosy-dev-external-dns"
    )

    def broad(resource: Registration) -> Registration:
        policy = json.loads(resource.inputs["policy"])
        policy["Statement"].append({"Effect": "Allow", **statement})
        inputs = {**resource.inputs, "policy": json.dumps(policy)}
        return dataclasses.replace(resource, inputs=inputs)

    assert findings(altered(dev, inline.urn, broad), dev, "E15") == [message]


def test_the_oci_repository_and_the_identities_come_before_what_needs_them(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    secrets = {s.inputs["metadata"]["name"]: s for s in hub.graph.of_type(SECRET)}
    karpenter = applications(hub)["karpenter-prod"]
    assert secrets["repository-karpenter"].urn in karpenter.dependencies
    # A spoke lets Argo CD in only once its controllers' identities are associated.
    dev = planned("dev")
    entry = next(e for e in dev.graph.of_type(ACCESS_ENTRY) if "argocd-access" in e.name)
    associations = {a.urn for a in dev.graph.of_type(ASSOCIATION)}
    assert associations and associations <= set(entry.dependencies)


def test_a_stage_with_every_optional_addon_passes_every_rule(
    plan_config: Callable[..., Planned],
) -> None:
    document = load_example("dev")["config"]
    document["argosy:addons"]["crossplane"] = {
        "enabled": True,
        "providers": ["s3"],
        "policyArns": ["arn:aws:iam::222222222222:policy/crossplane-s3"],
    }
    document["argosy:addons"]["istio"] = {"enabled": True}
    document["argosy:addons"]["karpenter"] = {"enabled": True}
    plan = plan_config(document, stack="dev")
    report = evaluate(plan.graph, stage_facts(plan.config), RULES)
    assert report.findings == ()
    roles = {r.outputs["name"] for r in plan.graph.of_type(ROLE)}
    assert "argosy-dev-crossplane-provider-aws" in roles
    attached = {
        a.inputs["policyArn"]
        for a in plan.graph.of_type(ATTACHMENT)
        if a.inputs["role"] == "argosy-dev-crossplane-provider-aws"
    }
    assert attached == {"arn:aws:iam::222222222222:policy/crossplane-s3"}


def test_e8_catches_a_cluster_without_its_baseline(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    baseline = applications(hub)["baseline-staging"]
    graph = PlanGraph(r for r in hub.graph.resources if r.urn != baseline.urn)
    # Every add-on's Application into a namespace of the cluster. The apps' are not the
    # baseline's: each overlay holds its namespace's default deny (checked over the tree).
    assert apps_on("staging")
    assert sorted(findings(graph, hub, "E8")) == sorted(
        f"delivers into {namespace} on staging, which gets no baseline: nothing denies "
        "traffic to its pods by default"
        for namespace in (
            "argo-events",
            "argo-rollouts",
            "argo-workflows",
            "external-dns",
            "external-secrets",
        )
    )


def test_e8_catches_a_self_hosted_argo_cd_without_its_policies(
    planned: Callable[[str], Planned],
) -> None:
    local = planned("local")
    release = local.one("kubernetes:helm.sh/v3:Release")

    def open_namespace(resource: Registration) -> Registration:
        inputs = copy.deepcopy(resource.inputs)
        inputs["values"]["global"]["networkPolicy"] = {"create": False}
        return dataclasses.replace(resource, inputs=inputs)

    graph = altered(local, release.urn, open_namespace)
    assert findings(graph, local, "E8") == [
        "the argo-cd chart's NetworkPolicies are off (global.networkPolicy.create and "
        "defaultDenyIngress): Argo CD's Redis is reachable from other namespaces "
        "(CVE-2024-31989)"
    ]


@pytest.mark.parametrize("host", ["hub", "local"])
def test_every_namespace_an_addon_goes_into_has_its_default_deny_in_the_tree(
    planned: Callable[[str], Planned], host: str
) -> None:
    """E8 over the plan and the tree together: each Application's namespace has its default
    deny, in its cluster's baseline (the add-ons') or in its own tree (the apps')."""
    plan = planned(host)
    for application in applications(plan).values():
        spec = application.inputs["spec"]
        cluster, namespace = spec["destination"]["name"], spec["destination"]["namespace"]
        if namespace == "kube-system":
            continue
        policy = (
            REPO / f"gitops/clusters/{cluster}/baseline/{namespace}/networkpolicy-default-deny.yaml"
        )
        assert policy.is_file(), f"{application.name}: no default deny for {namespace}"
    # An app's namespace is its own: the directory its Application syncs builds (through
    # its base) the namespace's default deny, in and out.
    apps = app_applications_of(plan)
    assert apps
    for application in apps.values():
        spec = application.inputs["spec"]
        namespace = spec["destination"]["namespace"]
        policies = [
            m
            for m in kustomize_resources(REPO / spec["source"]["path"])
            if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == "default-deny"
        ]
        assert [(m["metadata"]["namespace"], m["spec"]) for m in policies] == [
            (namespace, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
        ], f"{application.name}: no default deny for {namespace}"


def kustomize_resources(directory: Path) -> list[dict[str, Any]]:
    """The objects a kustomization lists, following directories (no patches: none are used)."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    assert not {"patches", "patchesStrategicMerge", "components"} & set(kustomization)
    found: list[dict[str, Any]] = []
    for entry in kustomization["resources"]:
        path = (directory / entry).resolve()
        if path.is_dir():
            found += kustomize_resources(path)
        else:
            found += [m for m in yaml.safe_load_all(path.read_text()) if m]
    return found
