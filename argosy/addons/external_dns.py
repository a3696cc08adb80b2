"""external-dns: Route 53 records for the stage's Ingresses and Services, in its own zones only.

Chart ``external-dns`` 1.21.1 (kubernetes-sigs/external-dns ``charts/external-dns`` at
9f26451346774099a8b3e3e5cc46a53bf2fd1461, tag ``external-dns-helm-chart-1.21.1``, app
0.21.0); every values key below is in that tag's ``values.yaml`` (and passes its
``values.schema.json``). Delivered to an AWS stage once ``argosy:addons`` names its zones.

Choices, with the upstream evidence:

- **Two filters.** ``domainFilters`` (``--domain-filter``) are the zones' domains and
  ``--zone-id-filter`` (``extraArgs``: the chart has no key of its own) their IDs, so that a
  zone of the same name elsewhere in the account (a private one, another stage's) is never
  touched; external-dns keeps a zone only if it passes both (``provider/aws/aws.go`` ``zones``
  at v0.21.0). The IAM policy allows nothing else.
- **One owner per stage.** ``txtOwnerId`` is ``argosy-<stage>``: the TXT registry records
  which owner made each record, and an instance changes or deletes only its own, so stages
  sharing a parent zone never delete each other's records.
- **Region explicit**: ``AWS_REGION`` and ``AWS_DEFAULT_REGION``, as pods cannot reach
  instance metadata; Route 53 is global, but the SDK signs for a region and finds the
  partition's endpoint through it.
- **One replica, production included.** The chart fixes ``replicas: 1`` and the ``Recreate``
  strategy (``templates/deployment.yaml``): external-dns has no leader election, and two
  instances would race on the same records. A pod disruption budget would only block node
  drains; a missed interval is caught up by the next (``interval``: 1m).
"""

from __future__ import annotations

from typing import Any, Final

from argosy import naming
from argosy.addons.common import resources, sized
from argosy.addons.spec import Addon, AddonContext, AddonIdentity, AwsTarget
from argosy.config.models.addons import ExternalDnsSettings
from argosy.manifests.iam import PolicyDocument

NAME: Final = "external-dns"
NAMESPACE: Final = "external-dns"
SERVICE_ACCOUNT: Final = "external-dns"

#: The Kubernetes objects whose hostnames external-dns publishes.
SOURCES: Final = ("ingress", "service")

#: The statements whose resource is ``*``: ``route53:ListHostedZones`` takes no resource ARN.
WILDCARD_SIDS: Final = frozenset({"ListHostedZones"})


def enabled(ctx: AddonContext) -> bool:
    """Whether the stage names the zones external-dns may write to (``addons.externalDns``)."""
    return ctx.settings.external_dns is not None


def _settings(ctx: AddonContext) -> ExternalDnsSettings:
    settings = ctx.settings.external_dns
    if settings is None:
        raise ValueError(
            f"add-on {NAME!r} needs the hosted zones of stage {ctx.stage!r}: set "
            "argosy:addons externalDns.zones"
        )
    return settings


def owner_id(stage: str) -> str:
    """The TXT registry owner of ``stage``'s records (``txtOwnerId``): ``argosy-<stage>``."""
    return f"{naming.PROJECT}-{stage}"


def values(ctx: AddonContext) -> dict[str, Any]:
    """The chart's values on ``ctx``'s stage.

    Raises ValueError on a stage without AWS or without zones.
    """
    aws = ctx.require_aws(NAME)
    settings = _settings(ctx)
    zones = sorted(settings.zones, key=lambda z: z.id)
    return {
        "provider": {"name": "aws"},
        "sources": list(SOURCES),
        "domainFilters": sorted({z.domain for z in zones}),
        "extraArgs": {"zone-id-filter": [z.id for z in zones]},
        "policy": settings.policy,
        "registry": "txt",
        "txtOwnerId": owner_id(ctx.stage),
        "env": [
            {"name": "AWS_DEFAULT_REGION", "value": aws.region},
            {"name": "AWS_REGION", "value": aws.region},
        ],
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        "resources": sized(
            ctx.production,
            resources("50m", "96Mi", "200m", "192Mi"),
            resources("10m", "64Mi", "100m", "128Mi"),
        ),
    }


def hosted_zone_arn(partition: str, zone_id: str) -> str:
    """A hosted zone's ARN: Route 53 is global, so the ARN has no region or account."""
    return f"arn:{partition}:route53:::hostedzone/{zone_id}"


def dns_policy(aws: AwsTarget, settings: ExternalDnsSettings) -> PolicyDocument:
    """external-dns' policy: write records in the stage's zones, and list zones.

    What external-dns 0.21 calls with the AWS provider (``provider/aws/aws.go`` at v0.21.0):
    ``ListHostedZones``, then ``ListResourceRecordSets`` and ``ChangeResourceRecordSets`` on
    the zones it kept. Upstream's sample policy (``docs/tutorials/aws.md``) also allows
    ``route53:ListTagsForResources``, which external-dns calls only to filter zones by tag
    (``--aws-zone-tags``), unused here.
    """
    zone_arns = sorted(hosted_zone_arn(aws.partition, z.id) for z in settings.zones)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ChangeRecordsInStageZones",
                "Effect": "Allow",
                "Action": [
                    "route53:ChangeResourceRecordSets",
                    "route53:ListResourceRecordSets",
                ],
                "Resource": zone_arns,
            },
            {
                # ListHostedZones supports no resource-level permission: it lists the
                # account's zones (names and IDs, not records); the filters then keep ours.
                "Sid": "ListHostedZones",
                "Effect": "Allow",
                "Action": ["route53:ListHostedZones"],
                "Resource": ["*"],
            },
        ],
    }


def identity(ctx: AddonContext) -> AddonIdentity:
    """external-dns' identity: its service account, writing to the stage's zones only."""
    return AddonIdentity(
        key="external_dns",
        role="external-dns",
        namespace=NAMESPACE,
        service_account=SERVICE_ACCOUNT,
        policy=dns_policy(ctx.require_aws(NAME), _settings(ctx)),
    )


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """The add-on's identities on ``ctx``'s stage: external-dns'."""
    return (identity(ctx),)


#: external-dns, on an AWS stage that names its zones.
ADDON: Final = Addon(
    name=NAME,
    chart="external-dns",
    namespace=NAMESPACE,
    values=values,
    enabled=enabled,
    aws_only=True,
    identities=identities,
)
