"""The stage's VPC: public and private subnets across zones, NAT, an S3 endpoint, flow logs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy.config.models import FlowLogSettings, NatMode
from argosy.manifests import iam
from argosy.manifests.network import SubnetLayout
from argosy.manifests.zones import pick_zone
from components._options import child_options
from components.keys import encrypted_log_group

#: Subnet tags the AWS Load Balancer Controller discovers subnets by.
PUBLIC_ELB_TAG = {"kubernetes.io/role/elb": "1"}
PRIVATE_ELB_TAG = {"kubernetes.io/role/internal-elb": "1"}
#: The tag Karpenter's EC2NodeClass selects the nodes' subnets by (value: the cluster's name).
KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery"


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Arguments of :class:`Network`.

    Attributes:
        name_prefix: Prefix of the ``Name`` tags (``argosy-dev``).
        region: The VPC's region; names the S3 endpoint service.
        vpc_cidr: The VPC's IPv4 range (VPC ``cidrBlock``).
        layout: Subnet CIDRs per zone (subnet ``cidrBlock``).
        nat_mode: ``per-az`` (a NAT gateway per zone) or ``single`` (one for the VPC).
        reverse_dns_prefix: The partition's service name prefix (``com.amazonaws``).
        flow_logs: Where flow logs go and what they record (``argosy:network.flowLogs``).
        flow_log_group_name: The flow logs' log group (``cloud-watch-logs`` destination).
        flow_log_role_name: Logical name of the role flow logs deliver with.
        logs_key_arn: The stage's logs key, for the flow logs' log group.
        account_id: The stage's account, pinned in the delivery role's trust.
        partition: The AWS partition.
        production: Keep the flow logs' log group when the stack is destroyed (rule L8).
        provider: The stage's AWS provider.
    """

    name_prefix: str
    region: str
    vpc_cidr: str
    layout: SubnetLayout
    nat_mode: NatMode
    reverse_dns_prefix: str
    flow_logs: FlowLogSettings
    flow_log_group_name: str
    flow_log_role_name: str
    logs_key_arn: pulumi.Input[str]
    account_id: str
    partition: str
    production: bool
    provider: aws.Provider


class Network(pulumi.ComponentResource):
    """A VPC with one public and one private subnet per zone.

    Nodes and the EKS control plane's network interfaces live in the private subnets and
    reach the internet through NAT gateways; the public subnets hold only NAT gateways and
    internet-facing load balancers. Every private subnet has its own route table, so that
    switching between one NAT gateway and one per zone changes routes, not associations.
    S3 traffic (image layers from ECR among it) takes a free gateway endpoint instead of NAT.
    Flow logs record the VPC's traffic (rule E12), into an encrypted log group or a bucket.

    ``egress_routes`` are the private subnets' default routes: nodes wait for them, since a
    node that boots before its route exists cannot pull images or join the cluster.
    """

    vpc_id: pulumi.Output[str]
    """The VPC's ID."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnet IDs, in zone order."""
    private_route_table_ids: list[pulumi.Output[str]]
    """The private subnets' route tables, in zone order."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnet IDs, in zone order."""
    availability_zones: pulumi.Output[list[str]]
    """The zones the subnets are in, in order."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:Network", name, None, opts)
        provider = args.provider
        zone_count = len(args.layout.private)

        # Resolved while the program runs (not as an Output): the zone names are then plain
        # data, shown in `pulumi preview`, and a region with too few zones fails right here.
        available = aws.get_availability_zones(
            state="available",
            filters=[
                aws.GetAvailabilityZonesFilterArgs(
                    name="opt-in-status", values=["opt-in-not-required"]
                )
            ],
            opts=pulumi.InvokeOptions(provider=provider, parent=self),
        )
        zones = [pick_zone(available.names, i, zone_count, args.region) for i in range(zone_count)]

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            # EKS private endpoints and VPC endpoints resolve only with DNS hostnames on.
            enable_dns_hostnames=True,
            tags={"Name": args.name_prefix},
            opts=child_options(self, provider),
        )
        # Adopt the default security group and strip its rules: nothing should use it.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{args.name_prefix}-default-deny"},
            opts=child_options(self, provider),
        )
        gateway = aws.ec2.InternetGateway(
            f"{name}-igw",
            vpc_id=vpc.id,
            tags={"Name": args.name_prefix},
            opts=child_options(self, provider),
        )
        public_routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            tags={"Name": f"{args.name_prefix}-public"},
            opts=child_options(self, provider),
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_routes.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway.id,
            opts=child_options(self, provider),
        )

        def subnet(
            kind: str, suffix: str, cidr: str, zone: str, role_tag: dict[str, str]
        ) -> aws.ec2.Subnet:
            return aws.ec2.Subnet(
                f"{name}-{kind}-{suffix}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{args.name_prefix}-{kind}-{suffix}", **role_tag},
                opts=child_options(self, provider),
            )

        def associate(
            kind: str, suffix: str, subnet_id: pulumi.Output[str], table: aws.ec2.RouteTable
        ) -> None:
            aws.ec2.RouteTableAssociation(
                f"{name}-{kind}-{suffix}",
                subnet_id=subnet_id,
                route_table_id=table.id,
                opts=child_options(self, provider),
            )

        public_subnets: list[aws.ec2.Subnet] = []
        private_subnets: list[aws.ec2.Subnet] = []
        private_routes: list[aws.ec2.RouteTable] = []
        for i, zone in enumerate(zones):
            suffix = chr(ord("a") + i)
            public = subnet("public", suffix, args.layout.public[i], zone, PUBLIC_ELB_TAG)
            associate("public", suffix, public.id, public_routes)
            private = subnet(
                "private",
                suffix,
                args.layout.private[i],
                zone,
                {**PRIVATE_ELB_TAG, KARPENTER_DISCOVERY_TAG: args.name_prefix},
            )
            routes = aws.ec2.RouteTable(
                f"{name}-private-{suffix}",
                vpc_id=vpc.id,
                tags={"Name": f"{args.name_prefix}-private-{suffix}"},
                opts=child_options(self, provider),
            )
            associate("private", suffix, private.id, routes)
            public_subnets.append(public)
            private_subnets.append(private)
            private_routes.append(routes)

        nat_count = zone_count if args.nat_mode == "per-az" else 1
        nat_gateways = []
        for i in range(nat_count):
            suffix = chr(ord("a") + i)
            address = aws.ec2.Eip(
                f"{name}-nat-{suffix}",
                domain="vpc",
                tags={"Name": f"{args.name_prefix}-nat-{suffix}"},
                # An address for a NAT gateway can only be used once the VPC has a gateway.
                opts=child_options(self, provider, depends_on=[gateway]),
            )
            nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{suffix}",
                    allocation_id=address.id,
                    subnet_id=public_subnets[i].id,
                    connectivity_type="public",
                    tags={"Name": f"{args.name_prefix}-nat-{suffix}"},
                    opts=child_options(self, provider, depends_on=[gateway]),
                )
            )
        self.egress_routes: list[pulumi.Resource] = [
            aws.ec2.Route(
                f"{name}-private-{chr(ord('a') + i)}-default",
                route_table_id=routes.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat_gateways[i % nat_count].id,
                opts=child_options(self, provider),
            )
            for i, routes in enumerate(private_routes)
        ]

        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"{args.reverse_dns_prefix}.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[r.id for r in private_routes],
            tags={"Name": f"{args.name_prefix}-s3"},
            opts=child_options(self, provider),
        )

        self._flow_logs(name, args, vpc)

        self.vpc_id = vpc.id
        self.private_route_table_ids = [r.id for r in private_routes]
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private_subnets])
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public_subnets])
        self.availability_zones = pulumi.Output.from_input(zones)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
                "availabilityZones": self.availability_zones,
            }
        )

    def _flow_logs(self, name: str, args: NetworkArgs, vpc: aws.ec2.Vpc) -> aws.ec2.FlowLog:
        settings = args.flow_logs
        provider = args.provider
        tags = {"Name": f"{args.name_prefix}-flow-logs"}
        if settings.destination == "s3":
            # The bucket (often a central log archive in another account) is not this
            # stack's; its policy must let delivery.logs.amazonaws.com write.
            return aws.ec2.FlowLog(
                f"{name}-flow-logs",
                vpc_id=vpc.id,
                traffic_type=settings.traffic_type,
                max_aggregation_interval=settings.max_aggregation_interval,
                log_destination_type="s3",
                log_destination=settings.s3_bucket_arn,
                tags=tags,
                opts=child_options(self, provider),
            )
        group = encrypted_log_group(
            self,
            f"{name}-flow-logs",
            log_group_name=args.flow_log_group_name,
            retention_days=settings.retention_days,
            key_arn=args.logs_key_arn,
            retain_on_delete=args.production,  # audit records (L8)
            provider=provider,
        )
        role = aws.iam.Role(
            args.flow_log_role_name,
            description=f"VPC flow logs of {args.name_prefix} into {args.flow_log_group_name}",
            assume_role_policy=iam.to_json(
                iam.flow_logs_trust_policy(
                    partition=args.partition, region=args.region, account_id=args.account_id
                )
            ),
            opts=child_options(self, provider),
        )
        delivery = aws.iam.RolePolicy(
            f"{args.flow_log_role_name}-delivery",
            role=role.name,
            policy=group.arn.apply(lambda arn: iam.to_json(iam.flow_logs_delivery_policy(arn))),
            opts=child_options(self, provider),
        )
        return aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=vpc.id,
            traffic_type=settings.traffic_type,
            max_aggregation_interval=settings.max_aggregation_interval,
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags=tags,
            opts=child_options(self, provider, depends_on=[delivery]),
        )
