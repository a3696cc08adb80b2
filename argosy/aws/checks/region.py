"""doctor's region check: the stage's region exists and is enabled in its account.

A region that is not enabled (opt-in regions) answers every call with an error that does
not name the cause; checked first, it is one row with the command that enables it.
"""

from __future__ import annotations

import botocore.exceptions

from argosy.aws.checks import DoctorCheck
from argosy.aws.client import AwsApi, error_code
from argosy.config.stage import AwsStageConfig


def check_region(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
    """Whether the stage's region is a region of the account, and enabled."""
    region = config.aws.region
    try:
        regions = api.call("ec2", "DescribeRegions", AllRegions=True)["Regions"]
    except botocore.exceptions.ClientError as exc:
        return [
            DoctorCheck(
                name="region",
                status="fail",
                detail=f"{region} does not answer ({error_code(exc)})",
                fix=f"enable the region: aws account enable-region --region-name {region}",
            )
        ]
    status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in regions}
    if region not in status:
        return [
            DoctorCheck(
                name="region",
                status="fail",
                detail=f"{region} is not a region",
                fix="set argosy:aws.region to a region of the account",
            )
        ]
    if status[region] in ("opt-in-not-required", "opted-in"):
        return [DoctorCheck(name="region", status="pass", detail=f"{region} is enabled")]
    return [
        DoctorCheck(
            name="region",
            status="fail",
            detail=f"{region} is {status[region]}",
            fix=f"enable the region: aws account enable-region --region-name {region}",
        )
    ]
