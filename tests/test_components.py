"""Component wiring under mocks: parents, providers, dependencies and options."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from argosy.plan.monitor import Registration
from tests.conftest import AWS_EXAMPLE_STACKS, Planned

ACCOUNTS = {
    "hub": "111111111111",
    "dev": "222222222222",
    "staging": "333333333333",
    "prod": "444444444444",
}


def component_of(planned: Planned, resource: Registration) -> Registration:
    parent = planned.graph.by_urn[resource.parent or ""]
    return parent


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_every_custom_resource_is_parented_and_provided(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    stage = plan.one("argosy:stage:AwsStage")
    aws_provider = plan.one("pulumi:providers:aws")
    k8s_provider = plan.one("pulumi:providers:kubernetes")
    for resource in plan.run.resources:
        if resource.type == "pulumi:pulumi:Stack":
            continue
        # Everything lives under the stage component.
        assert stage.urn == resource.urn or stage.urn in _ancestors(plan, resource), resource.urn
        if resource.type.startswith("aws:"):
            assert resource.provider_urn == aws_provider.urn, resource.urn
        if resource.type.startswith("kubernetes:"):
            assert resource.provider_urn == k8s_provider.urn, resource.urn


def _ancestors(plan: Planned, resource: Registration) -> list[str]:
    chain = []
    while resource.parent:
        chain.append(resource.parent)
        resource = plan.graph.by_urn[resource.parent]
    return chain


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_account_provider(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    provider = plan.one("pulumi:providers:aws")
    assert component_of(plan, provider).type == "argosy:aws:Account"
    inputs = provider.inputs
    account = ACCOUNTS[stack]
    assert json.loads(inputs["allowedAccountIds"]) == [account]
    assert json.loads(inputs["assumeRoles"]) == [
        {"roleArn": f"arn:aws:iam::{account}:role/argosy-deploy", "sessionName": f"argosy-{stack}"}
    ]
    tags = json.loads(inputs["defaultTags"])["tags"]
    assert {k: tags[k] for k in ("managed-by", "project", "stage")} == {
        "managed-by": "pulumi",
        "project": "argosy",
        "stage": stack,
    }
    assert inputs["region"] == "eu-west-1"
    # Invokes went through the account provider too.
    assert plan.run.invokes
    assert {ref.rsplit("::", 1)[0] for _, ref in plan.run.invokes} == {provider.urn}


def test_network_per_zone_nat(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    network = plan.one("argosy:aws:Network")
    children = plan.graph.children(network.urn)
    count = {t: sum(1 for c in children if c.type == t) for t in {c.type for c in children}}
    assert count == {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/subnet:Subnet": 6,
        "aws:ec2/routeTable:RouteTable": 4,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
        "aws:ec2/route:Route": 4,
        "aws:ec2/eip:Eip": 3,
        "aws:ec2/natGateway:NatGateway": 3,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
    }
    nats = {n.outputs["subnetId"] for n in plan.graph.of_type("aws:ec2/natGateway:NatGateway")}
    public = {s.id for s in plan.graph.of_type("aws:ec2/subnet:Subnet") if "public" in s.name}
    assert nats == public  # one NAT gateway in each public subnet
    private_routes = [r for r in plan.graph.of_type("aws:ec2/route:Route") if "private" in r.name]
    assert len({r.inputs["natGatewayId"] for r in private_routes}) == 3
    endpoint = plan.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert len(endpoint.inputs["routeTableIds"]) == 3


def test_network_single_nat(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    assert len(plan.graph.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert len(plan.graph.of_type("aws:ec2/subnet:Subnet")) == 4
    private_routes = [r for r in plan.graph.of_type("aws:ec2/route:Route") if "private" in r.name]
    assert len(private_routes) == 2
    assert len({r.inputs["natGatewayId"] for r in private_routes}) == 1


def test_subnets(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    subnets = {s.name: s for s in plan.graph.of_type("aws:ec2/subnet:Subnet")}
    assert subnets["prod-network-private-a"].inputs["cidrBlock"] == "10.40.0.0/18"
    assert subnets["prod-network-public-c"].inputs["cidrBlock"] == "10.40.208.0/21"
    assert subnets["prod-network-private-b"].inputs["availabilityZone"] == "eu-west-1b"
    assert (
        subnets["prod-network-private-a"].inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
    )
    assert subnets["prod-network-public-a"].inputs["tags"]["kubernetes.io/role/elb"] == "1"
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets.values())
    default_sg = plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs["ingress"] == [] and default_sg.inputs["egress"] == []


def test_cluster(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert component_of(plan, cluster).type == "argosy:aws:EksCluster"
    assert cluster.inputs["name"] == "argosy-prod"
    assert cluster.inputs["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster.inputs["bootstrapSelfManagedAddons"] is False
    private = {s.id for s in plan.graph.of_type("aws:ec2/subnet:Subnet") if "private" in s.name}
    assert set(cluster.inputs["vpcConfig"]["subnetIds"]) == private
    waits = plan.graph.waits_for(cluster.urn)
    for type_, name in (
        ("aws:cloudwatch/logGroup:LogGroup", "prod-eks-logs"),
        (
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "prod-eks-cluster-AmazonEKSClusterPolicy",
        ),
        ("aws:iam/rolePolicy:RolePolicy", "prod-eks-cluster-secrets-key"),
        ("aws:kms/key:Key", "prod-eks-secrets"),
    ):
        assert plan.one(type_, name).urn in waits, name
    log_group = plan.named("prod-eks-logs")
    assert log_group.inputs == {"name": "/aws/eks/argosy-prod/cluster", "retentionInDays": 365}
    key = plan.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    alias = plan.one("aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/argosy-prod-eks-secrets"
    policy = json.loads(plan.named("prod-eks-cluster-secrets-key").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == key.outputs["arn"]
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert oidc.inputs["url"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")


@pytest.mark.parametrize(
    ("stack", "protected"), [("prod", True), ("hub", True), ("staging", False), ("dev", False)]
)
def test_protection_follows_production(
    planned: Callable[[str], Planned], stack: str, protected: bool
) -> None:
    plan = planned(stack)
    cluster, key = plan.one("aws:eks/cluster:Cluster"), plan.one("aws:kms/key:Key")
    assert (cluster.protect, key.protect) == (protected, protected)
    assert cluster.inputs["deletionProtection"] is protected
    # Nothing else is protected or retained: protection is a deliberate, short list.
    assert {r.urn for r in plan.run.resources if r.protect} == (
        {cluster.urn, key.urn} if protected else set()
    )
    assert not any(r.retain_on_delete for r in plan.run.resources)


def test_node_groups(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    groups = {g.name: g for g in plan.graph.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert sorted(groups) == ["dev-spot", "dev-system"]
    spot = groups["dev-spot"]
    assert spot.inputs["capacityType"] == "SPOT"
    assert spot.inputs["amiType"] == "AL2023_ARM_64_STANDARD"
    assert spot.inputs["instanceTypes"] == ["m7g.large", "m6g.large", "c7g.xlarge"]
    assert spot.inputs["taints"] == [
        {"effect": "NO_SCHEDULE", "key": "argosy.dev/spot", "value": "true"}
    ]
    assert spot.inputs["scalingConfig"] == {"desiredSize": 1, "maxSize": 6, "minSize": 0}
    assert spot.ignore_changes == ("scalingConfig.desiredSize",)
    assert "diskSize" not in spot.inputs  # the launch template sets the disk
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert spot.inputs["version"] == cluster.inputs["version"]
    template = plan.graph.find_by_output(
        "aws:ec2/launchTemplate:LaunchTemplate", "id", spot.inputs["launchTemplate"]["id"]
    )
    assert template is not None
    assert template.parent == spot.parent
    assert template.inputs["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {
                "deleteOnTermination": "true",
                "encrypted": "true",
                "volumeSize": 50,
                "volumeType": "gp3",
            },
        }
    ]
    assert {t["resourceType"] for t in template.inputs["tagSpecifications"]} == {
        "instance",
        "volume",
        "network-interface",
    }


def test_x86_groups_get_the_x86_ami(plan_config: Callable[..., Planned]) -> None:
    from tests.test_config_validation import BASE

    config = json.loads(json.dumps(BASE))
    config["argosy:cluster"]["nodeGroups"][0]["instanceTypes"] = ["m7i.large", "m6i.large"]
    plan = plan_config(config)
    assert plan.one("aws:eks/nodeGroup:NodeGroup").inputs["amiType"] == "AL2023_x86_64_STANDARD"


def test_node_role(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    role = plan.named("prod-eks-node")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    attached = sorted(
        a.inputs["policyArn"]
        for a in plan.graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.outputs["name"]
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]


def test_addon_order(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    addons = {a.inputs["addonName"]: a for a in plan.graph.of_type("aws:eks/addon:Addon")}
    assert sorted(addons) == ["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]
    groups = {g.urn for g in plan.graph.of_type("aws:eks/nodeGroup:NodeGroup")}
    for name in ("coredns", "aws-ebs-csi-driver"):
        assert groups <= set(addons[name].dependencies), name
    for group in groups:
        waits = plan.graph.waits_for(group)
        assert addons["vpc-cni"].urn in waits and addons["kube-proxy"].urn in waits
        assert addons["coredns"].urn not in waits
    assert json.loads(addons["vpc-cni"].inputs["configurationValues"]) == {
        "enableNetworkPolicy": "true"
    }
    assert all(a.inputs["resolveConflictsOnUpdate"] == "OVERWRITE" for a in addons.values())


def test_ebs_csi_uses_irsa(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    irsa = plan.one("argosy:aws:IrsaRole")
    role = next(c for c in plan.graph.children(irsa.urn) if c.type == "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    issuer = oidc.inputs["url"].removeprefix("https://")
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Federated": oidc.outputs["arn"]},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{issuer}:aud": "sts.amazonaws.com",
                    f"{issuer}:sub": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
                }
            },
        }
    ]
    ebs = next(
        a
        for a in plan.graph.of_type("aws:eks/addon:Addon")
        if a.inputs["addonName"] == "aws-ebs-csi-driver"
    )
    assert ebs.inputs["serviceAccountRoleArn"] == role.outputs["arn"]
    policies = [
        a.inputs["policyArn"]
        for a in plan.graph.children(irsa.urn)
        if a.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    ]
    assert policies == ["arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy"]


def test_access_entries(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    entries = {e.name: e for e in plan.graph.of_type("aws:eks/accessEntry:AccessEntry")}
    assert {n: e.inputs["principalArn"] for n, e in entries.items()} == {
        "dev-access-deploy": "arn:aws:iam::222222222222:role/argosy-deploy",
        "dev-access-admin-0": "arn:aws:iam::222222222222:role/platform-admins",
        "dev-access-admin-1": "arn:aws:iam::222222222222:role/developers",
    }
    associations = {
        a.name: a
        for a in plan.graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    }
    assert associations["dev-access-deploy"].inputs["policyArn"] == (
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    )
    developers = associations["dev-access-admin-1"].inputs
    assert developers["policyArn"].endswith("/AmazonEKSEditPolicy")
    assert developers["accessScope"] == {"namespaces": ["team-a", "team-b"], "type": "namespace"}
    # The association waits for its entry.
    assert entries["dev-access-admin-1"].urn in associations["dev-access-admin-1"].dependencies


def test_kubernetes_provider_waits_for_access(planned: Callable[[str], Planned]) -> None:
    plan = planned("staging")
    provider = plan.one("pulumi:providers:kubernetes")
    access = plan.one("argosy:aws:ClusterAccess")
    associations = [
        c.urn
        for c in plan.graph.children(access.urn)
        if c.type == "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
    ]
    assert set(associations) <= set(provider.dependencies)
    assert provider.inputs["clusterIdentifier"] == "argosy-staging"
    # The kubeconfig holds no credential (the exec plugin fetches tokens), so it is plain.
    assert provider.inputs["kubeconfig"] == plan.run.outputs["kubeconfig"]
    kubeconfig = json.loads(plan.run.outputs["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["args"][:4] == [
        "eks",
        "get-token",
        "--cluster-name",
        "argosy-staging",
    ]


def test_baseline_storage_class(planned: Callable[[str], Planned]) -> None:
    plan = planned("hub")
    storage_class = plan.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["metadata"]["name"] == "gp3"
    assert storage_class.inputs["provisioner"] == "ebs.csi.aws.com"
    assert component_of(plan, storage_class).type == "argosy:kubernetes:ClusterBaseline"


def test_local_stage_has_no_aws(planned: Callable[[str], Planned]) -> None:
    plan = planned("local")
    assert [r.type for r in plan.run.resources] == [
        "pulumi:pulumi:Stack",
        "argosy:stage:LocalStage",
        "pulumi:providers:kubernetes",
    ]
    provider = plan.one("pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "kind-argosy"
    assert plan.run.invokes == ()
    assert plan.run.outputs == {"kubeContext": "kind-argosy", "stage": "local"}


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_stack_outputs(planned: Callable[[str], Planned], stack: str) -> None:
    outputs = planned(stack).run.outputs
    assert sorted(outputs) == [
        "accountId",
        "clusterCertificateAuthority",
        "clusterEndpoint",
        "clusterName",
        "kubeconfig",
        "nodeRoleArn",
        "oidcIssuerUrl",
        "oidcProviderArn",
        "privateSubnetIds",
        "publicSubnetIds",
        "stage",
        "vpcId",
    ]
    assert outputs["clusterName"] == f"argosy-{stack}"
    assert outputs["accountId"] == ACCOUNTS[stack]
    assert outputs["oidcProviderArn"].startswith(f"arn:aws:iam::{ACCOUNTS[stack]}:oidc-provider/")
