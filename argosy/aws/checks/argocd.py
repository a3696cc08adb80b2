"""doctor's Argo CD check: the version the EKS capability runs is above A7's floor.

AWS chooses and upgrades the Argo CD version of the managed capability; the stack cannot pin
it. SECURITY.md A7 asks to check the version AWS reports (``DescribeCapability``,
``capability.version``, such as ``3.5.1-eks-1``: the upstream release, then AWS's build)
against the floor of the known server CVEs. A capability not created yet is a skip, not a
failure: the first ``pulumi up`` creates it.
"""

from __future__ import annotations

import re

import botocore.exceptions

from argosy import naming
from argosy.argocd.versions import APP_VERSION_FLOORS
from argosy.aws.checks import DoctorCheck
from argosy.aws.client import AwsApi, error_code
from argosy.config.stage import AwsStageConfig

#: The capability's name on the hub's cluster (components/argocd.py, CAPABILITY_NAME).
CAPABILITY_NAME = "argocd"
#: ``<upstream version>-eks-<build>``, as EKS reports a capability's version.
_CAPABILITY_VERSION = re.compile(r"^v?(?P<upstream>[0-9]+\.[0-9]+\.[0-9]+)(-eks-[0-9]+)?$")
_NAME = "argo cd version"


def capability_version_check(version: str) -> DoctorCheck:
    """Judge the version the capability reports against A7's floor."""
    floor = APP_VERSION_FLOORS["argo-cd"]
    match = _CAPABILITY_VERSION.fullmatch(version)
    if match is None:
        return DoctorCheck(
            name=_NAME,
            status="fail",
            detail=f"the capability reports version {version!r}, which argosy cannot read",
            fix="compare it with SECURITY.md A7 by hand, and tell the argosy maintainers",
        )
    if not floor.admits(match["upstream"]):
        return DoctorCheck(
            name=_NAME,
            status="fail",
            detail=f"the capability runs Argo CD {version}; A7 needs {floor.describe()}",
            fix="AWS upgrades the capability itself: open an AWS support case, and until it "
            "is upgraded keep the Argo CD endpoint private (argosy:argocd.managed."
            "privateEndpoint: true)",
        )
    return DoctorCheck(
        name=_NAME,
        status="pass",
        detail=f"the capability runs Argo CD {version}, {floor.describe()}",
    )


def check_argocd_version(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
    """The capability's live version, on a stage that hosts a managed Argo CD."""
    if config.argocd is None or config.argocd.install != "managed":
        return []
    try:
        answer = api.call(
            "eks",
            "DescribeCapability",
            clusterName=naming.cluster_name(config.stage),
            capabilityName=CAPABILITY_NAME,
        )
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return [
                DoctorCheck(
                    name=_NAME,
                    status="skip",
                    detail="the Argo CD capability does not exist yet; `pulumi up` creates it",
                )
            ]
        return [
            DoctorCheck(
                name=_NAME,
                status="fail",
                detail=f"DescribeCapability answered {error_code(exc)}",
                fix=f"aws eks describe-capability --cluster-name "
                f"{naming.cluster_name(config.stage)} --capability-name {CAPABILITY_NAME}",
            )
        ]
    return [capability_version_check(str(answer["capability"].get("version", "")))]
