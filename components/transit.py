"""The network path from a self-hosted hub's Argo CD to its spokes' private API endpoints.

A spoke's private EKS endpoint answers only inside networks joined to its VPC; the EKS
capability needs no path (AWS reaches private clusters itself), a self-hosted Argo CD does
(ARCHITECTURE.md, "Who touches what"). argosy joins the hub's VPC to each spoke's through a
Transit Gateway the hub owns and shares with the spokes' accounts:

- why not VPC peering: a cross-account peering is requested by one account and accepted by
  the other, by ID, so each side's stack would need the other's output first (hub → spoke →
  hub for every new spoke); with a shared Transit Gateway the hub never needs the spoke's
  network and the spoke finds the gateway by its owner;
- why not peering for cost: peering has no hourly charge, a Transit Gateway charges per
  attachment-hour and per GB (README, "The network path and its cost").

Both sides are AWS-only (rule P2): the hub's stack creates the gateway, shares it (AWS RAM,
within the AWS Organization, where RAM accepts shares without a step in the spoke account),
attaches its VPC and routes each spoke's range to it; each spoke's stack attaches its VPC,
routes the hub's range, and admits HTTPS from the hub's range on its cluster security group
(EKS user guide, "Cluster API server endpoint": "ensure that your Amazon EKS control plane
security group contains rules to allow ingress traffic on port 443 from your connected
network").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy import naming
from components._options import child_options

#: The filter by which a spoke finds the hub's gateway. Tags of a shared resource are not
#: visible in the accounts it is shared with, so the owner is what identifies it.
_OWNER_FILTER = "owner-id"


@dataclass(frozen=True, kw_only=True)
class SpokeNetwork:
    """What the hub's side needs about a spoke's network, from the spoke's stack file.

    Attributes:
        stage: The spoke.
        account_id: Its account, which the gateway is shared with.
        vpc_cidr: Its VPC's range, routed to the gateway.
    """

    stage: str
    account_id: str
    vpc_cidr: str


@dataclass(frozen=True, kw_only=True)
class HubTransitArgs:
    """Arguments of :class:`HubTransit`.

    Attributes:
        stage: The hub; names the gateway.
        spokes: The spokes to reach.
        vpc_id: The hub's VPC.
        private_subnet_ids: Where the attachment's interfaces go, one per zone.
        private_route_table_ids: The hub's private route tables, which get a route per spoke.
        provider: The hub's AWS provider.
    """

    stage: str
    spokes: Sequence[SpokeNetwork]
    vpc_id: pulumi.Input[str]
    private_subnet_ids: pulumi.Input[Sequence[str]]
    private_route_table_ids: Sequence[pulumi.Input[str]]
    provider: aws.Provider


class HubTransit(pulumi.ComponentResource):
    """The hub's Transit Gateway, shared with the spokes' accounts, and the hub's routes."""

    transit_gateway_id: pulumi.Output[str]
    """The gateway's ID."""

    def __init__(
        self, name: str, args: HubTransitArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:network:HubTransit", name, None, opts)
        provider = args.provider
        gateway = aws.ec2transitgateway.TransitGateway(
            name,
            description=f"argosy {args.stage}: Argo CD to the spokes' cluster endpoints",
            # Spoke attachments need no acceptance step in the hub; the default route table
            # associates and propagates every attachment, so VPC ranges are routed both ways.
            auto_accept_shared_attachments="enable",
            default_route_table_association="enable",
            default_route_table_propagation="enable",
            dns_support="enable",
            tags={"Name": naming.transit_gateway_name(args.stage)},
            opts=child_options(self, provider),
        )
        share = aws.ram.ResourceShare(
            name,
            name=naming.transit_gateway_name(args.stage),
            # Only accounts of the hub's AWS Organization: no invitation to accept, and no
            # account outside it can be added by mistake.
            allow_external_principals=False,
            opts=child_options(self, provider),
        )
        aws.ram.ResourceAssociation(
            name,
            resource_arn=gateway.arn,
            resource_share_arn=share.arn,
            opts=child_options(self, provider),
        )
        for account in sorted({s.account_id for s in args.spokes}):
            aws.ram.PrincipalAssociation(
                f"{name}-{account}",
                principal=account,
                resource_share_arn=share.arn,
                opts=child_options(self, provider),
            )
        attachment = _attach(
            self, name, gateway_id=gateway.id, vpc_id=args.vpc_id,
            subnet_ids=args.private_subnet_ids, hub=args.stage, stage=args.stage,
            provider=provider,
        )  # fmt: skip
        for spoke in sorted(args.spokes, key=lambda s: s.stage):
            _route(
                self, f"{name}-{spoke.stage}", route_table_ids=args.private_route_table_ids,
                cidr=spoke.vpc_cidr, gateway_id=gateway.id, attachment=attachment,
                provider=provider,
            )  # fmt: skip
        self.transit_gateway_id = gateway.id
        self.register_outputs({"transitGatewayId": self.transit_gateway_id})


@dataclass(frozen=True, kw_only=True)
class SpokeTransitArgs:
    """Arguments of :class:`SpokeTransit`.

    Attributes:
        stage: The spoke.
        hub_stage: The hub, whose gateway this joins.
        hub_account_id: The hub's account, which owns the gateway.
        hub_vpc_cidr: The hub's VPC range: routed to the gateway, admitted on 443.
        vpc_id: The spoke's VPC.
        private_subnet_ids: Where the attachment's interfaces go, one per zone.
        private_route_table_ids: The spoke's private route tables.
        cluster_security_group_id: The EKS cluster security group (on the API endpoint's
            interfaces).
        provider: The spoke's AWS provider.
    """

    stage: str
    hub_stage: str
    hub_account_id: str
    hub_vpc_cidr: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: pulumi.Input[Sequence[str]]
    private_route_table_ids: Sequence[pulumi.Input[str]]
    cluster_security_group_id: pulumi.Input[str]
    provider: aws.Provider


class SpokeTransit(pulumi.ComponentResource):
    """A spoke's side: its attachment to the hub's gateway, the route back, the 443 rule.

    The gateway is found by its owner, the hub's account (it must be shared first: deploy
    the hub before the spoke). The lookup is an AWS read in the spoke's own account.
    """

    def __init__(
        self, name: str, args: SpokeTransitArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:network:SpokeTransit", name, None, opts)
        provider = args.provider
        gateway = aws.ec2transitgateway.get_transit_gateway_output(
            filters=[
                aws.ec2transitgateway.GetTransitGatewayFilterArgs(
                    name=_OWNER_FILTER, values=[args.hub_account_id]
                ),
                aws.ec2transitgateway.GetTransitGatewayFilterArgs(
                    name="state", values=["available"]
                ),
            ],
            opts=pulumi.InvokeOutputOptions(parent=self, provider=provider),
        )
        attachment = _attach(
            self, name, gateway_id=gateway.id, vpc_id=args.vpc_id,
            subnet_ids=args.private_subnet_ids, hub=args.hub_stage, stage=args.stage,
            provider=provider,
        )  # fmt: skip
        _route(
            self, f"{name}-{args.hub_stage}", route_table_ids=args.private_route_table_ids,
            cidr=args.hub_vpc_cidr, gateway_id=gateway.id, attachment=attachment,
            provider=provider,
        )  # fmt: skip
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-api",
            security_group_id=args.cluster_security_group_id,
            cidr_ipv4=args.hub_vpc_cidr,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description=f"Kubernetes API from {args.hub_stage}'s Argo CD",
            opts=child_options(self, provider),
        )
        self.register_outputs({})


def _attach(
    parent: pulumi.Resource,
    name: str,
    *,
    gateway_id: pulumi.Input[str],
    vpc_id: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[str]],
    hub: str,
    stage: str,
    provider: aws.Provider,
) -> aws.ec2transitgateway.VpcAttachment:
    """``stage``'s VPC attached to ``hub``'s gateway, in its private subnets."""
    return aws.ec2transitgateway.VpcAttachment(
        name,
        transit_gateway_id=gateway_id,
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        dns_support="enable",
        tags={"Name": f"{naming.transit_gateway_name(hub)}-{stage}"},
        opts=child_options(parent, provider),
    )


def _route(
    parent: pulumi.Resource,
    name: str,
    *,
    route_table_ids: Sequence[pulumi.Input[str]],
    cidr: str,
    gateway_id: pulumi.Input[str],
    attachment: aws.ec2transitgateway.VpcAttachment,
    provider: aws.Provider,
) -> None:
    """``cidr`` through the gateway from every private route table, once attached."""
    for i, table in enumerate(route_table_ids):
        aws.ec2.Route(
            f"{name}-{chr(ord('a') + i)}",
            route_table_id=table,
            destination_cidr_block=cidr,
            transit_gateway_id=gateway_id,
            # A route to a gateway the VPC is not attached to yet is refused.
            opts=child_options(parent, provider, depends_on=[attachment]),
        )
