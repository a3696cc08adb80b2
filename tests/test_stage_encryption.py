"""A stage's encryption: EBS encryption by default and its key, and every key's policy (E13)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from argosy.config.validate import AwsStageConfig
from tests.conftest import AWS_EXAMPLE_STACKS, Planned, load_example
from tests.example_apps import app_key_aliases, app_key_names

ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"
KMS_KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ACCOUNTS = {
    "hub": "111111111111",
    "dev": "222222222222",
    "staging": "333333333333",
    "prod": "444444444444",
}
#: Stacks whose example sets ``argosy:cluster.storage.ebsKey: stage``.
STAGE_EBS_KEY = ("hub", "prod")
#: What a key's administrators may never do: use it.
USE_ACTIONS = {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:*"}


def statements(key: Any) -> list[dict[str, Any]]:
    document = json.loads(key.inputs["policy"])
    assert document["Version"] == "2012-10-17"
    result: list[dict[str, Any]] = document["Statement"]
    return result


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_ebs_encryption_by_default_is_on_and_retained(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    encryption = plan.one(ENCRYPTION_BY_DEFAULT)
    assert encryption.inputs == {"enabled": True}
    assert encryption.retain_on_delete is True
    assert encryption.protect is False
    assert plan.graph.by_urn[encryption.parent or ""].type == "argosy:aws:StageEncryption"
    assert encryption.id == "eu-west-1"  # an account-and-region setting


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_default_ebs_key_follows_storage_ebs_key(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    config = plan.config
    assert isinstance(config, AwsStageConfig)
    expected = "stage" if stack in STAGE_EBS_KEY else "aws-managed"
    assert config.cluster.storage.ebs_key == expected
    assert (load_example(stack)["config"]["argosy:cluster"].get("storage") or {}).get(
        "ebsKey", "aws-managed"
    ) == expected
    default_keys = plan.graph.of_type(DEFAULT_KMS_KEY)
    ebs_keys = [k for k in plan.graph.of_type(KMS_KEY) if k.name == f"{stack}-encryption-ebs"]
    if expected == "aws-managed":
        # The account keeps AWS's own aws/ebs key: no key of the stage, no DefaultKmsKey.
        assert default_keys == []
        assert ebs_keys == []
        # The stage's keys' aliases, and its apps' (each database's and bucket's key).
        assert sorted(a.inputs["name"] for a in plan.graph.of_type(ALIAS)) == sorted(
            [
                f"alias/argosy-{stack}-artifacts",
                f"alias/argosy-{stack}-eks-secrets",
                f"alias/argosy-{stack}-logs",
                *app_key_aliases(stack),
            ]
        )
        return
    [default_key] = default_keys
    [ebs_key] = ebs_keys
    assert default_key.inputs == {"keyArn": ebs_key.outputs["arn"]}
    assert ebs_key.outputs["arn"].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNTS[stack]}:key/")
    encryption = plan.one(ENCRYPTION_BY_DEFAULT)
    assert encryption.urn in default_key.dependencies
    assert ebs_key.urn in default_key.dependencies
    alias = plan.one(ALIAS, f"{stack}-encryption-ebs")
    assert alias.inputs == {"name": f"alias/argosy-{stack}-ebs", "targetKeyId": ebs_key.id}
    assert ebs_key.inputs["enableKeyRotation"] is True
    assert ebs_key.inputs["deletionWindowInDays"] == 30
    assert ebs_key.inputs["description"] == f"Default EBS encryption of stage {stack}"


def test_ebs_key_is_used_through_ec2_of_the_account_only(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    key = plan.one(KMS_KEY, "prod-encryption-ebs")
    admin, use, grant = statements(key)
    assert admin["Sid"] == "AccountAdministersKey"
    assert admin["Principal"] == {"AWS": "arn:aws:iam::444444444444:root"}
    assert not USE_ACTIONS & set(admin["Action"])
    via_ec2 = {
        "kms:CallerAccount": "444444444444",
        "kms:ViaService": "ec2.eu-west-1.amazonaws.com",
    }
    assert use == {
        "Sid": "AccountUsesKeyThroughEc2",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey*",
            "kms:ReEncrypt*",
        ],
        "Resource": "*",
        "Condition": {"StringEquals": via_ec2},
    }
    assert grant == {
        "Sid": "AccountGrantsKeyToEc2",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:CreateGrant",
        "Resource": "*",
        "Condition": {
            "StringEquals": via_ec2,
            "Bool": {"kms:GrantIsForAWSResource": "true"},
        },
    }


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_every_key_has_an_explicit_policy_that_keeps_admins_from_using_it(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    keys = plan.graph.of_type(KMS_KEY)
    # Secrets, logs and Argo Workflows artifacts keys everywhere; the EBS key where
    # storage.ebsKey is "stage"; each app database's and bucket's own key.
    assert sorted(k.name for k in keys) == sorted(
        [f"{stack}-controllers-artifacts", f"{stack}-eks-secrets", f"{stack}-encryption-logs"]
        + ([f"{stack}-encryption-ebs"] if stack in STAGE_EBS_KEY else [])
        + app_key_names(stack)
    )
    for key in keys:
        document = statements(key)
        admin = document[0]
        assert admin["Sid"] == "AccountAdministersKey", key.name
        assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNTS[stack]}:root"}, key.name
        assert not USE_ACTIONS & set(admin["Action"]), key.name
        # Every other statement names its user, or conditions an open principal.
        for statement in document[1:]:
            principal = statement["Principal"]
            assert principal != {"AWS": f"arn:aws:iam::{ACCOUNTS[stack]}:root"}, key.name
            if principal == {"AWS": "*"}:
                assert statement["Condition"], key.name
        assert key.inputs["enableKeyRotation"] is True, key.name
        assert key.inputs["deletionWindowInDays"] == 30, key.name


def test_ebs_key_stage_on_a_stage_without_it(plan_config: Callable[..., Planned]) -> None:
    """Turning storage.ebsKey to stage on staging adds the key and the DefaultKmsKey."""
    config = load_example("staging")["config"]
    config["argosy:cluster"]["storage"] = {"ebsKey": "stage"}
    plan = plan_config(config, stack="staging")
    assert plan.checks.findings == ()
    ebs_key = plan.one(KMS_KEY, "staging-encryption-ebs")
    assert plan.one(DEFAULT_KMS_KEY).inputs == {"keyArn": ebs_key.outputs["arn"]}
    # Not production: nothing protected, the setting still retained.
    assert ebs_key.protect is False
    assert plan.one(ENCRYPTION_BY_DEFAULT).retain_on_delete is True
    # Node groups wait for the default key too: their root volumes use it.
    default_key = plan.one(DEFAULT_KMS_KEY)
    for group in plan.graph.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert default_key.urn in group.dependencies, group.name
