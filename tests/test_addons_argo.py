"""The Argo add-ons: Rollouts, Workflows and Events (values, identities, tree objects)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from argosy.addons import argo_events, argo_rollouts, argo_workflows
from argosy.addons.spec import (
    CLUSTER_SECRET_STORE,
    SYNC_WAVE_ANNOTATION,
    Addon,
    AddonContext,
    AddonIdentity,
    AwsTarget,
    TreeObject,
)
from argosy.argocd.versions import CHARTS
from argosy.config.models.addons import AddonsSettings
from argosy.manifests.argo_schemas import check_manifest
from tests.conftest import assert_golden

KUBERNETES = "1.36"
ADDONS: dict[str, Addon] = {
    "argo-rollouts": argo_rollouts.ADDON,
    "argo-workflows": argo_workflows.ADDON,
    "argo-events": argo_events.ADDON,
}
CERTIFICATE = "arn:aws:acm:eu-west-1:555555555555:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


def aws_target(stage: str, account: str, cidr: str) -> AwsTarget:
    return AwsTarget(
        account_id=account,
        region="eu-west-1",
        partition="aws",
        cluster_name=f"argosy-{stage}",
        cluster_arn=f"arn:aws:eks:eu-west-1:{account}:cluster/argosy-{stage}",
        vpc_name=f"argosy-{stage}",
        vpc_cidr=cidr,
    )


def settings(raw: dict[str, Any], *, production: bool, role: str = "workload") -> AddonsSettings:
    return AddonsSettings.model_validate(raw, context={"production": production, "role": role})


def prod(**raw: Any) -> AddonContext:
    base: dict[str, Any] = {
        "argoWorkflows": {
            "namespaces": ["workflows", "ml-jobs"],
            "authModes": ["sso", "client"],
            "sso": {"issuer": "https://acme.okta.com"},
        },
        "argoEvents": {"eventBusReplicas": 5, "eventBusVolumeGib": 20},
    }
    return AddonContext(
        stage="prod",
        production=True,
        kubernetes_version=KUBERNETES,
        settings=settings({**base, **raw}, production=True),
        aws=aws_target("prod", "444444444444", "10.40.0.0/16"),
        storage_class="ebs-csi-default-sc",
    )


def dev(**raw: Any) -> AddonContext:
    base: dict[str, Any] = {
        "argoRollouts": {"dashboard": True},
        "argoWorkflows": {
            "hostname": "workflows.dev.acme.example",
            "sso": {"issuer": "https://acme.okta.com", "scopes": ["openid", "groups"]},
        },
    }
    return AddonContext(
        stage="dev",
        production=False,
        kubernetes_version=KUBERNETES,
        settings=settings({**base, **raw}, production=False),
        aws=aws_target("dev", "555555555555", "10.20.0.0/16"),
        storage_class="ebs-csi-default-sc",
    )


def local(**raw: Any) -> AddonContext:
    return AddonContext(
        stage="local",
        production=False,
        kubernetes_version=KUBERNETES,
        settings=settings(raw, production=False, role="local"),
        aws=None,
        storage_class=None,
    )


CONTEXTS = {"prod": prod, "dev": dev, "local": local}


def dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=True)


def identities_json(found: tuple[AddonIdentity, ...]) -> str:
    rows = [
        {
            "key": i.key,
            "role": i.role,
            "namespace": i.namespace,
            "service_account": i.service_account,
            "policy": i.policy,
            "managed_policy_arns": list(i.managed_policy_arns),
        }
        for i in found
    ]
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"


def objects_yaml(found: tuple[TreeObject, ...]) -> str:
    rows = [{"path": o.path, "comment": o.comment, "manifest": dict(o.manifest)} for o in found]
    return dump(rows)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted path, value) in a values tree."""
    yield path, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from walk(sub, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from walk(sub, f"{path}[{index}]")


# --------------------------------------------------------------------------------------
# Goldens


@pytest.mark.parametrize("stage", sorted(CONTEXTS))
@pytest.mark.parametrize("name", sorted(ADDONS))
def test_values_golden(name: str, stage: str) -> None:
    ctx = CONTEXTS[stage]()
    assert_golden(f"addons/{name}/values-{stage}.yaml", dump(ADDONS[name].values(ctx)))


@pytest.mark.parametrize("stage", ["prod", "dev"])
@pytest.mark.parametrize("name", ["argo-rollouts", "argo-workflows"])
def test_identities_golden(name: str, stage: str) -> None:
    found = ADDONS[name].identities_on(CONTEXTS[stage]())
    assert found
    assert_golden(f"addons/{name}/identities-{stage}.json", identities_json(found))


@pytest.mark.parametrize("stage", sorted(CONTEXTS))
@pytest.mark.parametrize("name", ["argo-workflows", "argo-events"])
def test_objects_golden(name: str, stage: str) -> None:
    found = tuple(ADDONS[name].objects(CONTEXTS[stage]()))
    assert_golden(f"addons/{name}/objects-{stage}.yaml", objects_yaml(found))


# --------------------------------------------------------------------------------------
# Invariants over every context


def every_context() -> list[AddonContext]:
    return [
        prod(),
        dev(),
        local(),
        local(argoWorkflows={"sso": {"issuer": "https://acme.okta.com"}}),
        dev(argoWorkflows={"authModes": ["client"]}),
        dev(
            argoWorkflows={
                "hostname": "workflows.dev.acme.example",
                "certificateArn": CERTIFICATE,
                "internetFacing": True,
                "sso": {"issuer": "https://acme.okta.com"},
                "authModes": ["client", "sso"],
            }
        ),
    ]


@pytest.mark.parametrize("ctx", every_context(), ids=lambda c: c.stage)
def test_every_object_passes_its_schema(ctx: AddonContext) -> None:
    for addon in ADDONS.values():
        for found in addon.objects(ctx):
            check_manifest(found.manifest, KUBERNETES)
            # After the chart, but for the SSO Secret, which argo-server needs to start.
            wave = "-1" if found.manifest["kind"] == "ExternalSecret" else "1"
            assert found.manifest["metadata"]["annotations"][SYNC_WAVE_ANNOTATION] == wave


@pytest.mark.parametrize("ctx", every_context(), ids=lambda c: c.stage)
def test_output_shares_no_mapping(ctx: AddonContext) -> None:
    # A mapping used twice would be written as a YAML anchor and alias in the tree.
    for addon in ADDONS.values():
        assert "&id" not in dump(addon.values(ctx))
        assert "&id" not in objects_yaml(tuple(addon.objects(ctx)))


@pytest.mark.parametrize("ctx", every_context(), ids=lambda c: c.stage)
def test_server_never_an_auth_mode(ctx: AddonContext) -> None:
    modes = argo_workflows.values(ctx)["server"]["authModes"]
    assert modes
    assert "server" not in modes
    assert set(modes) <= {"sso", "client"}


@pytest.mark.parametrize("ctx", every_context(), ids=lambda c: c.stage)
def test_values_carry_no_role_annotation(ctx: AddonContext) -> None:
    # Pod Identity: the stage's stack associates each role; no service account is annotated.
    for addon in ADDONS.values():
        for path, value in walk(addon.values(ctx)):
            assert "role-arn" not in path.lower(), path
            assert "eks.amazonaws.com" not in path, path
            if isinstance(value, str):
                assert "arn:aws:iam::" not in value, path
            if path.endswith("serviceAccount"):
                assert "annotations" not in value, path


@pytest.mark.parametrize("ctx", every_context(), ids=lambda c: c.stage)
def test_each_identity_is_one_namespace_and_service_account(ctx: AddonContext) -> None:
    seen: set[str] = set()
    for addon in ADDONS.values():
        for identity in addon.identities_on(ctx):
            assert identity.key not in seen
            seen.add(identity.key)
            assert identity.policy is not None
            for statement in identity.policy["Statement"]:
                assert statement["Sid"]
                assert statement["Effect"] == "Allow"
    if ctx.aws is None:
        assert not seen


def test_identity_service_accounts_match_the_values() -> None:
    ctx = prod()
    (rollouts,) = argo_rollouts.identities(ctx)
    values = argo_rollouts.values(ctx)
    assert (rollouts.key, rollouts.role) == ("argo_rollouts", "argo-rollouts")
    assert (rollouts.namespace, rollouts.service_account) == (
        argo_rollouts.ADDON.namespace,
        values["serviceAccount"]["name"],
    )
    workflows = {i.key: i for i in argo_workflows.identities(ctx)}
    values = argo_workflows.values(ctx)
    server = workflows.pop("argo_workflows_server")
    assert (server.role, server.namespace) == ("argo-workflows-server", "argo-workflows")
    assert server.service_account == values["server"]["serviceAccount"]["name"]
    assert sorted(workflows) == ["argo_workflows_ml_jobs", "argo_workflows_workflows"]
    for namespace in ("workflows", "ml-jobs"):
        identity = workflows[argo_workflows.namespace_identity_key(namespace)]
        assert identity.role == f"workflows-{namespace}"
        assert identity.namespace == namespace
        assert identity.service_account == values["workflow"]["serviceAccount"]["name"]
        assert namespace in values["controller"]["workflowNamespaces"]


def test_workflow_identities_reach_their_own_prefix_only() -> None:
    ctx = prod()
    bucket = "arn:aws:s3:::argosy-prod-artifacts-444444444444"
    for identity in argo_workflows.identities(ctx)[1:]:
        assert identity.policy is not None
        by_sid = {s["Sid"]: s for s in identity.policy["Statement"]}
        assert by_sid["ReadWriteOwnPrefix"]["Resource"] == f"{bucket}/{identity.namespace}/*"
        assert by_sid["ListOwnPrefix"]["Resource"] == bucket
        assert by_sid["ListOwnPrefix"]["Condition"] == {
            "StringLike": {"s3:prefix": f"{identity.namespace}/*"}
        }
        kms = by_sid["UseBucketKeyThroughS3"]
        assert kms["Resource"] == "arn:aws:kms:eu-west-1:444444444444:key/*"
        assert kms["Condition"]["StringEquals"] == {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}


def test_rollouts_policy_is_the_documented_describe_actions() -> None:
    (identity,) = argo_rollouts.identities(prod())
    assert identity.policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VerifyTargetGroups",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
                "Resource": "*",
            }
        ],
    }


@pytest.mark.parametrize("name", sorted(ADDONS))
def test_no_identity_on_local(name: str) -> None:
    assert ADDONS[name].identities_on(local()) == ()
    assert tuple(ADDONS[name].identities(local())) == ()
    assert ADDONS[name].delivered_to(local())


# --------------------------------------------------------------------------------------
# Argo Rollouts


def test_rollouts_production_is_replicated() -> None:
    controller = argo_rollouts.values(prod())["controller"]
    assert controller["replicas"] == 2  # the chart adds --leader-elect above 1
    assert controller["pdb"] == {"enabled": True, "minAvailable": 1}
    assert controller["topologySpreadConstraints"][0]["topologyKey"] == (
        "topology.kubernetes.io/zone"
    )
    assert set(controller["resources"]) == {"requests", "limits"}


def test_rollouts_aws_wiring() -> None:
    aws = argo_rollouts.values(dev())["controller"]
    assert aws["awsVerifyTargetGroup"] is True
    assert aws["extraEnv"] == [{"name": "AWS_REGION", "value": "eu-west-1"}]
    on_local = argo_rollouts.values(local())["controller"]
    assert on_local["awsVerifyTargetGroup"] is False
    assert "extraEnv" not in on_local
    assert "pdb" not in on_local
    assert on_local["replicas"] == 1


def test_rollouts_dashboard_follows_settings_and_is_read_only() -> None:
    assert argo_rollouts.values(dev())["dashboard"]["enabled"] is True
    assert argo_rollouts.values(prod())["dashboard"]["enabled"] is False
    assert argo_rollouts.values(dev())["dashboard"]["readonly"] is True


# --------------------------------------------------------------------------------------
# Argo Workflows


def test_workflows_addon_contract() -> None:
    addon = argo_workflows.ADDON
    # The Load Balancer Controller comes first only where the server gets an Ingress
    # (makes_load_balancers); external-secrets always, for the SSO ExternalSecret.
    assert addon.after == ("external-secrets",)
    assert addon.server_side_apply is True
    assert addon.makes_load_balancers(dev()) is True
    assert addon.makes_load_balancers(prod()) is False
    assert addon.makes_load_balancers(local()) is False


def test_workflows_sso_secret_refs_and_redirects() -> None:
    sso = argo_workflows.values(dev())["server"]["sso"]
    assert sso["clientId"] == {"name": "argo-workflows-sso", "key": "client-id"}
    assert sso["clientSecret"] == {"name": "argo-workflows-sso", "key": "client-secret"}
    assert sso["redirectUrl"] == "https://workflows.dev.acme.example/oauth2/callback"
    assert sso["scopes"] == ["openid", "groups"]
    assert sso["rbac"] == {"enabled": True}
    port_forward = argo_workflows.values(prod())["server"]["sso"]["redirectUrl"]
    assert port_forward == "https://localhost:2746/oauth2/callback"
    assert "sso" not in argo_workflows.values(local())["server"]


def test_workflows_server_serves_tls_behind_an_https_alb() -> None:
    server = argo_workflows.values(dev())["server"]
    assert server["secure"] is True
    ingress = server["ingress"]
    annotations = ingress["annotations"]
    assert ingress["ingressClassName"] == "alb"
    assert ingress["tls"] == [{"hosts": ["workflows.dev.acme.example"]}]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internal"
    assert annotations["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTPS": 443}]'
    assert annotations["alb.ingress.kubernetes.io/ssl-policy"] == (
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    )
    assert annotations["alb.ingress.kubernetes.io/backend-protocol"] == "HTTPS"
    assert annotations["alb.ingress.kubernetes.io/healthcheck-protocol"] == "HTTPS"
    assert "alb.ingress.kubernetes.io/certificate-arn" not in annotations
    public = dev(
        argoWorkflows={
            "hostname": "workflows.dev.acme.example",
            "certificateArn": CERTIFICATE,
            "internetFacing": True,
            "sso": {"issuer": "https://acme.okta.com"},
        }
    )
    annotations = argo_workflows.values(public)["server"]["ingress"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == CERTIFICATE
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert "ingress" not in argo_workflows.values(prod())["server"]


def test_workflows_service_accounts_and_rbac_per_namespace() -> None:
    values = argo_workflows.values(prod())
    assert values["controller"]["workflowNamespaces"] == ["workflows", "ml-jobs"]
    assert values["workflow"] == {
        "namespace": "workflows",
        "serviceAccount": {"create": True, "name": "argo-workflow"},
        "rbac": {"create": True, "artifactGC": True},
    }
    assert values["server"]["serviceAccount"] == {"create": True, "name": "argo-workflows-server"}


def test_workflows_emissary_only_and_non_root() -> None:
    for ctx in (prod(), dev(), local()):
        values = argo_workflows.values(ctx)
        paths = [path for path, _ in walk(values)]
        assert not any("containerRuntimeExecutor" in p for p in paths)
        assert "args" not in values["executor"]
        version = CHARTS["argo-workflows"].run_version
        assert values["executor"]["image"]["tag"] == f"{version}-nonroot"
        context = values["executor"]["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["privileged"] is False


def test_workflow_defaults_are_a_valid_workflow_spec() -> None:
    defaults = argo_workflows.workflow_defaults()["spec"]
    assert defaults["securityContext"]["runAsNonRoot"] is True
    assert defaults["serviceAccountName"] == "argo-workflow"
    workflow = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "defaults-"},
        "spec": {
            **defaults,
            "entrypoint": "main",
            "templates": [{"name": "main", "container": {"image": "busybox:1.37"}}],
        },
    }
    check_manifest(workflow, KUBERNETES)


def test_workflows_production_is_replicated() -> None:
    values = argo_workflows.values(prod())
    for part in ("controller", "server"):
        assert values[part]["replicas"] == 2
        assert values[part]["pdb"] == {"enabled": True, "minAvailable": 1}
        assert values[part]["topologySpreadConstraints"]
    assert values["controller"]["metricsConfig"] == {"enabled": True}
    on_local = argo_workflows.values(local())
    for part in ("controller", "server"):
        assert on_local[part]["replicas"] == 1
        assert "pdb" not in on_local[part]


def test_workflows_artifact_repository_on_aws_only() -> None:
    values = argo_workflows.values(prod())
    assert values["useStaticCredentials"] is False
    s3 = values["artifactRepository"]["s3"]
    assert s3["bucket"] == "argosy-prod-artifacts-444444444444"
    assert s3["endpoint"] == "s3.eu-west-1.amazonaws.com"
    assert s3["region"] == "eu-west-1"
    assert s3["useSDKCreds"] is True
    assert s3["keyFormat"].startswith("{{workflow.namespace}}/")
    # The bucket's default SSE-KMS applies; enableEncryption alone would ask for SSE-S3.
    assert "encryptionOptions" not in s3
    on_local = argo_workflows.values(local())
    assert "artifactRepository" not in on_local
    assert "useStaticCredentials" not in on_local


def test_workflows_sso_external_secret() -> None:
    (secret, policy) = argo_workflows.objects(dev())
    manifest = secret.manifest
    assert manifest["kind"] == "ExternalSecret"
    assert manifest["metadata"]["namespace"] == "argo-workflows"
    assert manifest["spec"]["secretStoreRef"] == {
        "kind": "ClusterSecretStore",
        "name": CLUSTER_SECRET_STORE,
    }
    assert manifest["spec"]["target"]["name"] == "argo-workflows-sso"
    assert manifest["spec"]["data"] == [
        {
            "secretKey": "client-id",
            "remoteRef": {"key": "argosy/dev/argo-workflows/sso", "property": "client-id"},
        },
        {
            "secretKey": "client-secret",
            "remoteRef": {"key": "argosy/dev/argo-workflows/sso", "property": "client-secret"},
        },
    ]
    assert policy.manifest["kind"] == "NetworkPolicy"
    assert policy.manifest["spec"]["ingress"][0]["from"] == [{"ipBlock": {"cidr": "10.20.0.0/16"}}]
    custom = dev(externalSecrets={"prefix": "platform/dev/"})
    (secret, _) = argo_workflows.objects(custom)
    assert secret.manifest["spec"]["data"][0]["remoteRef"]["key"] == (
        "platform/dev/argo-workflows/sso"
    )


def test_workflows_objects_by_context() -> None:
    assert [o.manifest["kind"] for o in argo_workflows.objects(prod())] == ["ExternalSecret"]
    # Local: the SSO Secret is made by hand; no external-secrets, no ALB.
    assert (
        argo_workflows.objects(local(argoWorkflows={"sso": {"issuer": "https://a.example"}})) == ()
    )
    assert argo_workflows.objects(dev(argoWorkflows={"authModes": ["client"]})) == ()


def test_workflows_hostname_needs_aws() -> None:
    # The config refuses a hostname on local; a hand-made context is refused here too.
    ctx = AddonContext(
        stage="local",
        production=False,
        kubernetes_version=KUBERNETES,
        settings=dev().settings,
        aws=None,
        storage_class=None,
    )
    with pytest.raises(ValueError) as error:
        argo_workflows.values(ctx)
    assert str(error.value) == (
        "argo-workflows hostname 'workflows.dev.acme.example' (an ALB Ingress) needs a stage on "
        "AWS; stage 'local' is local"
    )


def test_workflows_aws_only_builders_refuse_local() -> None:
    with pytest.raises(ValueError) as error:
        argo_workflows.server_policy(local())
    assert str(error.value) == (
        "argo-workflows artifact bucket needs a stage on AWS; stage 'local' is local"
    )
    with pytest.raises(ValueError) as error:
        argo_workflows.namespace_policy(local(), "workflows")
    assert str(error.value) == (
        "argo-workflows artifact bucket needs a stage on AWS; stage 'local' is local"
    )
    with pytest.raises(ValueError) as error:
        argo_workflows.sso_external_secret(local(argoWorkflows={"sso": {"issuer": "https://a.b"}}))
    assert str(error.value) == (
        "argo-workflows SSO ExternalSecret (Secrets Manager) needs a stage on AWS; stage "
        "'local' is local"
    )
    with pytest.raises(ValueError) as error:
        argo_workflows.sso_external_secret(dev(argoWorkflows={"authModes": ["client"]}))
    assert str(error.value) == "argo-workflows has no sso settings: no SSO Secret to fill"


def test_workflows_role_name_too_long() -> None:
    namespace = "n" * 30
    ctx = dataclasses.replace(
        prod(argoWorkflows={"namespaces": [namespace]}), stage="staging-eu-central"
    )
    with pytest.raises(ValueError) as error:
        argo_workflows.identities(ctx)
    role = f"argosy-staging-eu-central-workflows-{namespace}"
    assert str(error.value) == (
        f"argo-workflows namespace {namespace!r} makes the IAM role name {role!r}, "
        "66 characters; IAM allows 64: use a shorter namespace"
    )


def test_workflows_identity_key_too_long() -> None:
    # The identity's own check: argo_workflows_<namespace>_iam_role_arn must stay a short key.
    ctx = prod(argoWorkflows={"namespaces": ["n" * 40]})
    with pytest.raises(ValueError, match=r"argo_workflows_n{40}_iam_role_arn"):
        argo_workflows.identities(ctx)


# --------------------------------------------------------------------------------------
# Argo Events


def test_events_controller() -> None:
    controller = argo_events.values(prod())["controller"]
    assert controller["replicas"] == 2  # leader election stays on above 1
    assert controller["pdb"] == {"enabled": True, "minAvailable": 1}
    assert controller["metrics"] == {"enabled": True}
    on_local = argo_events.values(local())["controller"]
    assert on_local["replicas"] == 1
    assert "pdb" not in on_local


def test_event_bus_production() -> None:
    (bus,) = argo_events.objects(prod())
    assert bus.path == "argo-events/eventbus-default.yaml"
    jetstream = bus.manifest["spec"]["jetstream"]
    assert jetstream["version"] == argo_events.JETSTREAM_VERSION
    assert jetstream["version"].startswith("2.")
    assert jetstream["replicas"] == 5
    assert jetstream["persistence"] == {
        "accessMode": "ReadWriteOnce",
        "volumeSize": "20Gi",
        "storageClassName": "ebs-csi-default-sc",
    }
    anti = jetstream["affinity"]["podAntiAffinity"]
    zone = anti["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
    assert zone["topologyKey"] == "topology.kubernetes.io/zone"
    assert zone["labelSelector"]["matchLabels"] == {
        "controller": "eventbus-controller",
        "eventbus-name": "default",
    }


def test_event_bus_local() -> None:
    (bus,) = argo_events.objects(local())
    jetstream = bus.manifest["spec"]["jetstream"]
    assert jetstream["replicas"] == 3
    assert "storageClassName" not in jetstream["persistence"]
    assert "affinity" not in jetstream
