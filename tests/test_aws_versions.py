"""doctor's Kubernetes version check: EKS's live lifecycle data against an injected today.

The live path goes through botocore's Stubber (moto has no DescribeClusterVersions); the
stubbed answers follow the shape of botocore's EKS service model, timestamps included.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from argosy.aws.checks.kubernetes import check_kubernetes_version
from argosy.aws.client import AwsApi
from argosy.aws.doctor import DoctorCheck, utc_today, version_check
from argosy.config import eks_versions
from argosy.config.validate import AwsStageConfig
from tests.aws import REGION, example_stage

TODAY = date(2026, 11, 21)


def entry(
    version: str,
    status: str,
    standard_end: date | None = None,
    extended_end: date | None = None,
) -> dict[str, Any]:
    """One ClusterVersionInformation as botocore parses it (aware datetimes)."""
    answer: dict[str, Any] = {
        "clusterVersion": version,
        "clusterType": "eks",
        "versionStatus": status,
    }
    for key, day in (
        ("endOfStandardSupportDate", standard_end),
        ("endOfExtendedSupportDate", extended_end),
    ):
        if day is not None:
            answer[key] = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return answer


LIVE = [
    entry("1.36", "STANDARD_SUPPORT", date(2027, 8, 2), date(2028, 8, 2)),
    entry("1.35", "STANDARD_SUPPORT", date(2027, 3, 27), date(2028, 3, 27)),
    entry("1.34", "STANDARD_SUPPORT", date(2026, 12, 2), date(2027, 12, 2)),
    entry("1.33", "EXTENDED_SUPPORT", date(2026, 7, 29), date(2027, 7, 29)),
    entry("1.31", "EXTENDED_SUPPORT", date(2025, 11, 26), date(2026, 11, 26)),
    entry("1.28", "UNSUPPORTED", date(2024, 11, 26), date(2025, 11, 26)),
]


def check(version: str, policy: str = "STANDARD", today: date = TODAY) -> DoctorCheck:
    return version_check(version, LIVE, upgrade_policy=policy, today=today)


# -- the pure check, on EKS's live list ------------------------------------------------


def test_offered_and_fine() -> None:
    assert check("1.35") == DoctorCheck(
        name="kubernetes version",
        status="pass",
        detail="EKS offers 1.35 (STANDARD_SUPPORT until 2027-03-27)",
    )


def test_standard_support_ends_within_90_days() -> None:
    assert check("1.34") == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail="1.34's standard support ends on 2026-12-02, in 11 days: with upgradePolicy "
        "STANDARD, EKS upgrades the control plane itself on that date, after which the next "
        "`pulumi up` would ask EKS for a downgrade to 1.34, which it refuses",
        fix="raise argosy:cluster.version to 1.35 before 2026-12-02",
    )


def test_the_warning_starts_90_days_ahead() -> None:
    end = date(2027, 3, 27)
    assert check("1.35", today=end - timedelta(days=91)).status == "pass"
    warned = check("1.35", today=end - timedelta(days=90))
    assert warned.status == "warn"
    assert warned.detail.startswith("1.35's standard support ends on 2027-03-27, in 90 days:")
    assert check("1.35", today=end - timedelta(days=1)).detail.startswith(
        "1.35's standard support ends on 2027-03-27, in 1 day:"
    )


def test_standard_support_over_under_standard_policy() -> None:
    expected = DoctorCheck(
        name="kubernetes version",
        status="fail",
        detail="1.34's standard support ended on 2026-12-02 and argosy:cluster.upgradePolicy is "
        "STANDARD: EKS upgrades such a control plane itself, after which the next `pulumi up` "
        "would ask EKS for a downgrade to 1.34, which it refuses",
        fix="raise argosy:cluster.version to 1.35, or set argosy:cluster.upgradePolicy: "
        "EXTENDED (billed at the extended-support rate)",
    )
    # On the end date itself standard support is over.
    assert check("1.34", today=date(2026, 12, 2)) == expected
    # EKS's status decides too, whatever the dates say.
    assert check("1.33").detail == (
        "1.33's standard support ended on 2026-07-29 and argosy:cluster.upgradePolicy is "
        "STANDARD: EKS upgrades such a control plane itself, after which the next `pulumi up` "
        "would ask EKS for a downgrade to 1.33, which it refuses"
    )
    undated = [entry("1.33", "EXTENDED_SUPPORT"), entry("1.36", "STANDARD_SUPPORT")]
    assert version_check("1.33", undated, today=TODAY).detail.startswith(
        "1.33's standard support is over (EKS reports EXTENDED_SUPPORT) and "
    )


def test_extended_policy() -> None:
    assert check("1.33", "EXTENDED") == DoctorCheck(
        name="kubernetes version",
        status="pass",
        detail="EKS offers 1.33 (EXTENDED_SUPPORT until 2027-07-29)",
    )
    # Under EXTENDED the end of standard support is no reason to warn...
    assert check("1.34", "EXTENDED").status == "pass"
    # ...the end of extended support is.
    assert check("1.31", "EXTENDED") == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail="1.31's extended support ends on 2026-11-26, in 5 days: EKS upgrades the control "
        "plane itself on that date, after which the next `pulumi up` would ask EKS for a "
        "downgrade to 1.31, which it refuses",
        fix="raise argosy:cluster.version to 1.34 before 2026-11-26, one minor version per "
        "`pulumi up`",
    )


def test_past_the_end_of_extended_support() -> None:
    expected = DoctorCheck(
        name="kubernetes version",
        status="fail",
        detail="1.31's extended support ended on 2026-11-26",
        fix="raise argosy:cluster.version to 1.34, one minor version per `pulumi up`",
    )
    assert check("1.31", "EXTENDED", today=date(2026, 11, 26)) == expected
    assert check("1.31", "STANDARD", today=date(2027, 1, 1)) == expected


def test_unsupported() -> None:
    assert check("1.28", "EXTENDED") == DoctorCheck(
        name="kubernetes version",
        status="fail",
        detail="EKS reports 1.28 as UNSUPPORTED (extended support ended on 2025-11-26)",
        fix="raise argosy:cluster.version to 1.34, one minor version per `pulumi up`",
    )


def test_not_offered() -> None:
    assert check("1.37") == DoctorCheck(
        name="kubernetes version",
        status="fail",
        detail="EKS does not offer 1.37 (offered: 1.31, 1.33, 1.34, 1.35, 1.36)",
        fix="set argosy:cluster.version to an offered version",
    )


def test_the_deprecated_status_field_and_text_dates() -> None:
    """Older answers carry ``status`` in lower case; dates may come as ISO text."""
    old = {
        "clusterVersion": "1.35",
        "status": "standard-support",
        "endOfStandardSupportDate": "2027-03-27T00:00:00Z",
    }
    assert version_check("1.35", [old], today=TODAY).detail == (
        "EKS offers 1.35 (STANDARD_SUPPORT until 2027-03-27)"
    )


def test_no_newer_version_to_name() -> None:
    live = [entry("1.36", "STANDARD_SUPPORT", date(2026, 12, 1), date(2027, 12, 1))]
    assert version_check("1.36", live, today=TODAY).fix == (
        "raise argosy:cluster.version to a newer version before 2026-12-01"
    )


# -- the fallback: argosy's table, at most a warning --------------------------------------


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed table, so these tests do not move when the real one is reviewed."""
    versions = [
        eks_versions.EksVersion(
            version="1.34",
            end_of_standard_support=date(2026, 12, 2),
            end_of_extended_support=date(2027, 12, 2),
        ),
        eks_versions.EksVersion(
            version="1.35",
            end_of_standard_support=date(2027, 3, 27),
            end_of_extended_support=date(2028, 3, 27),
        ),
    ]
    monkeypatch.setattr(eks_versions, "BY_VERSION", {v.version: v for v in versions})
    monkeypatch.setattr(eks_versions, "REVIEWED_ON", date(2026, 11, 1))


def test_fallback_in_support(table: None) -> None:
    assert version_check("1.35", None, "404", today=TODAY) == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail="per argosy's table of 2026-11-01, 1.35 has standard support until 2027-03-27; "
        "EKS's live list was unavailable (404)",
        fix="check with: aws eks describe-cluster-versions --include-all",
    )


def test_fallback_near_and_past_the_end_only_warns(table: None) -> None:
    near = version_check("1.34", None, "404", today=TODAY)
    assert near.status == "warn"
    assert near.detail.startswith(
        "per argosy's table of 2026-11-01, 1.34's standard support ends on 2026-12-02, in 11 days"
    )
    assert near.detail.endswith("; EKS's live list was unavailable (404)")
    assert near.fix == "raise argosy:cluster.version to 1.35 before 2026-12-02"
    past = version_check("1.34", None, "404", today=date(2028, 1, 1))
    assert (past.status, past.detail) == (
        "warn",
        "per argosy's table of 2026-11-01, 1.34's extended support ended on 2027-12-02; EKS's "
        "live list was unavailable (404)",
    )


def test_fallback_for_a_version_the_table_lacks(table: None) -> None:
    assert version_check("1.36", None, "404", today=TODAY) == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail="1.36 is not in argosy's table of 2026-11-01, and EKS's live list was "
        "unavailable (404)",
        fix="check with: aws eks describe-cluster-versions --include-all",
    )


def test_the_default_clock_is_utc() -> None:
    assert utc_today() == datetime.now(UTC).date()


# -- through the API, stubbed --------------------------------------------------------------


@pytest.fixture
def stubbed() -> Iterator[tuple[AwsApi, Stubber]]:
    """An API whose EKS client answers from a Stubber; nothing is sent anywhere."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    api = AwsApi(session, REGION)
    with Stubber(api.client("eks")) as stub:
        yield api, stub
        stub.assert_no_pending_responses()


def stage() -> AwsStageConfig:
    return example_stage("dev")


def next_minor(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"


def around(version: str, standard_end: date, status: str = "STANDARD_SUPPORT") -> list[Any]:
    """EKS's list: the stage's version (whatever the example uses today) and the next one."""
    return [
        entry(version, status, standard_end, standard_end + timedelta(days=365)),
        entry(next_minor(version), "STANDARD_SUPPORT", date(2099, 1, 1), date(2100, 1, 1)),
    ]


def answer(api: AwsApi, stub: Stubber, *pages: list[Any]) -> list[DoctorCheck]:
    for number, page in enumerate(pages):
        params: dict[str, Any] = {"includeAll": True}
        if number:
            params["nextToken"] = f"page-{number}"
        response: dict[str, Any] = {"clusterVersions": page}
        if number < len(pages) - 1:
            response["nextToken"] = f"page-{number + 1}"
        stub.add_response("describe_cluster_versions", response, params)
    return check_kubernetes_version(api, stage(), TODAY)


def test_api_offered_and_fine(stubbed: tuple[AwsApi, Stubber]) -> None:
    api, stub = stubbed
    version = stage().cluster.version
    [result] = answer(api, stub, around(version, date(2027, 6, 1)))
    assert result == DoctorCheck(
        name="kubernetes version",
        status="pass",
        detail=f"EKS offers {version} (STANDARD_SUPPORT until 2027-06-01)",
    )
    assert api.calls == ["eks:DescribeClusterVersions"]


def test_api_within_90_days(stubbed: tuple[AwsApi, Stubber]) -> None:
    api, stub = stubbed
    version = stage().cluster.version
    [result] = answer(api, stub, around(version, date(2027, 1, 10)))
    assert result == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail=f"{version}'s standard support ends on 2027-01-10, in 50 days: with upgradePolicy "
        "STANDARD, EKS upgrades the control plane itself on that date, after which the next "
        f"`pulumi up` would ask EKS for a downgrade to {version}, which it refuses",
        fix=f"raise argosy:cluster.version to {next_minor(version)} before 2027-01-10",
    )


def test_api_past_the_end(stubbed: tuple[AwsApi, Stubber]) -> None:
    api, stub = stubbed
    version = stage().cluster.version
    [result] = answer(api, stub, around(version, date(2026, 11, 1), "EXTENDED_SUPPORT"))
    assert result.status == "fail"
    assert result.detail.startswith(
        f"{version}'s standard support ended on 2026-11-01 and argosy:cluster.upgradePolicy is "
        "STANDARD"
    )


def test_api_not_offered_across_pages(stubbed: tuple[AwsApi, Stubber]) -> None:
    api, stub = stubbed
    first = [entry("1.98", "STANDARD_SUPPORT")]
    second = [entry("1.99", "STANDARD_SUPPORT")]
    [result] = answer(api, stub, first, second)
    assert result == DoctorCheck(
        name="kubernetes version",
        status="fail",
        detail=f"EKS does not offer {stage().cluster.version} (offered: 1.98, 1.99)",
        fix="set argosy:cluster.version to an offered version",
    )
    assert api.calls == ["eks:DescribeClusterVersions"] * 2


def test_api_unavailable_falls_back_to_the_table(
    stubbed: tuple[AwsApi, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, stub = stubbed
    version = stage().cluster.version
    monkeypatch.setattr(
        eks_versions,
        "BY_VERSION",
        {
            version: eks_versions.EksVersion(
                version=version,
                end_of_standard_support=date(2027, 6, 1),
                end_of_extended_support=date(2028, 6, 1),
            )
        },
    )
    monkeypatch.setattr(eks_versions, "REVIEWED_ON", date(2026, 11, 1))
    stub.add_client_error(
        "describe_cluster_versions",
        service_error_code="InvalidRequestException",
        expected_params={"includeAll": True},
    )
    [result] = check_kubernetes_version(api, stage(), TODAY)
    assert result == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail=f"per argosy's table of 2026-11-01, {version} has standard support until "
        "2027-06-01; EKS's live list was unavailable (InvalidRequestException)",
        fix="check with: aws eks describe-cluster-versions --include-all",
    )
