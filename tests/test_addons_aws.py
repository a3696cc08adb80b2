"""The AWS glue add-ons: Load Balancer Controller, external-dns, external-secrets.

Values and policies are pinned by golden files under ``tests/golden/addons/<name>/``
(regenerate with ARGOSY_REGENERATE=1 and review the diff); the asserts below pin what must
never change silently: who may use ``*``, what the upstream policy allows, where each add-on
is delivered, and the exact messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from argosy.addons import external_dns, external_secrets, load_balancer_controller
from argosy.addons.spec import (
    CLUSTER_SECRET_STORE,
    OBJECTS_SYNC_WAVE,
    SKIP_DRY_RUN,
    SYNC_OPTIONS_ANNOTATION,
    SYNC_WAVE_ANNOTATION,
    Addon,
    AddonContext,
    AwsTarget,
)
from argosy.config.models.addons import AddonsSettings
from argosy.manifests.argo_schemas import check_manifest
from argosy.manifests.iam import PolicyDocument, elements, to_json
from argosy.manifests.validation import ManifestInvalidError
from tests.conftest import assert_golden

ADDONS: tuple[Addon, ...] = (
    load_balancer_controller.ADDON,
    external_dns.ADDON,
    external_secrets.ADDON,
)

#: kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json at tag v3.5.0
#: (commit 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4), verbatim; Apache-2.0. CI has no mirror
#: of the repository, so the file is copied here to check the transcription against.
UPSTREAM_LBC_POLICY: dict[str, Any] = json.loads(
    r"""
{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceLinkedRole"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
                "shield:CreateProtection",
                "shield:DeleteProtection"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:CreateSecurityGroup"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:CreateTags"
            ],
            "Resource": "arn:aws:ec2:*:*:security-group/*",
            "Condition": {
                "StringEquals": {
                    "ec2:CreateAction": "CreateSecurityGroup"
                },
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:CreateTags",
                "ec2:DeleteTags"
            ],
            "Resource": "arn:aws:ec2:*:*:security-group/*",
            "Condition": {
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
                    "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup"
            ],
            "Resource": "*",
            "Condition": {
                "Null": {
                    "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:CreateTargetGroup"
            ],
            "Resource": "*",
            "Condition": {
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags"
            ],
            "Resource": [
                "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"
            ],
            "Condition": {
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
                    "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags"
            ],
            "Resource": [
                "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*"
            ]
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools"
            ],
            "Resource": "*",
            "Condition": {
                "Null": {
                    "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:AddTags"
            ],
            "Resource": [
                "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"
            ],
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": [
                        "CreateTargetGroup",
                        "CreateLoadBalancer"
                    ]
                },
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "false"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets"
            ],
            "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities"
            ],
            "Resource": "*"
        }
    ]
}
"""
)

ZONE_PROD = {"id": "Z0123456789ABCDEFGHIJ", "domain": "prod.acme.example"}
ZONE_APEX = {"id": "Z9876543210ZYXWVUTSRQ", "domain": "acme.example"}
ZONE_DEV = {"id": "Z0DEV0000000000000001", "domain": "dev.acme.example"}


def aws_target(stage: str, account_id: str, partition: str = "aws") -> AwsTarget:
    region = {"aws": "eu-west-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
    return AwsTarget(
        account_id=account_id,
        region=region[partition],
        partition=partition,
        cluster_name=f"argosy-{stage}",
        cluster_arn=(
            f"arn:{partition}:eks:{region[partition]}:{account_id}:cluster/argosy-{stage}"
        ),
        vpc_name=f"argosy-{stage}",
        vpc_cidr="10.40.0.0/16",
    )


def settings(production: bool, **addons: Any) -> AddonsSettings:
    return AddonsSettings.model_validate(
        addons, context={"production": production, "role": "workload"}
    )


def prod(partition: str = "aws", **addons: Any) -> AddonContext:
    addons.setdefault("externalDns", {"zones": [ZONE_PROD, ZONE_APEX], "policy": "sync"})
    return AddonContext(
        stage="prod",
        production=True,
        kubernetes_version="1.36",
        settings=settings(True, **addons),
        aws=aws_target("prod", "444444444444", partition),
        storage_class="ebs-csi-default-sc",
    )


def dev(**addons: Any) -> AddonContext:
    addons.setdefault("externalDns", {"zones": [ZONE_DEV]})
    return AddonContext(
        stage="dev",
        production=False,
        kubernetes_version="1.36",
        settings=settings(False, **addons),
        aws=aws_target("dev", "222222222222"),
        storage_class="ebs-csi-default-sc",
    )


def local() -> AddonContext:
    return AddonContext(
        stage="local",
        production=False,
        kubernetes_version="1.36",
        settings=AddonsSettings.model_validate({}, context={"role": "local"}),
        aws=None,
        storage_class=None,
    )


def as_yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=True)


def as_json(document: PolicyDocument) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def policy_of(addon: Addon, ctx: AddonContext) -> PolicyDocument:
    (identity,) = addon.identities_on(ctx)
    assert identity.policy is not None
    return identity.policy


def wildcard_sids(document: PolicyDocument) -> set[str]:
    return {s["Sid"] for s in document["Statement"] if "*" in elements(s["Resource"])}


# --------------------------------------------------------------------------------------
# Goldens: values of a production and a development stage, and each policy


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_values_golden(addon: Addon, stage: str) -> None:
    ctx = prod() if stage == "prod" else dev()
    assert_golden(f"addons/{addon.name}/values-{stage}.yaml", as_yaml(addon.values(ctx)))


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_policy_golden(addon: Addon) -> None:
    assert_golden(f"addons/{addon.name}/policy-prod.json", as_json(policy_of(addon, prod())))


def test_cluster_secret_store_golden() -> None:
    store, webhook = external_secrets.ADDON.objects(prod())
    assert_golden(
        "addons/external-secrets/clustersecretstore-prod.yaml", as_yaml(dict(store.manifest))
    )
    check_manifest(webhook.manifest, "1.36")
    # The control plane (in the VPC) may call the webhook's pods on its port, nothing else.
    assert webhook.manifest["spec"] == {
        "podSelector": {
            "matchLabels": {
                "app.kubernetes.io/instance": "external-secrets",
                "app.kubernetes.io/name": "external-secrets-webhook",
            }
        },
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [{"ipBlock": {"cidr": "10.40.0.0/16"}}],
                "ports": [{"protocol": "TCP", "port": 10250}],
            }
        ],
    }


# --------------------------------------------------------------------------------------
# Delivery: where each add-on goes


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_none_on_local(addon: Addon) -> None:
    assert addon.aws_only
    assert not addon.delivered_to(local())
    assert addon.identities_on(local()) == ()


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_values_refuse_local(addon: Addon) -> None:
    with pytest.raises(ValueError) as error:
        addon.values(local())
    assert str(error.value) == f"add-on {addon.name!r} runs on AWS only; stage 'local' is local"


def test_external_dns_needs_zones() -> None:
    ctx = AddonContext(
        stage="dev",
        production=False,
        kubernetes_version="1.36",
        settings=settings(False),
        aws=aws_target("dev", "222222222222"),
        storage_class="ebs-csi-default-sc",
    )
    assert not external_dns.ADDON.delivered_to(ctx)
    assert external_dns.ADDON.identities_on(ctx) == ()
    message = (
        "add-on 'external-dns' needs the hosted zones of stage 'dev': set argosy:addons "
        "externalDns.zones, or argosy:apps domain"
    )
    with pytest.raises(ValueError) as error:
        external_dns.values(ctx)
    assert str(error.value) == message
    with pytest.raises(ValueError) as error:
        external_dns.identity(ctx)
    assert str(error.value) == message
    # The others do not depend on zones.
    assert load_balancer_controller.ADDON.delivered_to(ctx)
    assert external_secrets.ADDON.delivered_to(ctx)


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_delivered_on_aws(addon: Addon) -> None:
    assert addon.delivered_to(prod())
    assert addon.delivered_to(dev())


def test_addon_specs() -> None:
    lbc, dns, eso = ADDONS
    assert (lbc.name, lbc.chart, lbc.namespace, lbc.sync_wave) == (
        "aws-load-balancer-controller",
        "aws-load-balancer-controller",
        "kube-system",
        -1,
    )
    assert (dns.name, dns.chart, dns.namespace, dns.sync_wave) == (
        "external-dns",
        "external-dns",
        "external-dns",
        0,
    )
    assert (eso.name, eso.chart, eso.namespace, eso.sync_wave) == (
        "external-secrets",
        "external-secrets",
        "external-secrets",
        -1,
    )
    # Its SecretStore and ClusterSecretStore CRDs are too large for client-side apply.
    assert eso.server_side_apply
    assert not lbc.server_side_apply and not dns.server_side_apply
    for addon in ADDONS:
        assert addon.release_name is None
        assert not addon.makes_load_balancers(prod())


# --------------------------------------------------------------------------------------
# Identities: one service account each, the one the chart runs as


@pytest.mark.parametrize(
    ("addon", "key", "role", "service_account"),
    [
        (
            load_balancer_controller.ADDON,
            "aws_load_balancer_controller",
            "aws-load-balancer-controller",
            "aws-load-balancer-controller",
        ),
        (external_dns.ADDON, "external_dns", "external-dns", "external-dns"),
        (external_secrets.ADDON, "external_secrets", "external-secrets", "external-secrets"),
    ],
    ids=lambda v: v.name if isinstance(v, Addon) else None,
)
def test_identity(addon: Addon, key: str, role: str, service_account: str) -> None:
    for ctx in (prod(), dev()):
        (identity,) = addon.identities_on(ctx)
        assert (identity.key, identity.role, identity.namespace, identity.service_account) == (
            key,
            role,
            addon.namespace,
            service_account,
        )
        assert identity.managed_policy_arns == ()
        values = addon.values(ctx)
        # The chart's service account is the identity's: Pod Identity associates that one.
        assert values["serviceAccount"] == {"create": True, "name": service_account}


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_policies_are_well_formed(addon: Addon) -> None:
    document = policy_of(addon, prod())
    assert document["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in document["Statement"]]
    assert len(set(sids)) == len(sids)
    for statement in document["Statement"]:
        assert statement["Sid"].isalnum()
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == sorted(statement["Action"])
    assert json.loads(to_json(document)) == document


# --------------------------------------------------------------------------------------
# Load Balancer Controller


def test_lbc_region_vpc_and_cluster_explicit() -> None:
    ctx = prod()
    assert ctx.aws is not None
    values = load_balancer_controller.values(ctx)
    assert values["clusterName"] == "argosy-prod"
    assert values["region"] == "eu-west-1"
    assert values["vpcTags"] == {"Name": ctx.aws.vpc_name} == {"Name": "argosy-prod"}
    assert values["env"] == {"AWS_REGION": "eu-west-1"}
    assert "vpcId" not in values


def test_lbc_service_webhook_off() -> None:
    # The chart's mservice webhook matches every Service's creation with failurePolicy Fail.
    for ctx in (prod(), dev()):
        assert load_balancer_controller.values(ctx)["enableServiceMutatorWebhook"] is False


def test_lbc_production_availability() -> None:
    values = load_balancer_controller.values(prod())
    assert values["replicaCount"] == 2
    assert values["podDisruptionBudget"] == {"maxUnavailable": 1}
    (spread,) = values["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert spread["labelSelector"]["matchLabels"] == {
        "app.kubernetes.io/instance": "aws-load-balancer-controller",
        "app.kubernetes.io/name": "aws-load-balancer-controller",
    }
    small = load_balancer_controller.values(dev())
    assert small["replicaCount"] == 1
    assert "podDisruptionBudget" not in small and "topologySpreadConstraints" not in small
    for v in (values, small):
        assert set(v["resources"]) == {"requests", "limits"}


def _normalized(statement: dict[str, Any], aws: AwsTarget) -> dict[str, Any]:
    """A statement as upstream writes it: no Sid, ``*:*`` for region and account."""
    where = f":{aws.region}:{aws.account_id}:"
    resources = [r.replace(where, ":*:*:") for r in elements(statement["Resource"])]
    result = {
        "Effect": statement["Effect"],
        "Action": sorted(elements(statement["Action"])),
        "Resource": sorted(r.replace(f"arn:{aws.partition}:", "arn:aws:") for r in resources),
    }
    if "Condition" in statement:
        result["Condition"] = statement["Condition"]
    return result


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_lbc_policy_is_upstreams(partition: str) -> None:
    ctx = prod(partition)
    assert ctx.aws is not None
    document = policy_of(load_balancer_controller.ADDON, ctx)
    upstream = UPSTREAM_LBC_POLICY["Statement"]

    def actions(statements: list[dict[str, Any]]) -> set[str]:
        return {a for s in statements for a in elements(s["Action"])}

    assert actions(document["Statement"]) == actions(upstream)
    assert len(actions(upstream)) == 80
    # Statement by statement: same actions, conditions and resources, once the region and
    # account are put back to upstream's wildcards.
    assert [_normalized(s, ctx.aws) for s in document["Statement"]] == [
        _normalized(s, aws_target("x", "000000000000")) for s in upstream
    ]
    # Every ARN is in the stage's partition, region and account.
    for statement in document["Statement"]:
        for resource in elements(statement["Resource"]):
            if resource != "*":
                assert resource.startswith(
                    f"arn:{partition}:{resource.split(':')[2]}:{ctx.aws.region}:444444444444:"
                )


def test_lbc_wildcards_are_upstreams_only() -> None:
    document = policy_of(load_balancer_controller.ADDON, prod())
    expected = {
        "CreateElbServiceLinkedRole",
        "Describe",
        "CertificatesAuthWafShield",
        "OpenTargetSecurityGroups",
        "CreateSecurityGroups",
        "ManageOwnSecurityGroups",
        "CreateLoadBalancersAndTargetGroups",
        "CreateListenersAndRules",
        "ModifyOwnLoadBalancersAndTargetGroups",
        "ModifyListenersAndRules",
    }
    assert wildcard_sids(document) == expected == load_balancer_controller.WILDCARD_SIDS
    for statement in document["Statement"]:
        if statement["Sid"] in expected:
            assert elements(statement["Resource"]) == ["*"]
    upstream = sum("*" in elements(s["Resource"]) for s in UPSTREAM_LBC_POLICY["Statement"])
    assert upstream == len(expected)


# --------------------------------------------------------------------------------------
# external-dns


def test_external_dns_filters_and_owner() -> None:
    values = external_dns.values(prod())
    assert values["provider"] == {"name": "aws"}
    assert values["domainFilters"] == ["acme.example", "prod.acme.example"]
    assert values["extraArgs"] == {"zone-id-filter": [ZONE_PROD["id"], ZONE_APEX["id"]]}
    assert values["txtOwnerId"] == "argosy-prod"
    assert external_dns.values(dev())["txtOwnerId"] == "argosy-dev"
    assert values["policy"] == "sync"
    assert external_dns.values(dev())["policy"] == "upsert-only"
    assert values["registry"] == "txt"
    assert values["sources"] == ["ingress", "service"]
    assert values["env"] == [
        {"name": "AWS_DEFAULT_REGION", "value": "eu-west-1"},
        {"name": "AWS_REGION", "value": "eu-west-1"},
    ]


def test_external_dns_policy_names_the_zones() -> None:
    document = policy_of(external_dns.ADDON, prod())
    assert wildcard_sids(document) == {"ListHostedZones"} == external_dns.WILDCARD_SIDS
    write, listing = document["Statement"]
    assert write["Resource"] == [
        "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
        "arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSRQ",
    ]
    assert write["Action"] == [
        "route53:ChangeResourceRecordSets",
        "route53:ListResourceRecordSets",
    ]
    assert listing["Action"] == ["route53:ListHostedZones"]
    gov = policy_of(external_dns.ADDON, prod("aws-us-gov"))
    assert gov["Statement"][0]["Resource"][0] == (
        "arn:aws-us-gov:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
    )


# --------------------------------------------------------------------------------------
# external-secrets


def test_external_secrets_values() -> None:
    values = external_secrets.values(prod())
    assert values["installCRDs"] is True
    assert values["leaderElect"] is True
    assert values["extraEnv"] == [{"name": "AWS_REGION", "value": "eu-west-1"}]
    assert values["rbac"] == {"serviceAccountTokenCreate": False}
    for component in (values, values["webhook"], values["certController"]):
        assert component["replicaCount"] == 2
        assert component["podDisruptionBudget"] == {"enabled": True, "minAvailable": 1}
        (spread,) = component["topologySpreadConstraints"]
        assert spread["topologyKey"] == "topology.kubernetes.io/zone"
        assert set(component["resources"]) == {"requests", "limits"}
    small = external_secrets.values(dev())
    for component in (small, small["webhook"], small["certController"]):
        assert component["replicaCount"] == 1
        assert "podDisruptionBudget" not in component
        assert set(component["resources"]) == {"requests", "limits"}


def test_external_secrets_policy_reads_the_prefix_only() -> None:
    document = policy_of(external_secrets.ADDON, prod())
    assert wildcard_sids(document) == set()
    (statement,) = document["Statement"]
    assert statement["Sid"] == "ReadStageSecrets"
    assert statement["Action"] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]
    assert statement["Resource"] == [
        "arn:aws:secretsmanager:eu-west-1:444444444444:secret:argosy/prod/*"
    ]
    custom = policy_of(external_secrets.ADDON, dev(externalSecrets={"prefix": "team-a/dev/"}))
    assert custom["Statement"][0]["Resource"] == [
        "arn:aws:secretsmanager:eu-west-1:222222222222:secret:team-a/dev/*"
    ]
    cn = policy_of(external_secrets.ADDON, prod("aws-cn"))
    assert cn["Statement"][0]["Resource"] == [
        "arn:aws-cn:secretsmanager:cn-north-1:444444444444:secret:argosy/prod/*"
    ]


def test_cluster_secret_store() -> None:
    ctx = prod()
    store, _webhook = external_secrets.ADDON.objects(ctx)
    assert check_manifest(store.manifest, "1.36") is store.manifest
    manifest = dict(store.manifest)
    assert manifest["apiVersion"] == "external-secrets.io/v1"
    assert manifest["kind"] == "ClusterSecretStore"
    assert manifest["metadata"]["name"] == CLUSTER_SECRET_STORE
    assert manifest["metadata"]["annotations"] == {
        SYNC_WAVE_ANNOTATION: str(OBJECTS_SYNC_WAVE),
        SYNC_OPTIONS_ANNOTATION: SKIP_DRY_RUN,
    }
    # No auth: the controller's own Pod Identity credentials, by the SDK's default chain.
    assert manifest["spec"] == {
        "provider": {"aws": {"service": "SecretsManager", "region": "eu-west-1"}},
        # Only the namespaces it names: a namespace's editors cannot read the stage's secrets.
        "conditions": [{"namespaces": ["argo-workflows"]}],
    }
    assert store.path == "clustersecretstore-aws-secrets-manager.yaml"
    assert "argosy/prod/*" in store.comment
    assert (
        external_secrets.ADDON.objects(dev())[0].manifest["spec"]["provider"]["aws"]["region"]
        == "eu-west-1"
    )


def test_cluster_secret_store_schema_is_strict() -> None:
    # The vendored CRD schema closes objects: a misspelt field is an error, not pruned.
    store, _webhook = external_secrets.ADDON.objects(prod())
    manifest = json.loads(json.dumps(store.manifest))
    manifest["spec"]["provider"]["aws"]["regoin"] = "eu-west-1"
    with pytest.raises(ManifestInvalidError, match="regoin"):
        check_manifest(manifest, "1.36")
