"""A self-hosted Argo CD: the chart pin (ARGO_CD) and the argo-cd chart's values."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from argosy import naming
from argosy.argocd.install import (
    LOCAL_DOMAIN,
    LOCAL_URL,
    MANAGEMENT_SERVICE_ACCOUNTS,
    NOTIFICATION_TRIGGERS,
    ArgoCdInstall,
    argo_cd_values,
    redis_ha_policies,
    release_name,
    yaml_text,
)
from argosy.argocd.versions import (
    APP_VERSION_FLOORS,
    ARGO_CD,
    CHARTS,
    StagePin,
    version_key,
)
from argosy.config.models.selfhosted import SelfHostedArgoCdSettings
from argosy.config.source import read_stack_file
from argosy.config.validate import validate_stage
from argosy.manifests.validation import check_kubernetes_manifest
from tests.conftest import REPO, assert_golden

CERTIFICATE_ARN = (
    "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)
GITOPS = {"repoUrl": "https://github.com/acme/platform.git", "path": "gitops"}


def settings_of(stack: str, argocd: dict[str, Any] | None) -> SelfHostedArgoCdSettings:
    """``selfHosted`` as validation builds it: the example stack file, Argo CD replaced."""
    path = REPO / "stacks" / f"Pulumi.{stack}.yaml"
    stack_file = read_stack_file(Path(path), stack=stack, display=path.name)
    config = dict(stack_file.config)
    if argocd is not None:
        config["argosy:argocd"] = argocd
    stage = validate_stage(stack, config, source=stack_file.source)
    assert stage.argocd is not None
    assert stage.argocd.self_hosted is not None
    return stage.argocd.self_hosted


def hub_settings() -> SelfHostedArgoCdSettings:
    return settings_of(
        "hub",
        {
            "topology": "hub-spoke",
            "install": "self-hosted",
            "spokes": ["dev", "staging", "prod"],
            "gitops": GITOPS,
            "selfHosted": {
                "hostname": "argocd.hub.acme.example",
                "certificateArn": CERTIFICATE_ARN,
                "sso": {
                    "oidc": {
                        "issuer": "https://acme.okta.com",
                        "clientId": "argocd",
                        "clientSecret": "$argocd-sso:clientSecret",
                    }
                },
                "rbac": {
                    "adminGroups": ["platform-admins", "argocd-admins"],
                    "readonlyGroups": ["developers"],
                },
                "webhooks": {"github": "$argocd-webhooks:github"},
                "notifications": {"slack": {"channel": "platform-deploys"}},
            },
        },
    )


def dev_settings() -> SelfHostedArgoCdSettings:
    return settings_of(
        "dev",
        {
            "topology": "standalone",
            "install": "self-hosted",
            "gitops": GITOPS,
            "selfHosted": {
                "hostname": "argocd.dev.acme.example",
                "internetFacing": True,
                "sso": {
                    "dex": {
                        "clientId": "Iv1.0123456789abcdef",
                        "clientSecret": "$argocd-sso:clientSecret",
                        "orgs": ["acme"],
                    }
                },
                "rbac": {
                    "defaultRole": "readonly",
                    "adminGroups": ["acme:platform"],
                    "readonlyGroups": ["acme:developers", "acme:qa"],
                },
                "webhooks": {"github": "$argocd-webhooks:github"},
                "notifications": {
                    "webhook": {
                        "url": "https://hooks.acme.example/argocd",
                        "tokenKey": "webhook-token",
                    }
                },
            },
        },
    )


def local_settings() -> SelfHostedArgoCdSettings:
    # The example local stack as it is: adminLogin, no SSO.
    return settings_of("local", None)


def hub() -> ArgoCdInstall:
    return ArgoCdInstall(
        stage="hub", namespace="argocd", production=True, settings=hub_settings(), on_aws=True
    )


def dev() -> ArgoCdInstall:
    return ArgoCdInstall(
        stage="dev", namespace="argocd", production=False, settings=dev_settings(), on_aws=True
    )


def local() -> ArgoCdInstall:
    return ArgoCdInstall(
        stage="local",
        namespace="argocd",
        production=False,
        settings=local_settings(),
        on_aws=False,
    )


VARIANTS = {"hub-self-hosted": hub, "standalone-dev": dev, "local": local}


def variants() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, build in VARIANTS.items():
        yield name, argo_cd_values(build())


def embedded_documents(values: dict[str, Any]) -> dict[str, str]:
    """Every YAML document embedded as a string, by where it sits."""
    documents = {
        f"configs.cm.{key}": values["configs"]["cm"][key]
        for key in ("oidc.config", "dex.config")
        if key in values["configs"]["cm"]
    }
    notifications = values["notifications"]
    for group in ("notifiers", "templates", "triggers"):
        for key, text in notifications.get(group, {}).items():
            documents[f"notifications.{group}.{key}"] = text
    return documents


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of ``value`` with its dotted path; embedded YAML documents are entered."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, value


# --------------------------------------------------------------------------------------
# The pin


def test_argo_cd_runs_v3_4_7_on_the_chart_10_1_1() -> None:
    assert ARGO_CD.repository == "https://argoproj.github.io/argo-helm"
    assert ARGO_CD.chart == "argo-cd"
    assert ARGO_CD.version == "10.1.1"
    assert ARGO_CD.app_version == "v3.4.4"
    assert ARGO_CD.image_tag == "v3.4.7"
    assert ARGO_CD.run_version == "v3.4.7"
    assert ARGO_CD.run_version_for("hub") == "v3.4.7"
    # What the chart version ships stays what it ships.
    assert ARGO_CD.app_version_for("hub") == "v3.4.4"
    assert "af0a9310bacbaa4636018dfe22c801a6d33a5c43" in ARGO_CD.source
    # Argo CD does not deliver itself: the table holds what it delivers.
    assert "argo-cd" not in CHARTS
    assert ARGO_CD not in CHARTS.values()
    assert APP_VERSION_FLOORS["argo-cd"].admits(ARGO_CD.run_version)


def test_the_floor_is_checked_against_the_image_tag() -> None:
    assert dataclasses.replace(ARGO_CD, image_tag="v3.4.7").run_version == "v3.4.7"
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(ARGO_CD, image_tag="v3.4.6")
    assert str(caught.value) == (
        "chart argo-cd image_tag 'v3.4.6' is not valid: at or above 3.3.14, 3.4.7 or 3.5.1 on "
        "its minor line, or any release after 3.5.1 (SECURITY.md A7)"
    )


def test_without_an_image_tag_the_charts_app_version_is_checked() -> None:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(ARGO_CD, image_tag=None)
    assert str(caught.value) == (
        "chart argo-cd app_version 'v3.4.4' is not valid: at or above 3.3.14, 3.4.7 or 3.5.1 on "
        "its minor line, or any release after 3.5.1 (SECURITY.md A7)"
    )


@pytest.mark.parametrize(
    ("image_tag", "message"),
    [
        (
            "v3.5.1",
            "chart argo-cd image_tag 'v3.5.1' is not valid: a patch release of the minor line "
            "the chart ships (v3.4.4); another minor line needs its own chart version",
        ),
        (
            "v4.4.7",
            "chart argo-cd image_tag 'v4.4.7' is not valid: a patch release of the minor line "
            "the chart ships (v3.4.4); another minor line needs its own chart version",
        ),
        (
            "v3.4.3",
            "chart argo-cd image_tag 'v3.4.3' is not valid: at or above the chart's "
            "app_version v3.4.4",
        ),
        (
            "latest",
            "chart argo-cd image_tag 'latest' is not valid: a release version such as v1.9.0 "
            "or 0.21.0",
        ),
    ],
)
def test_an_image_tag_off_the_charts_minor_line_is_refused(image_tag: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(ARGO_CD, image_tag=image_tag)
    assert str(caught.value) == message


def test_a_stage_pin_runs_what_its_chart_version_ships() -> None:
    pin = StagePin(version="10.2.0", app_version="v3.5.1", source="x")
    entry = dataclasses.replace(ARGO_CD, stage_pins={"dev": pin})
    assert entry.run_version_for("dev") == "v3.5.1"
    assert entry.run_version_for("prod") == "v3.4.7"
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(
            ARGO_CD,
            stage_pins={"dev": StagePin(version="10.1.0", app_version="v3.4.4", source="x")},
        )
    assert str(caught.value) == (
        "chart argo-cd stage_pins['dev'] app_version 'v3.4.4' is not valid: at or above "
        "3.3.14, 3.4.7 or 3.5.1 on its minor line, or any release after 3.5.1 (SECURITY.md A7)"
    )


# --------------------------------------------------------------------------------------
# Goldens and determinism


@pytest.mark.parametrize("name", list(VARIANTS))
def test_values_golden(name: str) -> None:
    assert_golden(f"argocd/values-{name}.yaml", yaml_text(argo_cd_values(VARIANTS[name]())))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_values_are_deterministic(name: str) -> None:
    first, second = argo_cd_values(VARIANTS[name]()), argo_cd_values(VARIANTS[name]())
    assert first == second
    assert yaml_text(first) == yaml_text(second)
    assert list(first) == sorted(first)


def test_the_release_name_is_fixed() -> None:
    assert release_name() == "argocd"


# --------------------------------------------------------------------------------------
# Security rules


@pytest.mark.parametrize(("name", "values"), list(variants()))
def test_no_secret_is_a_value(name: str, values: dict[str, Any]) -> None:
    documents = {path: yaml.safe_load(text) for path, text in embedded_documents(values).items()}
    leaves = [*walk(values), *walk(documents)]
    secretish = [
        (path, value)
        for path, value in leaves
        if isinstance(value, str) and re.search(r"secret|token", path.rsplit(".", 1)[-1], re.I)
    ]
    for path, value in secretish:
        assert value.startswith("$"), f"{name}: {path} holds {value!r}, not a reference"
    for path, value in leaves:
        if path.endswith(".value") and isinstance(value, str) and value.startswith("Bearer"):
            assert re.fullmatch(r"Bearer \$[\w-]+", value), f"{name}: {path}"
    assert values["notifications"].get("secret", {}).get("create", False) is False


def test_the_references_reach_argo_cd_unchanged() -> None:
    values = argo_cd_values(hub())
    oidc = yaml.safe_load(values["configs"]["cm"]["oidc.config"])
    assert oidc["clientSecret"] == "$argocd-sso:clientSecret"
    assert values["configs"]["secret"] == {
        "createSecret": True,
        "githubSecret": "$argocd-webhooks:github",
    }
    dex = yaml.safe_load(argo_cd_values(dev())["configs"]["cm"]["dex.config"])
    assert dex["connectors"][0]["config"]["clientSecret"] == "$argocd-sso:clientSecret"


@pytest.mark.parametrize(("name", "values"), list(variants()))
def test_admin_only_without_sso_and_never_anonymous(name: str, values: dict[str, Any]) -> None:
    cm = values["configs"]["cm"]
    has_sso = "oidc.config" in cm or "dex.config" in cm
    assert cm["admin.enabled"] is (not has_sso)
    assert cm["admin.enabled"] is (name == "local")
    assert cm["users.anonymous.enabled"] is False
    assert cm["exec.enabled"] is False
    assert cm["webhook.maxPayloadSizeMB"] == "1"


def test_rbac_binds_named_groups_and_nobody_by_default_in_production() -> None:
    assert argo_cd_values(hub())["configs"]["rbac"] == {
        "policy.csv": (
            "g, argocd-admins, role:admin\ng, platform-admins, role:admin\n"
            "g, developers, role:readonly\n"
        ),
        "policy.default": "",
        "policy.matchMode": "glob",
        "scopes": "[groups]",
    }
    assert argo_cd_values(dev())["configs"]["rbac"]["policy.default"] == "role:readonly"
    assert argo_cd_values(local())["configs"]["rbac"]["policy.csv"] == ""


@pytest.mark.parametrize(("name", "values"), list(variants()))
def test_the_image_tag_is_at_or_above_the_floor(name: str, values: dict[str, Any]) -> None:
    tag = values["global"]["image"]["tag"]
    assert tag == ARGO_CD.run_version == "v3.4.7"
    assert APP_VERSION_FLOORS["argo-cd"].admits(tag)
    assert version_key(tag) >= version_key("3.4.7")


@pytest.mark.parametrize(("name", "values"), list(variants()))
def test_embedded_documents_parse(name: str, values: dict[str, Any]) -> None:
    documents = embedded_documents(values)
    for path, text in documents.items():
        assert isinstance(yaml.safe_load(text), dict | list), f"{name}: {path}"
        assert text == yaml_text(yaml.safe_load(text)), f"{name}: {path} is not in fixed style"
    expected = {
        "hub-self-hosted": {"configs.cm.oidc.config", "notifications.notifiers.service.slack"},
        "standalone-dev": {
            "configs.cm.dex.config",
            "notifications.notifiers.service.webhook.argosy",
        },
        "local": set(),
    }[name]
    assert expected <= set(documents)


def test_oidc_asks_for_groups() -> None:
    oidc = yaml.safe_load(argo_cd_values(hub())["configs"]["cm"]["oidc.config"])
    assert oidc == {
        "name": "SSO",
        "issuer": "https://acme.okta.com",
        "clientID": "argocd",
        "clientSecret": "$argocd-sso:clientSecret",
        "requestedScopes": ["openid", "profile", "email", "groups"],
        "requestedIDTokenClaims": {"groups": {"essential": True}},
    }
    assert argo_cd_values(hub())["dex"] == {"enabled": False}


def test_dex_uses_the_github_connector() -> None:
    values = argo_cd_values(dev())
    assert values["dex"] == {"enabled": True}
    assert yaml.safe_load(values["configs"]["cm"]["dex.config"]) == {
        "connectors": [
            {
                "type": "github",
                "id": "github",
                "name": "GitHub",
                "config": {
                    "clientID": "Iv1.0123456789abcdef",
                    "clientSecret": "$argocd-sso:clientSecret",
                    "orgs": [{"name": "acme"}],
                },
            }
        ]
    }


# --------------------------------------------------------------------------------------
# TLS, Ingress, network policies


def test_aws_terminates_tls_at_an_internal_alb_with_the_certificate() -> None:
    values = argo_cd_values(hub())
    assert values["configs"]["params"] == {"server.insecure": True}
    assert values["global"]["domain"] == "argocd.hub.acme.example"
    assert values["configs"]["cm"]["url"] == "https://argocd.hub.acme.example"
    ingress = values["server"]["ingress"]
    assert ingress["enabled"] is True
    assert ingress["controller"] == "aws"
    assert ingress["ingressClassName"] == "alb"
    assert ingress["hostname"] == "argocd.hub.acme.example"
    annotations = ingress["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internal"
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert annotations["alb.ingress.kubernetes.io/backend-protocol"] == "HTTP"
    assert annotations["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTPS":443}]'
    assert (
        annotations["alb.ingress.kubernetes.io/ssl-policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    )
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == CERTIFICATE_ARN
    assert ingress["aws"]["serviceType"] == "ClusterIP"
    assert ingress["aws"]["backendProtocolVersion"] == "GRPC"


def test_without_a_certificate_arn_the_controller_discovers_it() -> None:
    annotations = argo_cd_values(dev())["server"]["ingress"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert "alb.ingress.kubernetes.io/certificate-arn" not in annotations


def test_the_local_stage_keeps_the_servers_tls_and_has_no_ingress() -> None:
    values = argo_cd_values(local())
    assert values["configs"]["params"] == {"server.insecure": False}
    assert values["server"]["ingress"] == {"enabled": False}
    assert values["global"]["domain"] == LOCAL_DOMAIN == "argocd.localhost"
    assert values["configs"]["cm"]["url"] == LOCAL_URL == "https://argocd.localhost:8080"
    assert values["dex"] == {"enabled": False}
    assert values["notifications"] == {"enabled": False}
    assert "oidc.config" not in values["configs"]["cm"]


@pytest.mark.parametrize(("name", "values"), list(variants()))
def test_network_policies_deny_by_default(name: str, values: dict[str, Any]) -> None:
    assert values["global"]["networkPolicy"] == {"create": True, "defaultDenyIngress": True}


def test_redis_ha_is_fenced_to_the_argo_cd_components() -> None:
    values = argo_cd_values(hub())
    redis_ha = values["redis-ha"]
    assert redis_ha["enabled"] is True
    # The subchart's own policies, which also restrict egress, stay off.
    assert "networkPolicy" not in redis_ha and "networkPolicy" not in redis_ha["haproxy"]
    haproxy, servers = values["extraObjects"]
    assert values["extraObjects"] == redis_ha_policies(hub())
    for policy in (haproxy, servers):
        check_kubernetes_manifest(policy, "1.36")
        assert policy["metadata"]["namespace"] == "argocd"
        assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert haproxy["metadata"]["name"] == "argocd-redis-ha-haproxy"
    assert haproxy["spec"]["podSelector"] == {
        "matchLabels": {"app": "redis-ha-haproxy", "release": "argocd"}
    }
    [rule] = haproxy["spec"]["ingress"]
    assert [peer["podSelector"]["matchLabels"] for peer in rule["from"]] == [
        {"app.kubernetes.io/instance": "argocd", "app.kubernetes.io/name": name}
        for name in ("argocd-application-controller", "argocd-repo-server", "argocd-server")
    ]
    assert rule["ports"] == [{"port": "redis", "protocol": "TCP"}]
    assert servers["spec"]["podSelector"] == {
        "matchLabels": {"app": "redis-ha", "release": "argocd"}
    }
    [rule] = servers["spec"]["ingress"]
    assert [peer["podSelector"]["matchLabels"]["app"] for peer in rule["from"]] == [
        "redis-ha",
        "redis-ha-haproxy",
    ]
    assert [port["port"] for port in rule["ports"]] == ["redis", "sentinel"]
    # The namespace is the install's.
    other = dataclasses.replace(hub(), namespace="gitops")
    assert {p["metadata"]["namespace"] for p in redis_ha_policies(other)} == {"gitops"}


def test_without_ha_the_charts_own_redis_and_policy_serve() -> None:
    values = argo_cd_values(dev())
    assert values["redis-ha"] == {"enabled": False}
    assert "extraObjects" not in values
    assert redis_ha_policies(dev()) == []


# --------------------------------------------------------------------------------------
# High availability, resources, service accounts


def test_high_availability_in_production() -> None:
    values = argo_cd_values(hub())
    assert values["controller"]["replicas"] == 1
    assert "pdb" not in values["controller"], "a budget on one replica blocks drains"
    for component in ("server", "repoServer", "applicationSet"):
        assert values[component]["replicas"] == 2, component
        assert values[component]["pdb"] == {"enabled": True, "maxUnavailable": 1}, component
    assert values["redis-ha"]["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert values["redis-ha"]["haproxy"]["podDisruptionBudget"] == {"maxUnavailable": 1}
    for component in ("controller", "server", "repoServer", "applicationSet"):
        resources = values[component]["resources"]
        assert set(resources) == {"requests", "limits"}, component
        assert set(resources["requests"]) == {"cpu", "memory"}, component


def test_high_availability_follows_the_setting() -> None:
    settings = dev_settings().model_copy(update={"high_availability": True})
    values = argo_cd_values(dataclasses.replace(dev(), settings=settings))
    assert values["redis-ha"]["enabled"] is True
    assert values["server"]["replicas"] == 2
    assert "resources" not in values["server"], "requests come with production"
    settings = hub_settings().model_copy(update={"high_availability": False})
    values = argo_cd_values(dataclasses.replace(hub(), settings=settings))
    assert values["redis-ha"] == {"enabled": False}
    assert "replicas" not in values["server"]
    assert "resources" in values["server"]


def test_outside_production_the_chart_defaults_stand() -> None:
    values = argo_cd_values(dev())
    for component in ("controller", "server", "repoServer", "applicationSet"):
        assert not {"replicas", "pdb", "resources"} & set(values.get(component, {})), component
    assert "topologySpreadConstraints" not in values["global"]


@pytest.mark.parametrize(("name", "values"), list(variants()))
def test_management_service_accounts_keep_their_names(name: str, values: dict[str, Any]) -> None:
    assert MANAGEMENT_SERVICE_ACCOUNTS == (
        "argocd-application-controller",
        "argocd-applicationset-controller",
        "argocd-server",
    )
    names = [
        values[component]["serviceAccount"]
        for component in ("controller", "applicationSet", "server")
    ]
    assert names == [{"name": account} for account in MANAGEMENT_SERVICE_ACCOUNTS]
    # The component that binds their IAM roles names the same accounts.
    assert naming.ARGOCD_MANAGEMENT_SERVICE_ACCOUNTS == MANAGEMENT_SERVICE_ACCOUNTS


# --------------------------------------------------------------------------------------
# Notifications


def test_slack_notifications_subscribe_every_application() -> None:
    notifications = argo_cd_values(hub())["notifications"]
    assert notifications["enabled"] is True
    assert notifications["argocdUrl"] == "https://argocd.hub.acme.example"
    assert notifications["secret"] == {"create": False}
    assert yaml.safe_load(notifications["notifiers"]["service.slack"]) == {"token": "$slack-token"}
    assert notifications["subscriptions"] == [
        {
            "recipients": ["slack:platform-deploys"],
            "triggers": ["on-health-degraded", "on-sync-failed", "on-sync-succeeded"],
        }
    ]
    assert set(notifications["templates"]) == {
        "template.app-health-degraded",
        "template.app-sync-failed",
        "template.app-sync-succeeded",
    }
    for text in notifications["templates"].values():
        template = yaml.safe_load(text)
        assert set(template) == {"message", "slack"}


def test_triggers_follow_the_upstream_catalog() -> None:
    triggers = argo_cd_values(hub())["notifications"]["triggers"]
    assert set(triggers) == {f"trigger.{t}" for t in NOTIFICATION_TRIGGERS}
    assert yaml.safe_load(triggers["trigger.on-sync-failed"]) == [
        {
            "when": "app.status.operationState != nil and app.status.operationState.phase in "
            "['Error', 'Failed']",
            "description": "Application syncing has failed",
            "send": ["app-sync-failed"],
            "oncePer": "app.status.operationState?.syncResult?.revision",
        }
    ]


def test_webhook_notifications_post_json_with_a_bearer_reference() -> None:
    notifications = argo_cd_values(dev())["notifications"]
    assert yaml.safe_load(notifications["notifiers"]["service.webhook.argosy"]) == {
        "url": "https://hooks.acme.example/argocd",
        "headers": [
            {"name": "Content-Type", "value": "application/json"},
            {"name": "Authorization", "value": "Bearer $webhook-token"},
        ],
    }
    assert notifications["subscriptions"][0]["recipients"] == ["argosy"]
    degraded = yaml.safe_load(notifications["templates"]["template.app-health-degraded"])
    body = degraded["webhook"]["argosy"]["body"]
    assert body.startswith("{{ dict ") and body.endswith(" | toJson }}\n")
    # A degraded Application may have no operation: its body never reads one.
    assert "operationState" not in body
    failed = yaml.safe_load(notifications["templates"]["template.app-sync-failed"])
    assert ".app.status.operationState.message" in failed["webhook"]["argosy"]["body"]


def test_both_services_share_one_subscription() -> None:
    settings, slack = dev_settings(), hub_settings().notifications
    assert settings.notifications is not None and slack is not None
    both = settings.notifications.model_copy(update={"slack": slack.slack})
    install = dataclasses.replace(
        dev(), settings=settings.model_copy(update={"notifications": both})
    )
    notifications = argo_cd_values(install)["notifications"]
    assert notifications["subscriptions"][0]["recipients"] == ["argosy", "slack:platform-deploys"]
    template = yaml.safe_load(notifications["templates"]["template.app-sync-succeeded"])
    assert set(template) == {"message", "slack", "webhook"}


# --------------------------------------------------------------------------------------
# Input the config validation would refuse


def refused(install: ArgoCdInstall, **settings: Any) -> str:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(install, settings=install.settings.model_copy(update=settings))
    return str(caught.value)


def test_aws_needs_a_hostname_and_sso() -> None:
    assert refused(hub(), hostname=None) == (
        "a self-hosted Argo CD on AWS needs settings.hostname: its URL and Ingress host"
    )
    assert refused(hub(), sso=None) == (
        "a self-hosted Argo CD on AWS needs settings.sso: people sign in through SSO "
        "(SECURITY.md A1)"
    )


def test_the_local_admin_goes_once_sso_is_configured() -> None:
    message = (
        "settings.admin_login is for the local stage without SSO only: the local admin is "
        "disabled once SSO is configured (SECURITY.md A1)"
    )
    assert refused(hub(), admin_login=True) == message
    assert refused(local(), sso=hub_settings().sso) == message


def test_production_gives_nobody_a_role_by_default() -> None:
    rbac = hub_settings().rbac.model_copy(update={"default_role": "readonly"})
    assert refused(hub(), rbac=rbac) == (
        "settings.rbac.default_role 'readonly' is not valid in production: nobody gets a role "
        "by default (SECURITY.md A3)"
    )
    rbac = hub_settings().rbac.model_copy(update={"admin_groups": ()})
    assert refused(hub(), rbac=rbac) == (
        "with SSO, role:admin goes to named groups: settings.rbac.admin_groups is empty "
        "(SECURITY.md A3)"
    )


def test_a_notification_token_key_must_be_referencable() -> None:
    notifications = hub_settings().notifications
    assert notifications is not None and notifications.slack is not None
    slack = notifications.slack.model_copy(update={"token_key": "slack.token"})
    assert refused(hub(), notifications=notifications.model_copy(update={"slack": slack})) == (
        "settings.notifications.slack.token_key 'slack.token' is not valid: a key of "
        "argocd-notifications-secret without '.', which Argo CD notifications cannot reference"
    )


def test_stage_and_namespace_are_dns_labels() -> None:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(hub(), namespace="Argo CD")
    assert str(caught.value) == (
        "namespace 'Argo CD' is not valid: a DNS-1123 label: at most 63 lowercase letters, "
        "digits or '-', starting and ending with a letter or digit"
    )
