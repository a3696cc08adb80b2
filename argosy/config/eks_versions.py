"""Kubernetes versions Amazon EKS supports, as a dated table.

Validation compares against ``REVIEWED_ON`` rather than today's date, so that planning the
same commit twice always gives the same answer (a plan must be deterministic). When the table
is reviewed, move ``REVIEWED_ON`` and add the new minor versions; ``argosy doctor`` checks the
live list of the account's region.

Sources: the EKS user guide "Understand the Kubernetes version lifecycle on EKS" (14 months
of standard support, then 12 months of extended support) and its release calendar for 1.31 to
1.35; for 1.36, released on EKS on 2026-06-02 ("Amazon EKS and Amazon EKS Distro now support
Kubernetes version 1.36", AWS What's New, June 2026, as tracked by endoflife.date/amazon-eks),
whose support dates follow the 14 + 12 month rule. Kubernetes 1.37 is not offered by EKS as of
``REVIEWED_ON`` (upstream 1.36 came out 2026-04-22; EKS follows each release by weeks to months).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

#: The date the table was last checked against the sources above.
REVIEWED_ON = date(2026, 11, 21)

SupportType = Literal["STANDARD", "EXTENDED"]


@dataclass(frozen=True, kw_only=True)
class EksVersion:
    """One Kubernetes minor version on EKS and its support window."""

    version: str
    end_of_standard_support: date
    end_of_extended_support: date

    def support_on(self, day: date) -> SupportType | None:
        """The support a cluster on this version gets on ``day``; ``None`` once it ended."""
        if day < self.end_of_standard_support:
            return "STANDARD"
        if day < self.end_of_extended_support:
            return "EXTENDED"
        return None


EKS_VERSIONS: tuple[EksVersion, ...] = (
    EksVersion(
        version="1.31",
        end_of_standard_support=date(2025, 11, 26),
        end_of_extended_support=date(2026, 11, 26),
    ),
    EksVersion(
        version="1.32",
        end_of_standard_support=date(2026, 3, 23),
        end_of_extended_support=date(2027, 3, 23),
    ),
    EksVersion(
        version="1.33",
        end_of_standard_support=date(2026, 7, 29),
        end_of_extended_support=date(2027, 7, 29),
    ),
    EksVersion(
        version="1.34",
        end_of_standard_support=date(2026, 12, 2),
        end_of_extended_support=date(2027, 12, 2),
    ),
    EksVersion(
        version="1.35",
        end_of_standard_support=date(2027, 3, 27),
        end_of_extended_support=date(2028, 3, 27),
    ),
    EksVersion(
        version="1.36",
        end_of_standard_support=date(2027, 8, 2),
        end_of_extended_support=date(2028, 8, 2),
    ),
)

BY_VERSION: dict[str, EksVersion] = {v.version: v for v in EKS_VERSIONS}


def versions_with(support: SupportType, day: date = REVIEWED_ON) -> list[str]:
    """Versions that have exactly ``support`` on ``day``, oldest first."""
    return [v.version for v in EKS_VERSIONS if v.support_on(day) == support]


def supported_versions(day: date = REVIEWED_ON) -> list[str]:
    """Versions under standard or extended support on ``day``, oldest first."""
    return [v.version for v in EKS_VERSIONS if v.support_on(day) is not None]


def newest_version() -> str:
    """The newest version in the table: the default for new stages and examples."""
    return EKS_VERSIONS[-1].version
