"""The stage's AWS account: the one provider every AWS resource of the stage uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from argosy import naming
from argosy.config.models import partition_of, reverse_dns_prefix_of


@dataclass(frozen=True, kw_only=True)
class AwsAccountArgs:
    """Arguments of :class:`AwsAccount`.

    Attributes:
        stage: Stage name; tags every resource (``stage``) and names the role session.
        account_id: The only account the provider may act in (provider ``allowedAccountIds``).
        region: Region of every resource (provider ``region``).
        deploy_role_arn: Role assumed for every call (provider ``assumeRoles[0].roleArn``).
        tags: Extra default tags (provider ``defaultTags.tags``); default none.
    """

    stage: str
    account_id: str
    region: str
    deploy_role_arn: str
    tags: Mapping[str, str] = field(default_factory=dict)


def default_tags(stage: str, extra: Mapping[str, str]) -> dict[str, str]:
    """Tags on every AWS resource of a stage: stage, project, managed-by and the user's.

    Validation keeps the user's keys apart from the three reserved ones. Sorted, so the
    provider's JSON-encoded input is the same on every run.
    """
    tags = {**extra, "managed-by": "pulumi", "project": naming.PROJECT, "stage": stage}
    return dict(sorted(tags.items()))


class AwsAccount(pulumi.ComponentResource):
    """An ``aws.Provider`` confined to the stage's account.

    The provider assumes the stage's deploy role and lists the account as its only allowed
    account, so credentials for any other account make every call fail before it is sent.
    The partition follows from the validated region; as a plain value, the ARNs built from it
    are known in ``pulumi preview`` rather than shown as unknowns.
    """

    provider: aws.Provider
    """The provider; pass it explicitly to every AWS resource of the stage."""
    account_id: pulumi.Output[str]
    """The account's ID."""
    partition: str
    """The account's AWS partition (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    reverse_dns_prefix: str
    """Prefix of service names such as VPC endpoint services (``com.amazonaws``)."""

    def __init__(
        self, name: str, args: AwsAccountArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:Account", name, None, opts)
        self.provider = aws.Provider(
            name,
            region=args.region,
            allowed_account_ids=[args.account_id],
            assume_roles=[
                aws.ProviderAssumeRoleArgs(
                    role_arn=args.deploy_role_arn,
                    session_name=f"{naming.PROJECT}-{args.stage}",
                )
            ],
            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(args.stage, args.tags)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.account_id = pulumi.Output.from_input(args.account_id)
        self.partition = partition_of(args.region)
        self.reverse_dns_prefix = reverse_dns_prefix_of(self.partition)
        self.register_outputs({"accountId": self.account_id, "partition": self.partition})
