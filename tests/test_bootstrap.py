"""`argosy bootstrap` against moto: scenarios from a clean account to refusals."""

from __future__ import annotations

import json

import boto3
import pytest
from moto.core import set_initial_no_auth_action_count

from argosy.aws.bootstrap import (
    LIFECYCLE_RULE_ID,
    PREVIEW_INLINE_POLICY,
    bootstrap,
    targets_for,
)
from argosy.aws.client import AwsApi, connect
from argosy.aws.errors import (
    AccessDeniedError,
    NameTakenError,
    NotOwnedError,
    PrincipalMissingError,
    WrongAccountError,
)
from argosy.aws.trust import self_assume
from tests.aws import (
    BOOTSTRAP_LABELS,
    REGION,
    create_roles,
    destructive,
    example_stage,
    policy_document,
    session_in,
)

DEV = "222222222222"
PROD = "444444444444"
DEPLOY_ROLE = f"arn:aws:iam::{DEV}:role/argosy-deploy"
BUCKET = f"argosy-state-{DEV}-{REGION}"
ALIAS = "alias/argosy-dev-pulumi"

CLEAN_ACCOUNT_CHANGES = [
    "create a KMS key with alias alias/argosy-dev-pulumi, rotation on",
    f"create S3 bucket {BUCKET} in eu-west-1",
    "disable ACLs (object ownership: bucket owner enforced)",
    "block all public access (all four settings)",
    "turn on versioning",
    "encrypt with SSE-KMS under alias/argosy-dev-pulumi, bucket key on",
    "deny requests without TLS (bucket policy)",
    "expire replaced state versions after 90 days",
    "create the IAM OIDC provider for token.actions.githubusercontent.com",
    "create role argosy-deploy (argosy: deploys stage dev (pulumi up))",
    "attach AdministratorAccess to argosy-deploy",
    "create role argosy-preview (argosy: previews stage dev for pull requests)",
    "attach ReadOnlyAccess to argosy-preview",
    "put the inline policy argosy-preview-state on argosy-preview",
]


def dev_api() -> AwsApi:
    """Credentials already in the dev account (as a human admin would have)."""
    return AwsApi(session_in(DEV), REGION)


def test_clean_account(aws: None, calls: list[str]) -> None:
    targets = targets_for(example_stage())
    report = bootstrap(dev_api(), targets)
    assert report.changes == CLEAN_ACCOUNT_CHANGES
    assert destructive(calls) == []

    session = session_in(DEV)
    s3 = session.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    key = session.client("kms").describe_key(KeyId=ALIAS)["KeyMetadata"]
    assert key["Arn"].startswith(f"arn:aws:kms:{REGION}:{DEV}:key/")
    assert session.client("kms").get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
    [rule] = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": key["Arn"],
    }
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["Statement"][0]["Effect"] == "Deny"
    [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert lifecycle["ID"] == LIFECYCLE_RULE_ID
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    assert tags["argosy:bootstrap"] == "dev"

    iam = session.client("iam")
    provider = iam.get_open_id_connect_provider(
        OpenIDConnectProviderArn=f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com"
    )
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    deploy = iam.get_role(RoleName="argosy-deploy")["Role"]
    trust = policy_document(deploy["AssumeRolePolicyDocument"])
    github, people, itself = trust["Statement"]
    assert github["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [
            "repo:acme/platform:environment:dev",
            "repo:acme/platform:ref:refs/heads/main",
        ],
    }
    assert people["Principal"] == {"AWS": f"arn:aws:iam::{DEV}:root"}
    # CI runs as the deploy role and the provider assumes it again: the trust says so.
    assert itself == {
        "Sid": "DeployRoleChainsToItself",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{DEV}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": DEPLOY_ROLE}},
    }
    attached = iam.list_attached_role_policies(RoleName="argosy-deploy")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]
    preview = iam.get_role(RoleName="argosy-preview")["Role"]
    preview_trust = policy_document(preview["AssumeRolePolicyDocument"])
    assert (
        preview_trust["Statement"][0]["Condition"]["StringEquals"][
            "token.actions.githubusercontent.com:sub"
        ]
        == "repo:acme/platform:pull_request"
    )
    inline = policy_document(
        iam.get_role_policy(RoleName="argosy-preview", PolicyName=PREVIEW_INLINE_POLICY)[
            "PolicyDocument"
        ]
    )
    assert inline["Statement"][1]["Resource"] == key["Arn"]
    assert inline["Statement"][0]["Resource"] == f"arn:aws:s3:::{BUCKET}/.pulumi/locks/*"


def test_second_run_changes_nothing(aws: None, calls: list[str]) -> None:
    targets = targets_for(example_stage())
    bootstrap(dev_api(), targets)
    calls.clear()
    again = bootstrap(dev_api(), targets)
    assert again.changes == []
    assert [(i.label, i.state) for i in again.items] == [(n, "ok") for n in BOOTSTRAP_LABELS]
    # A run with nothing to do only reads (AssumeRole gets the test's credentials).
    writes = [
        c
        for c in calls
        if not c.split(":", 1)[1].startswith(("Get", "List", "Describe", "Head", "AssumeRole"))
    ]
    assert writes == []


def test_dry_run_changes_nothing(aws: None, calls: list[str]) -> None:
    report = bootstrap(dev_api(), targets_for(example_stage()), dry_run=True)
    assert report.changes == CLEAN_ACCOUNT_CHANGES
    assert not report.applied
    session = session_in(DEV)
    assert session.client("s3").list_buckets()["Buckets"] == []
    assert session.client("iam").list_roles()["Roles"] == []
    writes = [
        c
        for c in calls
        if not c.split(":", 1)[1].startswith(("Get", "List", "Describe", "Head", "AssumeRole"))
    ]
    assert writes == []


def test_repairs_a_partly_configured_bucket_and_keeps_the_rest(aws: None, calls: list[str]) -> None:
    targets = targets_for(example_stage())
    bootstrap(dev_api(), targets)
    s3 = session_in(DEV).client("s3")
    # Someone turned versioning off, replaced the lifecycle and added to the policy.
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    other_rule = {
        "ID": "team-archive",
        "Status": "Enabled",
        "Filter": {"Prefix": "archive/"},
        "Expiration": {"Days": 400},
    }
    s3.put_bucket_lifecycle_configuration(
        Bucket=BUCKET, LifecycleConfiguration={"Rules": [other_rule]}
    )
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    audit = {
        "Sid": "AuditRead",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/audit"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    policy["Statement"].insert(0, audit)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    calls.clear()

    report = bootstrap(dev_api(), targets)
    assert report.changes == ["turn on versioning", "expire replaced state versions after 90 days"]
    assert destructive(calls) == []
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert [r["ID"] for r in rules] == ["team-archive", LIFECYCLE_RULE_ID]
    kept = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert [s["Sid"] for s in kept] == ["AuditRead", "DenyInsecureTransport"]


def test_repairs_keys_and_roles_it_owns(aws: None, calls: list[str]) -> None:
    targets = targets_for(example_stage())
    bootstrap(dev_api(), targets)
    session = session_in(DEV)
    kms = session.client("kms")
    key_id = kms.describe_key(KeyId=ALIAS)["KeyMetadata"]["KeyId"]
    kms.disable_key_rotation(KeyId=key_id)
    iam = session.client("iam")
    iam.update_assume_role_policy(
        RoleName="argosy-deploy",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    iam.attach_role_policy(
        RoleName="argosy-preview", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    calls.clear()

    report = bootstrap(dev_api(), targets)
    assert report.changes == [
        f"turn on rotation of {kms.describe_key(KeyId=ALIAS)['KeyMetadata']['Arn']}",
        "reset the trust policy of argosy-deploy",
    ]
    assert destructive(calls) == []
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    # A policy someone added is reported and left alone, never detached.
    [preview_policies] = [i for i in report.items if i.label == "preview role policies"]
    assert preview_policies.detail == (
        "as configured; also attached, left in place: "
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    names = [
        p["PolicyName"]
        for p in iam.list_attached_role_policies(RoleName="argosy-preview")["AttachedPolicies"]
    ]
    assert sorted(names) == ["AmazonS3ReadOnlyAccess", "ReadOnlyAccess"]


def test_refuses_a_bucket_name_of_another_account(aws: None, calls: list[str]) -> None:
    session_in("999999999999").client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    calls.clear()
    with pytest.raises(NameTakenError) as caught:
        bootstrap(dev_api(), targets_for(example_stage()))
    assert caught.value.message == (
        f"the bucket name {BUCKET} belongs to another AWS account (bucket names are global)"
    )
    assert caught.value.fix == (
        f"choose another name with argosy:bootstrap.stateBucket, e.g. stateBucket: {BUCKET}-dev"
    )
    # Refused while observing: nothing was created, not even the key that comes first.
    assert [c for c in calls if c.split(":", 1)[1].startswith(("Create", "Put"))] == []


def test_refuses_a_bucket_it_did_not_create(aws: None) -> None:
    s3 = session_in(DEV).client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    with pytest.raises(NotOwnedError) as caught:
        bootstrap(dev_api(), targets_for(example_stage()))
    assert str(caught.value) == (
        f"bucket {BUCKET} exists in account {DEV}, but argosy bootstrap did not create it "
        "(it lacks the tag argosy:bootstrap)\n"
        "  fix: name another bucket with argosy:bootstrap.stateBucket, or, if this one is meant "
        "for stage dev, tag it argosy:bootstrap=dev"
    )
    # Refused while observing, before the key (the first step) was created.
    aliases = session_in(DEV).client("kms").list_aliases()["Aliases"]
    assert ALIAS not in [a["AliasName"] for a in aliases]


def test_refuses_a_role_it_did_not_create(aws: None) -> None:
    session_in(DEV).client("iam").create_role(
        RoleName="argosy-deploy", AssumeRolePolicyDocument="{}"
    )
    with pytest.raises(NotOwnedError, match="role argosy-deploy exists in account 222222222222"):
        bootstrap(dev_api(), targets_for(example_stage()))


def test_assumes_the_deploy_role_when_the_credentials_are_elsewhere(aws: None) -> None:
    api = connect(example_stage())  # default moto credentials: account 123456789012
    assert api.identity().account == DEV
    assert api.identity().arn == f"arn:aws:sts::{DEV}:assumed-role/argosy-deploy/argosy-dev"


def test_refuses_a_role_in_another_account(aws: None) -> None:
    with pytest.raises(WrongAccountError) as caught:
        connect(example_stage(), role_arn="arn:aws:iam::999999999999:role/admin")
    assert caught.value.message == (
        f"role arn:aws:iam::999999999999:role/admin is in account 999999999999, not in stage "
        f"dev's account {DEV}"
    )
    assert caught.value.fix == (
        f"pass --role-arn with a role of account {DEV}, e.g. "
        f"arn:aws:iam::{DEV}:role/OrganizationAccountAccessRole"
    )


@set_initial_no_auth_action_count(4)
def test_names_the_missing_permission(aws: None) -> None:
    # Four unchecked actions to set up a user who may do everything but turn on versioning.
    iam = boto3.client("iam")
    iam.create_user(UserName="bootstrapper")
    iam.put_user_policy(
        UserName="bootstrapper",
        PolicyName="almost-admin",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "s3:PutBucketVersioning", "Resource": "*"},
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="bootstrapper")["AccessKey"]
    iam.get_user(UserName="bootstrapper")
    session = boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=REGION,
    )
    config = example_stage(
        **{
            "argosy:aws": {
                "accountId": "123456789012",
                "region": REGION,
                "deployRoleArn": "arn:aws:iam::123456789012:role/argosy-deploy",
            },
            "argosy:access": {"admins": []},
        }
    )
    api = connect(config, session=session)
    with pytest.raises(AccessDeniedError) as caught:
        bootstrap(api, targets_for(config))
    assert caught.value.action == "s3:PutBucketVersioning"
    assert caught.value.message == (
        "access denied: arn:aws:iam::123456789012:user/bootstrapper may not "
        "s3:PutBucketVersioning on arn:aws:s3:::argosy-state-123456789012-eu-west-1"
    )


@pytest.mark.parametrize(
    ("break_key", "change"),
    [
        ("disable_key", "enable {arn}"),
        ("schedule_key_deletion", "cancel the scheduled deletion of {arn} and enable it"),
    ],
)
def test_brings_back_its_key(aws: None, calls: list[str], break_key: str, change: str) -> None:
    targets = targets_for(example_stage())
    bootstrap(dev_api(), targets)
    kms = session_in(DEV).client("kms")
    key = kms.describe_key(KeyId=ALIAS)["KeyMetadata"]
    getattr(kms, break_key)(KeyId=key["KeyId"])
    calls.clear()
    report = bootstrap(dev_api(), targets)
    assert report.changes == [change.format(arn=key["Arn"])]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert destructive(calls) == []


def without_self_assume(trust: dict[str, object]) -> str:
    """The deploy trust bootstrap wrote before the self-assume statement existed."""
    statements = trust["Statement"]
    assert isinstance(statements, list)
    old = [st for st in statements if st["Sid"] != "DeployRoleChainsToItself"]
    return json.dumps({**trust, "Statement": old})


def test_repairs_a_trust_without_the_self_assume_statement(aws: None, calls: list[str]) -> None:
    targets = targets_for(example_stage())
    bootstrap(dev_api(), targets)
    iam = session_in(DEV).client("iam")
    iam.update_assume_role_policy(
        RoleName="argosy-deploy", PolicyDocument=without_self_assume(targets.deploy_trust())
    )
    calls.clear()

    report = bootstrap(dev_api(), targets)
    [trust_item] = [i for i in report.items if i.label == "deploy role trust"]
    assert (trust_item.state, trust_item.detail) == ("drift", "the trust policy differs")
    assert report.changes == ["reset the trust policy of argosy-deploy"]
    assert destructive(calls) == []
    trust = policy_document(
        iam.get_role(RoleName="argosy-deploy")["Role"]["AssumeRolePolicyDocument"]
    )
    assert [st["Sid"] for st in trust["Statement"]] == [
        "GitHubActionsDeploy",
        "AccountPrincipals",
        "DeployRoleChainsToItself",
    ]
    assert bootstrap(dev_api(), targets).changes == []


def test_trusted_principals_and_the_role_itself(aws: None) -> None:
    """Prod names its trusted principals: without the statement the role could not chain."""
    create_roles(PROD, "platform-admins")
    config = example_stage("prod")
    targets = targets_for(config)
    report = bootstrap(AwsApi(session_in(PROD), REGION), targets)
    assert "create role argosy-deploy (argosy: deploys stage prod (pulumi up))" in report.changes
    role = session_in(PROD).client("iam").get_role(RoleName="argosy-deploy")["Role"]
    trust = policy_document(role["AssumeRolePolicyDocument"])
    github, people, itself = trust["Statement"]
    assert github["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:acme/platform:environment:production",
        "repo:acme/platform:ref:refs/heads/main",
    ]
    assert people["Principal"] == {"AWS": f"arn:aws:iam::{PROD}:role/platform-admins"}
    assert itself["Principal"] == {"AWS": f"arn:aws:iam::{PROD}:root"}
    assert itself["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{PROD}:role/argosy-deploy"}
    }
    arn = config.aws.deploy_role_arn
    assert self_assume(trust, arn).allowed
    # The trust as it was before: the trusted principals only, so CI's second assume fails.
    old = json.loads(without_self_assume(targets.deploy_trust()))
    assert self_assume(old, arn).reason == "no statement allows it"
    # The preview role has no reason to trust itself.
    preview = session_in(PROD).client("iam").get_role(RoleName="argosy-preview")["Role"]
    sids = [st["Sid"] for st in policy_document(preview["AssumeRolePolicyDocument"])["Statement"]]
    assert sids == ["GitHubActionsPreview", "AccountPrincipals"]


@pytest.mark.parametrize("dry_run", [False, True])
def test_refuses_a_trusted_principal_that_does_not_exist(
    aws: None, calls: list[str], dry_run: bool
) -> None:
    targets = targets_for(example_stage("prod"))
    calls.clear()
    with pytest.raises(PrincipalMissingError) as caught:
        bootstrap(AwsApi(session_in(PROD), REGION), targets, dry_run=dry_run)
    assert str(caught.value) == (
        f"argosy:bootstrap.trustedPrincipals names arn:aws:iam::{PROD}:role/platform-admins, "
        f"which does not exist in account {PROD}; IAM refuses a trust policy naming a missing "
        "principal\n"
        "  fix: create the role, or remove it from argosy:bootstrap.trustedPrincipals in "
        f"{targets.config_file}"
    )
    # Refused before observing anything else, let alone changing it.
    assert [c for c in calls if c.startswith(("iam:", "s3:", "kms:"))] == ["iam:GetRole"]
