"""Argo CD hardening (SECURITY.md A1–A9) and Argo CD's lifecycle (L5) over a planned graph.

Argo CD is installed one of two ways, and the rules read each where it is declared:

- the managed EKS capability (``aws:eks/capability:Capability``): sign-in is IAM Identity
  Center, TLS, the webhook and the server's settings are AWS's. The rules check what the stack
  chooses: who is admin (A3), the version AWS reports (A7);
- the argo-cd chart, self-hosted (a ``kubernetes:helm.sh/v3:Release`` of chart ``argo-cd``):
  the rules read its ``values`` in the chart's shape (10.x): ``configs.cm``, ``configs.rbac``,
  ``configs.params``, ``configs.secret``, ``server.ingress``, ``global.image.tag``. Keys with
  dots (``admin.enabled``) are literal keys, as the chart passes them to argocd-cm. Settings
  may be booleans or strings (``"false"``); both are read.

Both modes share the objects a stack declares for Argo CD: AppProjects and Applications (A4),
cluster and repository Secrets (A5, A9), the access a spoke grants its hub's Argo CD (A9).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

import yaml

from argosy import naming, patterns
from argosy.argocd import versions
from argosy.manifests.iam import account_of_arn, elements
from argosy.plan.monitor import REDACTED, Registration
from argosy.policy.base import (
    ACCESS_ENTRY,
    ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    Finding,
    Rule,
    StageFacts,
    decode_json,
    trust_statements,
)
from argosy.policy.graph import PlanGraph

SECRET = "kubernetes:core/v1:Secret"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
APPLICATION_SET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet"
APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"
CAPABILITY = "aws:eks/capability:Capability"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
ARGO_CD_CHART = "argo-cd"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
#: The label that tells Argo CD what a Secret holds: ``cluster``, ``repository``, ``repo-creds``.
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
#: What may not appear in a cluster registration: long-lived credentials (A9, A5).
REGISTRATION_CREDENTIALS = ("bearerToken", "password", "username", "keyData", "certData")
#: Keys of a repository (or credential template) that hold its credential (A5).
REPOSITORY_CREDENTIALS = (
    "bearerToken",
    "gcpServiceAccountKey",
    "githubAppPrivateKey",
    "password",
    "sshPrivateKey",
    "tlsClientCertKey",
)
#: The argo-cd chart's webhook secret (``configs.secret``) for each Git provider (A8), as
#: :func:`argosy.patterns.git_provider` names them.
WEBHOOK_SECRETS: Final = {
    "github": "githubSecret",
    "gitlab": "gitlabSecret",
    "bitbucket_server": "bitbucketServerSecret",
}
#: The chart's other shared secrets in ``configs.secret`` (A5).
OTHER_WEBHOOK_SECRETS = ("gogsSecret",)
#: The Argo CD components whose image the chart lets a value override (A7); the rest run
#: ``global.image.tag``, or the chart's appVersion when that is empty.
ARGO_CD_COMPONENTS = (
    "controller",
    "server",
    "repoServer",
    "applicationSet",
    "notifications",
    "commitServer",
)
#: The roles of a self-hosted Argo CD's components that may assume a spoke's access role
#: (``argosy-<hub>-argocd-server`` and so on), besides ``argosy-<hub>-argocd`` itself.
_COMPONENT_SERVICE_ACCOUNTS: Final = naming.ARGOCD_MANAGEMENT_SERVICE_ACCOUNTS
#: A role an Argo CD acts as: ``<host>-argocd`` or one of its components' roles, by exact ARN.
_ARGOCD_ROLE_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):role/(?:[^*?/]+/)*(?P<host>[^*?/]+)-argocd"
    r"(?:-(?:"
    + "|".join(re.escape(sa.removeprefix("argocd-")) for sa in _COMPONENT_SERVICE_ACCOUNTS)
    + r"))?$"
)
_ACCESS_ROLE_SUFFIX = "-argocd-access"
_EKS_VERSION = re.compile(r"^(?P<upstream>.+)-eks-[0-9]+$")


# --------------------------------------------------------------------------------------
# Reading the graph and the chart's values


def _releases(graph: PlanGraph) -> list[Registration]:
    """The argo-cd chart's releases: a self-hosted Argo CD."""
    return [r for r in graph.of_type(HELM_RELEASE) if r.inputs.get("chart") == ARGO_CD_CHART]


def _values(release: Registration) -> dict[str, Any] | None:
    """The release's values; ``None`` when the plan cannot read them (a secret as a whole)."""
    values = release.inputs.get("values", {})
    return values if isinstance(values, dict) else None


def _at(mapping: Any, *path: str) -> Any:
    """``mapping[path[0]][path[1]]…``, or ``None`` where a level is missing or no mapping."""
    for key in path:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _true(value: Any) -> bool:
    """A setting that is on: ``true`` or ``"true"``."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _false(value: Any) -> bool:
    """A setting that is off: ``false`` or ``"false"``."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _shown(value: Any, default: str) -> str:
    """A setting as a message names it; ``default`` when it is not set."""
    if value is None:
        return f"unset, so {default}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_reference(value: Any) -> bool:
    """``$<secret>:<key>`` (or ``$<key>`` of argocd-secret): Argo CD reads the value there."""
    return isinstance(value, str) and value.startswith("$") and len(value) > 1


def _literal(value: Any) -> bool:
    """A secret set in the values themselves: neither empty nor a ``$`` reference."""
    return value not in (None, "") and not _is_reference(value)


def _yaml_mapping(value: Any) -> dict[str, Any] | None:
    """A YAML document held in a string setting (``oidc.config``), or ``None``."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return None
    try:
        document = yaml.safe_load(value)
    except yaml.YAMLError:
        return None
    return document if isinstance(document, dict) else None


def _secret_type(secret: Registration) -> str | None:
    labels = _mapping(_at(secret.inputs, "metadata", "labels"))
    kind = labels.get(SECRET_TYPE_LABEL)
    return str(kind) if kind is not None else None


def _application_specs(graph: PlanGraph) -> Iterator[tuple[Registration, dict[str, Any]]]:
    """Every Application's spec, and every ApplicationSet's template spec."""
    for app in graph.of_type(APPLICATION):
        yield app, _mapping(app.inputs.get("spec"))
    for app_set in graph.of_type(APPLICATION_SET):
        yield app_set, _mapping(_at(app_set.inputs, "spec", "template", "spec"))


def _git_generator_repos(generators: Any) -> Iterator[str]:
    """The repositories of an ApplicationSet's Git generators, nested ones included."""
    for generator in generators if isinstance(generators, list) else []:
        if not isinstance(generator, dict):
            continue
        url = _at(generator, "git", "repoURL")
        if isinstance(url, str):
            yield url
        for combined in ("matrix", "merge"):
            yield from _git_generator_repos(_at(generator, combined, "generators"))


def _git_repositories(graph: PlanGraph) -> set[str]:
    """The Git repositories Argo CD reads for this graph's Applications (not Helm ones)."""
    repos: set[str] = set()
    for _, spec in _application_specs(graph):
        sources = [spec.get("source"), *(spec.get("sources") or [])]
        for source in sources:
            if not isinstance(source, dict) or source.get("chart"):
                continue  # a source with a chart reads a Helm repository
            url = source.get("repoURL")
            if isinstance(url, str) and url:
                repos.add(url)
    for app_set in graph.of_type(APPLICATION_SET):
        repos.update(_git_generator_repos(_at(app_set.inputs, "spec", "generators")))
    return repos


def _reachable(values: dict[str, Any]) -> bool:
    """Whether the chart exposes the server outside the cluster."""
    server = _mapping(values.get("server"))
    exposed = any(
        _true(_at(server, key, "enabled"))
        for key in ("ingress", "ingressGrpc", "route", "httproute", "grpcroute")
    )
    return exposed or _at(server, "service", "type") == "LoadBalancer"


# --------------------------------------------------------------------------------------
# A1–A8


def check_sso(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A1: with SSO, the local admin is off, ``url`` is set, client secrets are references.

    The local admin's password is one shared secret with no second factor and no group; once
    people sign in through SSO nothing needs it. Without SSO it may serve only the local
    stage (not production, no AWS account). The EKS capability signs in through IAM Identity
    Center and has no local admin: nothing to check.
    """
    for release in _releases(graph):
        values = _values(release)
        if values is None:
            yield Finding(
                rule="A1",
                urn=release.urn,
                message="values are not readable in the plan (a secret Output as a whole)",
            )
            continue
        cm = _mapping(_at(values, "configs", "cm"))
        sso = [key for key in ("oidc.config", "dex.config") if cm.get(key)]
        admin = cm.get("admin.enabled")
        admin_on = not _false(admin)
        shown = _shown(admin, "true")
        if sso:
            if admin_on:
                yield Finding(
                    rule="A1",
                    urn=release.urn,
                    message=f"local admin on (admin.enabled: {shown}) although SSO is configured",
                )
            if not cm.get("url") and not _at(values, "global", "domain"):
                yield Finding(
                    rule="A1",
                    urn=release.urn,
                    message="SSO configured without url (configs.cm.url or global.domain)",
                )
        elif admin_on and (facts.production or facts.account_id is not None):
            yield Finding(
                rule="A1",
                urn=release.urn,
                message=f"local admin on (admin.enabled: {shown}) and no SSO (oidc.config or "
                "dex.config): only the local stage may sign in as admin",
            )
        for key in sso:
            document = _yaml_mapping(cm[key])
            if document is None:
                yield Finding(rule="A1", urn=release.urn, message=f"{key} is not a YAML mapping")
                continue
            secrets: list[tuple[str, Any]] = []
            if key == "oidc.config":
                secrets.append(("oidc.config", document.get("clientSecret")))
            connectors = document.get("connectors") if key == "dex.config" else None
            for connector in connectors if isinstance(connectors, list) else []:
                if isinstance(connector, dict):
                    where = f"dex.config connector {connector.get('id') or connector.get('name')}"
                    secrets.append((where, _at(connector, "config", "clientSecret")))
            for where, secret in secrets:
                if _literal(secret):
                    yield Finding(
                        rule="A1",
                        urn=release.urn,
                        message=f"{where} clientSecret is inline, not a $secret:key reference",
                    )


def check_anonymous_access(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A2: anonymous access off.

    With ``users.anonymous.enabled`` anyone who reaches the server acts with the default role;
    it is also the precondition of CVE-2022-29165 (authentication bypass). The EKS
    capability has no anonymous access.
    """
    for release in _releases(graph):
        cm = _mapping(_at(_values(release), "configs", "cm"))
        value = cm.get("users.anonymous.enabled")
        if _true(value):
            yield Finding(
                rule="A2",
                urn=release.urn,
                message=f"anonymous access on (users.anonymous.enabled: {_shown(value, '')})",
            )


def _policy_lines(rbac: dict[str, Any]) -> list[list[str]]:
    """The lines of ``policy.csv`` and of every ``policy.<name>.csv``, split into fields."""
    lines: list[list[str]] = []
    for key in sorted(rbac):
        if key != "policy.csv" and not (key.startswith("policy.") and key.endswith(".csv")):
            continue
        for line in str(rbac[key] or "").splitlines():
            text = line.strip()
            if text and not text.startswith("#"):
                lines.append([field.strip() for field in text.split(",")])
    return lines


def _grants_everything(fields: list[str]) -> bool:
    """``p, <subject>, *, *, *, allow``: every action on every resource and object."""
    if len(fields) < 5 or fields[0] != "p":
        return False
    effect = fields[5] if len(fields) > 5 else "allow"
    return fields[2:4] == ["*", "*"] and fields[4] in ("*", "*/*") and effect == "allow"


def _check_rbac_policy(release: Registration, rbac: dict[str, Any]) -> Iterator[Finding]:
    """role:admin, and any role that grants as much, bound only to groups."""
    lines = _policy_lines(rbac)
    admin_roles = {"role:admin"}
    for fields in lines:
        if _grants_everything(fields):
            subject = fields[1]
            if subject.startswith("role:"):
                admin_roles.add(subject)
            else:
                yield Finding(
                    rule="A3",
                    urn=release.urn,
                    message=f"policy.csv grants everything to {subject} directly; bind "
                    "role:admin to a group instead",
                )
    bindings = [f for f in lines if len(f) >= 3 and f[0] == "g"]
    # A role that inherits an admin role is one too.
    grown = True
    while grown:
        inheriting = {f[1] for f in bindings if f[2] in admin_roles and f[1].startswith("role:")}
        grown = not inheriting <= admin_roles
        admin_roles |= inheriting
    for fields in bindings:
        subject, role = fields[1], fields[2]
        user_ish = "@" in subject or "*" in subject
        if role in admin_roles and not subject.startswith("role:") and user_ish:
            yield Finding(
                rule="A3", urn=release.urn, message=f"{role} bound to {subject}, which is no group"
            )


def check_rbac(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A3: no default role in production; RBAC by groups; admin only for named groups.

    ``policy.default`` applies to everyone who signs in, whatever their groups: empty in
    production, at most ``role:readonly`` elsewhere (the local stage, with only its local
    admin, is free). The groups scope must be read, or group bindings match nobody. Binding
    admin (or a role granting everything) to a user or a pattern makes it depend on one
    account's life, or on whoever matches; a group is reviewed in the IdP. For the EKS
    capability, the ADMIN role is mapped to Identity Center groups only.
    """
    for release in _releases(graph):
        rbac = _mapping(_at(_values(release), "configs", "rbac"))
        default = rbac.get("policy.default") or ""
        if facts.production and default:
            yield Finding(
                rule="A3",
                urn=release.urn,
                message=f"policy.default is {default}; empty in production",
            )
        elif default not in ("", "role:readonly") and facts.account_id is not None:
            yield Finding(
                rule="A3",
                urn=release.urn,
                message=f"policy.default is {default}; at most role:readonly outside production",
            )
        scopes = rbac.get("scopes")
        if scopes is not None:
            parsed = yaml.safe_load(scopes) if isinstance(scopes, str) else scopes
            listed = parsed if isinstance(parsed, list) else [parsed]
            if "groups" not in listed:
                yield Finding(
                    rule="A3", urn=release.urn, message=f"scopes {scopes} do not include groups"
                )
        yield from _check_rbac_policy(release, rbac)
    for capability in graph.of_type(CAPABILITY):
        mappings = _at(capability.inputs, "configuration", "argoCd", "rbacRoleMappings") or []
        for mapping in mappings if isinstance(mappings, list) else []:
            if not isinstance(mapping, dict) or mapping.get("role") != "ADMIN":
                continue
            for identity in mapping.get("identities") or []:
                if isinstance(identity, dict) and identity.get("type") != "SSO_GROUP":
                    yield Finding(
                        rule="A3",
                        urn=capability.urn,
                        message=f"ADMIN granted to {identity.get('type')} "
                        f"{identity.get('id')}, which is no group",
                    )


def check_projects(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A4: production AppProjects name their sources and destinations; nothing in ``default``.

    A wildcard source lets an Application deploy from any repository; a wildcard destination
    into any cluster or namespace; a ``*/*`` cluster resource whitelist lets it create any
    cluster-scoped object (ClusterRoleBindings included). The ``default`` project allows all
    of that.
    """
    if not facts.production:
        return
    for project in graph.of_type(APP_PROJECT):
        spec = _mapping(project.inputs.get("spec"))
        if "*" in (spec.get("sourceRepos") or []):
            yield Finding(rule="A4", urn=project.urn, message="sourceRepos include *")
        wild = {
            field
            for destination in spec.get("destinations") or []
            if isinstance(destination, dict)
            for field in ("server", "name", "namespace")
            if destination.get(field) == "*"
        }
        for field in sorted(wild):
            yield Finding(rule="A4", urn=project.urn, message=f"a destination {field} is *")
        if any(
            isinstance(entry, dict) and entry.get("group") == "*" and entry.get("kind") == "*"
            for entry in spec.get("clusterResourceWhitelist") or []
        ):
            yield Finding(rule="A4", urn=project.urn, message="clusterResourceWhitelist allows */*")
    for app, spec in _application_specs(graph):
        if spec.get("project") in (None, "", "default"):
            yield Finding(rule="A4", urn=app.urn, message="in the default project")


def _check_release_secrets(release: Registration, values: dict[str, Any]) -> Iterator[Finding]:
    """A5 on the chart's values: no literal secret; no insecure repository or cluster."""

    def found(message: str) -> Finding:
        return Finding(rule="A5", urn=release.urn, message=message)

    not_reference = "is a literal, not a $secret:key reference"
    secret = _mapping(_at(values, "configs", "secret"))
    for key in (*WEBHOOK_SECRETS.values(), *OTHER_WEBHOOK_SECRETS):
        if _literal(secret.get(key)):
            yield found(f"configs.secret.{key} {not_reference}")
    if _literal(_at(secret, "azureDevops", "password")):
        yield found(f"configs.secret.azureDevops.password {not_reference}")
    for key, value in sorted(_mapping(secret.get("extra")).items()):
        if _literal(value):
            yield found(f"configs.secret.extra.{key} {not_reference}")
    if secret.get("argocdServerAdminPassword") not in (None, ""):
        yield found(
            "configs.secret.argocdServerAdminPassword is set: the admin password's hash would "
            "sit in the values"
        )
    items = _mapping(_at(values, "notifications", "secret", "items"))
    for key, value in sorted(items.items()):
        if _literal(value):
            yield found(f"notifications.secret.items.{key} {not_reference}")
    for section in ("repositories", "credentialTemplates"):
        for name, entry in sorted(_mapping(_at(values, "configs", section)).items()):
            entry = _mapping(entry)
            for key in REPOSITORY_CREDENTIALS:
                if entry.get(key) not in (None, "", REDACTED):
                    yield found(f"configs.{section}.{name}.{key} is a literal credential")
            if _true(entry.get("insecure")):
                yield found(f"configs.{section}.{name}.insecure is true")
    for name, entry in sorted(_mapping(_at(values, "configs", "clusterCredentials")).items()):
        config = _mapping(_at(entry, "config"))
        tls = _mapping(config.get("tlsClientConfig"))
        held = sorted(k for k in REGISTRATION_CREDENTIALS if k in config or k in tls)
        if held:
            yield found(f"configs.clusterCredentials.{name} holds a credential: {', '.join(held)}")
        if _true(tls.get("insecure")):
            yield found(
                f"configs.clusterCredentials.{name}.config.tlsClientConfig.insecure is true"
            )


def check_credentials(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A5: repository and cluster credentials are secret Outputs; TLS verified; no literals.

    A credential in clear sits in the stack's state and in every plan printed; ``insecure``
    turns off TLS verification towards a repository or cluster. A cluster registration in
    clear is A9's finding (it also looks for credentials in it); A5 adds ``insecure``. The
    chart's values reach a Helm release Secret and the plan: the webhook, notification and
    extra secrets must be ``$secret:key`` references, and the admin password is not set
    there. SSO client secrets are A1's.
    """
    for secret in graph.of_type(SECRET):
        kind = _secret_type(secret)
        if kind not in ("cluster", "repository", "repo-creds"):
            continue
        data = secret.inputs.get("stringData")
        if not isinstance(data, dict):
            continue  # a secret Output, redacted in the plan
        if kind != "cluster":
            yield Finding(
                rule="A5", urn=secret.urn, message="credentials are in clear, not a secret Output"
            )
            insecure = data.get("insecure")
        else:
            insecure = _at(decode_json(data.get("config", "{}")), "tlsClientConfig", "insecure")
        if _true(insecure):
            yield Finding(
                rule="A5",
                urn=secret.urn,
                message=f"insecure is true: TLS to the {kind} is not verified",
            )
    for release in _releases(graph):
        values = _values(release)
        if values is not None:
            yield from _check_release_secrets(release, values)


def _listens_https(annotations: dict[str, Any]) -> tuple[bool, str]:
    """Whether an ALB Ingress has an HTTPS listener, and its listen-ports as written."""
    raw = annotations.get("alb.ingress.kubernetes.io/listen-ports")
    if raw is None:
        # The controller's default: HTTPS:443 with a certificate ARN, else HTTP:80.
        return bool(annotations.get("alb.ingress.kubernetes.io/certificate-arn")), "unset"
    ports = decode_json(raw)
    listeners = ports if isinstance(ports, list) else []
    return any(isinstance(p, dict) and "HTTPS" in p for p in listeners), str(raw)


def check_server_tls(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A6: the server serves TLS, unless an ingress terminates it with a real certificate.

    ``server.insecure`` turns the server's own TLS off; then sign-in tokens and webhook
    payloads cross the network in clear unless the ingress in front terminates TLS: an ALB
    with an HTTPS listener and an ACM certificate (named by ``certificate-arn``, or found by
    the ingress host), or another controller's ingress with TLS. The EKS capability's
    endpoint is AWS's, always TLS.
    """
    for release in _releases(graph):
        values = _mapping(_values(release))
        if not _true(_at(values, "configs", "params", "server.insecure")):
            continue
        ingress = _mapping(_at(values, "server", "ingress"))
        if not _true(ingress.get("enabled")):
            yield Finding(
                rule="A6",
                urn=release.urn,
                message="server.insecure is true and no ingress terminates TLS",
            )
            continue
        annotations = _mapping(ingress.get("annotations"))
        controller = ingress.get("controller") or "generic"
        if controller == "aws":
            https, ports = _listens_https(annotations)
            host = ingress.get("hostname") or _at(values, "global", "domain")
            if not https:
                yield Finding(
                    rule="A6",
                    urn=release.urn,
                    message=f"server.insecure is true and the ALB has no HTTPS listener "
                    f"(listen-ports: {ports})",
                )
            elif not (annotations.get("alb.ingress.kubernetes.io/certificate-arn") or host):
                yield Finding(
                    rule="A6",
                    urn=release.urn,
                    message="server.insecure is true and the ALB has neither certificate-arn "
                    "nor a host to find its certificate by",
                )
        elif not (_true(ingress.get("tls")) or ingress.get("extraTls")):
            yield Finding(
                rule="A6",
                urn=release.urn,
                message=f"server.insecure is true and the {controller} ingress has no TLS",
            )


def _chart_app_version(chart_version: Any) -> str | None:
    """The Argo CD version a pinned argo-cd chart version ships, if the table has it."""
    pinned = getattr(versions, "ARGO_CD", None)  # the table's entry, once there is one
    if not isinstance(pinned, versions.ChartVersion):
        return None
    if chart_version == pinned.version:
        return pinned.app_version
    for pin in pinned.stage_pins.values():
        if chart_version == pin.version:
            return pin.app_version
    return None


def _version_findings(urn: str, version: str, where: str) -> Iterator[Finding]:
    floor = versions.APP_VERSION_FLOORS[ARGO_CD_CHART]
    try:
        admitted = floor.admits(version)
    except ValueError:
        yield Finding(
            rule="A7",
            urn=urn,
            message=f"{where} {version!r} is not a release version: A7 cannot check it",
        )
        return
    if not admitted:
        yield Finding(
            rule="A7",
            urn=urn,
            message=f"Argo CD {version} ({where}) is below the floor: {floor.describe()}",
        )


def check_version(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A7: the Argo CD that runs is at or above every fix for known server CVEs.

    Read where the version is decided: the image tags the chart renders (``global.image.tag``
    and any component's own tag; an empty global tag means the chart's appVersion, known for
    a chart pinned in :mod:`argosy.argocd.versions`), and the version the EKS capability
    reports (``3.5.1-eks-1``: the upstream release before ``-eks-``). A version that cannot be
    read fails: it cannot be shown safe.
    """
    for release in _releases(graph):
        values = _mapping(_values(release))
        tag = _at(values, "global", "image", "tag")
        if tag:
            yield from _version_findings(release.urn, str(tag).split("@")[0], "global.image.tag")
        else:
            chart_version = release.inputs.get("version")
            app_version = _chart_app_version(chart_version)
            if app_version is None:
                yield Finding(
                    rule="A7",
                    urn=release.urn,
                    message=f"the Argo CD version is unknown: chart argo-cd {chart_version} is "
                    "not pinned in argosy.argocd.versions and global.image.tag is not set",
                )
            else:
                yield from _version_findings(
                    release.urn, app_version, f"appVersion of chart argo-cd {chart_version}"
                )
        for component in ARGO_CD_COMPONENTS:
            own = _at(values, component, "image", "tag")
            if own:
                yield from _version_findings(
                    release.urn, str(own).split("@")[0], f"{component}.image.tag"
                )
    for capability in graph.of_type(CAPABILITY):
        reported = capability.outputs.get("version")
        match = _EKS_VERSION.fullmatch(str(reported)) if reported else None
        if match is None:
            yield Finding(
                rule="A7",
                urn=capability.urn,
                message=f"capability version {reported!r} is not <release>-eks-<n>: A7 cannot "
                "check it",
            )
            continue
        yield from _version_findings(
            capability.urn, match["upstream"], f"capability version {reported}"
        )


def check_webhook_secrets(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A8: ``/api/webhook`` has a secret for every Git provider the Applications read from.

    Without it Argo CD accepts unsigned webhook payloads from anyone who reaches the server:
    four unauthenticated denial-of-service CVEs (2024–2025) came through that endpoint. Only
    Git sources count (a source with ``chart`` is a Helm repository, which sends no webhook),
    of providers :func:`argosy.patterns.git_provider` knows. A server nobody outside the
    cluster reaches (no ingress, route or load balancer) on the local stage needs none. The
    EKS capability's webhook endpoint and its secret are AWS's: nothing to check.
    """
    releases = _releases(graph)
    if not releases:
        return
    by_provider: dict[str, list[str]] = {}
    for url in sorted(_git_repositories(graph)):
        provider = patterns.git_provider(url)
        if provider in WEBHOOK_SECRETS:
            by_provider.setdefault(provider, []).append(url)
    for release in releases:
        values = _mapping(_values(release))
        if facts.account_id is None and not _reachable(values):
            continue
        secret = _mapping(_at(values, "configs", "secret"))
        for provider, urls in sorted(by_provider.items()):
            key = WEBHOOK_SECRETS[provider]
            if not secret.get(key):
                yield Finding(
                    rule="A8",
                    urn=release.urn,
                    message=f"no configs.secret.{key} for the {provider} repositories "
                    f"{', '.join(urls)}",
                )


# --------------------------------------------------------------------------------------
# A9


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _principal_arn_condition(statement: dict[str, Any]) -> list[str] | None:
    """The ``aws:PrincipalArn`` values a statement's conditions narrow it to, if any."""
    condition = _mapping(statement.get("Condition"))
    narrowed: list[str] | None = None
    for operator in ("ArnEquals", "StringEquals", "ArnLike", "StringLike"):
        for key, value in _mapping(condition.get(operator)).items():
            if key.lower() == "aws:principalarn":
                narrowed = [*(narrowed or []), *(str(v) for v in elements(value))]
    return narrowed


def _admitted(role: Registration) -> list[str]:
    """Who a role's trust admits: principal ARNs, narrowed by ``aws:PrincipalArn``."""
    admitted: set[str] = set()
    for statement in trust_statements(role):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if "NotPrincipal" in statement or principal == "*":
            admitted.add("*")
            continue
        for kind, values in sorted(_mapping(principal).items()):
            for value in elements(values):
                text = str(value)
                if kind != "AWS":
                    admitted.add(f"{kind} {text}")
                elif text == "*" or text.endswith(":root") or re.fullmatch(r"[0-9]{12}", text):
                    narrowed = _principal_arn_condition(statement)
                    admitted.update(narrowed if narrowed is not None else [text])
                else:
                    admitted.add(text)
    return sorted(admitted)


def _check_access_role(graph: PlanGraph, role: Registration) -> Iterator[Finding]:
    """An Argo CD access role: no permission at all, assumable by one Argo CD only."""
    names = {role.inputs.get("name"), role.outputs.get("name"), role.id} - {None}
    for attachment in graph.of_type(ATTACHMENT):
        if attachment.inputs.get("role") in names:
            policy = str(attachment.inputs.get("policyArn", "")).rsplit("/", 1)[-1]
            yield Finding(
                rule="A9", urn=role.urn, message=f"Argo CD access role holds the policy {policy}"
            )
    for inline in graph.of_type(ROLE_POLICY):
        if inline.inputs.get("role") in names:
            yield Finding(
                rule="A9",
                urn=role.urn,
                message=f"Argo CD access role has the inline policy {inline.name}",
            )
    if role.inputs.get("managedPolicyArns") or role.inputs.get("inlinePolicies"):
        yield Finding(rule="A9", urn=role.urn, message="Argo CD access role holds policies")
    admitted = _admitted(role)
    if not admitted:
        yield Finding(rule="A9", urn=role.urn, message="trust admits no Argo CD role")
        return
    matches = [_ARGOCD_ROLE_ARN.fullmatch(arn) for arn in admitted]
    for arn, match in zip(admitted, matches, strict=True):
        if match is None:
            yield Finding(
                rule="A9", urn=role.urn, message=f"trust admits {arn}, which is no Argo CD role"
            )
    hosts = sorted({f"{m['account']}/{m['host']}" for m in matches if m is not None})
    if len(hosts) > 1:
        yield Finding(
            rule="A9",
            urn=role.urn,
            message=f"trust admits the roles of {len(hosts)} Argo CDs ({', '.join(hosts)}); "
            "one Argo CD manages a stage",
        )


def check_argocd_access(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """A9: one access entry for the Argo CD that manages the stage; no credential anywhere.

    Managed mode: the entry is for the hub's ``argosy-<hub>-argocd`` role, in another
    account. Self-hosted mode: the entry is for the spoke's own ``argosy-<spoke>-argocd-access``
    role, which holds no permission of its own (the entry gives it the cluster) and which only
    the hub's Argo CD roles may assume. Either way one Argo CD manages a stage: at most one
    entry for an Argo CD principal. Cluster registrations are secret Outputs without a bearer
    token, password or client key: Argo CD reaches clusters as an IAM role.
    """
    foreign = [
        entry
        for entry in graph.of_type(ACCESS_ENTRY)
        if facts.account_id
        and account_of_arn(str(entry.inputs.get("principalArn", ""))) not in ("", facts.account_id)
    ]
    for entry in foreign:
        principal = str(entry.inputs.get("principalArn"))
        if not _role_name(principal).endswith("-argocd"):
            yield Finding(
                rule="A9",
                urn=entry.urn,
                message=f"access for {principal} of another account, which is no Argo CD role",
            )
    own_access = [
        entry
        for entry in graph.of_type(ACCESS_ENTRY)
        if entry not in foreign
        and _role_name(str(entry.inputs.get("principalArn", ""))).endswith(_ACCESS_ROLE_SUFFIX)
    ]
    argocd = [
        *(e for e in foreign if _role_name(str(e.inputs.get("principalArn"))).endswith("-argocd")),
        *own_access,
    ]
    if len(foreign) > 1:
        yield Finding(
            rule="A9",
            urn=None,
            message=f"{len(foreign)} access entries for other accounts' principals; one Argo CD "
            "manages a stage",
        )
    elif len(argocd) > 1:
        yield Finding(
            rule="A9",
            urn=None,
            message=f"{len(argocd)} access entries for Argo CD principals; one Argo CD manages "
            "a stage",
        )
    for role in graph.of_type(ROLE):
        name = str(role.inputs.get("name") or role.outputs.get("name") or "")
        if name.endswith(_ACCESS_ROLE_SUFFIX):
            yield from _check_access_role(graph, role)
    for secret in graph.of_type(SECRET):
        if _secret_type(secret) != "cluster":
            continue
        data = secret.inputs.get("stringData")
        if not isinstance(data, dict):
            continue  # a secret Output, redacted in the plan: what A5 asks
        yield Finding(
            rule="A9", urn=secret.urn, message="registration is in clear, not a secret Output"
        )
        config = _mapping(decode_json(data.get("config", "{}")))
        tls = _mapping(config.get("tlsClientConfig"))
        held = sorted(
            key for key in REGISTRATION_CREDENTIALS if key in data or key in config or key in tls
        )
        if held:
            yield Finding(
                rule="A9",
                urn=secret.urn,
                message=f"registration holds a credential: {', '.join(held)}",
            )


# --------------------------------------------------------------------------------------
# L5


def _argocd_installs(graph: PlanGraph) -> list[Registration]:
    """What installs Argo CD in this stack: the EKS capability or the argo-cd chart."""
    return graph.of_type(CAPABILITY) + _releases(graph)


def _argocd_namespaces(graph: PlanGraph) -> set[str]:
    namespaces = {
        str(_at(c.inputs, "configuration", "argoCd", "namespace"))
        for c in graph.of_type(CAPABILITY)
    }
    namespaces |= {str(r.inputs.get("namespace")) for r in _releases(graph)}
    return (namespaces - {"None"}) or {"argocd"}


def check_application_lifecycle(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """L5: Applications with the resources finalizer wait for Argo CD; argocd is not theirs."""
    installs = {r.urn for r in _argocd_installs(graph)}
    protected = _argocd_namespaces(graph)
    for app in graph.of_type(APPLICATION) + graph.of_type(APPLICATION_SET):
        metadata = app.inputs.get("metadata") or {}
        spec = app.inputs.get("spec") or {}
        if app.type == APPLICATION_SET:
            template = spec.get("template") or {}
            metadata = template.get("metadata") or {}
            spec = template.get("spec") or {}
        if RESOURCES_FINALIZER in (metadata.get("finalizers") or []) and not (
            installs & graph.waits_for(app.urn)
        ):
            yield Finding(
                rule="L5",
                urn=app.urn,
                message="has the resources finalizer but does not depend on Argo CD: on "
                "destroy Argo CD could go first and leave it stuck",
            )
        target = (spec.get("destination") or {}).get("namespace")
        if target in protected:
            yield Finding(
                rule="L5", urn=app.urn, message=f"manages Argo CD's own namespace {target}"
            )


#: A1–A9, in SECURITY.md's order.
ARGOCD_RULES: tuple[Rule, ...] = (
    Rule(id="A1", title="Local admin off once SSO is on; url set; client secrets referenced",
         reference="Argo CD operator manual: user management, SSO; "
                   "argocd-cm admin.enabled", check=check_sso),
    Rule(id="A2", title="Anonymous access off",
         reference="CVE-2022-29165 (precondition); argocd-cm users.anonymous.enabled",
         check=check_anonymous_access),
    Rule(id="A3", title="RBAC by groups; no default role in production; admin only for groups",
         reference="Argo CD operator manual: RBAC configuration", check=check_rbac),
    Rule(id="A4", title="Production AppProjects without wildcards; nothing in default",
         reference="Argo CD user guide: projects", check=check_projects),
    Rule(id="A5", title="Repository and cluster credentials secret, never literal; TLS verified",
         reference="Argo CD operator manual: declarative setup, secret management",
         check=check_credentials),
    Rule(id="A6", title="TLS on the server unless terminated upstream with a certificate",
         reference="Argo CD operator manual: TLS configuration, ingress",
         check=check_server_tls),
    Rule(id="A7", title="Argo CD at or above every fix for known server CVEs",
         reference="CVE-2025-55190, CVE-2025-59531/59537/59538, CVE-2026-42880/45737, "
                   "CVE-2026-45738", check=check_version),
    Rule(id="A8", title="A webhook secret for every Git provider in use",
         reference="Argo CD operator manual: Git webhook configuration; "
                   "CVE-2025-59531/59537/59538", check=check_webhook_secrets),
    Rule(id="A9", title="One access entry for the hosting Argo CD; no credential in a registration",
         reference="argosy: Argo CD hardening", check=check_argocd_access),
)  # fmt: skip

#: L5, which :mod:`argosy.policy.rules` places among the reliability rules.
LIFECYCLE_RULES: tuple[Rule, ...] = (
    Rule(id="L5", title="Applications with the resources finalizer depend on Argo CD",
         reference="Argo CD: deletion finalizers", check=check_application_lifecycle),
)  # fmt: skip
