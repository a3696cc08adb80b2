"""The argo-cd chart's values for a self-hosted Argo CD: a pure builder.

:func:`argo_cd_values` turns the stage's ``argosy:argocd.selfHosted`` settings into the values
of the argo-cd chart pinned in :data:`argosy.argocd.versions.ARGO_CD` (10.1.1, running the
image of Argo CD v3.4.7). It imports no Pulumi; the component that installs the Helm release
registers the result. Every key set here exists in the chart at argoproj/argo-helm
af0a9310bacbaa4636018dfe22c801a6d33a5c43 (``charts/argo-cd/values.yaml`` and its templates),
or, under ``redis-ha``, in the redis-ha subchart 4.38.0 its ``Chart.lock`` pins
(DandyDeveloper/charts 2e2539a8960ead2c268f48bdde3b2cdf2b2f1ac8, ``charts/redis-ha``).

What the values hold, by SECURITY.md rule:

- A1: people sign in through OIDC or Dex's GitHub connector and the local admin is off, except
  on the local stage without SSO; client secrets are ``$<secret>:<key>`` references.
- A2: anonymous access is off.
- A3: ``policy.default`` is empty in production; groups come from the ``groups`` scope; only
  named groups are bound to ``role:admin``.
- A5, A8: each Git provider's webhook secret is a reference in ``argocd-secret`` that Argo CD
  resolves from another Secret labelled ``app.kubernetes.io/part-of: argocd``
  (``util/settings/settings.go`` at v3.4.7, ``GetWebhookGitHubSecret`` and its siblings call
  ``ReplaceStringSecret``); webhook payloads are capped.
- A6, E10: on AWS the ALB terminates TLS 1.3/1.2 with an ACM certificate and forwards plain
  HTTP to the server (``server.insecure``); on the local stage the server keeps its own TLS.
- A7: the image tag rendered is :meth:`~argosy.argocd.versions.ChartVersion.run_version_for`
  the stage, at or above the floor (checked when :data:`ARGO_CD` is built).
- E8: the chart's NetworkPolicies with a default deny, and Redis fenced to the Argo CD
  components that use it (with redis-ha, by two policies of argosy's, see
  :func:`redis_ha_policies`).

Nothing secret is ever a value: no client secret, webhook secret or notification token, only
references to Secrets that external-secrets or an operator provide (README, "Self-hosted Argo
CD: the secrets").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import yaml

from argosy import naming
from argosy.argocd.metadata import DNS_LABEL_RULE
from argosy.argocd.versions import ARGO_CD
from argosy.config.models.selfhosted import (
    NotificationSettings,
    SelfHostedArgoCdSettings,
    SsoSettings,
)
from argosy.patterns import is_dns_label

#: The Helm release's name. Fixed: with the chart's ``nameOverride`` ``argocd`` it makes every
#: resource name the upstream one (``argocd-server``, ``argocd-redis-ha-haproxy``…), which the
#: Pod Identity associations, the redis-ha NetworkPolicies' selectors and the docs rely on.
RELEASE_NAME: Final = "argocd"

#: The service accounts of the components that call AWS to reach other clusters (Argo CD
#: operator manual, "Declarative setup: EKS", v3.4.7): each is bound to its IAM role by an EKS
#: Pod Identity association outside the chart, so they carry no annotation. Their names are
#: set in the values too, so that the chart cannot rename them under the associations.
MANAGEMENT_SERVICE_ACCOUNTS: Final[tuple[str, ...]] = naming.ARGOCD_MANAGEMENT_SERVICE_ACCOUNTS
#: The chart's values key of each management service account's component.
_SERVICE_ACCOUNT_COMPONENTS: Final[Mapping[str, str]] = {
    "controller": "argocd-application-controller",
    "applicationSet": "argocd-applicationset-controller",
    "server": "argocd-server",
}

#: The local stage's host name. Names under ``.localhost`` resolve to the loopback address
#: without DNS (RFC 6761, section 6.3) and can never be a real host, so the URL Argo CD
#: advertises locally cannot point anywhere else.
LOCAL_DOMAIN: Final = "argocd.localhost"
#: The local port ``kubectl -n <namespace> port-forward svc/argocd-server 8080:443`` listens on.
LOCAL_PORT: Final = 8080
#: The local stage's URL (argocd-cm ``url``): the server's own TLS through that port-forward.
LOCAL_URL: Final = f"https://{LOCAL_DOMAIN}:{LOCAL_PORT}"

#: argocd-cm ``webhook.maxPayloadSizeMB``. The operator manual ("Git webhook configuration",
#: v3.4.7) recommends limiting the payload size, 50 MB by default, because ``/api/webhook``
#: is unauthenticated until the secret is checked and has no rate limit. A push event is a few
#: kilobytes; one refused for its size costs only a delay, until the next reconciliation
#: (argocd-cm ``timeout.reconciliation``, 120 s plus jitter in the chart).
WEBHOOK_MAX_PAYLOAD_MB: Final = 1

#: The login button's label for an OIDC provider (oidc.config ``name``).
OIDC_NAME: Final = "SSO"

#: The ALB's TLS policy: TLS 1.3 and 1.2 only, the one AWS recommends for new listeners.
SSL_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#: The AWS Load Balancer Controller's IngressClass (its chart's ``ingressClass``, default).
INGRESS_CLASS: Final = "alb"

#: The name of the notifications webhook service (``service.webhook.<name>``), which is also
#: its subscription recipient.
WEBHOOK_SERVICE: Final = "argosy"

#: The labels the chart gives each component's pods (``argo-cd.selectorLabels``:
#: ``app.kubernetes.io/name: argocd-<component>``, ``app.kubernetes.io/instance: <release>``).
_INSTANCE_LABEL: Final = "app.kubernetes.io/instance"
_NAME_LABEL: Final = "app.kubernetes.io/name"
#: The Argo CD components that use Redis: those the chart's own Redis NetworkPolicy admits
#: (``templates/redis/networkpolicy.yaml``).
_REDIS_CLIENTS: Final = ("argocd-application-controller", "argocd-repo-server", "argocd-server")

#: Resource requests and limits of the main components in production. Argo CD publishes no
#: sizing; these leave room for a hub with a handful of clusters and a few hundred
#: Applications: the controller caches every managed resource in memory, the repo server runs
#: ``helm template`` and ``kustomize build``. Watch the usage and adjust (operator manual,
#: "High availability: scaling up").
_PRODUCTION_RESOURCES: Final[Mapping[str, Mapping[str, Mapping[str, str]]]] = {
    "controller": {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "3Gi"},
    },
    "repoServer": {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    },
    "server": {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    },
    "applicationSet": {
        "requests": {"cpu": "50m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    },
}

#: The replicas of the stateless components with high availability: two, one of which may be
#: disrupted at a time (the chart README's "HA mode without autoscaling"; no HPA, which would
#: need a metrics server).
_HA_REPLICAS: Final = 2


@dataclass(frozen=True, kw_only=True)
class ArgoCdInstall:
    """What the values are built from.

    Attributes:
        stage: The stage that hosts Argo CD (its image tag is the stage's run version).
        namespace: Argo CD's namespace, such as ``argocd``: the release's, which the
            NetworkPolicies added for redis-ha name.
        production: Production rules: an empty default role, high availability and resource
            requests unless ``settings.high_availability`` says otherwise.
        settings: ``argosy:argocd.selfHosted``, validated.
        on_aws: Whether the cluster is EKS: an ALB Ingress, SSO required. False for the local
            kind or k3d stage: no Ingress, reached through a port-forward.
    """

    stage: str
    namespace: str
    production: bool
    settings: SelfHostedArgoCdSettings
    on_aws: bool

    def __post_init__(self) -> None:
        if not is_dns_label(self.stage):
            raise ValueError(f"stage {self.stage!r} is not valid: {DNS_LABEL_RULE}")
        if not is_dns_label(self.namespace):
            raise ValueError(f"namespace {self.namespace!r} is not valid: {DNS_LABEL_RULE}")
        settings = self.settings
        if self.on_aws and settings.hostname is None:
            raise ValueError(
                "a self-hosted Argo CD on AWS needs settings.hostname: its URL and Ingress host"
            )
        if self.on_aws and settings.sso is None:
            raise ValueError(
                "a self-hosted Argo CD on AWS needs settings.sso: people sign in through SSO "
                "(SECURITY.md A1)"
            )
        if settings.admin_login and (self.on_aws or settings.sso is not None):
            raise ValueError(
                "settings.admin_login is for the local stage without SSO only: the local admin "
                "is disabled once SSO is configured (SECURITY.md A1)"
            )
        if settings.sso is not None and not settings.rbac.admin_groups:
            raise ValueError(
                "with SSO, role:admin goes to named groups: settings.rbac.admin_groups is empty "
                "(SECURITY.md A3)"
            )
        if self.production and settings.rbac.default_role != "none":
            raise ValueError(
                f"settings.rbac.default_role {settings.rbac.default_role!r} is not valid in "
                "production: nobody gets a role by default (SECURITY.md A3)"
            )
        if settings.notifications is not None:
            _check_token_keys(settings.notifications)

    @property
    def high_availability(self) -> bool:
        """``settings.high_availability``, else on in production only."""
        wanted = self.settings.high_availability
        return self.production if wanted is None else wanted

    @property
    def url(self) -> str:
        """The URL people, SSO callbacks and notification links use (argocd-cm ``url``)."""
        if not self.on_aws:
            return LOCAL_URL
        return f"https://{self.domain}"

    @property
    def domain(self) -> str:
        """``global.domain``: the host name on AWS, :data:`LOCAL_DOMAIN` on the local stage."""
        if not self.on_aws or self.settings.hostname is None:
            return LOCAL_DOMAIN
        return self.settings.hostname


def release_name() -> str:
    """The Helm release's name, :data:`RELEASE_NAME`: fixed, so resource names are stable."""
    return RELEASE_NAME


def argo_cd_values(install: ArgoCdInstall) -> dict[str, Any]:
    """The argo-cd chart's values for ``install``: deterministic, keys sorted.

    Embedded YAML documents (``oidc.config``, ``dex.config``, the notification services,
    templates and triggers) are written by :func:`yaml_text`.
    """
    settings = install.settings
    values: dict[str, Any] = {
        "global": _global(install),
        "configs": {
            "cm": _argocd_cm(install),
            "rbac": _rbac(install),
            "params": {
                # The ALB terminates TLS with an ACM certificate and forwards HTTP (A6); the
                # local stage has no such proxy, so the server keeps its own TLS.
                "server.insecure": install.on_aws,
            },
            "secret": _argocd_secret(install),
        },
        "dex": {"enabled": settings.sso is not None and settings.sso.dex is not None},
        "notifications": _notifications(install),
        "redis-ha": _redis_ha(install),
        # Rendered by templates/extra-manifests.yaml, in the release.
        "extraObjects": redis_ha_policies(install),
        "controller": {},
        "server": {"ingress": _ingress(install)},
        "repoServer": {},
        "applicationSet": {},
    }
    for component, service_account in _SERVICE_ACCOUNT_COMPONENTS.items():
        values[component]["serviceAccount"] = {"name": service_account}
    if install.high_availability:
        _high_availability(values)
    if install.production:
        for component, resources in _PRODUCTION_RESOURCES.items():
            values[component]["resources"] = _plain(resources)
    # What is left at the chart's defaults is left out rather than written empty.
    result: dict[str, Any] = _sorted({key: item for key, item in values.items() if item})
    return result


def yaml_text(value: Any) -> str:
    """``value`` as YAML in one fixed style.

    Keys sorted, block style, multi-line strings as literal blocks, no line folding.
    """
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with multi-line strings as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


# --------------------------------------------------------------------------------------
# Global values, argocd-cm, argocd-rbac-cm, argocd-secret


def _global(install: ArgoCdInstall) -> dict[str, Any]:
    return {
        "domain": install.domain,
        # Always stated, so the tag rendered is the one A7's floor was checked against.
        "image": {"tag": ARGO_CD.run_version_for(install.stage)},
        # E8. The chart's policies (templates/*/networkpolicy.yaml) admit: the server from
        # anywhere (`ingress: [{}]`, so the ALB's target-type ip traffic reaches the pods);
        # the repo server from the server, controller, notifications and ApplicationSet
        # controllers; Dex from the server; Redis from the server, repo server and controller
        # (redis-ha: redis_ha_policies); metrics ports from any namespace. Everything else in
        # the namespace, including any pod without a policy of its own, is denied by the
        # default deny.
        "networkPolicy": {"create": True, "defaultDenyIngress": True},
    }


def _argocd_cm(install: ArgoCdInstall) -> dict[str, Any]:
    settings = install.settings
    cm: dict[str, Any] = {
        "url": install.url,
        "admin.enabled": settings.admin_login,
        "users.anonymous.enabled": False,
        "exec.enabled": False,
        "webhook.maxPayloadSizeMB": str(WEBHOOK_MAX_PAYLOAD_MB),
    }
    if settings.sso is not None:
        cm.update(_sso_config(settings.sso))
    return cm


def _sso_config(sso: SsoSettings) -> dict[str, str]:
    if sso.oidc is not None:
        oidc = sso.oidc
        # Operator manual, "User management: existing OIDC provider" (v3.4.7).
        return {
            "oidc.config": yaml_text(
                {
                    "name": OIDC_NAME,
                    "issuer": oidc.issuer,
                    "clientID": oidc.client_id,
                    "clientSecret": oidc.client_secret,
                    "requestedScopes": list(oidc.requested_scopes),
                    # Providers without a `groups` scope still send the claim when it is
                    # requested as essential ("Requesting additional ID token claims").
                    "requestedIDTokenClaims": {"groups": {"essential": True}},
                }
            )
        }
    if sso.dex is None:  # SsoSettings holds exactly one of the two
        raise ValueError("settings.sso names neither oidc nor dex")
    dex = sso.dex
    # Operator manual, "User management: Dex" (v3.4.7); Dex adds the redirect URI itself.
    return {
        "dex.config": yaml_text(
            {
                "connectors": [
                    {
                        "type": "github",
                        "id": "github",
                        "name": "GitHub",
                        "config": {
                            "clientID": dex.client_id,
                            "clientSecret": dex.client_secret,
                            "orgs": [{"name": org} for org in dex.orgs],
                        },
                    }
                ]
            }
        )
    }


def _rbac(install: ArgoCdInstall) -> dict[str, Any]:
    rbac = install.settings.rbac
    lines = [f"g, {group}, role:admin" for group in sorted(rbac.admin_groups)]
    lines += [f"g, {group}, role:readonly" for group in sorted(rbac.readonly_groups)]
    return {
        "policy.default": "" if rbac.default_role == "none" else "role:readonly",
        "policy.csv": "".join(f"{line}\n" for line in lines),
        "scopes": "[groups]",
        "policy.matchMode": "glob",
    }


def _argocd_secret(install: ArgoCdInstall) -> dict[str, Any]:
    webhooks = install.settings.webhooks
    # The chart writes these into argocd-secret (templates/argocd-configs/argocd-secret.yaml)
    # as the `$<secret>:<key>` references they are; Argo CD resolves them when it checks a
    # webhook (operator manual, "Git webhook configuration: alternative"). The server
    # generates server.secretkey into argocd-secret itself on first start.
    secret: dict[str, Any] = {"createSecret": True}
    for key, reference in (
        ("githubSecret", webhooks.github),
        ("gitlabSecret", webhooks.gitlab),
        ("bitbucketServerSecret", webhooks.bitbucket_server),
    ):
        if reference is not None:
            secret[key] = reference
    return secret


# --------------------------------------------------------------------------------------
# The server's Ingress


def _ingress(install: ArgoCdInstall) -> dict[str, Any]:
    if not install.on_aws:
        return {"enabled": False}
    settings = install.settings
    annotations = {
        "alb.ingress.kubernetes.io/scheme": (
            "internet-facing" if settings.internet_facing else "internal"
        ),
        # Straight to the pods: no NodePort, and the server's NetworkPolicy admits them.
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
        "alb.ingress.kubernetes.io/listen-ports": json.dumps(
            [{"HTTPS": 443}], separators=(",", ":")
        ),
        "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
        # Requests with header fields that are not valid HTTP are dropped at the ALB, not
        # passed to the server.
        "alb.ingress.kubernetes.io/load-balancer-attributes": (
            "routing.http.drop_invalid_header_fields.enabled=true"
        ),
    }
    # Without an ARN the controller attaches the ACM certificate whose name matches the
    # Ingress host (aws-load-balancer-controller docs/guide/ingress/cert_discovery.md).
    if settings.certificate_arn is not None:
        annotations["alb.ingress.kubernetes.io/certificate-arn"] = settings.certificate_arn
    return {
        "enabled": True,
        # templates/argocd-server/aws/: one Ingress routing `Content-Type: application/grpc`
        # to a second Service, argocd-server-grpc, whose target group speaks gRPC (the CLI),
        # everything else to argocd-server (operator manual, "Ingress configuration: AWS
        # Application Load Balancers").
        "controller": "aws",
        "ingressClassName": INGRESS_CLASS,
        "hostname": install.domain,
        "annotations": annotations,
        "aws": {
            # target-type ip needs no NodePort.
            "serviceType": "ClusterIP",
            "backendProtocolVersion": "GRPC",
            # Annotations on a Service take precedence over the Ingress's for its target
            # group (controller docs/guide/ingress/annotations.md): the gRPC target group
            # checks the gRPC health service, which answers OK (0).
            "serviceAnnotations": {
                "alb.ingress.kubernetes.io/healthcheck-path": "/grpc.health.v1.Health/Check",
                "alb.ingress.kubernetes.io/success-codes": "0",
            },
        },
    }


# --------------------------------------------------------------------------------------
# High availability


def _high_availability(values: dict[str, Any]) -> None:
    # One controller: more replicas shard the clusters among them (operator manual, "High
    # availability: argocd-application-controller"). No disruption budget for it: on a single
    # replica, minAvailable 1 (or maxUnavailable 0) would block every node drain forever,
    # and maxUnavailable 1 protects nothing.
    values["controller"]["replicas"] = 1
    # Two of each stateless component, one of which may be evicted at a time.
    for component in ("server", "repoServer", "applicationSet"):
        values[component]["replicas"] = _HA_REPLICAS
        values[component]["pdb"] = {"enabled": True, "maxUnavailable": 1}
    # Spread every component's pods across zones where the nodes allow (the chart fills in
    # each component's labelSelector); the chart's default soft anti-affinity spreads them
    # across nodes.
    values["global"]["topologySpreadConstraints"] = [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
        }
    ]


def _redis_ha(install: ArgoCdInstall) -> dict[str, Any]:
    """The redis-ha subchart: three Redis servers with Sentinel behind HAProxy, or off.

    The subchart keeps its hard anti-affinity: three schedulable nodes at least (the chart
    README, "High Availability"). Its NetworkPolicies stay off; :func:`redis_ha_policies`
    fences it instead.
    """
    if not install.high_availability:
        return {"enabled": False}
    return {
        "enabled": True,
        # Sentinel keeps a quorum of two out of three through a drain.
        "podDisruptionBudget": {"maxUnavailable": 1},
        "topologySpreadConstraints": {"enabled": True},
        "haproxy": {"podDisruptionBudget": {"maxUnavailable": 1}},
    }


def redis_ha_policies(install: ArgoCdInstall) -> list[dict[str, Any]]:
    """The NetworkPolicies fencing redis-ha (E8; CVE-2024-31989): none without it.

    With redis-ha the chart renders no Redis policy (``templates/redis/networkpolicy.yaml``
    requires ``not redis-ha.enabled``), so under the default deny nothing could reach Redis.
    These two admit what the chart's own Redis policy admits, ingress only like every other
    policy of the chart:

    - HAProxy (``argocd-redis-ha-haproxy``, where Argo CD connects) from the server, the repo
      server and the application controller, on its ``redis`` port;
    - the Redis servers from each other (replication, Sentinel) and from HAProxy, on their
      ``redis`` and ``sentinel`` ports.

    HAProxy's metrics port (9101, ``redis-ha.haproxy.metrics`` in the chart's values) is not
    admitted: nothing scrapes it.

    The subchart's own policies (``networkPolicy`` and ``haproxy.networkPolicy``) are not used:
    they also restrict egress to Redis pods, reached through ClusterIP Services, a shape the
    VPC CNI network policy agent has been seen to drop
    (aws/amazon-network-policy-controller-k8s issues 222 and 236). Pod labels are the
    subchart's (``app``, ``release``: redis-ha 4.38.0 ``templates/redis-ha-statefulset.yaml``
    and ``redis-haproxy-deployment.yaml``).
    """
    if not install.high_availability:
        return []
    servers = {"app": "redis-ha", "release": RELEASE_NAME}
    haproxy = {"app": "redis-ha-haproxy", "release": RELEASE_NAME}
    clients = [
        {"podSelector": {"matchLabels": {_NAME_LABEL: name, _INSTANCE_LABEL: RELEASE_NAME}}}
        for name in _REDIS_CLIENTS
    ]
    return [
        _ingress_policy(
            install,
            name=f"{RELEASE_NAME}-redis-ha-haproxy",
            pods=haproxy,
            sources=clients,
            ports=("redis",),
        ),
        _ingress_policy(
            install,
            name=f"{RELEASE_NAME}-redis-ha",
            pods=servers,
            sources=[{"podSelector": {"matchLabels": labels}} for labels in (servers, haproxy)],
            ports=("redis", "sentinel"),
        ),
    ]


def _ingress_policy(
    install: ArgoCdInstall,
    *,
    name: str,
    pods: Mapping[str, str],
    sources: list[dict[str, Any]],
    ports: tuple[str, ...],
) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": name,
            "namespace": install.namespace,
            "labels": {"app.kubernetes.io/part-of": "argocd"},
        },
        "spec": {
            "podSelector": {"matchLabels": dict(pods)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": sources,
                    "ports": [{"port": port, "protocol": "TCP"} for port in ports],
                }
            ],
        },
    }


# --------------------------------------------------------------------------------------
# Notifications


@dataclass(frozen=True, kw_only=True)
class _Event:
    """One notification from the upstream catalog (``notifications_catalog`` at v3.4.7)."""

    trigger: str
    template: str
    description: str
    when: str
    #: Whether the trigger guarantees ``app.status.operationState`` (the sync events).
    operation: bool
    message: str
    color: str
    status_title: str
    status_value: str


_ONCE_PER: Final = "app.status.operationState?.syncResult?.revision"

_EVENTS: Final[tuple[_Event, ...]] = (
    _Event(
        trigger="on-sync-succeeded",
        template="app-sync-succeeded",
        description="Application syncing has succeeded",
        when="app.status.operationState != nil and app.status.operationState.phase in "
        "['Succeeded']",
        operation=True,
        message=(
            '{{if eq .serviceType "slack"}}:white_check_mark:{{end}} Application '
            "{{.app.metadata.name}} has been successfully synced at "
            "{{.app.status.operationState.finishedAt}}.\n"
            "Sync operation details are available at: "
            "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true .\n"
        ),
        color="#18be52",
        status_title="Sync Status",
        status_value="{{.app.status.sync.status}}",
    ),
    _Event(
        trigger="on-sync-failed",
        template="app-sync-failed",
        description="Application syncing has failed",
        when="app.status.operationState != nil and app.status.operationState.phase in "
        "['Error', 'Failed']",
        operation=True,
        message=(
            '{{if eq .serviceType "slack"}}:exclamation:{{end}}  The sync operation of '
            "application {{.app.metadata.name}} has failed at "
            "{{.app.status.operationState.finishedAt}} with the following error: "
            "{{.app.status.operationState.message}}\n"
            "Sync operation details are available at: "
            "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true .\n"
        ),
        color="#E96D76",
        status_title="Sync Status",
        status_value="{{.app.status.sync.status}}",
    ),
    _Event(
        trigger="on-health-degraded",
        template="app-health-degraded",
        description="Application has degraded",
        when="app.status.health.status == 'Degraded'",
        operation=False,
        message=(
            '{{if eq .serviceType "slack"}}:exclamation:{{end}} Application '
            "{{.app.metadata.name}} has degraded.\n"
            "Application details: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}.\n"
        ),
        color="#f4c030",
        status_title="Health Status",
        status_value="{{.app.status.health.status}}",
    ),
)

#: The triggers every Application is subscribed to, by default subscription.
NOTIFICATION_TRIGGERS: Final[tuple[str, ...]] = tuple(sorted(e.trigger for e in _EVENTS))

#: The catalog's Slack attachment, shared by the three templates: the status, the
#: repositories and the Application's conditions.
_SLACK_ATTACHMENTS: Final = """\
[{
  "title": "{{ .app.metadata.name}}",
  "title_link": "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
  "color": "%(color)s",
  "fields": [
  {
    "title": "%(title)s",
    "value": "%(value)s",
    "short": true
  },
  {
    "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} \
"Repositories" {{- end }},
    "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" \
{{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}\
{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
    "short": true
  }
  {{range $index, $c := .app.status.conditions}}
  ,
  {
    "title": "{{$c.type}}",
    "value": "{{$c.message}}",
    "short": true
  }
  {{end}}
  ]
}]
"""


def _check_token_keys(notifications: NotificationSettings) -> None:
    # notifications-engine substitutes `$<key>` matching `[$][\w-]+` only (pkg/api/config.go
    # at 1dbe3de712f8, the version Argo CD v3.4.7 uses): a key with a '.' would be cut short.
    keys = []
    if notifications.slack is not None:
        keys.append(("notifications.slack.token_key", notifications.slack.token_key))
    if notifications.webhook is not None and notifications.webhook.token_key is not None:
        keys.append(("notifications.webhook.token_key", notifications.webhook.token_key))
    for where, key in keys:
        if "." in key:
            raise ValueError(
                f"settings.{where} {key!r} is not valid: a key of argocd-notifications-secret "
                "without '.', which Argo CD notifications cannot reference"
            )


def _notifications(install: ArgoCdInstall) -> dict[str, Any]:
    """The notifications controller, or off (the chart enables it by default)."""
    notifications = install.settings.notifications
    if notifications is None:
        return {"enabled": False}
    notifiers: dict[str, str] = {}
    recipients: list[str] = []
    if notifications.slack is not None:
        slack = notifications.slack
        notifiers["service.slack"] = yaml_text({"token": f"${slack.token_key}"})
        recipients.append(f"slack:{slack.channel}")
    if notifications.webhook is not None:
        webhook = notifications.webhook
        headers = [{"name": "Content-Type", "value": "application/json"}]
        if webhook.token_key is not None:
            headers.append({"name": "Authorization", "value": f"Bearer ${webhook.token_key}"})
        notifiers[f"service.webhook.{WEBHOOK_SERVICE}"] = yaml_text(
            {"url": webhook.url, "headers": headers}
        )
        # A webhook's recipient is its name (operator manual, "Notifications:
        # subscriptions").
        recipients.append(WEBHOOK_SERVICE)
    return {
        "enabled": True,
        "argocdUrl": install.url,
        # argocd-notifications-secret holds the tokens: from Secrets Manager through
        # external-secrets, or created by hand; never in values.
        "secret": {"create": False},
        "notifiers": notifiers,
        "templates": {
            f"template.{event.template}": yaml_text(_template(event, notifications))
            for event in _EVENTS
        },
        "triggers": {
            f"trigger.{event.trigger}": yaml_text(
                [
                    {
                        "when": event.when,
                        "description": event.description,
                        "send": [event.template],
                        "oncePer": _ONCE_PER,
                    }
                ]
            )
            for event in _EVENTS
        },
        # A default subscription: every Application reports, without annotations.
        "subscriptions": [
            {"recipients": sorted(recipients), "triggers": list(NOTIFICATION_TRIGGERS)}
        ],
    }


def _template(event: _Event, notifications: NotificationSettings) -> dict[str, Any]:
    template: dict[str, Any] = {"message": event.message}
    if notifications.slack is not None:
        template["slack"] = {
            "attachments": _SLACK_ATTACHMENTS
            % {"color": event.color, "title": event.status_title, "value": event.status_value}
        }
    if notifications.webhook is not None:
        template["webhook"] = {WEBHOOK_SERVICE: {"method": "POST", "body": _webhook_body(event)}}
    return template


def _webhook_body(event: _Event) -> str:
    """The webhook's body for ``event``: a JSON object.

    Built by Sprig's ``dict`` and ``toJson`` so that any value, such as an error message with
    quotes, stays valid JSON. Only the sync events read ``operationState``, which their
    triggers guarantee (a nil one fails the template).
    """
    fields = {
        "event": json.dumps(event.trigger.removeprefix("on-")),
        "application": ".app.metadata.name",
        "project": ".app.spec.project",
        "syncStatus": ".app.status.sync.status",
        "healthStatus": ".app.status.health.status",
        "revision": ".app.status.sync.revision",
        "url": '(printf "%s/applications/%s" .context.argocdUrl .app.metadata.name)',
    }
    if event.operation:
        fields["phase"] = ".app.status.operationState.phase"
        fields["message"] = ".app.status.operationState.message"
        fields["finishedAt"] = ".app.status.operationState.finishedAt"
    pairs = " ".join(f"{json.dumps(key)} {fields[key]}" for key in sorted(fields))
    return f"{{{{ dict {pairs} | toJson }}}}\n"


# --------------------------------------------------------------------------------------
# Helpers


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A mutable deep copy of a constant mapping."""
    return {key: _plain(item) if isinstance(item, Mapping) else item for key, item in value.items()}


def _sorted(value: Any) -> Any:
    """``value`` with every mapping's keys in sorted order, recursively."""
    if isinstance(value, Mapping):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value
