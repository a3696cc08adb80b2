"""The charts Argo CD delivers into the clusters: one versions table, each entry cited.

Every chart the platform delivers is pinned here once: its repository, chart, chart version,
the application version that chart version ships, where those two numbers were read, and
optionally another pin for a stage (a stage that must stay behind, or try a release first).
:mod:`argosy.argocd.delivery` reads a chart from this table by key; nothing else names a
chart version.

Floors from SECURITY.md are checked at construction, for the default pin and every stage's,
against the version that actually runs: a table entry below its floor cannot be built.

- Argo CD (A7): 3.3.14, 3.4.7 or 3.5.1 at least on its minor line.
- Argo Workflows (W6): 3.7.15 or 4.0.6 at least on its minor line.
- Argo Events (W6): 1.9.6 at least.

**An image override on the same minor line.** An entry may run a later patch release of the
application than its chart version ships (:attr:`ChartVersion.image_tag`): same major and
minor, never lower. Only a patch release qualifies, because a chart's templates are written
for one minor line; and the evidence that the chart's manifests still fit the patch release
is cited beside the entry.

**Argo CD** (:data:`ARGO_CD`) is such an entry. No released argo-cd chart ships a version at
or above A7's floor: the newest read, argoproj/argo-helm at
af0a9310bacbaa4636018dfe22c801a6d33a5c43 (tag ``argo-cd-10.1.1``, 2026-07-02), ships
``v3.4.4`` in ``charts/argo-cd/Chart.yaml``. Between Argo CD ``v3.4.4``
(443415b5527ac55366e0760c93ef0e1abd0cf273) and ``v3.4.7``
(7b6113c14c8186e126046131dfbe5103a9f680f4, 2026-08-12) the upstream ``manifests/install.yaml``
changes only the image tags and mounts ``argocd-cmd-params-cm`` into the repo server at
``/home/argocd/params`` (argoproj/argo-cd b6d7c82be1, "so pprof can be enabled"). The chart's
10.1.1 repo-server template does not mount it; the only reader of that path is the profiler
switch (``util/profile/profile.go``, file ``profiler.enabled``), which then stays off, as it
is by default. The chart 10.1.1 is therefore installed with ``global.image.tag`` ``v3.4.7``
(:mod:`argosy.argocd.install`). Argo CD is not in :data:`CHARTS`: that table is what Argo CD
delivers, whereas Argo CD itself is a Helm release the stack that hosts it installs. The
managed EKS capability reports its own version instead (README, "Install modes").

Helm repositories are written without a trailing ``/``, as AppProject ``sourceRepos`` must
list them exactly. A chart in an OCI registry is written ``oci://<registry>/<path>``;
:attr:`ChartVersion.argocd_repo_url` gives the form an Application's ``repoURL`` takes
(without the scheme: Argo CD's Helm-over-OCI source, for which Argo CD needs a Helm repository
declared with ``enableOCI``).
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from argosy.argocd.metadata import DNS_LABEL_RULE
from argosy.patterns import is_dns_label

# --------------------------------------------------------------------------------------
# Version rules

#: A chart version: SemVer 2, as Helm requires.
_CHART_VERSION: Final = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
#: An application version as charts spell it: SemVer with an optional leading ``v``.
_APP_VERSION: Final = re.compile(
    r"^v?(?P<major>0|[1-9][0-9]*)\.(?P<minor>0|[1-9][0-9]*)\.(?P<patch>0|[1-9][0-9]*)"
    r"(?P<pre>-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
_REPOSITORY: Final = re.compile(r"^(https|oci)://[^\s/]+(/[^\s/]+)*$")
_OCI: Final = "oci://"

CHART_VERSION_RULE: Final = "a SemVer 2 chart version such as 2.41.0"
APP_VERSION_RULE: Final = "a release version such as v1.9.0 or 0.21.0"


@dataclass(frozen=True, kw_only=True)
class AppVersionFloor:
    """The lowest application versions a chart may ship, per a SECURITY.md rule.

    Attributes:
        rule: The SECURITY.md rule, such as ``A7``.
        floors: One minimum per supported minor line, in increasing order, such as
            ``("3.7.15", "4.0.6")``: a version passes if it is at or above the floor of its
            own minor line, or above the last floor.
    """

    rule: str
    floors: tuple[str, ...]

    def admits(self, app_version: str) -> bool:
        """Whether ``app_version`` (already a valid version) is at or above its floor."""
        version = version_key(app_version)
        floors = [version_key(f) for f in self.floors]
        if version >= floors[-1]:
            return True
        return any(version[:2] == floor[:2] and version >= floor for floor in floors)

    def describe(self) -> str:
        """The floor in words, for messages."""
        if len(self.floors) == 1:
            return f"at or above {self.floors[0]} (SECURITY.md {self.rule})"
        lines = ", ".join(self.floors[:-1]) + f" or {self.floors[-1]}"
        return (
            f"at or above {lines} on its minor line, or any release after {self.floors[-1]} "
            f"(SECURITY.md {self.rule})"
        )


#: The floors by chart name; argo-cd's checks :data:`ARGO_CD`, which is outside the table.
APP_VERSION_FLOORS: Final[Mapping[str, AppVersionFloor]] = types.MappingProxyType(
    {
        "argo-cd": AppVersionFloor(rule="A7", floors=("3.3.14", "3.4.7", "3.5.1")),
        "argo-workflows": AppVersionFloor(rule="W6", floors=("3.7.15", "4.0.6")),
        "argo-events": AppVersionFloor(rule="W6", floors=("1.9.6",)),
    }
)


def version_key(app_version: str) -> tuple[int, int, int, int]:
    """``app_version`` as a sortable key; a pre-release sorts before its release.

    Raises ValueError if it is not a release version such as ``v1.9.0`` or ``0.21.0``.
    """
    match = _APP_VERSION.fullmatch(app_version)
    if match is None:
        raise ValueError(f"app version {app_version!r} is not valid: {APP_VERSION_RULE}")
    return (
        int(match["major"]),
        int(match["minor"]),
        int(match["patch"]),
        0 if match["pre"] else 1,
    )


def _check_pin(
    where: str,
    chart: str,
    version: str,
    app_version: str,
    source: str,
    image_tag: str | None = None,
) -> None:
    if not _CHART_VERSION.fullmatch(version):
        raise ValueError(f"{where} version {version!r} is not valid: {CHART_VERSION_RULE}")
    if not _APP_VERSION.fullmatch(app_version):
        raise ValueError(f"{where} app_version {app_version!r} is not valid: {APP_VERSION_RULE}")
    runs, runs_field = app_version, "app_version"
    if image_tag is not None:
        _check_image_tag(where, app_version, image_tag)
        runs, runs_field = image_tag, "image_tag"
    floor = APP_VERSION_FLOORS.get(chart)
    if floor is not None and not floor.admits(runs):
        raise ValueError(f"{where} {runs_field} {runs!r} is not valid: {floor.describe()}")
    if not source.strip():
        raise ValueError(
            f"{where} source is empty: cite the Chart.yaml the versions were read from "
            "(repository, path and commit)"
        )


def _check_image_tag(where: str, app_version: str, image_tag: str) -> None:
    if not _APP_VERSION.fullmatch(image_tag):
        raise ValueError(f"{where} image_tag {image_tag!r} is not valid: {APP_VERSION_RULE}")
    shipped, runs = version_key(app_version), version_key(image_tag)
    if runs[:2] != shipped[:2]:
        raise ValueError(
            f"{where} image_tag {image_tag!r} is not valid: a patch release of the minor line "
            f"the chart ships ({app_version}); another minor line needs its own chart version"
        )
    if runs < shipped:
        raise ValueError(
            f"{where} image_tag {image_tag!r} is not valid: at or above the chart's "
            f"app_version {app_version}"
        )


@dataclass(frozen=True, kw_only=True)
class StagePin:
    """Another chart version for one stage, with what it ships and where that was read.

    Attributes:
        version: The chart version the stage uses instead of the table's.
        app_version: The application version that chart version ships (checked against the
            chart's floor, like the table's).
        source: Where both numbers were read: repository, ``Chart.yaml`` path and commit.
    """

    version: str
    app_version: str
    source: str


@dataclass(frozen=True, kw_only=True)
class ChartVersion:
    """One chart the platform delivers, pinned, with its source; validated at construction.

    Attributes:
        repository: The Helm repository (``https://…``, no trailing ``/``) or OCI registry
            path (``oci://registry/path``) the chart is published to.
        chart: The chart's name in that repository, such as ``argo-rollouts``.
        version: The chart version every stage uses unless pinned otherwise.
        app_version: The application version that chart version ships (its ``appVersion``).
        source: Where ``version`` and ``app_version`` were read: repository, ``Chart.yaml``
            path and commit (or tag).
        stage_pins: Stage name to :class:`StagePin`, for stages that use another version.
            Default: none.
        image_tag: The application version actually run when it differs from what the chart
            ships: an image override on the same minor line, at or above ``app_version``,
            for the table's chart version only (a stage pin runs what its chart version
            ships). The floor is checked against it instead of ``app_version``. Default:
            none (the chart's ``app_version`` runs).
    """

    repository: str
    chart: str
    version: str
    app_version: str
    source: str
    stage_pins: Mapping[str, StagePin] = field(default_factory=lambda: types.MappingProxyType({}))
    image_tag: str | None = None

    def __post_init__(self) -> None:
        if not _REPOSITORY.fullmatch(self.repository):
            raise ValueError(
                f"chart {self.chart} repository {self.repository!r} is not valid: a Helm "
                "repository https://host/path or an OCI registry oci://registry/path, without a "
                "trailing '/'"
            )
        if not is_dns_label(self.chart):
            raise ValueError(f"chart name {self.chart!r} is not valid: {DNS_LABEL_RULE}")
        _check_pin(
            f"chart {self.chart}",
            self.chart,
            self.version,
            self.app_version,
            self.source,
            image_tag=self.image_tag,
        )
        pins = {}
        for stage, pin in sorted(self.stage_pins.items()):
            if not is_dns_label(stage):
                raise ValueError(
                    f"chart {self.chart} stage_pins key {stage!r} is not valid: a stage name, "
                    f"{DNS_LABEL_RULE}"
                )
            _check_pin(
                f"chart {self.chart} stage_pins[{stage!r}]",
                self.chart,
                pin.version,
                pin.app_version,
                pin.source,
            )
            pins[stage] = pin
        # A read-only copy in stage order: the caller's mapping can change nothing later.
        object.__setattr__(self, "stage_pins", types.MappingProxyType(pins))

    @property
    def is_oci(self) -> bool:
        """Whether the chart is published to an OCI registry."""
        return self.repository.startswith(_OCI)

    @property
    def argocd_repo_url(self) -> str:
        """The Application's ``source.repoURL``: the repository, without ``oci://`` for OCI."""
        return self.repository.removeprefix(_OCI)

    def version_for(self, stage: str) -> str:
        """The chart version ``stage`` uses: its pin, else the table's."""
        pin = self.stage_pins.get(stage)
        return pin.version if pin is not None else self.version

    def app_version_for(self, stage: str) -> str:
        """The application version ``stage``'s chart version ships.

        Its pin's, else the table's; :meth:`run_version_for` gives the one that runs.
        """
        pin = self.stage_pins.get(stage)
        return pin.app_version if pin is not None else self.app_version

    @property
    def run_version(self) -> str:
        """The application version the table's chart version runs.

        ``image_tag``, else ``app_version``.
        """
        return self.image_tag if self.image_tag is not None else self.app_version

    def run_version_for(self, stage: str) -> str:
        """The application version ``stage`` runs, the one its floor is checked against.

        Its pin's, else :attr:`run_version`.
        """
        pin = self.stage_pins.get(stage)
        return pin.app_version if pin is not None else self.run_version


_ARGO_HELM = "https://argoproj.github.io/argo-helm"

#: Argo CD, for a self-hosted install (:mod:`argosy.argocd.install`): the chart 10.1.1 with the
#: image of Argo CD v3.4.7, a patch release of the v3.4 line it ships. The evidence that its
#: templates fit v3.4.7 is in the module's docstring. Not in :data:`CHARTS`: Argo CD does not
#: deliver itself.
ARGO_CD: Final[ChartVersion] = ChartVersion(
    repository=_ARGO_HELM,
    chart="argo-cd",
    version="10.1.1",
    app_version="v3.4.4",
    image_tag="v3.4.7",
    source=(
        "argoproj/argo-helm charts/argo-cd/Chart.yaml at "
        "af0a9310bacbaa4636018dfe22c801a6d33a5c43 (tag argo-cd-10.1.1); image tag v3.4.7: "
        "argoproj/argo-cd tag v3.4.7 at 7b6113c14c8186e126046131dfbe5103a9f680f4"
    ),
)

#: The charts the platform delivers, by key (the chart's name). Each ``source`` names the
#: ``Chart.yaml`` both numbers were read from, at the commit of the chart's release.
CHARTS: Final[Mapping[str, ChartVersion]] = types.MappingProxyType(
    {
        # argo-cd: not here; Argo CD is installed by the stack that hosts it (ARGO_CD above).
        "argo-rollouts": ChartVersion(
            repository=_ARGO_HELM,
            chart="argo-rollouts",
            version="2.41.0",
            app_version="v1.9.0",
            source=(
                "argoproj/argo-helm charts/argo-rollouts/Chart.yaml at "
                "8796aeaa82428f96c3a20293f75a1a805f99d32b (tag argo-rollouts-2.41.0)"
            ),
        ),
        # At W6's 4.0.6 floor exactly; SECURITY.md recommends 4.1.x, which no released
        # argo-workflows chart ships yet.
        "argo-workflows": ChartVersion(
            repository=_ARGO_HELM,
            chart="argo-workflows",
            version="1.0.18",
            app_version="v4.0.6",
            source=(
                "argoproj/argo-helm charts/argo-workflows/Chart.yaml at "
                "4f4cc4f9605668855e2303c9805f09ac4360f35e (tag argo-workflows-1.0.18)"
            ),
        ),
        "argo-events": ChartVersion(
            repository=_ARGO_HELM,
            chart="argo-events",
            version="2.4.22",
            app_version="v1.9.10",
            source=(
                "argoproj/argo-helm charts/argo-events/Chart.yaml at "
                "4676fa5171dbc07d1ac7da7a4996561a6f2804dd (tag argo-events-2.4.22)"
            ),
        ),
        "aws-load-balancer-controller": ChartVersion(
            repository="https://aws.github.io/eks-charts",
            chart="aws-load-balancer-controller",
            version="3.5.0",
            app_version="v3.5.0",
            source=(
                "aws/eks-charts stable/aws-load-balancer-controller/Chart.yaml at "
                "5239609242f3430be50fb0b714a24d3ef2b47983"
            ),
        ),
        "external-dns": ChartVersion(
            repository="https://kubernetes-sigs.github.io/external-dns",
            chart="external-dns",
            version="1.21.1",
            app_version="0.21.0",
            source=(
                "kubernetes-sigs/external-dns charts/external-dns/Chart.yaml at "
                "9f26451346774099a8b3e3e5cc46a53bf2fd1461 (tag external-dns-helm-chart-1.21.1)"
            ),
        ),
        "external-secrets": ChartVersion(
            repository="https://charts.external-secrets.io",
            chart="external-secrets",
            version="2.9.0",
            app_version="v2.9.0",
            source=(
                "external-secrets/external-secrets deploy/charts/external-secrets/Chart.yaml at "
                "cc5bfbc2234ace9cb0caff4ea89c435cf517b27b (tag helm-chart-2.9.0)"
            ),
        ),
        "karpenter": ChartVersion(
            repository="oci://public.ecr.aws/karpenter",
            chart="karpenter",
            version="1.14.1",
            app_version="1.14.1",
            source=(
                "aws/karpenter-provider-aws tag v1.14.1 "
                "(bde00654cd316fddb3dccfba3f5ac07039865429), whose hack/release/common.sh "
                "packages charts/karpenter with --version 1.14.1; charts/karpenter/Chart.yaml "
                "reads 1.14.1 from 1d927085dd81a9df9301e613f371dac5b4d16bfe"
            ),
        ),
        # The chart's Chart.yaml holds placeholders (0.0.1): the release build packages it
        # with --version and --app-version set to the tag without its v (nix/build.nix).
        "crossplane": ChartVersion(
            repository="https://charts.crossplane.io/stable",
            chart="crossplane",
            version="2.3.4",
            app_version="2.3.4",
            source=(
                "crossplane/crossplane cluster/charts/crossplane/Chart.yaml at "
                "c2670a735103660d7f436585447f2071bc1de973 (tag v2.3.4; version and appVersion "
                "set at packaging by nix/build.nix)"
            ),
        ),
        # Istio's Chart.yaml files hold placeholders (1.0.0) that istio/release-builder
        # replaces with the release's version at build time (the files' own comment). The
        # key differs from the chart's name, base: the Application reads the name.
        "istio-base": ChartVersion(
            repository="https://istio-release.storage.googleapis.com/charts",
            chart="base",
            version="1.30.3",
            app_version="1.30.3",
            source=(
                "istio/istio manifests/charts/base/Chart.yaml at "
                "56df41f63e513f834c9a3af33d8aed82d1d961f2 (tag 1.30.3; version set by "
                "istio/release-builder)"
            ),
        ),
        "istiod": ChartVersion(
            repository="https://istio-release.storage.googleapis.com/charts",
            chart="istiod",
            version="1.30.3",
            app_version="1.30.3",
            source=(
                "istio/istio manifests/charts/istio-control/istio-discovery/Chart.yaml at "
                "56df41f63e513f834c9a3af33d8aed82d1d961f2 (tag 1.30.3; version set by "
                "istio/release-builder)"
            ),
        ),
    }
)


def chart_repositories(charts: Mapping[str, ChartVersion] = CHARTS) -> tuple[str, ...]:
    """Every repository Applications of ``charts`` read, as their ``repoURL``, sorted.

    What the platform AppProject's ``sourceRepos`` must list for them (A4: one by one).
    """
    return tuple(sorted({chart.argocd_repo_url for chart in charts.values()}))
