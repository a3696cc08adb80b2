"""A self-hosted Argo CD (the argo-cd chart): ``argosy:argocd.selfHosted``.

Every secret is a reference, never a value: Argo CD resolves ``$<secret>:<key>`` in its
settings from another Kubernetes Secret labelled ``app.kubernetes.io/part-of: argocd``
(Argo CD operator manual, "User management: alternative" and "Git webhook configuration:
alternative"). Those Secrets come from AWS Secrets Manager through external-secrets, or are
created once by hand before the first sync (README, "Self-hosted Argo CD: the secrets").
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from argosy import patterns
from argosy.config.models.base import (
    Model,
    StrictBool,
    StrictStr,
    is_production,
    validation_context,
    violation,
)
from argosy.config.models.scalars import (
    DnsLabel,
    check_certificate_arn,
    check_hostname,
    check_https_url,
)

#: ``$<secret>:<key>``: a key of another Secret in Argo CD's namespace.
_SECRET_REFERENCE = re.compile(
    r"^\$[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:[-._a-zA-Z0-9]+$"
)
#: A key of ``argocd-notifications-secret``, as notifications-engine substitutes it
#: (``[$][\w-]+``: a dot would cut the reference short).
_SECRET_KEY = re.compile(r"^[-_a-zA-Z0-9]+$")
_SLACK_CHANNEL = re.compile(r"^[a-z0-9][-_a-z0-9]{0,79}$")
#: Argo CD's RBAC group subjects: anything the IdP puts in the groups claim, without the
#: characters that break a policy.csv line.
_GROUP = re.compile(r"^[^\s,#]+$")


def _secret_reference(value: str) -> str:
    if not _SECRET_REFERENCE.fullmatch(value):
        violation(
            "a reference to a key of another Secret in Argo CD's namespace, "
            "`$<secret>:<key>`, never the secret itself (SECURITY.md A1, A5)",
            "clientSecret: $argocd-sso:clientSecret",
        )
    return value


SecretReference = Annotated[StrictStr, AfterValidator(_secret_reference)]


def _notification_token_key(value: str) -> str:
    if not _SECRET_KEY.fullmatch(value):
        violation("a Secret key: letters, digits, '-' and '_'", "tokenKey: slack-token")
    return value


#: A key of ``argocd-notifications-secret``.
NotificationTokenKey = Annotated[StrictStr, AfterValidator(_notification_token_key)]


def _groups(value: tuple[str, ...], example: str) -> tuple[str, ...]:
    for group in value:
        if not _GROUP.fullmatch(group):
            violation("a group name without spaces, commas or '#'", example)
    if len(set(value)) != len(value):
        violation("each group at most once", example)
    return value


class OidcSettings(Model):
    """Sign-in through an OIDC provider (argocd-cm ``oidc.config``)."""

    issuer: StrictStr = Field(
        description="The provider's issuer URL (oidc.config issuer).",
        examples=["https://acme.okta.com"],
    )
    client_id: StrictStr = Field(
        min_length=1,
        description="The OAuth client ID (oidc.config clientID).",
        examples=["argocd"],
    )
    client_secret: SecretReference = Field(
        description="The client secret, as a reference (oidc.config clientSecret).",
        examples=["$argocd-sso:clientSecret"],
    )
    requested_scopes: tuple[StrictStr, ...] = Field(
        default=("openid", "profile", "email", "groups"),
        description="Scopes asked for (oidc.config requestedScopes); must include `groups` "
        "or the provider's equivalent for RBAC by group. Default: openid, profile, email, "
        "groups.",
        examples=[["openid", "profile", "email", "groups"]],
    )

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        return check_https_url(value, "issuer: https://acme.okta.com")

    @field_validator("requested_scopes")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in value:
            violation("OIDC needs the openid scope", "requestedScopes: [openid, groups]")
        return value


class DexGitHubSettings(Model):
    """Sign-in through Dex's GitHub connector (argocd-cm ``dex.config``)."""

    client_id: StrictStr = Field(
        min_length=1,
        description="The GitHub OAuth app's client ID (connector config clientID).",
        examples=["Iv1.0123456789abcdef"],
    )
    client_secret: SecretReference = Field(
        description="Its client secret, as a reference (connector config clientSecret).",
        examples=["$argocd-sso:clientSecret"],
    )
    orgs: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="The GitHub organizations whose members may sign in (config orgs); "
        "groups are `<org>:<team>`.",
        examples=[["acme"]],
    )


class SsoSettings(Model):
    """Single sign-on: exactly one of ``oidc`` and ``dex``."""

    oidc: OidcSettings | None = Field(
        default=None,
        description="An OIDC provider, without Dex.",
        examples=[
            {
                "issuer": "https://acme.okta.com",
                "clientId": "argocd",
                "clientSecret": "$argocd-sso:clientSecret",
            }
        ],
    )
    dex: DexGitHubSettings | None = Field(
        default=None,
        description="Dex with a GitHub connector.",
        examples=[
            {
                "clientId": "Iv1.0123456789abcdef",
                "clientSecret": "$argocd-sso:clientSecret",
                "orgs": ["acme"],
            }
        ],
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> SsoSettings:
        if (self.oidc is None) == (self.dex is None):
            violation(
                "exactly one of oidc and dex",
                "sso: {oidc: {issuer: https://acme.okta.com, clientId: argocd, "
                "clientSecret: $argocd-sso:clientSecret}}",
            )
        return self


class SelfHostedRbac(Model):
    """Who may do what (argocd-rbac-cm)."""

    default_role: Literal["none", "readonly"] = Field(
        default="none",
        description="What a signed-in user without a matching group gets (policy.default): "
        "`none` (empty; required in production) or `readonly` (role:readonly).",
        examples=["none"],
    )
    admin_groups: tuple[StrictStr, ...] = Field(
        default=(),
        description="Groups bound to role:admin (policy.csv `g, <group>, role:admin`).",
        examples=[["acme:platform"]],
    )
    readonly_groups: tuple[StrictStr, ...] = Field(
        default=(),
        description="Groups bound to role:readonly.",
        examples=[["acme:developers"]],
    )

    @field_validator("default_role")
    @classmethod
    def _default_role(cls, value: str, info: ValidationInfo) -> str:
        if value != "none" and is_production(info):
            violation(
                "in production nobody gets a role by default: policy.default stays empty "
                "(SECURITY.md A3)",
                "defaultRole: none",
            )
        return value

    @field_validator("admin_groups")
    @classmethod
    def _admin_groups(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _groups(value, "adminGroups: [acme:platform]")

    @field_validator("readonly_groups")
    @classmethod
    def _readonly_groups(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        _groups(value, "readonlyGroups: [acme:developers]")
        both = sorted(set(value) & set(info.data.get("admin_groups", ())))
        if both:
            violation(
                f"a group has one role; {', '.join(both)} is an admin group already",
                "readonlyGroups: [acme:developers]",
            )
        return value


class WebhookSecrets(Model):
    """The shared secret of each Git provider's webhook (argocd-secret ``webhook.*``)."""

    github: SecretReference | None = Field(
        default=None,
        description="webhook.github.secret, as a reference.",
        examples=["$argocd-webhooks:github"],
    )
    gitlab: SecretReference | None = Field(
        default=None,
        description="webhook.gitlab.secret, as a reference.",
        examples=["$argocd-webhooks:gitlab"],
    )
    bitbucket_server: SecretReference | None = Field(
        default=None,
        description="webhook.bitbucketserver.secret, as a reference.",
        examples=["$argocd-webhooks:bitbucketserver"],
    )


class SlackNotifications(Model):
    """Notifications to a Slack channel (notifications ``service.slack``)."""

    channel: StrictStr = Field(
        description="The channel every Application is subscribed to.",
        examples=["platform-deploys"],
    )
    token_key: NotificationTokenKey = Field(
        default="slack-token",
        description="The key of argocd-notifications-secret holding the bot token. "
        "Default: slack-token.",
        examples=["slack-token"],
    )

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not _SLACK_CHANNEL.fullmatch(value):
            violation("a Slack channel name without '#'", "channel: platform-deploys")
        return value


class WebhookNotifications(Model):
    """Notifications to an HTTPS endpoint (notifications ``service.webhook.<name>``)."""

    url: StrictStr = Field(
        description="Where the events are posted.",
        examples=["https://hooks.acme.example/argocd"],
    )
    token_key: NotificationTokenKey | None = Field(
        default=None,
        description="A key of argocd-notifications-secret sent as a bearer token. Default: none.",
        examples=["webhook-token"],
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_https_url(value, "url: https://hooks.acme.example/argocd")


class NotificationSettings(Model):
    """Where Argo CD reports sync succeeded, sync failed and health degraded."""

    slack: SlackNotifications | None = Field(
        default=None,
        description="A Slack channel.",
        examples=[{"channel": "platform-deploys"}],
    )
    webhook: WebhookNotifications | None = Field(
        default=None,
        description="An HTTPS endpoint.",
        examples=[{"url": "https://hooks.acme.example/argocd"}],
    )

    @model_validator(mode="after")
    def _at_least_one(self) -> NotificationSettings:
        if self.slack is None and self.webhook is None:
            violation(
                "at least one of slack and webhook (leave notifications out for none)",
                "notifications: {slack: {channel: platform-deploys}}",
            )
        return self


class SelfHostedArgoCdSettings(Model):
    """The argo-cd chart on the stage's own cluster: ``argosy:argocd.selfHosted``."""

    hostname: StrictStr | None = Field(
        default=None,
        description="The server's host name: the URL people and webhooks use (argocd-cm "
        "url, global.domain) and the ALB Ingress host. Required on AWS stages.",
        examples=["argocd.hub.acme.example"],
    )
    certificate_arn: StrictStr | None = Field(
        default=None,
        description="The ACM certificate the ALB serves (alb.ingress.kubernetes.io/"
        "certificate-arn). Default: the AWS Load Balancer Controller finds the certificate "
        "whose name matches the host.",
        examples=[
            "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        ],
    )
    internet_facing: StrictBool = Field(
        default=False,
        description="Put the ALB on the internet (scheme internet-facing) rather than in the "
        "VPC (internal). Git providers' webhooks need it, or a path into the VPC.",
        examples=[False],
    )
    sso: SsoSettings | None = Field(
        default=None,
        description="Single sign-on; required on AWS stages. Without it (local only) the "
        "local admin signs in.",
        examples=[
            {
                "oidc": {
                    "issuer": "https://acme.okta.com",
                    "clientId": "argocd",
                    "clientSecret": "$argocd-sso:clientSecret",
                }
            }
        ],
    )
    rbac: SelfHostedRbac = Field(
        default_factory=SelfHostedRbac,
        description="Roles by group.",
        examples=[{"adminGroups": ["acme:platform"]}],
    )
    webhooks: WebhookSecrets = Field(
        default_factory=WebhookSecrets,
        description="A secret per Git provider in use (SECURITY.md A8): the GitOps "
        "repository's provider at least.",
        examples=[{"github": "$argocd-webhooks:github"}],
    )
    notifications: NotificationSettings | None = Field(
        default=None,
        description="Notifications on sync succeeded, sync failed and health degraded. "
        "Default: none.",
        examples=[{"slack": {"channel": "platform-deploys"}}],
    )
    high_availability: StrictBool | None = Field(
        default=None,
        description="redis-ha, two or more servers, repo servers and ApplicationSet "
        "controllers, and disruption budgets. Default: on in production, off elsewhere.",
        examples=[True],
    )
    admin_login: StrictBool = Field(
        default=False,
        description="Keep the local admin account (admin.enabled). Allowed on the local "
        "stage only, where there is no SSO.",
        examples=[False],
    )
    pending_spokes: tuple[DnsLabel, ...] = Field(
        default=(),
        description="Spokes whose network path and access are declared but that are not "
        "registered yet, because their stacks have no outputs: list a new spoke here, run "
        "the hub, deploy the spoke, then remove it here and run the hub again.",
        examples=[["qa"]],
    )
    stack_reference_prefix: StrictStr = Field(
        default="organization/argosy",
        description="`<organization>/<project>` of the spokes' stacks, from which the hub "
        "reads what only AWS knows (a spoke's API endpoint and CA). The spokes' state must "
        "be readable from the hub's backend. Default: organization/argosy (a self-managed "
        "backend).",
        examples=["organization/argosy"],
    )

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str | None) -> str | None:
        return check_hostname(value, "hostname: argocd.acme.example")

    @field_validator("certificate_arn")
    @classmethod
    def _certificate_arn(cls, value: str | None) -> str | None:
        return check_certificate_arn(value)

    @field_validator("admin_login")
    @classmethod
    def _admin_login(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("sso") is not None:
            violation(
                "with SSO the local admin is off (SECURITY.md A1)",
                "adminLogin: false",
            )
        if value and validation_context(info).get("role") != "local":
            violation(
                "the local admin signs in on the local stage only; elsewhere people sign in "
                "through SSO (SECURITY.md A1)",
                "adminLogin: false",
            )
        return value

    @field_validator("stack_reference_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        parts = value.split("/")
        if len(parts) != 2 or not all(patterns.STACK_REFERENCE_PART.fullmatch(p) for p in parts):
            violation("`<organization>/<project>`", "stackReferencePrefix: organization/argosy")
        return value
