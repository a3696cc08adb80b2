"""``argosy:addons``: defaults, and exact messages for a corpus of mistakes.

Every error's example is checked to be valid where it points (``tests.test_config_validation
.errors``), and several mistakes in one file are all reported at once.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from argosy.config.models.addons import AddonsSettings
from argosy.config.stage import AwsStageConfig, LocalStageConfig
from argosy.config.validate import validate_stage
from tests.test_config_validation import BASE, SOURCE, config, errors

SSO = {"issuer": "https://acme.okta.com"}


def with_addons(addons: dict[str, Any], *, production: bool = False) -> dict[str, Any]:
    return config(**{"argosy:addons": addons, "argosy:production": production})


LOCAL: dict[str, Any] = {
    "argosy:role": "local",
    "argosy:production": False,
    "argosy:kubernetes": {"context": "kind-argosy"},
    "argosy:argocd": {
        "topology": "standalone",
        "install": "self-hosted",
        "gitops": {"repoUrl": "https://github.com/acme/platform.git"},
        "selfHosted": {"adminLogin": True},
    },
}


def test_defaults_without_the_key() -> None:
    stage = validate_stage("dev", copy.deepcopy(BASE), source=SOURCE)
    assert isinstance(stage, AwsStageConfig)
    assert stage.addons == AddonsSettings()
    workflows = stage.addons.argo_workflows
    assert workflows.effective_auth_modes == ("client",)
    assert workflows.namespaces == ("workflows",)
    assert stage.addons.external_dns is None
    assert stage.addons.karpenter.enabled is False


def test_sso_defaults_the_auth_mode_to_sso() -> None:
    stage = validate_stage(
        "dev",
        with_addons({"argoWorkflows": {"sso": SSO, "hostname": "workflows.dev.acme.example"}}),
        source=SOURCE,
    )
    assert isinstance(stage, AwsStageConfig)
    assert stage.addons.argo_workflows.effective_auth_modes == ("sso",)


def test_the_local_stage_takes_the_argo_controllers() -> None:
    values = {**LOCAL, "argosy:addons": {"argoRollouts": {"dashboard": True}}}
    stage = validate_stage("local", values, source=SOURCE)
    assert isinstance(stage, LocalStageConfig)
    assert stage.addons.argo_rollouts.dashboard is True


@pytest.mark.parametrize(
    ("addons", "production", "expected"),
    [
        (
            {"argoWorkflows": {"authModes": ["server"]}},
            False,
            (
                "argosy:addons.argoWorkflows.authModes",
                "[server]",
                "`server` lets anyone who reaches the server act as its service account: use "
                "`sso` and/or `client` (SECURITY.md W1)",
            ),
        ),
        (
            {"argoWorkflows": {"authModes": ["client", "client"]}},
            False,
            (
                "argosy:addons.argoWorkflows.authModes",
                "[client, client]",
                "one or both of sso and client, each once",
            ),
        ),
        (
            {"argoWorkflows": {"hostname": "workflows.dev.acme.example"}},
            False,
            (
                "argosy:addons.argoWorkflows.sso",
                "(not set)",
                "a server reachable through a load balancer signs people in with SSO (the UI "
                "behind an ALB Ingress)",
            ),
        ),
        (
            {"argoWorkflows": {"authModes": ["sso"]}},
            False,
            (
                "argosy:addons.argoWorkflows.sso",
                "(not set)",
                "authMode sso needs the sso settings",
            ),
        ),
        (
            {"argoWorkflows": {"sso": {**SSO, "rbac": False}}},
            True,
            (
                "argosy:addons.argoWorkflows.sso.rbac",
                "false",
                "in production each user acts as the service account their groups map to, not "
                "as the server's own",
            ),
        ),
        (
            {"argoWorkflows": {"namespaces": ["default"]}},
            False,
            (
                "argosy:addons.argoWorkflows.namespaces",
                "[default]",
                "a namespace of its own for workflows: not default, kube-*, argocd or a "
                "controller's argo-* namespace",
            ),
        ),
        (
            {"argoRollouts": {"dashboard": True}},
            True,
            (
                "argosy:addons.argoRollouts.dashboard",
                "true",
                "the Rollouts dashboard has no sign-in: production keeps it off (use the "
                "kubectl argo rollouts plugin, or Argo CD's resource view)",
            ),
        ),
        (
            {"externalDns": {"zones": [{"id": "/hostedzone/Z0123", "domain": "dev.acme.example"}]}},
            False,
            (
                "argosy:addons.externalDns.zones[0].id",
                "/hostedzone/Z0123",
                "a Route 53 hosted zone ID: Z followed by capital letters and digits, without "
                "/hostedzone/",
            ),
        ),
        (
            {"externalSecrets": {"prefix": "argosy/dev"}},
            False,
            (
                "argosy:addons.externalSecrets.prefix",
                "argosy/dev",
                "a Secrets Manager name prefix ending with '/', such as argosy/dev/ (letters, "
                "digits and _+=.@- between the slashes)",
            ),
        ),
        (
            {"karpenter": {"enabled": True}},
            True,
            (
                "argosy:addons.karpenter.amiAlias",
                "(not set)",
                "production pins the AMI release, so that nodes change only when this file "
                "does (Karpenter docs, 'Managing AMIs')",
            ),
        ),
        (
            {"karpenter": {"enabled": True, "consolidateAfter": "1 minute"}},
            False,
            (
                "argosy:addons.karpenter.consolidateAfter",
                "1 minute",
                "a duration such as 30s, 1m or 1h",
            ),
        ),
        (
            {
                "crossplane": {
                    "enabled": True,
                    "policyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                }
            },
            False,
            (
                "argosy:addons.crossplane.policyArns",
                "['arn:aws:iam::aws:policy/AdministratorAccess']",
                "a policy of the stage's own account, scoped to what Crossplane manages: AWS's "
                "managed policies are broad (SECURITY.md E15)",
            ),
        ),
    ],
)
def test_addon_mistakes(
    addons: dict[str, Any], production: bool, expected: tuple[str, str, str]
) -> None:
    found = [
        (path, value, rule)
        for path, value, rule, _ in errors(with_addons(addons, production=production))
    ]
    assert found == [expected]


def test_every_mistake_at_once() -> None:
    addons = {
        "argoWorkflows": {"authModes": ["server"], "namespaces": ["kube-system"]},
        "externalSecrets": {"prefix": "no-slash"},
        "karpenter": {"enabled": True, "amiAlias": "ubuntu@latest"},
    }
    found = [(path, rule) for path, _, rule, _ in errors(with_addons(addons, production=True))]
    assert [path for path, _ in found] == [
        "argosy:addons.argoWorkflows.authModes",
        "argosy:addons.argoWorkflows.namespaces",
        "argosy:addons.externalSecrets.prefix",
        "argosy:addons.karpenter.amiAlias",
    ]


def test_the_local_stage_refuses_what_calls_aws() -> None:
    values = {
        **LOCAL,
        "argosy:addons": {
            "externalDns": {"zones": [{"id": "Z01DEV", "domain": "dev.acme.example"}]}
        },
    }
    found = [(path, rule) for path, _, rule, _ in errors(values, "local")]
    assert found == [
        (
            "argosy:addons.externalDns",
            "externalDns calls AWS, which the local stage has none of: local gets the Argo "
            "controllers (and Istio if asked) only",
        )
    ]
    values["argosy:addons"] = {"argoWorkflows": {"hostname": "workflows.local.example"}}
    found = [(path, rule) for path, _, rule, _ in errors(values, "local")]
    assert found == [
        (
            "argosy:addons.argoWorkflows.hostname",
            "the local stage has no load balancer controller: reach the server with kubectl "
            "-n argo-workflows port-forward svc/argo-workflows-server 2746",
        )
    ]


def test_a_workflow_namespace_too_long_for_its_role_name() -> None:
    namespace = "a" * 50
    found = errors(with_addons({"argoWorkflows": {"namespaces": [namespace]}}))
    assert [(path, rule) for path, _, rule, _ in found] == [
        (
            "argosy:addons.argoWorkflows.namespaces[0]",
            f"the derived IAM role name 'argosy-dev-workflows-{namespace}' is 71 characters; at "
            "most 64: shorten the namespace to 43 characters",
        )
    ]
