"""The plan engine: what the recording monitor sees, under realistic mocks."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
import yaml

from argosy.plan import render
from argosy.plan.engine import ProgramFailedError, ProgramRun, order_resources, run_program
from argosy.plan.mocks import AwsContext, PlanMocks
from argosy.plan.monitor import Registration

ACCOUNT = AwsContext(
    account_id="222222222222",
    region="eu-west-1",
    deploy_role_arn="arn:aws:iam::222222222222:role/argosy-deploy",
)


def run(
    program: object, stack: str = "test", aws_context: AwsContext | None = ACCOUNT
) -> ProgramRun:
    return run_program(
        program,  # type: ignore[arg-type]
        project="argosy",
        stack=stack,
        mocks=PlanMocks(stack=stack, aws=aws_context),
        config={"argosy:greeting": "hello"},
        secret_keys=[],
    )


def by_name(result: ProgramRun, name: str) -> Registration:
    [found] = [r for r in result.resources if r.name == name and r.type != "pulumi:pulumi:Stack"]
    return found


def provider() -> aws.Provider:
    return aws.Provider("acct", region="eu-west-1", allowed_account_ids=["222222222222"])


def test_records_every_option_and_dependency() -> None:
    def program() -> None:
        p = provider()
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=p))
        subnet = aws.ec2.Subnet(
            "subnet",
            vpc_id=vpc.id,
            cidr_block="10.0.0.0/24",
            opts=pulumi.ResourceOptions(provider=p, protect=True),
        )
        aws.iam.Role(
            "role",
            assume_role_policy="{}",
            opts=pulumi.ResourceOptions(
                provider=p,
                depends_on=[subnet],
                retain_on_delete=True,
                deleted_with=vpc,
                ignore_changes=["tags"],
            ),
        )

    result = run(program)
    vpc, subnet, role = (by_name(result, n) for n in ("vpc", "subnet", "role"))
    assert subnet.dependencies == (vpc.urn,)  # implicit, through vpc_id
    assert subnet.protect and not vpc.protect
    assert role.dependencies == (subnet.urn,)  # explicit
    assert role.retain_on_delete
    assert role.deleted_with == vpc.urn
    assert role.ignore_changes == ("tags",)
    assert role.provider is not None and role.provider_urn == by_name(result, "acct").urn
    assert subnet.inputs == {"cidrBlock": "10.0.0.0/24", "vpcId": vpc.id}
    assert vpc.id is not None and vpc.id.startswith("vpc-") and len(vpc.id) == 21
    assert vpc.parent == result.resources[0].urn  # the stack


def test_mock_outputs_are_realistic() -> None:
    def program() -> None:
        p = provider()
        role = aws.iam.Role(
            "cluster-role", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=p)
        )
        key = aws.kms.Key("key", opts=pulumi.ResourceOptions(provider=p))
        cluster = aws.eks.Cluster(
            "eks",
            name="argosy-test",
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1"]),
            opts=pulumi.ResourceOptions(provider=p),
        )
        pulumi.export("roleArn", role.arn)
        pulumi.export("keyArn", key.arn)
        pulumi.export("endpoint", cluster.endpoint)
        pulumi.export("issuer", cluster.identities[0].oidcs[0].issuer)
        pulumi.export(
            "zones",
            aws.get_availability_zones_output(opts=pulumi.InvokeOutputOptions(provider=p)).names,
        )

    outputs = run(program).outputs
    assert outputs["roleArn"].startswith("arn:aws:iam::222222222222:role/cluster-role-")
    assert outputs["keyArn"].startswith("arn:aws:kms:eu-west-1:222222222222:key/")
    assert outputs["endpoint"].endswith(".gr7.eu-west-1.eks.amazonaws.com")
    assert outputs["issuer"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert outputs["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_outputs_are_deterministic_and_differ_by_stack() -> None:
    def program() -> None:
        pulumi.export(
            "vpc",
            aws.ec2.Vpc(
                "vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=provider())
            ).id,
        )

    first, second, other = run(program, "a"), run(program, "a"), run(program, "b")
    assert first.outputs == second.outputs
    assert first.outputs["vpc"] != other.outputs["vpc"]
    assert [r.urn for r in other.resources if "::a::" in r.urn] == []


def test_secrets_are_redacted_everywhere() -> None:
    def program() -> None:
        secret = pulumi.Output.secret("hunter2")
        aws.iam.Role(
            "role",
            assume_role_policy=secret,
            opts=pulumi.ResourceOptions(provider=provider()),
        )
        pulumi.export("password", secret)
        pulumi.export("greeting", pulumi.Config("argosy").require("greeting"))

    result = run(program)
    role = by_name(result, "role")
    assert role.inputs["assumeRolePolicy"] == "[secret]"
    assert role.has_secret_inputs
    assert result.outputs == {"greeting": "hello", "password": "[secret]"}
    assert "hunter2" not in render.to_json(render.plan_document(result))


def test_an_unknown_invoke_fails_the_plan() -> None:
    def program() -> None:
        aws.ec2.get_vpc_output(default=True, opts=pulumi.InvokeOutputOptions(provider=provider()))

    with pytest.raises(ProgramFailedError) as caught:
        run(program)
    assert "the offline plan has no answer for invoke aws:ec2/getVpc:getVpc" in str(caught.value)


def test_program_errors_are_reported_with_their_cause() -> None:
    def program() -> None:
        raise ValueError("boom")

    with pytest.raises(ProgramFailedError) as caught:
        run(program, stack="broken")
    assert str(caught.value) == "stack broken: the program failed: ValueError: boom"
    assert isinstance(caught.value.cause, ValueError)


def test_aws_without_an_account_is_refused() -> None:
    def program() -> None:
        aws.ec2.Vpc(
            "vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=provider())
        )

    with pytest.raises(
        ProgramFailedError, match="an AWS resource or invoke in a stage without AWS"
    ):
        run(program, aws_context=None)


def test_logs_are_collected() -> None:
    def program() -> None:
        pulumi.log.warn("careful")
        pulumi.log.info("fyi")

    logs = run(program).logs
    assert [(log.severity, log.message) for log in logs] == [
        ("warning", "careful"),
        ("info", "fyi"),
    ]


def test_order_puts_needs_first_and_breaks_ties_by_urn() -> None:
    def reg(urn: str, parent: str | None = None, deps: tuple[str, ...] = ()) -> Registration:
        return Registration(
            urn=urn,
            id=None,
            type="t",
            name=urn,
            custom=True,
            parent=parent,
            provider=None,
            dependencies=deps,
            protect=False,
            retain_on_delete=False,
            deleted_with=None,
            ignore_changes=(),
            inputs={},
            has_secret_inputs=False,
            outputs={},
        )

    ordered = order_resources([reg("d", deps=("c",)), reg("b"), reg("c", parent="a"), reg("a")])
    assert [r.urn for r in ordered] == ["a", "b", "c", "d"]


def test_rendered_files(tmp_path: Path) -> None:
    def program() -> None:
        cluster = k8s.Provider("kind", context="kind-argosy")
        k8s.core.v1.Namespace(
            "ns", metadata={"name": "argocd"}, opts=pulumi.ResourceOptions(provider=cluster)
        )
        k8s.core.v1.ConfigMap(
            "cm",
            metadata={"name": "settings", "namespace": "argocd"},
            data={"token": pulumi.Output.secret("s3cr3t"), "mode": "demo"},
            opts=pulumi.ResourceOptions(provider=cluster),
        )
        k8s.helm.v3.Release(
            "argo-cd",
            name="argo-cd",
            chart="argo-cd",
            version="9.1.0",
            namespace="argocd",
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(
                repo="https://argoproj.github.io/argo-helm"
            ),
            values={"server": {"replicas": 2}},
            opts=pulumi.ResourceOptions(provider=cluster),
        )

    result = run(program, aws_context=None)
    written = render.write_files(result, tmp_path)
    root = tmp_path / "test"
    assert [p.relative_to(root).as_posix() for p in written] == [
        "helm/argocd/argo-cd.yaml",
        "kubernetes/_cluster/namespace-argocd.yaml",
        "kubernetes/argocd/configmap-settings.yaml",
        "plan.json",
    ]
    assert yaml.safe_load((root / "helm/argocd/argo-cd.yaml").read_text()) == {
        "chart": "argo-cd",
        "name": "argo-cd",
        "namespace": "argocd",
        "repository": "https://argoproj.github.io/argo-helm",
        "values": {"server": {"replicas": 2}},
        "version": "9.1.0",
    }
    config_map = yaml.safe_load((root / "kubernetes/argocd/configmap-settings.yaml").read_text())
    assert config_map["data"] == {"mode": "demo", "token": "[secret]"}
    assert "s3cr3t" not in "".join(p.read_text() for p in written)
    # Writing again replaces the stack's files rather than adding to them.
    (root / "kubernetes" / "_cluster" / "stale.yaml").write_text("old")
    assert render.write_files(result, tmp_path) == written
    assert not (root / "kubernetes" / "_cluster" / "stale.yaml").exists()
