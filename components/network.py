"""The stage's VPC: public and private subnets across zones, NAT, and an S3 endpoint."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy.config.models import NatMode
from argosy.manifests.network import SubnetLayout
from argosy.manifests.zones import pick_zone
from components._options import child_options

#: Subnet tags the AWS Load Balancer Controller discovers subnets by.
PUBLIC_ELB_TAG = {"kubernetes.io/role/elb": "1"}
PRIVATE_ELB_TAG = {"kubernetes.io/role/internal-elb": "1"}


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
        provider: The stage's AWS provider.
    """

    name_prefix: str
    region: str
    vpc_cidr: str
    layout: SubnetLayout
    nat_mode: NatMode
    reverse_dns_prefix: str
    provider: aws.Provider


class Network(pulumi.ComponentResource):
    """A VPC with one public and one private subnet per zone.

    Nodes and the EKS control plane's network interfaces live in the private subnets and
    reach the internet through NAT gateways; the public subnets hold only NAT gateways and
    internet-facing load balancers. Every private subnet has its own route table, so that
    switching between one NAT gateway and one per zone changes routes, not associations.
    S3 traffic (image layers from ECR among it) takes a free gateway endpoint instead of NAT.
    """

    vpc_id: pulumi.Output[str]
    """The VPC's ID."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnet IDs, in zone order."""
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
            private = subnet("private", suffix, args.layout.private[i], zone, PRIVATE_ELB_TAG)
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
        for i, routes in enumerate(private_routes):
            suffix = chr(ord("a") + i)
            aws.ec2.Route(
                f"{name}-private-{suffix}-default",
                route_table_id=routes.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat_gateways[i % nat_count].id,
                opts=child_options(self, provider),
            )

        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"{args.reverse_dns_prefix}.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[r.id for r in private_routes],
            tags={"Name": f"{args.name_prefix}-s3"},
            opts=child_options(self, provider),
        )

        self.vpc_id = vpc.id
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
