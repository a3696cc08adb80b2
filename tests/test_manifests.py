"""Pure builders: subnet layout, IAM and key policies, kubeconfig, add-on values, schemas."""

from __future__ import annotations

import json

import pytest
import yaml

from argosy.config.models import NetworkSettings
from argosy.manifests import addons, iam, kms, kubeconfig
from argosy.manifests.network import subnet_layout
from argosy.manifests.validation import (
    ManifestInvalidError,
    check_kubernetes_manifest,
    kubernetes_schema_problems,
)
from argosy.manifests.zones import pick_zone
from tests.conftest import assert_golden


def network(**fields: object) -> NetworkSettings:
    return NetworkSettings.model_validate({"vpcCidr": "10.20.0.0/16", **fields})


@pytest.mark.parametrize(
    ("fields", "private", "public"),
    [
        (
            {"azCount": 3},
            ("10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"),
            ("10.20.192.0/21", "10.20.200.0/21", "10.20.208.0/21"),
        ),
        ({"azCount": 2}, ("10.20.0.0/18", "10.20.64.0/18"), ("10.20.192.0/21", "10.20.200.0/21")),
        (
            {"azCount": 4},
            ("10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19", "10.20.96.0/19"),
            ("10.20.224.0/22", "10.20.228.0/22", "10.20.232.0/22", "10.20.236.0/22"),
        ),
        (
            {"vpcCidr": "172.16.16.0/20", "azCount": 3},
            ("172.16.16.0/22", "172.16.20.0/22", "172.16.24.0/22"),
            ("172.16.28.0/25", "172.16.28.128/25", "172.16.29.0/25"),
        ),
    ],
)
def test_subnet_layout(
    fields: dict[str, object], private: tuple[str, ...], public: tuple[str, ...]
) -> None:
    layout = subnet_layout(network(**fields))
    assert layout.private == private
    assert layout.public == public


def test_every_derived_layout_fits_and_never_overlaps() -> None:
    import ipaddress

    for prefix in range(16, 21):
        for zones in range(2, 7):
            vpc = ipaddress.IPv4Network(f"10.0.0.0/{prefix}")
            layout = subnet_layout(network(vpcCidr=str(vpc), azCount=zones))
            nets = [ipaddress.IPv4Network(n) for n in layout.private + layout.public]
            assert len(nets) == 2 * zones
            assert all(n.subnet_of(vpc) for n in nets)
            assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


def test_explicit_subnets_win() -> None:
    layout = subnet_layout(
        network(
            azCount=2,
            privateSubnets=["10.20.0.0/20", "10.20.16.0/20"],
            publicSubnets=["10.20.32.0/24", "10.20.33.0/24"],
        )
    )
    assert layout.private == ("10.20.0.0/20", "10.20.16.0/20")
    assert layout.public == ("10.20.32.0/24", "10.20.33.0/24")


def test_pick_zone() -> None:
    zones = ["eu-west-1c", "eu-west-1a", "eu-west-1b"]
    assert [pick_zone(zones, i, 3, "eu-west-1") for i in range(3)] == [
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
    ]
    with pytest.raises(ValueError) as caught:
        pick_zone(zones, 0, 4, "eu-west-1")
    assert str(caught.value) == (
        "region eu-west-1 offers 3 availability zones to this account (eu-west-1a, eu-west-1b, "
        "eu-west-1c); argosy:network.azCount asks for 4"
    )


def test_irsa_trust_policy_golden() -> None:
    document = iam.irsa_trust_policy(
        oidc_provider_arn="arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1."
        "amazonaws.com/id/ABC",
        issuer_url="https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        namespace="kube-system",
        service_account="ebs-csi-controller-sa",
    )
    assert_golden("manifests/irsa-trust-policy.json", json.dumps(document, indent=2) + "\n")
    condition = document["Statement"][0]["Condition"]
    assert condition == {
        "StringEquals": {
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": (
                "system:serviceaccount:kube-system:ebs-csi-controller-sa"
            ),
        }
    }


def test_service_trust_policies() -> None:
    eks = iam.service_trust_policy("eks", "aws", tag_session=True)
    assert eks["Statement"][0]["Principal"] == {"Service": "eks.amazonaws.com"}
    assert eks["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    ec2_china = iam.service_trust_policy("ec2", "aws-cn")
    assert ec2_china["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com.cn"}
    assert iam.managed_policy_arn("aws-us-gov", "AmazonEKSClusterPolicy") == (
        "arn:aws-us-gov:iam::aws:policy/AmazonEKSClusterPolicy"
    )


def test_policy_json_is_canonical() -> None:
    assert iam.to_json({"b": 1, "a": [2, {"d": 3, "c": 4}]}) == '{"a":[2,{"c":4,"d":3}],"b":1}'


def test_kubeconfig_golden() -> None:
    config = kubeconfig.eks_kubeconfig(
        cluster_name="argosy-dev",
        endpoint="https://ABC.gr7.eu-west-1.eks.amazonaws.com",
        certificate_authority_data="Q0E=",
        region="eu-west-1",
        role_arn="arn:aws:iam::222222222222:role/argosy-deploy",
    )
    assert_golden("manifests/kubeconfig.yaml", yaml.safe_dump(config, sort_keys=True))
    exec_config = config["users"][0]["user"]["exec"]
    assert exec_config["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_config["args"][-4:] == [
        "--role-arn",
        "arn:aws:iam::222222222222:role/argosy-deploy",
        "--output",
        "json",
    ]
    assert "token" not in json.dumps(config).replace("get-token", "")


def test_pod_identity_trust_pins_cluster_namespace_and_service_account() -> None:
    cluster_arn = "arn:aws:eks:eu-west-1:222222222222:cluster/argosy-dev"
    document = iam.pod_identity_trust_policy(
        account_id="222222222222",
        cluster_arn=cluster_arn,
        namespace="kube-system",
        service_account="aws-node",
    )
    assert_golden("manifests/pod-identity-trust-policy.json", json.dumps(document, indent=2) + "\n")
    statement = document["Statement"][0]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": "222222222222",
            "aws:RequestTag/eks-cluster-arn": cluster_arn,
            "aws:RequestTag/kubernetes-namespace": "kube-system",
            "aws:RequestTag/kubernetes-service-account": "aws-node",
        }
    }


def _allowed(document: dict[str, object], principal: str) -> set[str]:
    actions: set[str] = set()
    for statement in document["Statement"]:  # type: ignore[attr-defined]
        who = statement["Principal"]
        if principal in (who.get("AWS"), who.get("Service")):
            granted = statement["Action"]
            actions |= set(granted if isinstance(granted, list) else [granted])
    return actions


def test_key_policies_separate_administration_from_use() -> None:
    root = "arn:aws:iam::222222222222:root"
    role = "arn:aws:iam::222222222222:role/dev-eks-cluster-abc"
    secrets = kms.secrets_key_policy(
        partition="aws", account_id="222222222222", cluster_role_arn=role
    )
    logs = kms.logs_key_policy(
        partition="aws",
        region="eu-west-1",
        account_id="222222222222",
        log_group_names=["/aws/vpc/argosy-dev/flow-logs", "/aws/eks/argosy-dev/cluster"],
    )
    ebs = kms.ebs_key_policy(partition="aws", region="eu-west-1", account_id="222222222222")
    for document in (secrets, logs, ebs):
        administered = _allowed(document, root)
        assert "kms:ScheduleKeyDeletion" in administered
        assert not administered & {"kms:Decrypt", "kms:Encrypt", "kms:*"}
    assert _allowed(secrets, role) == {
        "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"
    }  # fmt: skip
    logs_use = logs["Statement"][1]
    assert logs_use["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs_use["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": [
                "arn:aws:logs:eu-west-1:222222222222:log-group:/aws/eks/argosy-dev/cluster",
                "arn:aws:logs:eu-west-1:222222222222:log-group:/aws/vpc/argosy-dev/flow-logs",
            ]
        }
    }
    for statement in ebs["Statement"][1:]:
        assert statement["Condition"]["StringEquals"] == {
            "kms:CallerAccount": "222222222222",
            "kms:ViaService": "ec2.eu-west-1.amazonaws.com",
        }


def test_flow_logs_role_is_confined_to_the_account() -> None:
    trust = iam.flow_logs_trust_policy(
        partition="aws", region="eu-west-1", account_id="222222222222"
    )
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "222222222222"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-1:222222222222:vpc-flow-log/*"},
    }
    group = "arn:aws:logs:eu-west-1:222222222222:log-group:/aws/vpc/argosy-dev/flow-logs"
    write = iam.flow_logs_delivery_policy(group)["Statement"][0]
    assert write["Resource"] == [group, f"{group}:log-stream:*"]


STORAGE_CLASS = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {"name": "gp3"},
    "provisioner": "ebs.csi.aws.com",
    "parameters": {"type": "gp3"},
    "volumeBindingMode": "WaitForFirstConsumer",
}


def test_schema_check_catches_typos_and_types() -> None:
    assert kubernetes_schema_problems(STORAGE_CLASS, "1.35") == []
    broken = {**STORAGE_CLASS, "volumeBindingMod": "Immediate", "allowVolumeExpansion": "yes"}
    assert kubernetes_schema_problems(broken, "1.35") == [
        "(root): Additional properties are not allowed ('volumeBindingMod' was unexpected)",
        "allowVolumeExpansion: 'yes' is not of type 'boolean', 'null'",
    ]
    with pytest.raises(ManifestInvalidError) as caught:
        check_kubernetes_manifest(broken, "1.35")
    assert str(caught.value).startswith("StorageClass/gp3 does not match its schema:")


def test_schema_check_knows_core_kinds() -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "argocd"}}
    assert kubernetes_schema_problems(namespace, "1.31") == []
    with pytest.raises(ValueError, match="no Kubernetes schema for Rollout"):
        kubernetes_schema_problems(
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout"}, "1.35"
        )


def test_addon_configurations() -> None:
    assert addons.to_json(addons.vpc_cni_configuration()) == '{"enableNetworkPolicy":"true"}'
    assert addons.to_json(addons.ebs_csi_configuration()) == (
        '{"defaultStorageClass":{"enabled":true}}'
    )
