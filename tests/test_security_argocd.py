"""SECURITY.md A1–A9: Argo CD hardening over the planned graph, each rule caught breaking.

The example stacks must pass every rule. Each rule is then shown firing, with its exact
messages, on a graph altered from a planned stack (the managed hub and its spokes) or built
here: a self-hosted Argo CD is a Helm release of the argo-cd chart whose values follow the
chart's shape (10.x), written out below as a compliant production hub would set them.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from argosy.argocd import versions
from argosy.plan.monitor import REDACTED, Registration
from argosy.plan.planner import stage_facts
from argosy.policy import argocd_rules, base
from argosy.policy.argocd_rules import ARGOCD_RULES, LIFECYCLE_RULES
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES, StageFacts, evaluate
from tests.conftest import EXAMPLE_STACKS, Planned

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
CAPABILITY = "aws:eks/capability:Capability"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
APPLICATION_SET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet"
APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"
SECRET = "kubernetes:core/v1:Secret"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"

HUB_ACCOUNT = "111111111111"
DEV_ACCOUNT = "222222222222"
HOST = "argocd.hub.acme.example"
CERTIFICATE = (
    f"arn:aws:acm:eu-west-1:{HUB_ACCOUNT}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)
PLATFORM_REPO = "https://github.com/acme/platform.git"
#: The A7 floor as its messages word it.
FLOOR = (
    "at or above 3.3.14, 3.4.7 or 3.5.1 on its minor line, or any release after 3.5.1 "
    "(SECURITY.md A7)"
)

PRODUCTION_HUB = StageFacts(
    production=True, account_id=HUB_ACCOUNT, kubernetes_allowed=True, own_cluster="argosy-hub"
)
DEV_HUB = dataclasses.replace(PRODUCTION_HUB, production=False)
LOCAL = StageFacts(production=False, account_id=None, kubernetes_allowed=True)
DEV_SPOKE = StageFacts(production=False, account_id=DEV_ACCOUNT, own_cluster="argosy-dev")


# --------------------------------------------------------------------------------------
# Graphs


def registration(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    *,
    outputs: dict[str, Any] | None = None,
    stack: str = "hub",
) -> Registration:
    """A resource as the planner records it (its outputs: its inputs and ``outputs``)."""
    return Registration(
        urn=f"urn:pulumi:{stack}::argosy::{type_}::{name}",
        id=f"{name}-id",
        type=type_,
        name=name,
        custom=True,
        parent=f"urn:pulumi:{stack}::argosy::pulumi:pulumi:Stack::argosy-{stack}",
        provider=None,
        dependencies=(),
        protect=False,
        retain_on_delete=False,
        deleted_with=None,
        ignore_changes=(),
        inputs=inputs,
        has_secret_inputs=False,
        outputs={**inputs, **(outputs or {})},
    )


OIDC_CONFIG = """\
name: Okta
issuer: https://acme.okta.com
clientID: argocd
clientSecret: $argocd-sso:clientSecret
requestedScopes: [openid, profile, email, groups]
"""

DEX_CONFIG = """\
connectors:
  - type: github
    id: github
    name: GitHub
    config:
      clientID: Iv1.0123456789abcdef
      clientSecret: {secret}
      orgs:
        - name: acme
"""


def hub_values() -> dict[str, Any]:
    """The argo-cd chart's values for a compliant production hub (chart 10.x shape)."""
    return {
        "global": {
            "domain": HOST,
            "image": {"tag": "v3.5.1"},
            "networkPolicy": {"create": True, "defaultDenyIngress": True},
        },
        "configs": {
            "cm": {
                "url": f"https://{HOST}",
                "admin.enabled": False,
                "users.anonymous.enabled": "false",
                "exec.enabled": False,
                "oidc.config": OIDC_CONFIG,
            },
            "rbac": {
                "policy.default": "",
                "policy.csv": "g, acme:platform, role:admin\ng, acme:developers, role:readonly\n",
                "scopes": "[groups]",
            },
            # TLS ends at the ALB, which has the ACM certificate.
            "params": {"server.insecure": True},
            "secret": {"githubSecret": "$argocd-webhooks:github"},
        },
        "server": {
            "ingress": {
                "enabled": True,
                "controller": "aws",
                "hostname": HOST,
                "annotations": {
                    "alb.ingress.kubernetes.io/scheme": "internal",
                    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
                    "alb.ingress.kubernetes.io/certificate-arn": CERTIFICATE,
                },
            }
        },
        "redis-ha": {"enabled": True},
        "notifications": {"secret": {"create": False}},
    }


def local_values() -> dict[str, Any]:
    """The values of the local stage: the local admin, no SSO, no ingress, no webhook."""
    return {
        "global": {"domain": "localhost", "image": {"tag": "v3.5.1"}},
        "configs": {
            "cm": {"admin.enabled": "true", "users.anonymous.enabled": "false"},
            "rbac": {"policy.default": "role:readonly"},
            "params": {"server.insecure": False},
        },
        "server": {"ingress": {"enabled": False}},
    }


def release(values: Any, *, version: str = "10.1.1", stack: str = "hub") -> Registration:
    return registration(
        HELM_RELEASE,
        f"{stack}-argocd",
        {
            "chart": "argo-cd",
            "version": version,
            "namespace": "argocd",
            "repositoryOpts": {"repo": "https://argoproj.github.io/argo-helm"},
            "values": values,
        },
        stack=stack,
    )


def application(
    name: str, source: dict[str, Any] | None = None, project: str = "platform"
) -> Registration:
    spec = {
        "project": project,
        "source": source
        or {"repoURL": PLATFORM_REPO, "path": f"gitops/{name}", "targetRevision": "main"},
        "destination": {"name": "in-cluster", "namespace": name},
    }
    return registration(
        APPLICATION,
        f"hub-{name}",
        {"metadata": {"name": name, "namespace": "argocd"}, "spec": spec},
    )


def project(spec_changes: dict[str, Any] | None = None) -> Registration:
    spec = {
        "sourceRepos": [PLATFORM_REPO],
        "destinations": [{"name": "in-cluster", "namespace": "platform"}],
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
        **(spec_changes or {}),
    }
    return registration(
        APP_PROJECT, "hub-platform", {"metadata": {"name": "platform"}, "spec": spec}
    )


def argocd_secret(name: str, kind: str, data: Any) -> Registration:
    metadata = {
        "name": name,
        "namespace": "argocd",
        "labels": {"argocd.argoproj.io/secret-type": kind},
    }
    return registration(SECRET, name, {"metadata": metadata, "stringData": data})


def self_hosted_hub(values: Any = None, *extra: Registration) -> PlanGraph:
    """A self-hosted hub: the release, its project, an Application, registrations."""
    return PlanGraph(
        [
            release(hub_values() if values is None else values),
            project(),
            application("platform"),
            argocd_secret("hub-registrations-dev", "cluster", REDACTED),
            argocd_secret("hub-repository-platform", "repository", REDACTED),
            *extra,
        ]
    )


def local_stage(values: Any = None, *extra: Registration) -> PlanGraph:
    return PlanGraph(
        [
            release(local_values() if values is None else values, stack="local"),
            application("platform"),
            *extra,
        ]
    )


def edited(values: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    changed = copy.deepcopy(values)
    edit(changed)
    return changed


def setting(*path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that sets ``values[path[0]]…[path[-1]]`` to ``value``."""

    def edit(values: dict[str, Any]) -> None:
        for key in path[:-1]:
            values = values.setdefault(key, {})
        values[path[-1]] = value

    return edit


# --------------------------------------------------------------------------------------
# Running rules


def facts(plan: Planned, **changes: Any) -> StageFacts:
    return dataclasses.replace(stage_facts(plan.config), **changes)


def findings_at(rule_id: str, graph: PlanGraph, stage: StageFacts) -> list[tuple[str, str]]:
    """(resource name, message) of every finding of ``rule_id``."""
    [found] = [r for r in RULES if r.id == rule_id]
    return [
        (f.urn.rsplit("::", 1)[-1] if f.urn else "(stack)", f.message)
        for f in evaluate(graph, stage, [found]).findings
    ]


def messages(rule_id: str, graph: PlanGraph, stage: StageFacts) -> list[str]:
    return [message for _, message in findings_at(rule_id, graph, stage)]


def altered(
    plan: Planned,
    match: Callable[[Registration], bool],
    change: Callable[[Registration], Registration],
) -> PlanGraph:
    hits = [r for r in plan.run.resources if match(r)]
    assert hits, "the alteration matched nothing"
    return PlanGraph(change(r) if match(r) else r for r in plan.run.resources)


def with_inputs(edit: Callable[[dict[str, Any]], None]) -> Callable[[Registration], Registration]:
    def change(resource: Registration) -> Registration:
        inputs = copy.deepcopy(resource.inputs)
        edit(inputs)
        return dataclasses.replace(resource, inputs=inputs)

    return change


def of_type(token: str) -> Callable[[Registration], bool]:
    return lambda r: r.type == token


def named(type_: str, name: str) -> Callable[[Registration], bool]:
    return lambda r: r.type == type_ and r.name == name


ARGOCD_IDS = [r.id for r in (*ARGOCD_RULES, *LIFECYCLE_RULES)]


# --------------------------------------------------------------------------------------
# Every example, and compliant graphs, pass


def test_the_argo_cd_rules_are_run_in_security_md_order() -> None:
    ids = [r.id for r in RULES]
    assert [i for i in ids if i.startswith("A")] == [f"A{n}" for n in range(1, 10)]
    assert ids.index("A9") < ids.index("L5")
    assert len(ids) == len(set(ids))
    for found in (*ARGOCD_RULES, *LIFECYCLE_RULES):
        assert found.title and found.reference and found.check.__doc__


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_argo_cd_rule_passes_on_every_example(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    report = evaluate(plan.graph, facts(plan), [*ARGOCD_RULES, *LIFECYCLE_RULES])
    assert report.findings == ()
    assert set(ARGOCD_IDS) <= set(plan.checks.passed)


@pytest.mark.parametrize(
    ("graph", "stage"),
    [
        (self_hosted_hub(), PRODUCTION_HUB),
        (self_hosted_hub(), DEV_HUB),
        (local_stage(), LOCAL),
    ],
    ids=["production hub", "dev hub", "local"],
)
def test_compliant_self_hosted_graphs_pass(graph: PlanGraph, stage: StageFacts) -> None:
    report = evaluate(graph, stage, [*ARGOCD_RULES, *LIFECYCLE_RULES])
    assert report.findings == ()
    assert report.passed == tuple(ARGOCD_IDS)


# --------------------------------------------------------------------------------------
# A1


def test_a1_the_local_admin_is_off_once_sso_is_on() -> None:
    values = edited(hub_values(), lambda v: v["configs"]["cm"].pop("admin.enabled"))
    assert findings_at("A1", self_hosted_hub(values), PRODUCTION_HUB) == [
        ("hub-argocd", "local admin on (admin.enabled: unset, so true) although SSO is configured")
    ]
    values = edited(hub_values(), lambda v: v["configs"]["cm"].update({"admin.enabled": "true"}))
    assert messages("A1", self_hosted_hub(values), PRODUCTION_HUB) == [
        "local admin on (admin.enabled: true) although SSO is configured"
    ]


def test_a1_sso_needs_the_url() -> None:
    def no_url(values: dict[str, Any]) -> None:
        values["configs"]["cm"].pop("url")
        values["global"].pop("domain")

    assert messages("A1", self_hosted_hub(edited(hub_values(), no_url)), PRODUCTION_HUB) == [
        "SSO configured without url (configs.cm.url or global.domain)"
    ]
    # global.domain alone is the url (the chart derives configs.cm.url from it).
    values = edited(hub_values(), lambda v: v["configs"]["cm"].pop("url"))
    assert messages("A1", self_hosted_hub(values), PRODUCTION_HUB) == []


def test_a1_client_secrets_are_references() -> None:
    inline = OIDC_CONFIG.replace("$argocd-sso:clientSecret", "s3cr3t-value")
    values = edited(hub_values(), lambda v: v["configs"]["cm"].update({"oidc.config": inline}))
    assert messages("A1", self_hosted_hub(values), PRODUCTION_HUB) == [
        "oidc.config clientSecret is inline, not a $secret:key reference"
    ]

    def dex(secret: str) -> Callable[[dict[str, Any]], None]:
        def edit(values: dict[str, Any]) -> None:
            cm = values["configs"]["cm"]
            cm.pop("oidc.config")
            cm["dex.config"] = DEX_CONFIG.format(secret=secret)

        return edit

    graph = self_hosted_hub(edited(hub_values(), dex("$argocd-sso:clientSecret")))
    assert messages("A1", graph, PRODUCTION_HUB) == []
    graph = self_hosted_hub(edited(hub_values(), dex("0123456789abcdef")))
    assert messages("A1", graph, PRODUCTION_HUB) == [
        "dex.config connector github clientSecret is inline, not a $secret:key reference"
    ]
    values = edited(hub_values(), lambda v: v["configs"]["cm"].update({"oidc.config": "[a"}))
    assert messages("A1", self_hosted_hub(values), PRODUCTION_HUB) == [
        "oidc.config is not a YAML mapping"
    ]


def test_a1_the_local_admin_without_sso_only_on_the_local_stage() -> None:
    assert messages("A1", local_stage(), LOCAL) == []
    for stage in (DEV_HUB, PRODUCTION_HUB):
        assert findings_at("A1", local_stage(), stage) == [
            (
                "local-argocd",
                "local admin on (admin.enabled: true) and no SSO (oidc.config or dex.config): "
                "only the local stage may sign in as admin",
            )
        ]
    assert messages("A1", local_stage(), dataclasses.replace(LOCAL, production=True)) == [
        "local admin on (admin.enabled: true) and no SSO (oidc.config or dex.config): only "
        "the local stage may sign in as admin"
    ]


def test_a1_values_the_plan_cannot_read() -> None:
    assert messages("A1", self_hosted_hub(REDACTED), PRODUCTION_HUB) == [
        "values are not readable in the plan (a secret Output as a whole)"
    ]


def test_a1_the_capability_signs_in_through_identity_center(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    assert hub.graph.of_type(CAPABILITY)
    assert messages("A1", hub.graph, facts(hub)) == []


# --------------------------------------------------------------------------------------
# A2


@pytest.mark.parametrize("on", [True, "true", "True"])
def test_a2_anonymous_access_is_off(on: Any) -> None:
    values = edited(
        hub_values(), lambda v: v["configs"]["cm"].update({"users.anonymous.enabled": on})
    )
    shown = "true" if on is True else on
    assert findings_at("A2", self_hosted_hub(values), DEV_HUB) == [
        ("hub-argocd", f"anonymous access on (users.anonymous.enabled: {shown})")
    ]
    graph = local_stage(
        edited(local_values(), setting("configs", "cm", "users.anonymous.enabled", value=on))
    )
    assert len(messages("A2", graph, LOCAL)) == 1


# --------------------------------------------------------------------------------------
# A3


def rbac(changes: dict[str, Any]) -> PlanGraph:
    return self_hosted_hub(edited(hub_values(), lambda v: v["configs"]["rbac"].update(changes)))


def test_a3_no_default_role_in_production() -> None:
    graph = rbac({"policy.default": "role:readonly"})
    assert findings_at("A3", graph, PRODUCTION_HUB) == [
        ("hub-argocd", "policy.default is role:readonly; empty in production")
    ]
    assert messages("A3", graph, DEV_HUB) == []
    graph = rbac({"policy.default": "role:admin"})
    assert messages("A3", graph, DEV_HUB) == [
        "policy.default is role:admin; at most role:readonly outside production"
    ]
    # The local stage has only its local admin: its default role is free.
    assert messages("A3", graph, LOCAL) == []


def test_a3_scopes_include_groups() -> None:
    assert messages("A3", rbac({"scopes": "[email]"}), DEV_HUB) == [
        "scopes [email] do not include groups"
    ]
    assert messages("A3", rbac({"scopes": "[groups, email]"}), DEV_HUB) == []
    assert messages("A3", rbac({"scopes": ["email", "groups"]}), DEV_HUB) == []


def test_a3_admin_only_for_groups() -> None:
    csv = (
        "g, acme:platform, role:admin\n"
        "g, alice@acme.example, role:admin\n"
        "p, bob, *, *, *, allow\n"
        "p, role:super, *, *, */*, allow\n"
        "g, *, role:super\n"
        "g, role:ops, role:admin\n"
        "g, carol@acme.example, role:ops\n"
        "g, dave@acme.example, role:readonly\n"
        "# g, eve@acme.example, role:admin\n"
    )
    assert messages("A3", rbac({"policy.csv": csv}), PRODUCTION_HUB) == [
        "policy.csv grants everything to bob directly; bind role:admin to a group instead",
        "role:admin bound to alice@acme.example, which is no group",
        "role:ops bound to carol@acme.example, which is no group",
        "role:super bound to *, which is no group",
    ]
    # Overlays (policy.<name>.csv) count too.
    overlay = {"policy.overlay.csv": "g, frank@acme.example, role:admin"}
    assert messages("A3", rbac(overlay), PRODUCTION_HUB) == [
        "role:admin bound to frank@acme.example, which is no group"
    ]


def test_a3_the_capabilitys_admin_is_a_group(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")

    def to_a_user(inputs: dict[str, Any]) -> None:
        [admin] = [
            m for m in inputs["configuration"]["argoCd"]["rbacRoleMappings"] if m["role"] == "ADMIN"
        ]
        admin["identities"].append({"type": "SSO_USER", "id": "alice"})

    graph = altered(hub, of_type(CAPABILITY), with_inputs(to_a_user))
    assert findings_at("A3", graph, facts(hub)) == [
        ("hub-argocd", "ADMIN granted to SSO_USER alice, which is no group")
    ]


# --------------------------------------------------------------------------------------
# A4


def test_a4_production_projects_name_their_sources_and_destinations(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")

    def widen(inputs: dict[str, Any]) -> None:
        spec = inputs["spec"]
        spec["sourceRepos"].append("*")
        spec["destinations"].append({"server": "*", "namespace": "*"})
        spec["destinations"].append({"name": "*", "namespace": "platform"})
        spec["clusterResourceWhitelist"].append({"group": "*", "kind": "*"})

    graph = altered(hub, named(APP_PROJECT, "hub-registrations-platform"), with_inputs(widen))
    assert findings_at("A4", graph, facts(hub)) == [
        ("hub-registrations-platform", "a destination name is *"),
        ("hub-registrations-platform", "a destination namespace is *"),
        ("hub-registrations-platform", "a destination server is *"),
        ("hub-registrations-platform", "clusterResourceWhitelist allows */*"),
        ("hub-registrations-platform", "sourceRepos include *"),
    ]
    assert findings_at("A4", graph, facts(hub, production=False)) == []
    # One wildcard half is not */*.
    half = {"group": "*", "kind": "ClusterRole"}
    graph = altered(
        hub,
        of_type(APP_PROJECT),
        with_inputs(lambda i: i["spec"]["clusterResourceWhitelist"].append(half)),
    )
    assert findings_at("A4", graph, facts(hub)) == []
    # A team's project is held to the same bounds.
    graph = altered(
        hub, named(APP_PROJECT, "hub-registrations-project-todo-prod"), with_inputs(widen)
    )
    assert [f for _, f in findings_at("A4", graph, facts(hub))] == [
        "a destination name is *",
        "a destination namespace is *",
        "a destination server is *",
        "clusterResourceWhitelist allows */*",
        "sourceRepos include *",
    ]


def test_a4_no_application_in_the_default_project(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    graph = altered(
        hub,
        named(APPLICATION, "hub-registrations-prod-baseline"),
        with_inputs(lambda i: i["spec"].update(project="default")),
    )
    assert findings_at("A4", graph, facts(hub)) == [
        ("hub-registrations-prod-baseline", "in the default project")
    ]
    app_set = registration(
        APPLICATION_SET,
        "hub-clusters",
        {
            "metadata": {"name": "clusters"},
            "spec": {
                "generators": [{"clusters": {}}],
                "template": {"metadata": {"name": "{{name}}"}, "spec": {"project": "default"}},
            },
        },
    )
    assert findings_at("A4", self_hosted_hub(None, app_set), PRODUCTION_HUB) == [
        ("hub-clusters", "in the default project")
    ]


# --------------------------------------------------------------------------------------
# A5


def test_a5_repository_credentials_are_secret_outputs() -> None:
    in_clear = argocd_secret(
        "hub-repository-private",
        "repository",
        {"url": "https://github.com/acme/private.git", "password": "ghp_x", "insecure": "true"},
    )
    creds = argocd_secret("hub-creds-acme", "repo-creds", {"url": "https://github.com/acme"})
    graph = self_hosted_hub(None, in_clear, creds)
    assert findings_at("A5", graph, PRODUCTION_HUB) == [
        ("hub-creds-acme", "credentials are in clear, not a secret Output"),
        ("hub-repository-private", "credentials are in clear, not a secret Output"),
        ("hub-repository-private", "insecure is true: TLS to the repository is not verified"),
    ]


def test_a5_a_cluster_registration_in_clear_is_a9s(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    config = json.dumps({"tlsClientConfig": {"insecure": True}})
    in_clear = {"name": "prod", "server": "https://example", "config": config}
    graph = altered(
        hub,
        named(SECRET, "hub-registrations-prod"),
        with_inputs(lambda i: i.update(stringData=in_clear)),
    )
    # A9 says it is in clear; A5 adds only what A9 does not: insecure.
    assert findings_at("A5", graph, facts(hub)) == [
        ("hub-registrations-prod", "insecure is true: TLS to the cluster is not verified")
    ]
    assert findings_at("A9", graph, facts(hub)) == [
        ("hub-registrations-prod", "registration is in clear, not a secret Output")
    ]


def test_a5_no_literal_secret_in_the_values() -> None:
    def literals(values: dict[str, Any]) -> None:
        configs = values["configs"]
        configs["secret"].update(
            {
                "githubSecret": "hunter2",
                "gitlabSecret": "$argocd-webhooks:gitlab",
                "bitbucketServerSecret": "",
                "azureDevops": {"username": "argocd", "password": "pat"},
                "extra": {"oidc.clientSecret": "s3cr3t", "ref": "$argocd-sso:clientSecret"},
                "argocdServerAdminPassword": "$2a$10$abcdefghijklmnopqrstuv",
            }
        )
        values["notifications"]["secret"]["items"] = {
            "slack-token": "xoxb-1",
            "webhook-token": "$argocd-notify:token",
        }
        configs["repositories"] = {
            "private": {"url": "https://github.com/acme/private.git", "password": "ghp_x"},
            "public": {"url": "https://github.com/acme/public.git", "insecure": "true"},
            "sealed": {"url": "https://github.com/acme/sealed.git", "password": REDACTED},
        }
        configs["credentialTemplates"] = {
            "ssh": {"url": "git@github.com:acme", "sshPrivateKey": "-----BEGIN OPENSSH"}
        }
        configs["clusterCredentials"] = {
            "old": {
                "server": "https://old.example",
                "config": {"bearerToken": "eyJ", "tlsClientConfig": {"insecure": True}},
            }
        }

    graph = self_hosted_hub(edited(hub_values(), literals))
    assert messages("A5", graph, PRODUCTION_HUB) == sorted(
        [
            "configs.secret.githubSecret is a literal, not a $secret:key reference",
            "configs.secret.azureDevops.password is a literal, not a $secret:key reference",
            "configs.secret.extra.oidc.clientSecret is a literal, not a $secret:key reference",
            "configs.secret.argocdServerAdminPassword is set: the admin password's hash would "
            "sit in the values",
            "notifications.secret.items.slack-token is a literal, not a $secret:key reference",
            "configs.repositories.private.password is a literal credential",
            "configs.repositories.public.insecure is true",
            "configs.credentialTemplates.ssh.sshPrivateKey is a literal credential",
            "configs.clusterCredentials.old holds a credential: bearerToken",
            "configs.clusterCredentials.old.config.tlsClientConfig.insecure is true",
        ]
    )


# --------------------------------------------------------------------------------------
# A6


def ingress(edit: Callable[[dict[str, Any]], None]) -> PlanGraph:
    return self_hosted_hub(edited(hub_values(), lambda v: edit(v["server"]["ingress"])))


ALB = "alb.ingress.kubernetes.io/"


def test_a6_tls_ends_upstream_when_the_server_serves_none() -> None:
    assert findings_at("A6", ingress(lambda i: i.update(enabled=False)), DEV_HUB) == [
        ("hub-argocd", "server.insecure is true and no ingress terminates TLS")
    ]
    http = ingress(lambda i: i["annotations"].update({f"{ALB}listen-ports": '[{"HTTP":80}]'}))
    assert messages("A6", http, DEV_HUB) == [
        'server.insecure is true and the ALB has no HTTPS listener (listen-ports: [{"HTTP":80}])'
    ]

    def no_certificate(ingress: dict[str, Any]) -> None:
        ingress["annotations"].pop(f"{ALB}certificate-arn")
        ingress.pop("hostname")

    values = edited(hub_values(), lambda v: no_certificate(v["server"]["ingress"]))
    values["global"].pop("domain")
    assert messages("A6", self_hosted_hub(values), DEV_HUB) == [
        "server.insecure is true and the ALB has neither certificate-arn nor a host to find "
        "its certificate by"
    ]
    # The certificate is found by the host; the HTTPS listener is the default with an ARN.
    for annotation in ("certificate-arn", "listen-ports"):
        values = hub_values()
        values["server"]["ingress"]["annotations"].pop(f"{ALB}{annotation}")
        assert messages("A6", self_hosted_hub(values), DEV_HUB) == [], annotation
    assert messages("A6", ingress(lambda i: i.update(controller="generic")), DEV_HUB) == [
        "server.insecure is true and the generic ingress has no TLS"
    ]
    graph = ingress(lambda i: i.update(controller="generic", tls=True))
    assert messages("A6", graph, DEV_HUB) == []


def test_a6_a_server_with_its_own_tls_needs_no_ingress() -> None:
    def own_tls(values: dict[str, Any]) -> None:
        values["configs"]["params"]["server.insecure"] = "false"
        values["server"]["ingress"]["enabled"] = False

    assert messages("A6", self_hosted_hub(edited(hub_values(), own_tls)), PRODUCTION_HUB) == []
    graph = local_stage(
        edited(local_values(), setting("configs", "params", "server.insecure", value="true"))
    )
    assert messages("A6", graph, LOCAL) == ["server.insecure is true and no ingress terminates TLS"]


# --------------------------------------------------------------------------------------
# A7


def tag(value: str, component: str = "global") -> PlanGraph:
    return self_hosted_hub(
        edited(hub_values(), lambda v: v.setdefault(component, {}).update(image={"tag": value}))
    )


def test_a7_the_rendered_image_is_at_or_above_the_floor() -> None:
    for fixed in ("v3.3.14", "v3.4.7", "v3.5.1", "v3.5.3", "v3.6.0", "3.4.9"):
        assert messages("A7", tag(fixed), PRODUCTION_HUB) == [], fixed
    assert findings_at("A7", tag("v3.4.4"), PRODUCTION_HUB) == [
        ("hub-argocd", f"Argo CD v3.4.4 (global.image.tag) is below the floor: {FLOOR}")
    ]
    assert messages("A7", tag("v3.2.9@sha256:0123"), PRODUCTION_HUB) == [
        f"Argo CD v3.2.9 (global.image.tag) is below the floor: {FLOOR}"
    ]
    assert messages("A7", tag("latest"), PRODUCTION_HUB) == [
        "global.image.tag 'latest' is not a release version: A7 cannot check it"
    ]
    # A component's own tag overrides the global one.
    assert messages("A7", tag("v3.5.0", "server"), PRODUCTION_HUB) == [
        f"Argo CD v3.5.0 (server.image.tag) is below the floor: {FLOOR}"
    ]


def test_a7_without_a_tag_the_charts_app_version(monkeypatch: pytest.MonkeyPatch) -> None:
    values = edited(hub_values(), lambda v: v["global"].pop("image"))
    monkeypatch.delattr(versions, "ARGO_CD", raising=False)
    assert messages("A7", self_hosted_hub(values), PRODUCTION_HUB) == [
        "the Argo CD version is unknown: chart argo-cd 10.1.1 is not pinned in "
        "argosy.argocd.versions and global.image.tag is not set"
    ]
    pinned = versions.ChartVersion(
        repository="https://argoproj.github.io/argo-helm",
        chart="argo-cd",
        version="10.9.0",
        app_version="v3.5.1",
        source="a test pin",
    )
    monkeypatch.setattr(versions, "ARGO_CD", pinned, raising=False)
    graph = PlanGraph([release(values, version="10.9.0")])
    assert messages("A7", graph, PRODUCTION_HUB) == []
    graph = PlanGraph([release(values, version="10.1.1")])
    assert messages("A7", graph, PRODUCTION_HUB) == [
        "the Argo CD version is unknown: chart argo-cd 10.1.1 is not pinned in "
        "argosy.argocd.versions and global.image.tag is not set"
    ]


def test_a7_the_capabilitys_reported_version(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    assert hub.one(CAPABILITY).outputs["version"] == "3.5.1-eks-1"

    def reporting(version: str | None) -> PlanGraph:
        def change(capability: Registration) -> Registration:
            outputs = {k: v for k, v in capability.outputs.items() if k != "version"}
            if version is not None:
                outputs["version"] = version
            return dataclasses.replace(capability, outputs=outputs)

        return altered(hub, of_type(CAPABILITY), change)

    assert messages("A7", reporting("3.5.4-eks-2"), facts(hub)) == []
    assert findings_at("A7", reporting("3.4.4-eks-1"), facts(hub)) == [
        (
            "hub-argocd",
            f"Argo CD 3.4.4 (capability version 3.4.4-eks-1) is below the floor: {FLOOR}",
        )
    ]
    assert messages("A7", reporting("3.5.1"), facts(hub)) == [
        "capability version '3.5.1' is not <release>-eks-<n>: A7 cannot check it"
    ]
    assert messages("A7", reporting(None), facts(hub)) == [
        "capability version None is not <release>-eks-<n>: A7 cannot check it"
    ]


# --------------------------------------------------------------------------------------
# A8


def test_a8_a_webhook_secret_for_every_git_provider_in_use() -> None:
    values = edited(hub_values(), lambda v: v["configs"]["secret"].pop("githubSecret"))
    assert findings_at("A8", self_hosted_hub(values), PRODUCTION_HUB) == [
        (
            "hub-argocd",
            f"no configs.secret.githubSecret for the github repositories {PLATFORM_REPO}",
        )
    ]
    gitlab = application(
        "apps",
        {"repoURL": "https://gitlab.com/acme/apps.git", "path": ".", "targetRevision": "main"},
    )
    helm = application(
        "charts",
        {"repoURL": "https://charts.bitbucket.acme.example", "chart": "x", "targetRevision": "1"},
    )
    multi = registration(
        APPLICATION,
        "hub-multi",
        {
            "metadata": {"name": "multi"},
            "spec": {
                "project": "platform",
                "sources": [
                    {"repoURL": "https://gitlab.com/acme/values.git", "ref": "values"},
                    {"repoURL": "https://argoproj.github.io/argo-helm", "chart": "argo-cd"},
                ],
            },
        },
    )
    app_set = registration(
        APPLICATION_SET,
        "hub-tenants",
        {
            "metadata": {"name": "tenants"},
            "spec": {
                "generators": [
                    {
                        "matrix": {
                            "generators": [
                                {"git": {"repoURL": "ssh://git@bitbucket.acme.example/t.git"}},
                                {"clusters": {}},
                            ]
                        }
                    }
                ],
                "template": {"spec": {"project": "platform", "source": {"repoURL": "{{url}}"}}},
            },
        },
    )
    graph = self_hosted_hub(None, gitlab, helm, multi, app_set)
    assert messages("A8", graph, PRODUCTION_HUB) == [
        "no configs.secret.bitbucketServerSecret for the bitbucket_server repositories "
        "ssh://git@bitbucket.acme.example/t.git",
        "no configs.secret.gitlabSecret for the gitlab repositories "
        "https://gitlab.com/acme/apps.git, https://gitlab.com/acme/values.git",
    ]


def test_a8_the_local_stage_unreachable_from_outside_needs_none() -> None:
    assert messages("A8", local_stage(), LOCAL) == []
    exposed = local_stage(
        edited(local_values(), setting("server", "ingress", "enabled", value=True))
    )
    assert messages("A8", exposed, LOCAL) == [
        f"no configs.secret.githubSecret for the github repositories {PLATFORM_REPO}"
    ]
    balanced = local_stage(
        edited(local_values(), lambda v: v["server"].update(service={"type": "LoadBalancer"}))
    )
    assert len(messages("A8", balanced, LOCAL)) == 1
    # An AWS stage's server is reachable (webhooks come through its ALB or VPC path).
    assert len(messages("A8", local_stage(), DEV_HUB)) == 1


def test_a8_the_capabilitys_webhook_is_aws(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    assert hub.graph.of_type(APPLICATION)
    assert messages("A8", hub.graph, facts(hub)) == []


# --------------------------------------------------------------------------------------
# A9 (self-hosted): the spoke's access role


HUB_COMPONENTS = [
    f"arn:aws:iam::{HUB_ACCOUNT}:role/argosy-hub-argocd-application-controller",
    f"arn:aws:iam::{HUB_ACCOUNT}:role/argosy-hub-argocd-applicationset-controller",
    f"arn:aws:iam::{HUB_ACCOUNT}:role/argosy-hub-argocd-server",
]
ACCESS_ROLE_ARN = f"arn:aws:iam::{DEV_ACCOUNT}:role/argosy-dev-argocd-access"


def access_trust(principals: list[str], root: str = HUB_ACCOUNT) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ArgoCdComponents",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{root}:root"},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                    "Condition": {"ArnEquals": {"aws:PrincipalArn": principals}},
                }
            ],
        }
    )


def spoke(trust: str | None = None, *extra: Registration) -> PlanGraph:
    """A spoke of a self-hosted hub: its access role and the one entry for it."""
    role = registration(
        ROLE,
        "dev-argocd-access-role",
        {
            "name": "argosy-dev-argocd-access",
            "assumeRolePolicy": trust or access_trust(HUB_COMPONENTS),
        },
        outputs={"arn": ACCESS_ROLE_ARN},
        stack="dev",
    )
    entry = registration(
        ACCESS_ENTRY,
        "dev-argocd-access",
        {"clusterName": "argosy-dev", "principalArn": ACCESS_ROLE_ARN, "type": "STANDARD"},
        stack="dev",
    )
    admin = registration(
        ACCESS_ENTRY,
        "dev-access-admin-0",
        {"principalArn": f"arn:aws:iam::{DEV_ACCOUNT}:role/platform-admins", "type": "STANDARD"},
        stack="dev",
    )
    return PlanGraph([role, entry, admin, *extra])


def test_a9_a_self_hosted_hubs_access_role_passes() -> None:
    assert findings_at("A9", spoke(), DEV_SPOKE) == []
    # The hub's own Argo CD role alone is an Argo CD too.
    one = access_trust([f"arn:aws:iam::{HUB_ACCOUNT}:role/argosy-hub-argocd"])
    assert findings_at("A9", spoke(one), DEV_SPOKE) == []


def test_a9_the_access_role_holds_no_permission() -> None:
    attachment = registration(
        ATTACHMENT,
        "dev-argocd-access-admin",
        {
            "role": "argosy-dev-argocd-access",
            "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
        stack="dev",
    )
    inline = registration(
        ROLE_POLICY,
        "dev-argocd-access-s3",
        {"role": "argosy-dev-argocd-access", "policy": "{}"},
        stack="dev",
    )
    assert findings_at("A9", spoke(None, attachment, inline), DEV_SPOKE) == [
        (
            "dev-argocd-access-role",
            "Argo CD access role has the inline policy dev-argocd-access-s3",
        ),
        ("dev-argocd-access-role", "Argo CD access role holds the policy AdministratorAccess"),
    ]


def test_a9_the_access_role_trusts_one_argo_cd_only() -> None:
    whole_account = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{HUB_ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ]
        }
    )
    assert findings_at("A9", spoke(whole_account), DEV_SPOKE) == [
        (
            "dev-argocd-access-role",
            f"trust admits arn:aws:iam::{HUB_ACCOUNT}:root, which is no Argo CD role",
        )
    ]
    admins = f"arn:aws:iam::{HUB_ACCOUNT}:role/platform-admins"
    assert messages("A9", spoke(access_trust([*HUB_COMPONENTS, admins])), DEV_SPOKE) == [
        f"trust admits {admins}, which is no Argo CD role"
    ]
    pattern = f"arn:aws:iam::{HUB_ACCOUNT}:role/*-argocd"
    assert messages("A9", spoke(access_trust([pattern])), DEV_SPOKE) == [
        f"trust admits {pattern}, which is no Argo CD role"
    ]
    other_hub = "arn:aws:iam::555555555555:role/argosy-ops-argocd"
    assert messages("A9", spoke(access_trust([*HUB_COMPONENTS, other_hub])), DEV_SPOKE) == [
        f"trust admits the roles of 2 Argo CDs ({HUB_ACCOUNT}/argosy-hub, "
        "555555555555/argosy-ops); one Argo CD manages a stage"
    ]
    service = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "*"}
            ]
        }
    )
    assert messages("A9", spoke(service), DEV_SPOKE) == [
        "trust admits Service ec2.amazonaws.com, which is no Argo CD role"
    ]
    nobody = json.dumps({"Statement": []})
    assert messages("A9", spoke(nobody), DEV_SPOKE) == ["trust admits no Argo CD role"]


def test_a9_one_access_entry_for_an_argo_cd_principal(planned: Callable[[str], Planned]) -> None:
    second = registration(
        ACCESS_ENTRY,
        "dev-argocd-access-2",
        {"principalArn": f"arn:aws:iam::{DEV_ACCOUNT}:role/argosy-qa-argocd-access"},
        stack="dev",
    )
    assert findings_at("A9", spoke(None, second), DEV_SPOKE) == [
        ("(stack)", "2 access entries for Argo CD principals; one Argo CD manages a stage")
    ]
    # A managed hub's entry and a self-hosted hub's access role on the same spoke.
    dev = planned("dev")
    own = registration(
        ACCESS_ENTRY,
        "dev-argocd-access-self-hosted",
        {"principalArn": ACCESS_ROLE_ARN, "clusterName": "argosy-dev", "type": "STANDARD"},
        stack="dev",
    )
    graph = PlanGraph([*dev.run.resources, own])
    assert findings_at("A9", graph, facts(dev)) == [
        ("(stack)", "2 access entries for Argo CD principals; one Argo CD manages a stage")
    ]


def test_rules_module_keeps_its_names() -> None:
    from argosy.policy import rules

    assert rules.HELM_RELEASE == argocd_rules.HELM_RELEASE == HELM_RELEASE
    assert rules.CAPABILITY == CAPABILITY
    assert rules.Finding is base.Finding
