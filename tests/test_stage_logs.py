"""A stage's logs: VPC flow logs, encrypted log groups with retention, audit logs kept.

Rules E12 (flow logs), E14 (log groups) and L8 (audit logs outlive a production stack) as the
planned graph of every example, and of a stage whose flow logs go to a central S3 bucket.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from argosy.config.validate import AwsStageConfig
from argosy.plan.planner import Project
from tests.conftest import AWS_EXAMPLE_STACKS, REPO, Planned, plan_valid

FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KMS_KEY = "aws:kms/key:Key"
ACCOUNTS = {
    "hub": "111111111111",
    "dev": "222222222222",
    "staging": "333333333333",
    "prod": "444444444444",
}
#: Control-plane log retention of each example (argosy:cluster.logging.retentionDays).
CONTROL_PLANE_RETENTION = {"hub": 365, "dev": 30, "staging": 90, "prod": 365}
FIXTURES = REPO / "tests" / "fixtures" / "stacks"


def aws_config(plan: Planned) -> AwsStageConfig:
    assert isinstance(plan.config, AwsStageConfig)
    return plan.config


@pytest.fixture(scope="module")
def archive(project: Project) -> Planned:
    """A production stage with ``flowLogs: {destination: s3, s3BucketArn: ...}``."""
    return plan_valid(project, FIXTURES / "Pulumi.archive.yaml", "archive")


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_every_vpc_has_a_flow_log_into_an_encrypted_group(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    account = ACCOUNTS[stack]
    [vpc] = plan.graph.of_type("aws:ec2/vpc:Vpc")
    [flow_log] = plan.graph.of_type(FLOW_LOG)
    group = plan.one(LOG_GROUP, f"{stack}-network-flow-logs")
    role = plan.one(ROLE, f"{stack}-flow-logs")
    logs_key = plan.one(KMS_KEY, f"{stack}-encryption-logs")
    assert flow_log.inputs == {
        "vpcId": vpc.id,
        "trafficType": "ALL",
        "maxAggregationInterval": 600,
        "logDestinationType": "cloud-watch-logs",
        "logDestination": (
            f"arn:aws:logs:eu-west-1:{account}:log-group:/aws/vpc/argosy-{stack}/flow-logs"
        ),
        "iamRoleArn": role.outputs["arn"],
        "tags": {"Name": f"argosy-{stack}-flow-logs"},
    }
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert group.inputs == {
        "name": f"/aws/vpc/argosy-{stack}/flow-logs",
        "retentionInDays": 90,
        "kmsKeyId": logs_key.outputs["arn"],
    }
    # The delivery role: trusted by VPC Flow Logs of this account only, writing to this group.
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:eu-west-1:{account}:vpc-flow-log/*"},
    }
    [delivery] = [
        p for p in plan.graph.of_type(ROLE_POLICY) if p.inputs["role"] == role.outputs["name"]
    ]
    write = json.loads(delivery.inputs["policy"])["Statement"][0]
    assert write["Resource"] == [group.outputs["arn"], f"{group.outputs['arn']}:log-stream:*"]
    # The flow log is created once its role may write: AWS checks the role at creation.
    assert delivery.urn in flow_log.dependencies


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_every_log_group_is_encrypted_with_the_logs_key_and_expires(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    logs_key = plan.one(KMS_KEY, f"{stack}-encryption-logs")
    groups = {g.inputs["name"]: g for g in plan.graph.of_type(LOG_GROUP)}
    assert {name: g.inputs["retentionInDays"] for name, g in groups.items()} == {
        f"/aws/eks/argosy-{stack}/cluster": CONTROL_PLANE_RETENTION[stack],
        f"/aws/vpc/argosy-{stack}/flow-logs": 90,
        # The hub hosts Argo CD: the capability's controller logs (managed.logRetentionDays).
        **({"/aws/eks-capabilities/argosy-hub/argocd": 90} if stack == "hub" else {}),
    }
    for group in groups.values():
        assert group.inputs["kmsKeyId"] == logs_key.outputs["arn"], group.name
        # The key exists (with its policy) before a group is encrypted with it.
        assert logs_key.urn in group.dependencies, group.name
    # The key's policy lets CloudWatch Logs use it for exactly these groups.
    statements = json.loads(logs_key.inputs["policy"])["Statement"]
    [use] = [s for s in statements if s["Sid"] == "CloudWatchLogsUsesKey"]
    assert use["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert use["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": sorted(g.outputs["arn"] for g in groups.values())
        }
    }
    alias = plan.one("aws:kms/alias:Alias", f"{stack}-encryption-logs")
    assert alias.inputs == {"name": f"alias/argosy-{stack}-logs", "targetKeyId": logs_key.id}
    assert plan.run.outputs["logsKeyArn"] == logs_key.outputs["arn"]


@pytest.mark.parametrize(
    ("stack", "retained"), [("prod", True), ("hub", True), ("staging", False), ("dev", False)]
)
def test_audit_log_groups_are_retained_in_production_only(
    planned: Callable[[str], Planned], stack: str, retained: bool
) -> None:
    plan = planned(stack)
    assert aws_config(plan).production is retained
    control_plane = plan.one(LOG_GROUP, f"{stack}-eks-logs")
    flow_logs = plan.one(LOG_GROUP, f"{stack}-network-flow-logs")
    assert control_plane.retain_on_delete is retained
    assert flow_logs.retain_on_delete is retained
    # Kept on delete, yet never protected: a destroy goes through and leaves them behind.
    assert not control_plane.protect and not flow_logs.protect
    # Argo CD's controller logs (the hub's) are no audit record: they go with the stack.
    argocd = [g for g in plan.graph.of_type(LOG_GROUP) if "eks-capabilities" in g.inputs["name"]]
    assert [(g.name, g.retain_on_delete, g.protect) for g in argocd] == (
        [("hub-argocd-logs", False, False)] if stack == "hub" else []
    )


def test_flow_logs_into_an_s3_bucket(archive: Planned) -> None:
    assert archive.checks.findings == ()
    [vpc] = archive.graph.of_type("aws:ec2/vpc:Vpc")
    [flow_log] = archive.graph.of_type(FLOW_LOG)
    assert flow_log.inputs == {
        "vpcId": vpc.id,
        "trafficType": "REJECT",
        "maxAggregationInterval": 60,
        "logDestinationType": "s3",
        "logDestination": "arn:aws:s3:::acme-log-archive/flow-logs",
        "tags": {"Name": "argosy-archive-flow-logs"},
    }
    # No flow-log log group, no delivery role or policy: the bucket is not the stack's. The
    # roles and inline policies are the cluster's and the controllers' identities (no
    # external-dns: the stage names no zone).
    assert [g.inputs["name"] for g in archive.graph.of_type(LOG_GROUP)] == [
        "/aws/eks/argosy-archive/cluster"
    ]
    controllers = [
        "archive-controllers-argo-rollouts",
        "archive-controllers-argo-workflows-server",
        "archive-controllers-aws-load-balancer-controller",
        "archive-controllers-external-secrets",
        "archive-controllers-workflows-workflows",
    ]
    assert sorted(r.name for r in archive.graph.of_type(ROLE)) == [
        *controllers,
        "archive-ebs-csi",
        "archive-eks-cluster",
        "archive-eks-node",
        "archive-vpc-cni",
    ]
    assert sorted(p.name for p in archive.graph.of_type(ROLE_POLICY)) == [
        *(f"{c}-inline" for c in controllers),
        "archive-eks-cluster-secrets-key",
    ]
    assert [r.name for r in archive.run.resources if "flow-logs" in r.name] == [
        "archive-network-flow-logs"
    ]
    # The logs key serves the control-plane group only.
    logs_key = archive.one(KMS_KEY, "archive-encryption-logs")
    [use] = [
        s
        for s in json.loads(logs_key.inputs["policy"])["Statement"]
        if s["Sid"] == "CloudWatchLogsUsesKey"
    ]
    assert use["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == [
        "arn:aws:logs:eu-west-1:555555555555:log-group:/aws/eks/argosy-archive/cluster"
    ]
    # Production: the control-plane group is still kept on delete.
    control_plane = archive.one(LOG_GROUP, "archive-eks-logs")
    assert control_plane.retain_on_delete is True
    assert control_plane.inputs["retentionInDays"] == 180


def test_s3_flow_logs_need_a_bucket(project: Project, tmp_path: Path) -> None:
    """Without s3BucketArn the stage does not validate, so nothing is planned."""
    from argosy.config.errors import ConfigInvalidError

    text = (FIXTURES / "Pulumi.archive.yaml").read_text()
    broken = tmp_path / "Pulumi.archive.yaml"
    broken.write_text(
        text.replace("      s3BucketArn: arn:aws:s3:::acme-log-archive/flow-logs\n", "")
    )
    with pytest.raises(ConfigInvalidError) as caught:
        plan_valid(project, broken, "archive")
    assert [i.path for i in caught.value.errors] == ["argosy:network.flowLogs.s3BucketArn"]
