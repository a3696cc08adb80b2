"""The shapes of identifiers argosy checks, in one place.

The config models (which report a broken value to the user) and the pure builders (which
refuse to build from one) check the same things the same way.
"""

from __future__ import annotations

import re

#: An AWS account ID: exactly 12 digits.
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
#: An AWS region code (``eu-west-1``, ``us-gov-west-1``, ``cn-north-1``).
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")
#: A DNS-1123 label (at most 63 characters, checked apart): namespaces, names, stages.
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
#: A Kubernetes label value or label name (at most 63 characters, checked apart).
LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
#: A Git repository URL: https, ssh:// or scp-like ``git@host:owner/repo``.
GIT_URL = re.compile(r"^(https://[^\s/]+/\S+|ssh://\S+|git@[^\s:]+:\S+)$")
#: A relative directory in a repository ('..' is refused apart).
GIT_PATH = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
#: A branch, tag or commit.
GIT_REVISION = re.compile(r"^[A-Za-z0-9._/-]{1,255}$")
#: One part of a Pulumi stack reference (``<organization>/<project>/<stack>``).
STACK_REFERENCE_PART = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def git_provider(repo_url: str) -> str | None:
    """The Git provider whose webhooks a repository URL sends, if argosy knows its host.

    ``github``, ``gitlab`` or ``bitbucket_server`` (a self-hosted Bitbucket answers at its own
    host, so it is recognised by a ``bitbucket`` label in the host name). ``None`` for other
    hosts.
    """
    match = re.match(r"^(?:https://|ssh://(?:[^@/]+@)?|[^@]+@)([^/:]+)", repo_url)
    if match is None:
        return None
    host = match[1].lower()
    labels = host.split(".")
    if host == "github.com" or "github" in labels:
        return "github"
    if host == "gitlab.com" or "gitlab" in labels:
        return "gitlab"
    if "bitbucket" in labels and host != "bitbucket.org":
        return "bitbucket_server"
    return None
