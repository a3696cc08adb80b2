"""Realistic, deterministic answers for resources and invokes in an offline plan.

The mocks play the part of the providers: each resource gets the ID and outputs its real
provider would give it (ARNs in the stage's account and partition, EKS endpoints and OIDC
issuers, AWS-shaped IDs), derived from a hash of the stack, type and name, so that strings
built from outputs render as they would live and two plans are byte-identical.

Invokes are answered from the stage's config. An invoke the mocks do not know is an error,
never an empty answer: a plan that silently fed ``{}`` to the program would hide a bug.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import Mocks
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from argosy.config import regions
from argosy.config.regions import dns_suffix_of, partition_of
from argosy.plan.monitor import SECRET_SIG, SIG_KEY

#: EKS assigns new clusters the newest platform version; any stable value serves a plan.
EKS_PLATFORM_VERSION = "eks.1"

#: The Argo CD version the EKS capability reports in the offline plan. AWS chooses it; a real
#: preview shows the live value (capability ``version``), which SECURITY.md A7 asks to check.
MANAGED_ARGOCD_VERSION = "3.5.1-eks-1"

#: When :data:`ADDON_VERSIONS` was last compared with EKS's answers.
ADDON_VERSIONS_REVIEWED_ON = "2026-11-21"
#: What ``eks:DescribeAddonVersions`` answered as the most recent compatible version, per
#: add-on and Kubernetes version, so that the offline plan shows what a real preview would
#: resolve. kube-proxy and coredns: the EKS user guide's version tables ("Manage kube-proxy",
#: "Manage CoreDNS"), which list 1.36. The other three publish no per-version table: their
#: entries are the newest builds seen in EKS's release notes and the add-ons' changelogs, and
#: a real ``pulumi preview`` may show a newer build. An add-on left out here fails the plan.
_LATEST_VPC_CNI = "v1.22.2-eksbuild.1"
_LATEST_EBS_CSI = "v1.64.0-eksbuild.1"
_LATEST_POD_IDENTITY_AGENT = "v1.3.10-eksbuild.2"
ADDON_VERSIONS: dict[tuple[str, str], str] = {
    **{("vpc-cni", k): _LATEST_VPC_CNI for k in ("1.32", "1.33", "1.34", "1.35", "1.36")},
    **{
        ("aws-ebs-csi-driver", k): _LATEST_EBS_CSI for k in ("1.32", "1.33", "1.34", "1.35", "1.36")
    },
    **{
        ("eks-pod-identity-agent", k): _LATEST_POD_IDENTITY_AGENT
        for k in ("1.32", "1.33", "1.34", "1.35", "1.36")
    },
    ("kube-proxy", "1.32"): "v1.32.13-eksbuild.16",
    ("kube-proxy", "1.33"): "v1.33.10-eksbuild.13",
    ("kube-proxy", "1.34"): "v1.34.6-eksbuild.13",
    ("kube-proxy", "1.35"): "v1.35.3-eksbuild.13",
    ("kube-proxy", "1.36"): "v1.36.0-eksbuild.14",
    ("coredns", "1.32"): "v1.11.4-eksbuild.40",
    ("coredns", "1.33"): "v1.12.4-eksbuild.18",
    ("coredns", "1.34"): "v1.13.2-eksbuild.11",
    ("coredns", "1.35"): "v1.14.3-eksbuild.3",
    ("coredns", "1.36"): "v1.14.3-eksbuild.3",
}


class UnmockedInvokeError(Exception):
    """The program called an invoke the offline plan cannot answer."""


@dataclass(frozen=True, kw_only=True)
class AwsContext:
    """The account the stage's AWS provider is confined to."""

    account_id: str
    region: str
    deploy_role_arn: str

    @property
    def partition(self) -> str:
        """The region's partition."""
        return partition_of(self.region)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _name_servers(zone_id: str) -> list[str]:
    """Four Route 53 name servers, one per top-level domain, as Route 53 assigns a zone."""
    number = int(_digest(zone_id)[:6], 16)
    return [
        f"ns-{(number + i * 509) % 2048}.awsdns-{(number + i * 7) % 64:02d}.{tld}"
        for i, tld in enumerate(("com", "net", "org", "co.uk"))
    ]


class PlanMocks(Mocks):
    """Mocks for one stack: resource outputs and invoke answers, all deterministic.

    Args:
        stack: The stack being planned; part of every hash so stacks differ.
        aws: The stage's account, or ``None`` for a stage without AWS (then any AWS invoke
            is an error).
        stack_outputs: The outputs of the stacks the program reads (StackReference), by
            fully qualified stack name: the offline plan plans those stacks first.
    """

    def __init__(
        self,
        *,
        stack: str,
        aws: AwsContext | None,
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.stack = stack
        self.aws = aws
        self.stack_outputs = dict(stack_outputs or {})
        self.invokes: list[tuple[str, str]] = []
        self._resource_rules: dict[
            str, Callable[[MockResourceArgs, str], tuple[str, dict[str, Any]]]
        ] = {
            "aws:ec2/vpc:Vpc": self._vpc,
            "aws:ec2/subnet:Subnet": self._ec2_with_arn("subnet", "subnet"),
            "aws:ec2/internetGateway:InternetGateway": self._ec2_with_arn(
                "igw", "internet-gateway"
            ),
            "aws:ec2/eip:Eip": self._eip,
            "aws:ec2/natGateway:NatGateway": self._nat_gateway,
            "aws:ec2/routeTable:RouteTable": self._ec2_with_arn("rtb", "route-table"),
            "aws:ec2/route:Route": self._route,
            "aws:ec2/routeTableAssociation:RouteTableAssociation": self._simple_id("rtbassoc"),
            "aws:ec2/vpcEndpoint:VpcEndpoint": self._ec2_with_arn("vpce", "vpc-endpoint"),
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": self._ec2_with_arn(
                "sg", "security-group"
            ),
            "aws:ec2/launchTemplate:LaunchTemplate": self._launch_template,
            "aws:iam/role:Role": self._iam_role,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": self._policy_attachment,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": self._oidc_provider,
            "aws:kms/key:Key": self._kms_key,
            "aws:kms/alias:Alias": self._kms_alias,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:eks/cluster:Cluster": self._eks_cluster,
            "aws:eks/nodeGroup:NodeGroup": self._eks_node_group,
            "aws:eks/addon:Addon": self._eks_addon,
            "aws:eks/accessEntry:AccessEntry": self._eks_access_entry,
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": self._eks_access_policy,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation": self._pod_identity,
            "aws:ec2/flowLog:FlowLog": self._flow_log,
            "aws:ebs/encryptionByDefault:EncryptionByDefault": self._regional_setting,
            "aws:ebs/defaultKmsKey:DefaultKmsKey": self._regional_setting,
            "aws:ec2/securityGroup:SecurityGroup": self._ec2_with_arn("sg", "security-group"),
            "aws:eks/capability:Capability": self._eks_capability,
            "aws:cloudwatch/logDeliverySource:LogDeliverySource": self._log_delivery(
                "delivery-source"
            ),
            "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": self._log_delivery(
                "delivery-destination"
            ),
            "aws:cloudwatch/logDelivery:LogDelivery": self._log_delivery("delivery"),
            "aws:ec2transitgateway/transitGateway:TransitGateway": self._transit_gateway,
            "aws:ec2transitgateway/vpcAttachment:VpcAttachment": self._ec2_with_arn(
                "tgw-attach", "transit-gateway-attachment"
            ),
            "aws:ram/resourceShare:ResourceShare": self._resource_share,
            "aws:ram/resourceAssociation:ResourceAssociation": self._simple_id("rassoc"),
            "aws:ram/principalAssociation:PrincipalAssociation": self._simple_id("passoc"),
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": self._ec2_with_arn(
                "sgr", "security-group-rule"
            ),
            "aws:s3/bucket:Bucket": self._s3_bucket,
            "aws:sqs/queue:Queue": self._sqs_queue,
            "aws:sqs/queuePolicy:QueuePolicy": self._sqs_queue_policy,
            "aws:cloudwatch/eventRule:EventRule": self._event_rule,
            "aws:cloudwatch/eventTarget:EventTarget": self._event_target,
            "aws:route53/zone:Zone": self._route53_zone,
            "aws:route53/record:Record": self._route53_record,
            "aws:acm/certificate:Certificate": self._acm_certificate,
            "aws:acm/certificateValidation:CertificateValidation": self._acm_validation,
            "aws:amp/workspace:Workspace": self._amp_workspace,
            "aws:amp/scraper:Scraper": self._amp_scraper,
            "aws:secretsmanager/secret:Secret": self._secret,
            "aws:secretsmanager/secretVersion:SecretVersion": self._secret_version,
            "aws:rds/subnetGroup:SubnetGroup": self._rds_subnet_group,
            "aws:rds/cluster:Cluster": self._rds_cluster,
            "aws:rds/clusterInstance:ClusterInstance": self._rds_cluster_instance,
            "aws:rds/instance:Instance": self._rds_instance,
            "random:index/randomPassword:RandomPassword": self._random_password,
        }

    # -- helpers ---------------------------------------------------------------------

    def _hex(self, args: MockResourceArgs, length: int) -> str:
        return _digest(self.stack, args.typ, args.name)[:length]

    def _uuid(self, args: MockResourceArgs) -> str:
        return str(uuid.UUID(_digest(self.stack, args.typ, args.name)[:32]))

    def _require_aws(self) -> AwsContext:
        if self.aws is None:
            raise UnmockedInvokeError("an AWS resource or invoke in a stage without AWS")
        return self.aws

    def _arn(self, service: str, resource: str, *, region: bool = True) -> str:
        aws = self._require_aws()
        where = aws.region if region else ""
        return f"arn:{aws.partition}:{service}:{where}:{aws.account_id}:{resource}"

    def _autoname(self, args: MockResourceArgs, key: str = "name") -> str:
        """The physical name: as given, or Pulumi's ``<logical>-<7 characters>`` auto-name."""
        given = args.inputs.get(key)
        return given if isinstance(given, str) and given else f"{args.name}-{self._hex(args, 7)}"

    def _simple_id(
        self, prefix: str
    ) -> Callable[[MockResourceArgs, str], tuple[str, dict[str, Any]]]:
        def answer(args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
            return f"{prefix}-{self._hex(args, 17)}", dict(args.inputs)

        return answer

    def _ec2_with_arn(
        self, prefix: str, arn_kind: str
    ) -> Callable[[MockResourceArgs, str], tuple[str, dict[str, Any]]]:
        def answer(args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
            ident = f"{prefix}-{self._hex(args, 17)}"
            state = {
                **args.inputs,
                "arn": self._arn("ec2", f"{arn_kind}/{ident}"),
                "ownerId": self._require_aws().account_id,
            }
            return ident, state

        return answer

    # -- EC2 ---------------------------------------------------------------------------

    def _vpc(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = f"vpc-{self._hex(args, 17)}"
        return ident, {
            **args.inputs,
            "arn": self._arn("ec2", f"vpc/{ident}"),
            "ownerId": self._require_aws().account_id,
            "defaultSecurityGroupId": f"sg-{_digest(ident, 'sg')[:17]}",
            "mainRouteTableId": f"rtb-{_digest(ident, 'rtb')[:17]}",
            "defaultNetworkAclId": f"acl-{_digest(ident, 'acl')[:17]}",
        }

    def _eip(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = f"eipalloc-{self._hex(args, 17)}"
        # Addresses from TEST-NET-3 (RFC 5737): realistic in shape, never a real host.
        octet = int(self._hex(args, 2), 16) % 254 + 1
        return ident, {
            **args.inputs,
            "allocationId": ident,
            "publicIp": f"203.0.113.{octet}",
            "arn": self._arn("ec2", f"elastic-ip/{ident}"),
        }

    def _nat_gateway(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = f"nat-{self._hex(args, 17)}"
        return ident, {**args.inputs, "networkInterfaceId": f"eni-{self._hex(args, 17)}"}

    def _route(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        table = args.inputs.get("routeTableId", "rtb")
        destination = args.inputs.get("destinationCidrBlock", "")
        return f"r-{table}{_digest(destination)[:10]}", dict(args.inputs)

    def _launch_template(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = f"lt-{self._hex(args, 17)}"
        return ident, {
            **args.inputs,
            "name": self._autoname(args),
            "latestVersion": 1,
            "defaultVersion": 1,
            "arn": self._arn("ec2", f"launch-template/{ident}"),
        }

    def _flow_log(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = f"fl-{self._hex(args, 17)}"
        return ident, {**args.inputs, "arn": self._arn("ec2", f"vpc-flow-log/{ident}")}

    def _regional_setting(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        # Account-and-region settings: the provider uses the region as their ID.
        return self._require_aws().region, dict(args.inputs)

    # -- IAM ---------------------------------------------------------------------------

    def _iam_role(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        path = args.inputs.get("path", "/")
        return name, {
            **args.inputs,
            "name": name,
            "arn": self._arn("iam", f"role{path}{name}", region=False),
            "uniqueId": "AROA" + self._hex(args, 17).upper(),
        }

    def _policy_attachment(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        return f"{args.inputs.get('role')}-{self._hex(args, 20)}", dict(args.inputs)

    def _role_policy(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return f"{args.inputs.get('role')}:{name}", {**args.inputs, "name": name}

    def _oidc_provider(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        url = str(args.inputs.get("url", "")).removeprefix("https://")
        arn = self._arn("iam", f"oidc-provider/{url}", region=False)
        return arn, {**args.inputs, "arn": arn}

    # -- KMS and logs ------------------------------------------------------------------

    def _kms_key(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        key_id = self._uuid(args)
        return key_id, {**args.inputs, "keyId": key_id, "arn": self._arn("kms", f"key/{key_id}")}

    def _kms_alias(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {**args.inputs, "name": name, "arn": self._arn("kms", name)}

    def _log_group(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {**args.inputs, "name": name, "arn": self._arn("logs", f"log-group:{name}")}

    # -- S3, SQS, EventBridge -----------------------------------------------------------

    def _s3_bucket(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        aws = self._require_aws()
        name = self._autoname(args, "bucket")
        return name, {
            **args.inputs,
            "bucket": name,
            "arn": f"arn:{aws.partition}:s3:::{name}",
            "region": aws.region,
            "bucketDomainName": f"{name}.s3.{dns_suffix_of(aws.partition)}",
            "bucketRegionalDomainName": (f"{name}.s3.{aws.region}.{dns_suffix_of(aws.partition)}"),
        }

    def _sqs_queue(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        aws = self._require_aws()
        name = self._autoname(args)
        url = f"https://sqs.{aws.region}.{dns_suffix_of(aws.partition)}/{aws.account_id}/{name}"
        # The provider uses the queue's URL as its ID.
        return url, {**args.inputs, "name": name, "url": url, "arn": self._arn("sqs", name)}

    def _sqs_queue_policy(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        return str(args.inputs.get("queueUrl", "")), dict(args.inputs)

    def _event_rule(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {**args.inputs, "name": name, "arn": self._arn("events", f"rule/{name}")}

    def _event_target(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        rule = args.inputs.get("rule", "")
        return f"{rule}-{args.inputs.get('targetId', '')}", dict(args.inputs)

    # -- Route 53 and ACM ----------------------------------------------------------------

    def _zone_id(self, seed: str) -> str:
        # Route 53 zone IDs: Z and 20 capital letters and digits.
        return "Z" + _digest(self.stack, "zone", seed)[:20].upper()

    def _route53_zone(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        self._require_aws()
        ident = self._zone_id(args.name)
        return ident, {
            **args.inputs,
            "zoneId": ident,
            "arn": f"arn:{self._require_aws().partition}:route53:::hostedzone/{ident}",
            "nameServers": _name_servers(ident),
            "primaryNameServer": _name_servers(ident)[0],
        }

    def _route53_record(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = str(args.inputs.get("name", args.name)).rstrip(".")
        zone = args.inputs.get("zoneId", "Z")
        return f"{zone}_{name}_{args.inputs.get('type', '')}", {**args.inputs, "fqdn": name}

    def _acm_certificate(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        arn = self._arn("acm", f"certificate/{self._uuid(args)}")
        names = [
            str(args.inputs.get("domainName", "")),
            *[str(n) for n in args.inputs.get("subjectAlternativeNames") or []],
        ]
        return arn, {
            **args.inputs,
            "arn": arn,
            "status": "PENDING_VALIDATION",
            # ACM gives a domain and its wildcard the same record (derived from the base name).
            "domainValidationOptions": [
                {
                    "domainName": name,
                    "resourceRecordName": (
                        f"_{_digest(self.stack, 'acm', name.removeprefix('*.'))[:32]}."
                        f"{name.removeprefix('*.')}."
                    ),
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": (
                        f"_{_digest(self.stack, 'acm-value', name.removeprefix('*.'))[:32]}."
                        f"{_digest(self.stack, 'acm-zone')[:10]}.acm-validations.aws."
                    ),
                }
                for name in names
            ],
        }

    def _acm_validation(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        # The provider's ID is the time of issue; the ARN is what readers use.
        return "2026-01-01 00:00:00 +0000 UTC", dict(args.inputs)

    # -- Amazon Managed Service for Prometheus ----------------------------------------

    def _amp_workspace(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        aws = self._require_aws()
        ident = f"ws-{self._uuid(args)}"
        return ident, {
            **args.inputs,
            "arn": self._arn("aps", f"workspace/{ident}"),
            "prometheusEndpoint": (
                f"https://aps-workspaces.{aws.region}.{dns_suffix_of(aws.partition)}"
                f"/workspaces/{ident}/"
            ),
        }

    def _amp_scraper(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        aws = self._require_aws()
        ident = f"s-{self._uuid(args)}"
        suffix = self._hex(args, 12)
        return ident, {
            **args.inputs,
            "arn": self._arn("aps", f"scraper/{ident}"),
            # The service-linked role AMP makes for each scraper.
            "roleArn": (
                f"arn:{aws.partition}:iam::{aws.account_id}:role/aws-service-role/"
                f"scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_"
                f"{suffix[:7]}-{suffix[7:]}"
            ),
        }

    # -- Secrets Manager ------------------------------------------------------------------

    def _secret(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        # Secrets Manager appends six random characters to a secret's ARN.
        arn = self._arn("secretsmanager", f"secret:{name}-{self._hex(args, 6)}")
        return arn, {**args.inputs, "name": name, "arn": arn}

    def _secret_version(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        version = self._uuid(args)
        secret = str(args.inputs.get("secretId", ""))
        return f"{secret}|{version}", {
            **args.inputs,
            "arn": secret,
            "versionId": version,
            "versionStages": ["AWSCURRENT"],
        }

    # -- RDS ------------------------------------------------------------------------------

    def _rds_host(self, args: MockResourceArgs, ident: str, kind: str = "") -> str:
        aws = self._require_aws()
        return (
            f"{ident}.{kind}{_digest(self.stack, 'rds')[:12]}.{aws.region}.rds."
            f"{dns_suffix_of(aws.partition)}"
        )

    def _rds_subnet_group(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {**args.inputs, "name": name, "arn": self._arn("rds", f"subgrp:{name}")}

    def _rds_cluster(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = self._autoname(args, "clusterIdentifier")
        return ident, {
            **args.inputs,
            "clusterIdentifier": ident,
            "arn": self._arn("rds", f"cluster:{ident}"),
            "endpoint": self._rds_host(args, ident, "cluster-"),
            "readerEndpoint": self._rds_host(args, ident, "cluster-ro-"),
            "port": 5432,
            "clusterResourceId": "cluster-" + self._hex(args, 26).upper(),
            "engineVersionActual": args.inputs.get("engineVersion"),
        }

    def _rds_cluster_instance(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = self._autoname(args, "identifier")
        return ident, {
            **args.inputs,
            "identifier": ident,
            "arn": self._arn("rds", f"db:{ident}"),
            "endpoint": self._rds_host(args, ident),
            "port": 5432,
            "writer": True,
            "dbiResourceId": "db-" + self._hex(args, 26).upper(),
        }

    def _rds_instance(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        ident = self._autoname(args, "identifier")
        address = self._rds_host(args, ident)
        resource_id = "db-" + self._hex(args, 26).upper()
        return resource_id, {
            **args.inputs,
            "identifier": ident,
            "arn": self._arn("rds", f"db:{ident}"),
            "address": address,
            "endpoint": f"{address}:5432",
            "port": 5432,
            "resourceId": resource_id,
        }

    # -- random -----------------------------------------------------------------------------

    def _random_password(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        # A stand-in, marked secret as the provider marks it: it shows as [secret] in the
        # plan like the real one. Never a real credential.
        fake = "plan-only-" + self._hex(args, 22)
        return "none", {
            **args.inputs,
            "result": {SIG_KEY: SECRET_SIG, "value": fake},
            "bcryptHash": {SIG_KEY: SECRET_SIG, "value": "$2a$10$" + self._hex(args, 53)},
        }

    # -- EKS ---------------------------------------------------------------------------

    def _eks_cluster(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        aws = self._require_aws()
        name = self._autoname(args)
        ident = self._hex(args, 32).upper()
        suffix = dns_suffix_of(aws.partition)
        certificate = (
            "-----BEGIN CERTIFICATE-----\n"
            + base64.b64encode(hashlib.sha512(ident.encode()).digest() * 4).decode()
            + "\n-----END CERTIFICATE-----\n"
        )
        vpc_config = dict(args.inputs.get("vpcConfig") or {})
        vpc_config.update(
            clusterSecurityGroupId=f"sg-{_digest(ident, 'cluster-sg')[:17]}",
            vpcId=f"vpc-{_digest(ident, 'vpc')[:17]}",
        )
        return name, {
            **args.inputs,
            "name": name,
            "arn": self._arn("eks", f"cluster/{name}"),
            "endpoint": f"https://{ident}.gr7.{aws.region}.eks.{suffix}",
            "certificateAuthority": {"data": base64.b64encode(certificate.encode()).decode()},
            "identities": [
                {"oidcs": [{"issuer": f"https://oidc.eks.{aws.region}.{suffix}/id/{ident}"}]}
            ],
            "platformVersion": EKS_PLATFORM_VERSION,
            "status": "ACTIVE",
            "vpcConfig": vpc_config,
        }

    def _eks_node_group(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        cluster = args.inputs.get("clusterName", "cluster")
        name = self._autoname(args, "nodeGroupName")
        return f"{cluster}:{name}", {
            **args.inputs,
            "nodeGroupName": name,
            "arn": self._arn("eks", f"nodegroup/{cluster}/{name}/{self._uuid(args)}"),
            "status": "ACTIVE",
            "resources": [{"autoscalingGroups": [{"name": f"eks-{name}-{self._uuid(args)}"}]}],
        }

    def _eks_addon(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        cluster = args.inputs.get("clusterName", "cluster")
        addon = args.inputs.get("addonName", args.name)
        return f"{cluster}:{addon}", {
            **args.inputs,
            "arn": self._arn("eks", f"addon/{cluster}/{addon}/{self._uuid(args)}"),
        }

    def _eks_access_entry(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        cluster = args.inputs.get("clusterName", "cluster")
        principal = args.inputs.get("principalArn", "")
        return f"{cluster}:{principal}", {
            **args.inputs,
            "accessEntryArn": self._arn("eks", f"access-entry/{cluster}/role/{self._uuid(args)}"),
            "type": args.inputs.get("type", "STANDARD"),
        }

    def _eks_access_policy(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        cluster = args.inputs.get("clusterName", "cluster")
        return (
            f"{cluster}#{args.inputs.get('principalArn')}#{args.inputs.get('policyArn')}",
            dict(args.inputs),
        )

    def _eks_capability(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        cluster = args.inputs.get("clusterName", "cluster")
        name = args.inputs.get("capabilityName", args.name)
        aws = self._require_aws()
        return f"{cluster},{name}", {
            **args.inputs,
            "arn": self._arn("eks", f"capability/{cluster}/{name}/{self._uuid(args)}"),
            # What EKS reports for the Argo CD it runs; AWS chooses and upgrades it.
            "version": MANAGED_ARGOCD_VERSION,
            "serverUrl": f"https://{self._hex(args, 12)}.eks-capabilities.{aws.region}."
            f"{dns_suffix_of(aws.partition)}",
        }

    def _log_delivery(
        self, kind: str
    ) -> Callable[[MockResourceArgs, str], tuple[str, dict[str, Any]]]:
        def answer(args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
            name = self._autoname(args)
            ident = name if kind != "delivery" else self._hex(args, 16)
            return ident, {
                **args.inputs,
                "name": name,
                "arn": self._arn("logs", f"{kind}:{ident}"),
            }

        return answer

    def _pod_identity(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        cluster = args.inputs.get("clusterName", "cluster")
        association = f"a-{self._hex(args, 17)}"
        return f"{cluster},{association}", {
            **args.inputs,
            "associationId": association,
            "associationArn": self._arn("eks", f"podidentityassociation/{cluster}/{association}"),
        }

    # -- Transit Gateway, RAM, stack references ----------------------------------------

    def _transit_gateway_id(self, owner: str) -> str:
        # From the owner alone: the spoke's lookup answers with the ID the hub's plan shows.
        return f"tgw-{_digest('transit-gateway', owner)[:17]}"

    def _transit_gateway(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        aws = self._require_aws()
        ident = self._transit_gateway_id(aws.account_id)
        return ident, {
            **args.inputs,
            "arn": self._arn("ec2", f"transit-gateway/{ident}"),
            "ownerId": aws.account_id,
            "associationDefaultRouteTableId": f"tgw-rtb-{_digest(ident, 'rtb')[:17]}",
            "propagationDefaultRouteTableId": f"tgw-rtb-{_digest(ident, 'rtb')[:17]}",
        }

    def _resource_share(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        arn = self._arn("ram", f"resource-share/{self._uuid(args)}")
        return arn, {**args.inputs, "arn": arn, "status": "ACTIVE"}

    def _stack_reference(self, args: MockResourceArgs, _: str) -> tuple[str, dict[str, Any]]:
        name = str(args.inputs.get("name"))
        outputs = self.stack_outputs.get(name)
        if outputs is None:
            raise UnmockedInvokeError(
                f"the offline plan has no outputs for stack {name}: plan it first"
            )
        return name, {"name": name, "outputs": dict(outputs), "secretOutputNames": []}

    def _get_transit_gateway(self, args: Mapping[str, Any]) -> dict[str, Any]:
        aws = self._require_aws()
        filters = {f.get("name"): f.get("values") for f in args.get("filters") or []}
        owners = filters.get("owner-id") or []
        if len(owners) != 1:
            raise UnmockedInvokeError("getTransitGateway is answered by owner-id only")
        ident = self._transit_gateway_id(str(owners[0]))
        return {
            "id": ident,
            "arn": f"arn:{aws.partition}:ec2:{aws.region}:{owners[0]}:transit-gateway/{ident}",
            "ownerId": owners[0],
            "autoAcceptSharedAttachments": "enable",
            "defaultRouteTableAssociation": "enable",
            "defaultRouteTablePropagation": "enable",
            "dnsSupport": "enable",
            "filters": args.get("filters"),
        }

    # -- Mocks interface ---------------------------------------------------------------

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Answer a registration with the ID and outputs its provider would return."""
        if args.typ == "pulumi:pulumi:StackReference":
            # A read: the SDK's mock monitor does not mark reads custom.
            return self._stack_reference(args, args.typ)
        if not args.custom:
            return None, {}
        rule = self._resource_rules.get(args.typ)
        if rule is not None:
            return rule(args, args.typ)
        if args.typ.startswith("pulumi:providers:"):
            return self._uuid(args), dict(args.inputs)
        if args.typ.startswith("kubernetes:"):
            metadata = args.inputs.get("metadata") or {}
            name = metadata.get("name") or args.inputs.get("name") or args.name
            namespace = metadata.get("namespace") or args.inputs.get("namespace")
            return (f"{namespace}/{name}" if namespace else str(name)), dict(args.inputs)
        # A type without a rule still gets a stable, clearly synthetic ID.
        return f"{args.name}-{self._hex(args, 12)}", dict(args.inputs)

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        """Answer an invoke from the stage's config; refuse any invoke not known here."""
        self.invokes.append((args.token, args.provider or ""))
        answer = self._invokes().get(args.token)
        if answer is None:
            raise UnmockedInvokeError(
                f"the offline plan has no answer for invoke {args.token}; add one to "
                "argosy/plan/mocks.py"
            )
        return answer(args.args)

    def _invokes(self) -> Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]]:
        return {
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller_identity,
            "aws:index/getPartition:getPartition": self._partition,
            "aws:index/getRegion:getRegion": self._region,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._availability_zones,
            "aws:eks/getAddonVersion:getAddonVersion": self._addon_version,
            "aws:ec2transitgateway/getTransitGateway:getTransitGateway": (
                self._get_transit_gateway
            ),
            "aws:route53/getZone:getZone": self._get_zone,
        }

    def _get_zone(self, args: Mapping[str, Any]) -> dict[str, Any]:
        aws = self._require_aws()
        ident = str(args.get("zoneId") or "")
        if not ident:
            raise UnmockedInvokeError("getZone is answered by zoneId only")
        return {
            "id": ident,
            "zoneId": ident,
            "arn": f"arn:{aws.partition}:route53:::hostedzone/{ident}",
            "name": args.get("name"),
            "nameServers": _name_servers(ident),
            "primaryNameServer": _name_servers(ident)[0],
            "privateZone": False,
            "resourceRecordSetCount": 2,
            "tags": {},
        }

    def _caller_identity(self, _: Mapping[str, Any]) -> dict[str, Any]:
        aws = self._require_aws()
        role_name = aws.deploy_role_arn.rsplit("/", 1)[-1]
        session = f"argosy-{self.stack}"
        return {
            "accountId": aws.account_id,
            "arn": f"arn:{aws.partition}:sts::{aws.account_id}:assumed-role/{role_name}/{session}",
            "userId": f"AROA{_digest(aws.deploy_role_arn)[:17].upper()}:{session}",
            "id": aws.account_id,
        }

    def _partition(self, _: Mapping[str, Any]) -> dict[str, Any]:
        partition = self._require_aws().partition
        suffix = dns_suffix_of(partition)
        return {
            "partition": partition,
            "dnsSuffix": suffix,
            "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
            "id": partition,
        }

    def _region(self, _: Mapping[str, Any]) -> dict[str, Any]:
        aws = self._require_aws()
        return {
            "name": aws.region,
            "region": aws.region,
            "id": aws.region,
            "endpoint": f"ec2.{aws.region}.{dns_suffix_of(aws.partition)}",
            "description": aws.region,
        }

    def _availability_zones(self, _: Mapping[str, Any]) -> dict[str, Any]:
        aws = self._require_aws()
        region = regions.BY_CODE.get(aws.region)
        if region is None:
            raise UnmockedInvokeError(f"no zones known for region {aws.region}")
        letters = "abcdefgh"[: region.zones]
        return {
            "names": [f"{aws.region}{letter}" for letter in letters],
            "zoneIds": [f"{region.zone_id_prefix}-az{i + 1}" for i in range(region.zones)],
            "groupNames": [aws.region] * region.zones,
            "id": aws.region,
        }

    def _addon_version(self, args: Mapping[str, Any]) -> dict[str, Any]:
        self._require_aws()
        addon = str(args.get("addonName"))
        kubernetes = str(args.get("kubernetesVersion"))
        version = ADDON_VERSIONS.get((addon, kubernetes))
        if version is None:
            raise UnmockedInvokeError(
                f"the offline plan knows no {addon} version for Kubernetes {kubernetes} (table "
                f"of {ADDON_VERSIONS_REVIEWED_ON}); pin it in argosy:cluster.addonVersions or "
                "add it to ADDON_VERSIONS in argosy/plan/mocks.py"
            )
        return {
            "addonName": addon,
            "kubernetesVersion": kubernetes,
            "mostRecent": bool(args.get("mostRecent")),
            "version": version,
            "id": addon,
        }
