"""The controllers Argo CD delivers (SECURITY.md W1, W4, W6, L4), and their AWS side (E6, E15).

The controllers are Applications the stack hosting Argo CD declares: the rules read each
Application's chart source (``repoURL``, ``chart``, ``targetRevision``) and its inline Helm
values (``helm.valuesObject``), in the charts' own shape:

- W1: the argo-workflows chart's ``server.authModes`` is stated and holds ``sso`` and/or
  ``client``, never ``server``;
- W4: nothing in its values selects another executor than emissary or runs privileged;
- W6: the version each argo-workflows and argo-events Application pins runs at or above the
  floor (read from the versions table, which records what each chart version ships);
- E8 (the clusters' half): every cluster a controller goes to gets its baseline (the
  namespaces' default deny), and a self-hosted Argo CD has its chart's policies on;
- L4: an Application whose values make a load balancer (an Ingress or a LoadBalancer
  Service) waits for the same cluster's Load Balancer Controller Application, so that it goes
  first on delete, while the controller can still remove the load balancer; the controller's
  own Application keeps its resources finalizer except on the cluster of a self-hosted Argo
  CD, whose own load balancer the controller must outlive; nothing owning a load balancer is
  ``deletedWith`` the cluster.

The AWS side, in each stage's stack (E6 reads the role of Karpenter's nodes, an
``EC2_LINUX`` access entry's principal, as it reads the node groups' role):

- E15 (extended): a pod identity's policy grants no write action on ``*`` (or on every
  resource of a type, such as ``hostedzone/*``) without a condition: those are for reads
  that support no resource-level permission (``Describe*``, ``List*``, ``Get*``), or for
  writes narrowed by a condition (tags, as Karpenter's and the Load Balancer Controller's
  upstream policies do; the names of the records external-dns changes in a zone the stack
  makes). The upstream statements kept as
  published are named one by one (:data:`UPSTREAM_UNSCOPED_WRITES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from argosy.apps.workload import TEAM_LABEL
from argosy.argocd import versions
from argosy.manifests.iam import elements
from argosy.plan.monitor import Registration
from argosy.policy.argocd_rules import (
    APPLICATION,
    ARGO_CD_CHART,
    HELM_RELEASE,
    RESOURCES_FINALIZER,
    SECRET,
)
from argosy.policy.base import (
    ROLE,
    ROLE_POLICY,
    Finding,
    Rule,
    StageFacts,
    decode_json,
    statements,
    trust_statements,
)
from argosy.policy.graph import PlanGraph

CLUSTER: Final = "aws:eks/cluster:Cluster"
#: The charts' names, as Applications name them.
WORKFLOWS_CHART: Final = "argo-workflows"
EVENTS_CHART: Final = "argo-events"
LOAD_BALANCER_CONTROLLER_CHART: Final = "aws-load-balancer-controller"
_AUTH_MODES: Final = frozenset({"sso", "client"})
#: Statements that write on ``*`` (or on every resource of a type) without a condition in an
#: upstream policy argosy keeps as published, by role suffix (``argosy-<stage>-<suffix>``)
#: and Sid: the AWS Load Balancer
#: Controller's ``iam_policy.json`` at v3.5.0 grants these on ``*`` (its security groups for
#: new load balancers, the rules of listeners it creates, and WAF/Shield associations, which
#: carry no tag the policy could condition on). Scoping them to the stage's region and
#: account would need each action's resource types confirmed against a real account; until
#: then they are listed here, by name, rather than silently allowed.
UPSTREAM_UNSCOPED_WRITES: Final[dict[str, frozenset[str]]] = {
    "aws-load-balancer-controller": frozenset(
        {
            "CertificatesAuthWafShield",
            "CreateListenersAndRules",
            "CreateSecurityGroups",
            "ModifyListenersAndRules",
            "OpenTargetSecurityGroups",
        }
    ),
    # Karpenter's controller policy (argosy.addons.karpenter): RunInstances and CreateFleet
    # *use* images, snapshots, subnets, security groups, capacity reservations and placement
    # groups of every ID (of the stage's account and region, Amazon's for images); which ones
    # is the EC2NodeClass's choice, and upstream grants them unconditioned.
    "karpenter-controller": frozenset({"AllowScopedEC2InstanceAccessActions"}),
}
_READ_VERBS: Final = ("Describe", "List", "Get")


# --------------------------------------------------------------------------------------
# Reading Applications


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sources(application: Registration) -> list[dict[str, Any]]:
    spec = _mapping(application.inputs.get("spec"))
    found = [spec["source"]] if isinstance(spec.get("source"), dict) else []
    found += [s for s in spec.get("sources") or [] if isinstance(s, dict)]
    return found


def _chart_source(application: Registration) -> dict[str, Any] | None:
    """The Application's Helm chart source, if it delivers a chart."""
    for source in _sources(application):
        if source.get("chart"):
            return source
    return None


def _values(source: dict[str, Any]) -> dict[str, Any]:
    return _mapping(_mapping(source.get("helm")).get("valuesObject"))


def _chart_applications(graph: PlanGraph, chart: str) -> Iterator[tuple[Registration, Any]]:
    """Each Application of ``chart`` with its values."""
    for application in graph.of_type(APPLICATION):
        source = _chart_source(application)
        if source is not None and source.get("chart") == chart:
            yield application, _values(source)


def _destination(application: Registration) -> str:
    destination = _mapping(_mapping(application.inputs.get("spec")).get("destination"))
    return str(destination.get("name") or destination.get("server") or "")


def _walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) of a JSON document, depth first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, str(index)))


# --------------------------------------------------------------------------------------
# W1, W4, W6


def _auth_mode_args(values: dict[str, Any]) -> list[str]:
    """The ``--auth-mode`` values in the server's extra arguments and environment."""
    server = _mapping(values.get("server"))
    found: list[str] = []
    args = [str(a) for a in server.get("extraArgs") or []]
    for index, arg in enumerate(args):
        if arg.startswith("--auth-mode="):
            found.append(arg.split("=", 1)[1])
        elif arg == "--auth-mode" and index + 1 < len(args):
            found.append(args[index + 1])
    for variable in server.get("extraEnv") or []:
        if isinstance(variable, dict) and variable.get("name") == "ARGO_AUTH_MODE":
            found.append(str(variable.get("value", "")))
    return found


def check_workflows_auth(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """W1: the Argo Workflows server's auth modes are stated: sso and/or client, never server.

    Read wherever the chart lets a value set them: ``server.authModes``, the deprecated
    ``server.authMode``, and ``--auth-mode`` in ``server.extraArgs`` (or ``ARGO_AUTH_MODE``
    in ``server.extraEnv``), which the chart passes on as they are.
    """
    for application, values in _chart_applications(graph, WORKFLOWS_CHART):
        server = _mapping(values.get("server"))
        modes = server.get("authModes")
        if not isinstance(modes, list) or not modes:
            yield Finding(
                rule="W1",
                urn=application.urn,
                message="server.authModes is not stated: give [sso] and/or [client]",
            )
            modes = []
        extra = [("server.authMode", str(server["authMode"]))] if server.get("authMode") else []
        extra += [("server.extraArgs/extraEnv", mode) for mode in _auth_mode_args(values)]
        for where, mode in [("server.authModes", str(m)) for m in modes] + extra:
            if mode not in _AUTH_MODES:
                yield Finding(
                    rule="W1",
                    urn=application.urn,
                    message=f"{where} has {mode}: only sso and client",
                )


def check_workflows_executor(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """W4: the emissary executor only; nothing privileged, no docker-in-docker."""
    for application, values in _chart_applications(graph, WORKFLOWS_CHART):
        for path, value in _walk(values):
            key = path[-1] if path else ""
            where = ".".join(path)
            if key in ("containerRuntimeExecutor", "containerRuntimeExecutors") and (
                value != "emissary"
            ):
                yield Finding(
                    rule="W4",
                    urn=application.urn,
                    message=f"{where} selects another executor than emissary",
                )
            if key == "privileged" and value is True:
                yield Finding(rule="W4", urn=application.urn, message=f"{where} is privileged")
            if isinstance(value, str) and "docker:dind" in value:
                yield Finding(
                    rule="W4", urn=application.urn, message=f"{where} runs docker-in-docker"
                )


def _run_version(chart: str, target_revision: str) -> str | None:
    """What ``chart`` at ``target_revision`` runs, per the versions table (None: unknown)."""
    entry = versions.CHARTS.get(chart)
    if entry is None:
        return None
    if target_revision == entry.version:
        return entry.run_version
    for pin in entry.stage_pins.values():
        if pin.version == target_revision:
            return pin.app_version
    return None


#: Where the charts let a value override the image each component runs (W6 reads them as A7
#: reads Argo CD's): argo-workflows' ``images.tag`` and each component's ``image.tag``,
#: argo-events' ``global.image.tag`` and the controller's.
_IMAGE_TAGS: Final = {
    WORKFLOWS_CHART: (
        ("images", "tag"),
        ("controller", "image", "tag"),
        ("server", "image", "tag"),
        ("executor", "image", "tag"),
    ),
    EVENTS_CHART: (("global", "image", "tag"), ("controller", "image", "tag")),
}


def _at(values: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        values = _mapping(values).get(key)
    return values


def check_workflow_versions(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """W6: Argo Workflows and Argo Events at or above the versions with the 2025–26 fixes.

    The version the pinned chart runs (from the versions table), and any image tag the values
    set instead.
    """
    for chart in (WORKFLOWS_CHART, EVENTS_CHART):
        floor = versions.APP_VERSION_FLOORS[chart]
        for application, values in _chart_applications(graph, chart):
            source = _chart_source(application) or {}
            revision = str(source.get("targetRevision", ""))
            runs = _run_version(chart, revision)
            if runs is None:
                yield Finding(
                    rule="W6",
                    urn=application.urn,
                    message=f"{chart} {revision} is not in the versions table: W6 cannot tell "
                    "what it runs",
                )
            elif not floor.admits(runs):
                yield Finding(
                    rule="W6",
                    urn=application.urn,
                    message=f"{chart} {revision} runs {runs}, not {floor.describe()}",
                )
            for path in _IMAGE_TAGS[chart]:
                tag = _at(values, path)
                if not tag:
                    continue
                version = str(tag).split("@")[0].removesuffix("-nonroot")
                where = ".".join(path)
                try:
                    admitted = floor.admits(version)
                except ValueError:
                    admitted = False
                if not admitted:
                    yield Finding(
                        rule="W6",
                        urn=application.urn,
                        message=f"{where} runs {tag}, not {floor.describe()}",
                    )


# --------------------------------------------------------------------------------------
# L4


def _makes_load_balancer(values: dict[str, Any]) -> str | None:
    """Where ``values`` turn on an Ingress or a LoadBalancer Service, if anywhere."""
    for path, value in _walk(values):
        if not path:
            continue
        if path[-1] == "enabled" and value is True and len(path) >= 2 and path[-2] == "ingress":
            return ".".join(path)
        if path[-1] == "type" and value == "LoadBalancer":
            return ".".join(path)
    return None


def check_load_balancer_order(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """L4: what makes a load balancer comes after the Load Balancer Controller, goes before it."""
    controllers: dict[str, Registration] = {
        _destination(a): a for a, _ in _chart_applications(graph, LOAD_BALANCER_CONTROLLER_CHART)
    }
    for application in graph.of_type(APPLICATION):
        source = _chart_source(application)
        if source is None or source.get("chart") == LOAD_BALANCER_CONTROLLER_CHART:
            continue
        where = _makes_load_balancer(_values(source))
        if where is None:
            continue
        cluster = _destination(application)
        controller = controllers.get(cluster)
        if controller is None:
            yield Finding(
                rule="L4",
                urn=application.urn,
                message=f"{where} makes a load balancer on {cluster}, which gets no Load "
                "Balancer Controller",
            )
        elif controller.urn not in graph.waits_for(application.urn):
            yield Finding(
                rule="L4",
                urn=application.urn,
                message=f"{where} makes a load balancer but does not wait for "
                f"{controller.name}: on delete it would outlive the controller",
            )
    self_hosted = bool(
        [r for r in graph.of_type(HELM_RELEASE) if r.inputs.get("chart") == ARGO_CD_CHART]
    )
    for cluster, controller in sorted(controllers.items()):
        finalizers = _mapping(controller.inputs.get("metadata")).get("finalizers") or []
        has_finalizer = RESOURCES_FINALIZER in finalizers
        # Argo CD's own cluster (in-cluster registration, named after the host stage).
        serves_argocd = self_hosted and cluster == _host_stage(graph, facts)
        if serves_argocd and has_finalizer:
            yield Finding(
                rule="L4",
                urn=controller.urn,
                message="the Load Balancer Controller of a self-hosted Argo CD's cluster has the "
                "resources finalizer: deleting its Application would remove it before Argo "
                "CD's own load balancer",
            )
        if not serves_argocd and not has_finalizer:
            yield Finding(
                rule="L4",
                urn=controller.urn,
                message="no resources finalizer: deleting the Application would leave the "
                "controller running unmanaged",
            )
    clusters = {c.urn for c in graph.of_type(CLUSTER)}
    for resource in graph.resources:
        if resource.deleted_with in clusters and resource.type in (APPLICATION, HELM_RELEASE):
            yield Finding(
                rule="L4",
                urn=resource.urn,
                message="deletedWith the cluster: its load balancers would outlive it",
            )


def _host_stage(graph: PlanGraph, facts: StageFacts) -> str | None:
    """The stage whose own cluster the stack's Argo CD runs on: the registration of its cluster.

    Read from the registrations' labels (their data is secret in the plan): the one whose
    ``cluster_name`` is the stack's own cluster names it in ``environment``.
    """
    for secret in graph.of_type(SECRET):
        labels = _mapping(_mapping(secret.inputs.get("metadata")).get("labels"))
        if facts.own_cluster is not None and labels.get("cluster_name") == facts.own_cluster:
            return str(labels.get("environment", ""))
    return None


# --------------------------------------------------------------------------------------
# E6, E15 extended


def _is_pod_identity(role: Registration) -> bool:
    return any(
        "pods.eks.amazonaws.com" in elements(_mapping(s.get("Principal")).get("Service"))
        for s in trust_statements(role)
    )


# --------------------------------------------------------------------------------------
# E8 (the clusters' half)

#: Namespaces the baseline leaves alone: EKS's, and Argo CD's (its chart brings its policies).
_UNMANAGED_NAMESPACES: Final = frozenset({"kube-system", "argocd"})


def _baseline_clusters(graph: PlanGraph) -> set[str]:
    """The clusters that get a baseline: an Application syncing ``clusters/<name>/baseline``."""
    found = set()
    for application in graph.of_type(APPLICATION):
        cluster = _destination(application)
        for source in _sources(application):
            if str(source.get("path", "")).endswith(f"clusters/{cluster}/baseline"):
                found.add(cluster)
    return found


def check_namespace_policies(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E8: every namespace a controller goes into is covered by a default deny.

    The baseline Application of a cluster gives each namespace the add-ons deliver into its
    default-deny NetworkPolicy (``argosy render``): every cluster that gets an Application
    into a namespace of its own gets the baseline too. A self-hosted Argo CD's own
    namespace is covered by its chart's policies, which must be on with a default deny.
    An app's Application (labelled with its team) is not the baseline's: its overlay holds its
    namespace's default deny (:mod:`argosy.apps.resolve`; the tree tests check it).
    """
    covered = _baseline_clusters(graph)
    for application in graph.of_type(APPLICATION):
        if TEAM_LABEL in _mapping(_mapping(application.inputs.get("metadata")).get("labels")):
            # An app brings its namespace's default deny in its own overlay (argosy.apps).
            continue
        destination = _mapping(_mapping(application.inputs.get("spec")).get("destination"))
        namespace = str(destination.get("namespace", ""))
        cluster = _destination(application)
        if namespace in _UNMANAGED_NAMESPACES or cluster in covered:
            continue
        yield Finding(
            rule="E8",
            urn=application.urn,
            message=f"delivers into {namespace} on {cluster}, which gets no baseline: nothing "
            "denies traffic to its pods by default",
        )
    for release in graph.of_type(HELM_RELEASE):
        if release.inputs.get("chart") != ARGO_CD_CHART:
            continue
        values = _mapping(release.inputs.get("values"))
        policy = _mapping(_mapping(values.get("global")).get("networkPolicy"))
        if policy.get("create") is not True or policy.get("defaultDenyIngress") is not True:
            yield Finding(
                rule="E8",
                urn=release.urn,
                message="the argo-cd chart's NetworkPolicies are off (global.networkPolicy."
                "create and defaultDenyIngress): Argo CD's Redis is reachable from other "
                "namespaces (CVE-2024-31989)",
            )


#: Reads of data rather than of metadata: never on ``*`` without a condition either.
_DATA_READS: Final = (
    "secretsmanager:GetSecretValue",
    "s3:GetObject",
    "ssm:GetParameter",
    "kms:Decrypt",
)
#: Condition keys that narrow nothing about *which* resource.
_TRANSPORT_KEYS: Final = frozenset({"aws:securetransport"})


#: A resource part naming every resource of one type: ``hostedzone/*``, ``role/*``,
#: ``secret:*`` (a type, then ``/`` or ``:``, then only the wildcard).
_EVERY_OF_TYPE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9-]*[/:]\*$")


def _wide(resource: str) -> bool:
    """Whether ``resource`` names any resource of its kind.

    ``*``; an ARN whose resource part is ``*``; or one naming every resource of a type, such
    as ``arn:aws:route53:::hostedzone/*``. S3 ARNs have no type (their resource part is the
    bucket's name): ``arn:aws:s3:::*`` and ``arn:aws:s3:::*/*`` are wide, a bucket's objects
    (``arn:aws:s3:::my-bucket/*``) are not.
    """
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) != 6:
        return False
    service, rest = parts[2], parts[5]
    if rest == "*":
        return True
    if service == "s3":
        return rest == "*/*"
    return bool(_EVERY_OF_TYPE.fullmatch(rest))


def _narrowing(condition: Any) -> bool:
    """Whether a statement's condition narrows the resources (not only the transport)."""
    keys = {str(k).lower() for block in _mapping(condition).values() for k in _mapping(block)}
    return bool(keys - _TRANSPORT_KEYS)


def _is_write(action: str) -> bool:
    if action.startswith(_DATA_READS):
        return True
    return not action.split(":", 1)[-1].startswith(_READ_VERBS)


def check_scoped_writes(graph: PlanGraph, facts: StageFacts) -> Iterator[Finding]:
    """E15: a pod identity writes (or reads data) on every resource only under a condition.

    ``*``, or an ARN whose resource part is ``*``, is for reads of metadata that support no
    resource-level permission (``Describe*``, ``List*``, ``Get*`` but secret values, objects,
    parameters and decryption); a write there needs a condition that narrows the resources
    (tags, as Karpenter's and the Load Balancer Controller's upstream policies do), not only
    ``aws:SecureTransport``. ``NotAction`` and ``NotResource`` grants are refused outright.
    """
    names = {
        role.outputs.get("name"): role for role in graph.of_type(ROLE) if _is_pod_identity(role)
    }
    for inline in graph.of_type(ROLE_POLICY):
        role = names.get(inline.inputs.get("role"))
        if role is None:
            continue
        role_name = str(role.outputs.get("name", ""))
        allowed = next(
            (
                sids
                for suffix, sids in UPSTREAM_UNSCOPED_WRITES.items()
                if role_name.endswith(f"-{suffix}")
            ),
            frozenset(),
        )
        for statement in statements(decode_json(inline.inputs.get("policy"))):
            if statement.get("Effect") != "Allow":
                continue
            sid = statement.get("Sid", "(no Sid)")
            if "NotAction" in statement or "NotResource" in statement:
                yield Finding(
                    rule="E15",
                    urn=role.urn,
                    message=f"statement {sid} grants by NotAction or NotResource",
                )
                continue
            if _narrowing(statement.get("Condition")) or statement.get("Sid") in allowed:
                continue
            wide = [str(r) for r in elements(statement.get("Resource")) if _wide(str(r))]
            if not wide:
                continue
            writes = sorted(
                str(action)
                for action in elements(statement.get("Action"))
                if _is_write(str(action))
            )
            if writes:
                yield Finding(
                    rule="E15",
                    urn=role.urn,
                    message=f"statement {sid} allows {', '.join(writes)} on {', '.join(wide)} "
                    "without a condition",
                )


CONTROLLER_RULES: tuple[Rule, ...] = (
    Rule(id="W1", title="Argo Workflows server auth: sso and/or client, never server",
         reference="Argo Workflows argo-server auth modes", check=check_workflows_auth),
    Rule(id="W4", title="Emissary executor; nothing privileged; no docker-in-docker",
         reference="Argo Workflows executors", check=check_workflows_executor),
    Rule(id="W6", title="Argo Workflows and Argo Events at or above the fixed versions",
         reference="CVE-2025-32445 and the 2026 argo-server fixes",
         check=check_workflow_versions),
    Rule(id="L4", title="Load balancers after the Load Balancer Controller, gone before it",
         reference="argosy reliability", check=check_load_balancer_order),
)  # fmt: skip
