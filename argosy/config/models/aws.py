"""The stage's AWS account: ``argosy:aws``."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from argosy.config.models.base import (
    Model,
    StrictStr,
    example_account,
    example_partition,
    violation,
)
from argosy.config.models.scalars import IAM_PRINCIPAL_ARN, AccountId, Region
from argosy.config.regions import partition_of


class AwsSettings(Model):
    """The stage's AWS account: ``argosy:aws``."""

    account_id: AccountId = Field(
        description="The stage's AWS account ID (12 digits, quoted). Every AWS call of the "
        "stack is refused outside it (the provider's allowedAccountIds).",
        examples=["111111111111"],
    )
    region: Region = Field(
        description="The AWS region of the stage's resources.", examples=["eu-west-1"]
    )
    deploy_role_arn: StrictStr = Field(
        description="IAM role Pulumi assumes in the stage's account (provider assumeRoles); "
        "also the identity in the kubeconfig and a cluster-admin access entry.",
        examples=["arn:aws:iam::111111111111:role/argosy-deploy"],
    )

    @field_validator("deploy_role_arn")
    @classmethod
    def _deploy_role_in_stage_account(cls, value: str, info: ValidationInfo) -> str:
        account = info.data.get("account_id")
        region = info.data.get("region")
        partition = partition_of(region) if region is not None else example_partition(info)
        match = IAM_PRINCIPAL_ARN.fullmatch(value)
        if region is None and match is not None:
            partition = match["partition"]  # nothing to check it against: keep it
        if match is None or match["kind"] != "role":
            violation(
                "the ARN of an IAM role",
                f"deployRoleArn: arn:{partition}:iam::{account or example_account(info)}:role/"
                "argosy-deploy",
            )
        if account is not None and match["account"] != account:
            violation(
                f"the deploy role must be in the stage's account {account} (accountId)",
                f"deployRoleArn: arn:{partition}:iam::{account}:role/{match['name']}",
            )
        if region is not None and match["partition"] != partition_of(region):
            violation(
                f"the ARN's partition must be {partition_of(region)}, the partition of {region}",
                f"deployRoleArn: arn:{partition_of(region)}:iam::{match['account']}:role/"
                f"{match['name']}",
            )
        return value

    @property
    def partition(self) -> str:
        """The AWS partition of the stage's region."""
        return partition_of(self.region)
