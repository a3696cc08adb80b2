"""The stage's encryption: its log key, EBS encryption by default and its key.

Every customer-managed key has an explicit key policy (rule E13; see
:mod:`argosy.manifests.kms`), rotation on and the longest deletion window, and is protected in
production. The key that envelope-encrypts Secrets lives with the cluster, whose role its
policy names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy import naming
from argosy.config.models import StorageSettings
from argosy.manifests import iam, kms
from components._options import child_options

#: Days before a scheduled key deletion completes: the longest KMS allows.
KEY_DELETION_WINDOW_DAYS = 30


def customer_managed_key(
    parent: pulumi.Resource,
    name: str,
    *,
    alias: str,
    description: str,
    policy: pulumi.Input[str],
    production: bool,
    provider: aws.Provider,
    depends_on: Sequence[pulumi.Resource] = (),
    retain_on_delete: bool = False,
) -> aws.kms.Key:
    """A symmetric KMS key with its policy, rotation on, and an alias.

    Args:
        parent: The component the key belongs to.
        name: Logical name of the key and its alias.
        alias: The alias (``alias/argosy-dev-logs``).
        description: Key ``description``.
        policy: The key policy (key ``policy``), JSON text.
        production: Protect the key (Pulumi ``protect``).
        provider: The stage's AWS provider.
        depends_on: What the policy's principals need to exist first; default none.
        retain_on_delete: Keep the key when the stack is destroyed, for keys that data
            outside the stack may be encrypted with; default no.
    """
    key = aws.kms.Key(
        name,
        description=description,
        policy=policy,
        enable_key_rotation=True,
        deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
        opts=child_options(
            parent,
            provider,
            depends_on=depends_on,
            protect=production,
            retain_on_delete=retain_on_delete,
        ),
    )
    aws.kms.Alias(
        name,
        name=alias,
        target_key_id=key.key_id,
        opts=child_options(parent, provider, retain_on_delete=retain_on_delete),
    )
    return key


@dataclass(frozen=True, kw_only=True)
class StageEncryptionArgs:
    """Arguments of :class:`StageEncryption`.

    Attributes:
        stage: Stage name; names the keys' aliases.
        production: Protect the keys.
        storage: Which key encrypts new EBS volumes by default (``storage.ebsKey``).
        log_group_names: The stage's log groups, the only ones the logs key serves.
        account_id: The stage's account.
        region: The stage's region.
        partition: The AWS partition.
        provider: The stage's AWS provider.
    """

    stage: str
    production: bool
    storage: StorageSettings
    log_group_names: Sequence[str]
    account_id: str
    region: str
    partition: str
    provider: aws.Provider


class StageEncryption(pulumi.ComponentResource):
    """The stage's log key, and EBS encryption by default for its account and region.

    EBS encryption by default is an account-and-region setting: every new volume is
    encrypted, whoever creates it (node root volumes, the EBS CSI driver's volumes, people).
    It is retained when the stack is destroyed: removing a stage must not quietly turn off
    encryption for whatever else the account runs.
    """

    logs_key_arn: pulumi.Output[str]
    """ARN of the key every log group of the stage is encrypted with."""
    ebs_key_arn: pulumi.Output[str]
    """ARN of the account's default EBS key in the region (``alias/aws/ebs`` when AWS-managed)."""

    def __init__(
        self, name: str, args: StageEncryptionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:StageEncryption", name, None, opts)
        provider = args.provider
        logs_key = customer_managed_key(
            self,
            f"{name}-logs",
            alias=naming.logs_key_alias(args.stage),
            description=f"CloudWatch Logs of stage {args.stage}",
            policy=iam.to_json(
                kms.logs_key_policy(
                    partition=args.partition,
                    region=args.region,
                    account_id=args.account_id,
                    log_group_names=list(args.log_group_names),
                )
            ),
            production=args.production,
            provider=provider,
        )
        encryption = aws.ebs.EncryptionByDefault(
            f"{name}-ebs-default",
            enabled=True,
            opts=child_options(self, provider, retain_on_delete=True),
        )
        self.ready: list[pulumi.Resource] = [encryption]
        if args.storage.ebs_key == "stage":
            ebs_key = customer_managed_key(
                self,
                f"{name}-ebs",
                alias=naming.ebs_key_alias(args.stage),
                description=f"Default EBS encryption of stage {args.stage}",
                policy=iam.to_json(
                    kms.ebs_key_policy(
                        partition=args.partition, region=args.region, account_id=args.account_id
                    )
                ),
                production=args.production,
                provider=provider,
                # Any volume of the account may be encrypted with it, not only the stage's:
                # destroying the stage resets the default key but must not delete this one.
                retain_on_delete=True,
            )
            default_key = aws.ebs.DefaultKmsKey(
                f"{name}-ebs-default-key",
                key_arn=ebs_key.arn,
                opts=child_options(self, provider, depends_on=[encryption]),
            )
            self.ready.append(default_key)
            self.ebs_key_arn = ebs_key.arn
        else:
            self.ebs_key_arn = pulumi.Output.from_input(
                f"arn:{args.partition}:kms:{args.region}:{args.account_id}:alias/aws/ebs"
            )
        self.logs_key_arn = logs_key.arn
        self.register_outputs({"logsKeyArn": self.logs_key_arn, "ebsKeyArn": self.ebs_key_arn})


def encrypted_log_group(
    parent: pulumi.Resource,
    name: str,
    *,
    log_group_name: str,
    retention_days: int,
    key_arn: pulumi.Input[str],
    provider: aws.Provider,
    retain_on_delete: bool = False,
) -> aws.cloudwatch.LogGroup:
    """A log group encrypted with the stage's logs key, with retention (rule E14).

    Args:
        parent: The component the group belongs to.
        name: Logical name.
        log_group_name: The group's name (fixed, so the key policy can name it).
        retention_days: Log group ``retentionInDays``.
        key_arn: The stage's logs key (log group ``kmsKeyId``).
        provider: The stage's AWS provider.
        retain_on_delete: Keep the group when the stack is destroyed: audit records
            (control-plane logs, flow logs) in production (rule L8). Default no.
    """
    return aws.cloudwatch.LogGroup(
        name,
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=key_arn,
        opts=child_options(parent, provider, retain_on_delete=retain_on_delete),
    )
