"""external-dns: Route 53 records for the stage's Ingresses and Services, in its own zones only.

Chart ``external-dns`` 1.21.1 (kubernetes-sigs/external-dns ``charts/external-dns`` at
9f26451346774099a8b3e3e5cc46a53bf2fd1461, tag ``external-dns-helm-chart-1.21.1``, app
0.21.0); every values key below is in that tag's ``values.yaml`` (and passes its
``values.schema.json``). Delivered to an AWS stage once ``argosy:addons`` names its zones, or
``argosy:apps`` names the stage's app domain (whose zone the stack adopts or makes).

Choices, with the upstream evidence:

- **Two filters.** ``domainFilters`` (``--domain-filter``) are the zones' domains and
  ``--zone-id-filter`` (``extraArgs``: the chart has no key of its own) their IDs, so that a
  zone of the same name elsewhere in the account (a private one, another stage's) is never
  touched; external-dns keeps a zone only if it passes both (``provider/aws/aws.go`` ``zones``
  at v0.21.0). The IAM policy allows nothing else.
- **The apps' zone.** An adopted zone (``apps.hostedZoneId``) is one more zone of the
  filters and the policy. A zone the stack makes has no ID before it exists, and the policy
  is derived offline (the stack hosting Argo CD derives the same role): its records are
  changed under the Route 53 condition on the records' names
  (``route53:ChangeResourceRecordSetsNormalizedRecordNames``, ``ForAllValues:StringLike``
  ``<domain>`` and ``*.<domain>``; Route 53 developer guide, "Using IAM policy conditions for
  fine-grained access control",
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html),
  in any hosted zone of the account. The ID filter would then leave that zone out, so it is
  replaced by the zone type filter ``--aws-zone-type=public`` (the zone made is public;
  ``provider/aws/aws.go`` ``zones`` applies both filters): zones named in
  ``addons.externalDns`` on such a stage must be public too.
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
from argosy.config.models.addons import ExternalDnsSettings, HostedZone
from argosy.manifests.apps_aws import normalized_record_names
from argosy.manifests.iam import PolicyDocument

NAME: Final = "external-dns"
NAMESPACE: Final = "external-dns"
SERVICE_ACCOUNT: Final = "external-dns"

#: The Kubernetes objects whose hostnames external-dns publishes.
SOURCES: Final = ("ingress", "service")

#: The statements whose resource is ``*``: ``route53:ListHostedZones`` takes no resource ARN.
WILDCARD_SIDS: Final = frozenset({"ListHostedZones"})
#: The Route 53 condition key on the names of the records a change batch changes.
RECORD_NAMES_KEY: Final = "route53:ChangeResourceRecordSetsNormalizedRecordNames"


#: The zone type the filter keeps once the stack makes the apps' zone.
ZONE_TYPE: Final = "public"
#: external-dns' policy when ``addons.externalDns`` is not set (the apps' domain alone).
DEFAULT_POLICY: Final = "upsert-only"


def enabled(ctx: AddonContext) -> bool:
    """Whether the stage names zones for external-dns: ``addons.externalDns`` or ``apps.domain``."""
    return ctx.settings.external_dns is not None or ctx.apps.domain is not None


def _require(ctx: AddonContext) -> None:
    if not enabled(ctx):
        raise ValueError(
            f"add-on {NAME!r} needs the hosted zones of stage {ctx.stage!r}: set "
            "argosy:addons externalDns.zones, or argosy:apps domain"
        )


def zones(ctx: AddonContext) -> tuple[HostedZone, ...]:
    """The zones of known ID external-dns writes to, each once, by ID.

    The zones of ``addons.externalDns`` and the apps' adopted zone (``apps.hostedZoneId``).
    """
    settings: ExternalDnsSettings | None = ctx.settings.external_dns
    found = {z.id: z for z in (settings.zones if settings else ())}
    apps = ctx.apps
    if apps.domain is not None and apps.hosted_zone_id is not None:
        found.setdefault(
            apps.hosted_zone_id, HostedZone(id=apps.hosted_zone_id, domain=apps.domain)
        )
    return tuple(sorted(found.values(), key=lambda z: z.id))


def created_zone_domain(ctx: AddonContext) -> str | None:
    """The apps' domain when the stage's stack makes its zone (no ``hostedZoneId``), else None."""
    apps = ctx.apps
    return apps.domain if apps.domain is not None and apps.hosted_zone_id is None else None


def owner_id(stage: str) -> str:
    """The TXT registry owner of ``stage``'s records (``txtOwnerId``): ``argosy-<stage>``."""
    return f"{naming.PROJECT}-{stage}"


def values(ctx: AddonContext) -> dict[str, Any]:
    """The chart's values on ``ctx``'s stage.

    Raises ValueError on a stage without AWS or without zones.
    """
    aws = ctx.require_aws(NAME)
    _require(ctx)
    known = zones(ctx)
    created = created_zone_domain(ctx)
    domains = {z.domain for z in known} | ({created} if created else set())
    # A zone made by the stack has no ID offline: the type filter replaces the ID filter.
    extra_args: dict[str, Any] = (
        {"aws-zone-type": ZONE_TYPE} if created else {"zone-id-filter": [z.id for z in known]}
    )
    settings = ctx.settings.external_dns
    return {
        "provider": {"name": "aws"},
        "sources": list(SOURCES),
        "domainFilters": sorted(domains),
        "extraArgs": extra_args,
        "policy": settings.policy if settings else DEFAULT_POLICY,
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


def dns_policy(
    aws: AwsTarget, known: tuple[HostedZone, ...], created_domain: str | None = None
) -> PolicyDocument:
    """external-dns' policy: write records in the stage's zones, and list zones.

    What external-dns 0.21 calls with the AWS provider (``provider/aws/aws.go`` at v0.21.0):
    ``ListHostedZones``, then ``ListResourceRecordSets`` and ``ChangeResourceRecordSets`` on
    the zones it kept. Upstream's sample policy (``docs/tutorials/aws.md``) also allows
    ``route53:ListTagsForResources``, which external-dns calls only to filter zones by tag
    (``--aws-zone-tags``), unused here.

    ``known`` are the zones of known ID (:func:`zones`); ``created_domain`` the apps' domain
    of a zone the stack makes (:func:`created_zone_domain`): its records may be changed in
    any zone of the account, but only under the condition that every record changed is the
    domain or a name under it, and listed in any zone (``ListResourceRecordSets`` takes no
    condition key on names).
    """
    statements: list[dict[str, Any]] = []
    if known:
        statements.append(
            {
                "Sid": "ChangeRecordsInStageZones",
                "Effect": "Allow",
                "Action": [
                    "route53:ChangeResourceRecordSets",
                    "route53:ListResourceRecordSets",
                ],
                "Resource": sorted(hosted_zone_arn(aws.partition, z.id) for z in known),
            }
        )
    if created_domain is not None:
        any_zone = hosted_zone_arn(aws.partition, "*")
        statements += [
            {
                "Sid": "ChangeAppDomainRecords",
                "Effect": "Allow",
                "Action": ["route53:ChangeResourceRecordSets"],
                "Resource": [any_zone],
                # ForAllValues: every name the request changes must match; a change batch
                # always changes at least one record.
                "Condition": {
                    "ForAllValues:StringLike": {
                        RECORD_NAMES_KEY: normalized_record_names(created_domain)
                    }
                },
            },
            {
                "Sid": "ListAppDomainRecords",
                "Effect": "Allow",
                "Action": ["route53:ListResourceRecordSets"],
                "Resource": [any_zone],
            },
        ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            *statements,
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
    """external-dns' identity: its service account, writing to the stage's zones only.

    Raises ValueError on a stage without zones.
    """
    _require(ctx)
    return AddonIdentity(
        key="external_dns",
        role="external-dns",
        namespace=NAMESPACE,
        service_account=SERVICE_ACCOUNT,
        policy=dns_policy(ctx.require_aws(NAME), zones(ctx), created_zone_domain(ctx)),
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
