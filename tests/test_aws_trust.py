"""The deploy role's trust in itself: the statement bootstrap writes and doctor's evaluator."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from argosy.aws.bootstrap import targets_for
from argosy.aws.trust import SelfAssume, self_assume, self_assume_statement
from tests.aws import example_stage

ROLE = "arn:aws:iam::444444444444:role/argosy-deploy"
ROOT = "arn:aws:iam::444444444444:root"
ADMINS = "arn:aws:iam::444444444444:role/platform-admins"


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal: Any, sid: str = "", **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    return {"Sid": sid, **statement} if sid else statement


def test_the_statement_bootstrap_writes() -> None:
    assert self_assume_statement(ROLE) == {
        "Sid": "DeployRoleChainsToItself",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": ROLE}},
    }
    china = "arn:aws-cn:iam::444444444444:role/ci/argosy-deploy"
    assert self_assume_statement(china)["Principal"] == {"AWS": "arn:aws-cn:iam::444444444444:root"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_deploy_trust_lets_the_role_assume_itself(stack: str) -> None:
    config = example_stage(stack)
    document = targets_for(config).deploy_trust()
    assert self_assume(document, config.aws.deploy_role_arn) == SelfAssume(
        allowed=True,
        reason="statement DeployRoleChainsToItself trusts the account, narrowed to this role by "
        "aws:PrincipalArn",
    )
    # The statement is for the deploy role only: another role of the account gets in through
    # dev's trust of the whole account, not through prod's list of principals.
    developers = config.aws.deploy_role_arn.replace("argosy-deploy", "developers")
    assert self_assume(document, developers).allowed is (stack == "dev")


@pytest.mark.parametrize(
    ("document", "allowed", "reason"),
    [
        # The trusted principals alone (prod before the fix): CI cannot chain.
        (trust(allow({"AWS": ADMINS}, "AccountPrincipals")), False, "no statement allows it"),
        # The role named directly.
        (trust(allow({"AWS": [ADMINS, ROLE]}, "Named")), True, "statement Named names the role"),
        # The whole account: IAM then lets the role's own policies decide.
        (
            trust(allow({"AWS": ROOT}, "Account")),
            True,
            "statement Account trusts the whole account; the role's own policies decide",
        ),
        (
            trust(allow({"AWS": "444444444444"})),
            True,
            "statement #1 trusts the whole account; the role's own policies decide",
        ),
        # Root narrowed by the other operators doctor understands.
        *[
            (
                trust(allow({"AWS": ROOT}, "Narrow", Condition={op: {"aws:PrincipalArn": arn}})),
                True,
                "statement Narrow trusts the account, narrowed to this role by aws:PrincipalArn",
            )
            for op, arn in [
                ("ArnLike", "arn:aws:iam::444444444444:role/argosy-*"),
                ("StringEquals", ROLE),
                ("StringLike", "arn:aws:iam::*:role/argosy-deploy"),
                ("ArnEqualsIfExists", ROLE),
            ]
        ],
        # Root narrowed to someone else.
        (
            trust(allow({"AWS": ROOT}, Condition={"ArnEquals": {"aws:PrincipalArn": ADMINS}})),
            False,
            "no statement allows it",
        ),
        # ArnLike's wildcard stays within one part of the ARN.
        (
            trust(allow({"AWS": ROOT}, Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:*"}})),
            False,
            "no statement allows it",
        ),
        # A wildcard principal and action.
        (
            trust({"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sts:*"}),
            True,
            "statement Anyone trusts any principal",
        ),
        (
            trust({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:Assume*"]}),
            True,
            "statement #1 trusts any principal",
        ),
        # Another action is not sts:AssumeRole.
        (
            trust({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:TagSession"}),
            False,
            "no statement allows it",
        ),
        # A condition on something only the caller knows: doctor does not guess.
        (
            trust(allow({"AWS": ROLE}, Condition={"StringEquals": {"sts:ExternalId": "x"}})),
            False,
            "no statement allows it",
        ),
        # A Deny that applies wins over any Allow, wherever it stands.
        (
            trust(
                self_assume_statement(ROLE),
                {"Sid": "NoChains", "Effect": "Deny", "Principal": {"AWS": ROLE}, "Action": "*"},
            ),
            False,
            "statement NoChains denies it",
        ),
        (
            trust(
                {
                    "Sid": "Fence",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "444444444444"}},
                },
                self_assume_statement(ROLE),
            ),
            True,
            "statement DeployRoleChainsToItself trusts the account, narrowed to this role by "
            "aws:PrincipalArn",
        ),
        (
            trust(
                self_assume_statement(ROLE),
                {
                    "Sid": "Tagged",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {"Null": {"aws:PrincipalTag/team": "true"}},
                },
            ),
            False,
            "statement Tagged may deny it (a condition doctor cannot evaluate)",
        ),
        # A Deny for everyone but the role spares it.
        (
            trust(
                self_assume_statement(ROLE),
                {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "sts:AssumeRole"},
            ),
            True,
            "statement DeployRoleChainsToItself trusts the account, narrowed to this role by "
            "aws:PrincipalArn",
        ),
        # A single statement rather than a list; an empty document.
        (
            {"Statement": allow({"AWS": ROLE}, "Single")},
            True,
            "statement Single names the role",
        ),
        ({}, False, "no statement allows it"),
    ],
)
def test_self_assume(document: dict[str, Any], allowed: bool, reason: str) -> None:
    assert self_assume(document, ROLE) == SelfAssume(allowed=allowed, reason=reason)


def test_documents_as_text() -> None:
    """IAM's raw answer is URL-encoded JSON; boto3 usually decodes it, doctor copes either way."""
    document = trust(self_assume_statement(ROLE))
    text = json.dumps(document)
    assert self_assume(text, ROLE).allowed
    assert self_assume(urllib.parse.quote(text), ROLE).allowed
