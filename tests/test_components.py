"""Component wiring under mocks: parents, providers, dependencies and options."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from argosy.config.validate import AwsStageConfig
from argosy.plan.monitor import Registration
from components.cluster import CREATION_ONLY_INPUTS
from tests.conftest import AWS_EXAMPLE_STACKS, Planned
from tests.example_apps import (
    app_applications,
    app_database_names,
    app_key_names,
    apps_on,
    team_projects,
)

ACCOUNTS = {
    "hub": "111111111111",
    "dev": "222222222222",
    "staging": "333333333333",
    "prod": "444444444444",
}
#: The stages the hub's Argo CD manages (stacks/Pulumi.hub.yaml, argosy:argocd.spokes).
SPOKES = ("dev", "prod", "staging")
ADDON = "aws:eks/addon:Addon"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
RANDOM_PROVIDER = "pulumi:providers:random"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
#: An app's database: an Aurora cluster and its instances, or an RDS instance.
DATABASE_TYPES = (
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/instance:Instance",
)
#: The add-ons Argo CD delivers to every AWS stage of the examples (Karpenter: prod only).
EVERY_STAGE_ADDONS = (
    "argo-events",
    "argo-rollouts",
    "argo-workflows",
    "aws-load-balancer-controller",
    "external-dns",
    "external-secrets",
)


def component_of(planned: Planned, resource: Registration) -> Registration:
    parent = planned.graph.by_urn[resource.parent or ""]
    return parent


def addons_of(plan: Planned) -> dict[str, Registration]:
    return {str(a.inputs["addonName"]): a for a in plan.graph.of_type(ADDON)}


def attached_policies(plan: Planned, role: Registration) -> list[str]:
    return sorted(
        a.inputs["policyArn"]
        for a in plan.graph.of_type(ATTACHMENT)
        if a.inputs["role"] == role.outputs["name"]
    )


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_every_custom_resource_is_parented_and_provided(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    stage = plan.one("argosy:stage:AwsStage")
    aws_provider = plan.one("pulumi:providers:aws")
    # Only the hub, which hosts Argo CD, has a Kubernetes provider (for its own cluster).
    k8s_providers = plan.graph.of_type("pulumi:providers:kubernetes")
    assert len(k8s_providers) == (1 if stack == "hub" else 0)
    # A stage with an app database has a random provider (pulumi_random computes the
    # passwords locally: no cloud account, no credentials), explicit like every provider and
    # used by the passwords only. Allowed by its type, nothing else.
    random_providers = plan.graph.of_type(RANDOM_PROVIDER)
    assert [p.name for p in random_providers] == (
        [f"{stack}-apps-random"] if any(a.database for a in apps_on(stack)) else []
    )
    assert all(p.inputs == {} for p in random_providers)
    providers = {
        aws_provider.urn,
        *(p.urn for p in k8s_providers),
        *(p.urn for p in random_providers),
    }
    for resource in plan.run.resources:
        if resource.type == "pulumi:pulumi:Stack":
            continue
        # Everything lives under the stage component.
        assert stage.urn == resource.urn or stage.urn in _ancestors(plan, resource), resource.urn
        if not resource.custom:
            continue
        # Every custom resource is a child of a component (never of the stack or of another
        # custom resource), and every resource names its provider explicitly: the account's
        # for AWS resources, the hub cluster's for Kubernetes objects.
        parent = plan.graph.by_urn[resource.parent or ""]
        assert not parent.custom and parent.type.startswith("argosy:"), resource.urn
        if resource.type.startswith("aws:"):
            assert resource.provider_urn == aws_provider.urn, resource.urn
        elif resource.type.startswith("kubernetes:"):
            [k8s_provider] = k8s_providers
            assert resource.provider_urn == k8s_provider.urn, resource.urn
        elif resource.type.startswith("random:"):
            [random_provider] = random_providers
            assert resource.type == RANDOM_PASSWORD, resource.urn
            assert resource.provider_urn == random_provider.urn, resource.urn
        else:
            assert resource.urn in providers, resource.urn
    # The custom resources are AWS resources, Kubernetes objects (the hub only), the apps'
    # database passwords (stages with a database) and their providers, nothing else.
    assert {r.type.split(":", 1)[0] for r in plan.run.resources if r.custom} == (
        {"aws", "kubernetes", "pulumi"}
        if stack == "hub"
        else {"aws", "pulumi"} | ({"random"} if random_providers else set())
    )
    assert sorted(r.name for r in plan.graph.of_type(RANDOM_PASSWORD)) == sorted(
        f"{stack}-apps-{a.name}-database" for a in apps_on(stack) if a.database
    )


@pytest.mark.parametrize("stack", SPOKES)
def test_spokes_reach_no_kubernetes_api(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    # No Kubernetes object, no Kubernetes provider, no Kubernetes component (the old
    # ClusterBaseline and its StorageClass): the EBS CSI add-on declares the default class.
    assert [r.urn for r in plan.run.resources if "kubernetes" in r.type] == []


def test_the_hub_reaches_only_its_own_cluster_for_argo_cd(
    planned: Callable[[str], Planned],
) -> None:
    plan = planned("hub")
    # One Kubernetes provider, for the hub's own cluster, in Argo CD's namespace.
    [provider] = [r for r in plan.run.resources if r.type == "pulumi:providers:kubernetes"]
    assert provider.inputs["clusterIdentifier"] == "argosy-hub"
    assert provider.inputs["namespace"] == "argocd"
    kubeconfig = json.loads(provider.inputs["kubeconfig"])
    assert [c["name"] for c in kubeconfig["clusters"]] == ["argosy-hub"]
    assert (
        kubeconfig["clusters"][0]["cluster"]["server"]
        == (plan.one("aws:eks/cluster:Cluster").outputs["endpoint"])
    )
    # Through it, only what Argo CD reads: a registration per cluster, the platform project,
    # per cluster the Application that syncs its baseline from the GitOps tree and one
    # Application per add-on the cluster gets (Karpenter on prod only), the credentials
    # of Karpenter's OCI chart repository, and the app catalog's: an AppProject per team and
    # stage, an Application per app and stage.
    stages = ("dev", "hub", "prod", "staging")
    addons = {stage: list(EVERY_STAGE_ADDONS) for stage in stages}
    addons["prod"].append("karpenter")
    application = "kubernetes:argoproj.io/v1alpha1:Application"
    assert sorted(
        (r.type, r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"])
        for r in plan.run.resources
        if "kubernetes" in r.type and r.type != "pulumi:providers:kubernetes"
    ) == sorted(
        [
            ("kubernetes:argoproj.io/v1alpha1:AppProject", "argocd", "platform"),
            (application, "argocd", "baseline-dev"),
            (application, "argocd", "baseline-hub"),
            (application, "argocd", "baseline-prod"),
            (application, "argocd", "baseline-staging"),
            *((application, "argocd", f"{a}-{s}") for s, names in addons.items() for a in names),
            ("kubernetes:core/v1:Secret", "argocd", "cluster-dev"),
            ("kubernetes:core/v1:Secret", "argocd", "cluster-hub"),
            ("kubernetes:core/v1:Secret", "argocd", "cluster-prod"),
            ("kubernetes:core/v1:Secret", "argocd", "cluster-staging"),
            ("kubernetes:core/v1:Secret", "argocd", "repository-karpenter"),
            *(
                ("kubernetes:argoproj.io/v1alpha1:AppProject", "argocd", p)
                for p in team_projects(stages)
            ),
            *((application, "argocd", a) for a in app_applications(stages)),
        ]
    )


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
        # Flow logs into CloudWatch: the flow log, its log group, its delivery role and policy.
        "aws:ec2/flowLog:FlowLog": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 1,
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
    assert cluster.inputs["version"] == "1.36"
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
        (ATTACHMENT, "prod-eks-cluster-AmazonEKSClusterPolicy"),
        ("aws:iam/rolePolicy:RolePolicy", "prod-eks-cluster-secrets-key"),
        ("aws:kms/key:Key", "prod-eks-secrets"),
    ):
        assert plan.one(type_, name).urn in cluster.dependencies, name
        assert plan.one(type_, name).urn in waits, name
    logs_key = plan.one("aws:kms/key:Key", "prod-encryption-logs")
    log_group = plan.named("prod-eks-logs")
    assert log_group.inputs == {
        "name": "/aws/eks/argosy-prod/cluster",
        "retentionInDays": 365,
        "kmsKeyId": logs_key.outputs["arn"],
    }
    key = plan.one("aws:kms/key:Key", "prod-eks-secrets")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert cluster.inputs["encryptionConfig"] == {
        "provider": {"keyArn": key.outputs["arn"]},
        "resources": ["secrets"],
    }
    alias = plan.one("aws:kms/alias:Alias", "prod-eks-secrets")
    assert alias.inputs == {"name": "alias/argosy-prod-eks-secrets", "targetKeyId": key.id}
    # The role's half of KMS's check: the cluster role may use this key and no other.
    policy = json.loads(plan.named("prod-eks-cluster-secrets-key").inputs["policy"])
    assert policy["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"],
            "Resource": key.outputs["arn"],
        }
    ]
    # The key's half: its explicit policy names the cluster role as its only user.
    cluster_role = plan.named("prod-eks-cluster")
    statements = json.loads(key.inputs["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["AccountAdministersKey", "EksClusterUsesKey"]
    assert statements[0]["Principal"] == {"AWS": "arn:aws:iam::444444444444:root"}
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:*"} & set(statements[0]["Action"])
    assert statements[1]["Principal"] == {"AWS": cluster_role.outputs["arn"]}
    assert statements[1]["Action"] == [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:ListGrants",
    ]
    assert cluster_role.urn in key.dependencies  # the policy names a role that must exist
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert oidc.inputs["url"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_cluster_ignores_creation_only_inputs(
    planned: Callable[[str], Planned], stack: str
) -> None:
    cluster = planned(stack).one("aws:eks/cluster:Cluster")
    assert cluster.ignore_changes == (
        "bootstrapSelfManagedAddons",
        "accessConfig.bootstrapClusterCreatorAdminPermissions",
    )
    assert cluster.ignore_changes == CREATION_ONLY_INPUTS
    # Both are still sent at creation, with the values argosy needs.
    assert cluster.inputs["bootstrapSelfManagedAddons"] is False
    assert cluster.inputs["accessConfig"]["bootstrapClusterCreatorAdminPermissions"] is False


@pytest.mark.parametrize(
    ("stack", "production"), [("prod", True), ("hub", True), ("staging", False), ("dev", False)]
)
def test_protection_follows_production(
    planned: Callable[[str], Planned], stack: str, production: bool
) -> None:
    plan = planned(stack)
    cluster = plan.one("aws:eks/cluster:Cluster")
    keys = plan.graph.of_type("aws:kms/key:Key")
    # Secrets, logs and Argo Workflows artifacts keys everywhere; the EBS key where
    # storage.ebsKey is "stage" (hub, prod); each app's database and bucket keys.
    assert sorted(k.name for k in keys) == sorted(
        [f"{stack}-controllers-artifacts", f"{stack}-eks-secrets", f"{stack}-encryption-logs"]
        + ([f"{stack}-encryption-ebs"] if stack in ("hub", "prod") else [])
        + app_key_names(stack)
    )
    # The artifact bucket is stateful like the keys.
    bucket = plan.one("aws:s3/bucket:Bucket", f"{stack}-controllers-artifacts")
    assert cluster.protect is production
    assert all(k.protect is production for k in keys)
    assert bucket.protect is production
    assert cluster.inputs["deletionProtection"] is production
    # The stage's Prometheus workspace (argosy:apps prometheus: staging, prod) holds its
    # metrics; the app domain's zone, where the stack makes it (staging), its records.
    workspaces = plan.graph.of_type("aws:amp/workspace:Workspace")
    zones = plan.graph.of_type("aws:route53/zone:Zone")
    # The apps' data: each database (cluster and instance, or instance) and each bucket.
    databases = [r for r in plan.run.resources if r.type in DATABASE_TYPES]
    assert sorted(d.name for d in databases) == app_database_names(stack)
    app_buckets = [
        plan.one("aws:s3/bucket:Bucket", f"{stack}-apps-{a.name}-bucket")
        for a in apps_on(stack)
        if a.bucket
    ]
    app_data = [*workspaces, *zones, *databases, *app_buckets]
    assert all(r.protect is production for r in app_data)
    for database in databases:
        if database.type != "aws:rds/clusterInstance:ClusterInstance":
            assert database.inputs["deletionProtection"] is production, database.name
            assert database.inputs["skipFinalSnapshot"] is not production, database.name
    # Nothing else is protected: protection is a deliberate, short list.
    assert {r.urn for r in plan.run.resources if r.protect} == (
        {cluster.urn, bucket.urn, *(k.urn for k in keys), *(r.urn for r in app_data)}
        if production
        else set()
    )
    # Retained on delete: the account's EBS encryption setting always, the stage's default
    # EBS key and its alias always (volumes outside the stage may use it), the audit log
    # groups (control plane, flow logs) in production only.
    retained = {r.urn.rsplit("::", 1)[-1] for r in plan.run.resources if r.retain_on_delete}
    assert retained == {f"{stack}-encryption-ebs-default"} | (
        {f"{stack}-encryption-ebs"} if stack in ("hub", "prod") else set()
    ) | ({f"{stack}-eks-logs", f"{stack}-network-flow-logs"} if production else set())
    ebs_kinds = sorted(
        r.type
        for r in plan.run.resources
        if r.retain_on_delete and r.name == f"{stack}-encryption-ebs"
    )
    assert ebs_kinds == (
        ["aws:kms/alias:Alias", "aws:kms/key:Key"] if stack in ("hub", "prod") else []
    )


def test_node_groups(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    groups = {g.name: g for g in plan.graph.of_type(NODE_GROUP)}
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
    assert spot.inputs["version"] == cluster.inputs["version"] == "1.36"
    assert spot.inputs["nodeRoleArn"] == plan.named("dev-eks-node").outputs["arn"]
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
    from tests.conftest import load_example

    config = load_example("dev")["config"]
    config["argosy:cluster"]["nodeGroups"][0]["instanceTypes"] = ["m7i.large", "m6i.large"]
    plan = plan_config(config)
    groups = {g.name: g.inputs["amiType"] for g in plan.graph.of_type(NODE_GROUP)}
    assert groups == {"dev-system": "AL2023_x86_64_STANDARD", "dev-spot": "AL2023_ARM_64_STANDARD"}


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_node_role(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    role = plan.named(f"{stack}-eks-node")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    # Join the cluster and pull images: the CNI's permissions are its own role's now.
    assert attached_policies(plan, role) == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]
    inline = [
        p
        for p in plan.graph.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == role.outputs["name"]
    ]
    assert inline == []
    assert {g.inputs["nodeRoleArn"] for g in plan.graph.of_type(NODE_GROUP)} == {
        role.outputs["arn"]
    }


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_vpc_cni_role(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    account = ACCOUNTS[stack]
    component = plan.one("argosy:aws:ServiceAccountRole", f"{stack}-vpc-cni")
    assert component_of(plan, component).type == "argosy:aws:EksCluster"
    role = plan.one("aws:iam/role:Role", f"{stack}-vpc-cni")
    assert role.parent == component.urn
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert cluster.outputs["arn"] == f"arn:aws:eks:eu-west-1:{account}:cluster/argosy-{stack}"
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EksPodIdentity",
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "aws:RequestTag/eks-cluster-arn": cluster.outputs["arn"],
                        "aws:RequestTag/kubernetes-namespace": "kube-system",
                        "aws:RequestTag/kubernetes-service-account": "aws-node",
                    }
                },
            }
        ],
    }
    assert role.inputs["maxSessionDuration"] == 3600
    assert attached_policies(plan, role) == ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]
    # The add-on carries the association itself; no stand-alone association exists for it
    # (the stand-alone ones are the controllers' identities, none for aws-node or this role).
    cni = addons_of(plan)["vpc-cni"]
    assert cni.inputs["podIdentityAssociations"] == [
        {"roleArn": role.outputs["arn"], "serviceAccount": "aws-node"}
    ]
    associations = plan.graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert [a.name for a in associations if a.parent == component.urn] == []
    assert [
        a.name
        for a in associations
        if a.inputs["roleArn"] == role.outputs["arn"] or a.inputs["serviceAccount"] == "aws-node"
    ] == []
    # The stand-alone ones belong to the controllers' identities, or to the apps' own roles
    # (one per app with a bucket on the stage).
    owners = {a.name: component_of(plan, component_of(plan, a)).type for a in associations}
    assert sorted(n for n, owner in owners.items() if owner == "argosy:aws:StageApps") == sorted(
        f"{stack}-apps-{a.name}" for a in apps_on(stack) if a.bucket
    )
    assert all(
        owner in ("argosy:aws:ControllersAws", "argosy:aws:StageApps") for owner in owners.values()
    )
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_creation_order(planned: Callable[[str], Planned], stack: str) -> None:
    """VPC → cluster → agent → vpc-cni (and kube-proxy) → node groups → coredns, EBS CSI."""
    plan = planned(stack)
    addons = addons_of(plan)
    assert sorted(addons) == [
        "aws-ebs-csi-driver",
        "coredns",
        "eks-pod-identity-agent",
        "kube-proxy",
        "vpc-cni",
    ]
    cluster = plan.one("aws:eks/cluster:Cluster")
    agent, cni, proxy = addons["eks-pod-identity-agent"], addons["vpc-cni"], addons["kube-proxy"]
    coredns, ebs = addons["coredns"], addons["aws-ebs-csi-driver"]
    for addon in addons.values():
        assert cluster.urn in addon.dependencies, addon.name
    # The agent first: vpc-cni gets its credentials through it.
    assert agent.urn in cni.dependencies
    assert cni.urn not in plan.graph.waits_for(agent.urn)
    # vpc-cni's pods use its role as soon as they start: the policy is attached first.
    cni_policy = plan.one(ATTACHMENT, f"{stack}-vpc-cni-AmazonEKS_CNI_Policy")
    assert cni_policy.urn in cni.dependencies

    groups = plan.graph.of_type(NODE_GROUP)
    assert groups
    private_routes = [
        r
        for r in plan.graph.of_type("aws:ec2/route:Route")
        if r.inputs["destinationCidrBlock"] == "0.0.0.0/0" and "natGatewayId" in r.inputs
    ]
    assert isinstance(plan.config, AwsStageConfig)
    zones = "abcdef"[: plan.config.network.az_count]
    assert sorted(r.name for r in private_routes) == [
        f"{stack}-network-private-{zone}-default" for zone in zones
    ]
    encryption = plan.one("aws:ebs/encryptionByDefault:EncryptionByDefault")
    default_keys = plan.graph.of_type("aws:ebs/defaultKmsKey:DefaultKmsKey")
    for group in groups:
        needed = {
            agent.urn,
            cni.urn,
            proxy.urn,
            encryption.urn,
            *(k.urn for k in default_keys),
            *(r.urn for r in private_routes),
        }
        assert needed <= set(group.dependencies), group.name
        # Nothing that needs a node comes before one.
        waits = plan.graph.waits_for(group.urn)
        assert coredns.urn not in waits and ebs.urn not in waits
    for addon in (coredns, ebs):
        assert {g.urn for g in groups} <= set(addon.dependencies), addon.name
    # The EBS CSI driver waits for its role's policy.
    ebs_policy = plan.one(ATTACHMENT, f"{stack}-ebs-csi-AmazonEBSCSIDriverPolicy")
    assert ebs_policy.urn in ebs.dependencies


def test_ebs_csi_uses_pod_identity(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    component = plan.one("argosy:aws:ServiceAccountRole", "prod-ebs-csi")
    assert component_of(plan, component).type == "argosy:aws:SystemAddons"
    role = next(c for c in plan.graph.children(component.urn) if c.type == "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert trust["Statement"] == [
        {
            "Sid": "EksPodIdentity",
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": "444444444444",
                    "aws:RequestTag/eks-cluster-arn": cluster.outputs["arn"],
                    "aws:RequestTag/kubernetes-namespace": "kube-system",
                    "aws:RequestTag/kubernetes-service-account": "ebs-csi-controller-sa",
                }
            },
        }
    ]
    ebs = addons_of(plan)["aws-ebs-csi-driver"]
    # Pod Identity through the add-on's own association, never IRSA.
    assert "serviceAccountRoleArn" not in ebs.inputs
    assert ebs.inputs["podIdentityAssociations"] == [
        {"roleArn": role.outputs["arn"], "serviceAccount": "ebs-csi-controller-sa"}
    ]
    policies = [
        a.inputs["policyArn"] for a in plan.graph.children(component.urn) if a.type == ATTACHMENT
    ]
    assert policies == ["arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy"]
    # No role of the stage trusts the OIDC provider: IRSA is unused.
    assert not [
        r
        for r in plan.graph.of_type("aws:iam/role:Role")
        if "Federated" in r.inputs["assumeRolePolicy"]
    ]


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_ebs_csi_declares_the_default_storage_class(
    planned: Callable[[str], Planned], stack: str
) -> None:
    ebs = addons_of(planned(stack))["aws-ebs-csi-driver"]
    assert ebs.inputs["configurationValues"] == '{"defaultStorageClass":{"enabled":true}}'
    assert json.loads(ebs.inputs["configurationValues"]) == {
        "defaultStorageClass": {"enabled": True}
    }


def test_access_entries(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    entries = {e.name: e for e in plan.graph.of_type("aws:eks/accessEntry:AccessEntry")}
    assert {n: e.inputs["principalArn"] for n, e in entries.items()} == {
        "dev-access-deploy": "arn:aws:iam::222222222222:role/argosy-deploy",
        "dev-access-admin-0": "arn:aws:iam::222222222222:role/platform-admins",
        "dev-access-admin-1": "arn:aws:iam::222222222222:role/developers",
        # The hub's Argo CD, derived from stacks/Pulumi.hub.yaml (tests/test_argocd_stage.py).
        "dev-argocd-access": "arn:aws:iam::111111111111:role/argosy-hub-argocd",
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


def test_kubeconfig_is_an_output_only(planned: Callable[[str], Planned]) -> None:
    plan = planned("staging")
    # No provider consumes it: the stack itself never calls the Kubernetes API.
    assert plan.graph.of_type("pulumi:providers:kubernetes") == []
    kubeconfig = json.loads(plan.run.outputs["kubeconfig"])
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert kubeconfig["clusters"] == [
        {
            "cluster": {
                "certificate-authority-data": cluster.outputs["certificateAuthority"]["data"],
                "server": cluster.outputs["endpoint"],
            },
            "name": "argosy-staging",
        }
    ]
    # It holds no credential: the exec plugin fetches tokens as the deploy role.
    assert kubeconfig["users"] == [
        {
            "name": "argosy-staging",
            "user": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "args": [
                        "eks",
                        "get-token",
                        "--cluster-name",
                        "argosy-staging",
                        "--region",
                        "eu-west-1",
                        "--role-arn",
                        "arn:aws:iam::333333333333:role/argosy-deploy",
                        "--output",
                        "json",
                    ],
                    "command": "aws",
                    "interactiveMode": "Never",
                }
            },
        }
    ]


def test_local_stage_has_no_aws(planned: Callable[[str], Planned]) -> None:
    plan = planned("local")
    assert sorted(r.type for r in plan.run.resources) == [
        "argosy:argocd:Registrations",
        "argosy:argocd:SelfHostedArgoCd",
        "argosy:stage:LocalStage",
        *["kubernetes:argoproj.io/v1alpha1:AppProject"] * (1 + len(team_projects(["local"]))),
        *["kubernetes:argoproj.io/v1alpha1:Application"] * (4 + len(app_applications(["local"]))),
        "kubernetes:core/v1:Secret",
        "kubernetes:helm.sh/v3:Release",
        "pulumi:providers:kubernetes",
        "pulumi:pulumi:Stack",
    ]
    provider = plan.one("pulumi:providers:kubernetes")
    release = plan.one("kubernetes:helm.sh/v3:Release")
    assert release.provider_urn == provider.urn
    # Its own Argo CD's objects: its registration, the platform project, its baseline and
    # the Argo add-ons (the AWS-only ones are not delivered here), and the app catalog's
    # (its teams' projects, its apps' Applications), all through the kind cluster's provider.
    objects = [r for r in plan.run.resources if r.type.startswith("kubernetes:argoproj.io/")]
    objects.append(plan.one("kubernetes:core/v1:Secret"))
    assert sorted((r.type.rsplit(":", 1)[-1], r.inputs["metadata"]["name"]) for r in objects) == (
        sorted(
            [
                ("AppProject", "platform"),
                ("Application", "argo-events-local"),
                ("Application", "argo-rollouts-local"),
                ("Application", "argo-workflows-local"),
                ("Application", "baseline-local"),
                ("Secret", "cluster-local"),
                *(("AppProject", p) for p in team_projects(["local"])),
                *(("Application", a) for a in app_applications(["local"])),
            ]
        )
    )
    assert all(r.provider_urn == provider.urn for r in objects)
    assert provider.inputs["context"] == "kind-argosy"
    assert component_of(plan, provider).type == "argosy:stage:LocalStage"
    assert plan.run.invokes == ()
    assert plan.run.outputs == {"kubeContext": "kind-argosy", "stage": "local"}
