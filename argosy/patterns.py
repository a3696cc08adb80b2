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
#: A DNS-1035 label: a DNS-1123 label that starts with a letter (Service names).
DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
#: A DNS-1123 subdomain (at most 253 characters, checked apart): dotted DNS-1123 labels.
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
#: A Kubernetes label value or label name (at most 63 characters, checked apart).
LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
#: A duration in hours, minutes and seconds, in that order (``30s``, ``5m``, ``1h30m``): the
#: part of Go's ``time.ParseDuration`` argosy accepts for Argo's durations.
HMS_DURATION = re.compile(r"^(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?$")

#: The longest DNS-1123 label, label name or label value.
LABEL_MAX = 63
#: The longest DNS-1123 subdomain.
SUBDOMAIN_MAX = 253
#: A Git repository URL: https, ssh:// or scp-like ``git@host:owner/repo``.
GIT_URL = re.compile(r"^(https://[^\s/]+/\S+|ssh://\S+|git@[^\s:]+:\S+)$")
#: A relative directory in a repository ('..' is refused apart).
GIT_PATH = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
#: A branch, tag or commit.
GIT_REVISION = re.compile(r"^[A-Za-z0-9._/-]{1,255}$")
#: One part of a Pulumi stack reference (``<organization>/<project>/<stack>``).
STACK_REFERENCE_PART = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def is_whole_number(value: object) -> bool:
    """Whether ``value`` is an int and not a bool (YAML's ``true`` is an int to Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_dns_label(value: object) -> bool:
    """Whether ``value`` is a DNS-1123 label: a namespace, a name, a stage."""
    return isinstance(value, str) and len(value) <= LABEL_MAX and bool(DNS_LABEL.fullmatch(value))


def is_dns_1035_label(value: object) -> bool:
    """Whether ``value`` is a DNS-1035 label: a Service's name."""
    return (
        isinstance(value, str) and len(value) <= LABEL_MAX and bool(DNS_1035_LABEL.fullmatch(value))
    )


def is_dns_subdomain(value: object) -> bool:
    """Whether ``value`` is a DNS-1123 subdomain: most Kubernetes object names."""
    return (
        isinstance(value, str)
        and len(value) <= SUBDOMAIN_MAX
        and bool(DNS_SUBDOMAIN.fullmatch(value))
    )


def is_label_value(value: object) -> bool:
    """Whether ``value`` is a non-empty Kubernetes label value."""
    return isinstance(value, str) and len(value) <= LABEL_MAX and bool(LABEL_VALUE.fullmatch(value))


def is_label_key(key: object) -> bool:
    """Whether ``key`` is a Kubernetes label key: an optional subdomain prefix and ``/``, a name."""
    if not isinstance(key, str):
        return False
    prefix, _, name = key.rpartition("/")
    if prefix and not is_dns_subdomain(prefix):
        return False
    return is_label_value(name)


def hms_seconds(text: str) -> int | None:
    """The seconds of an :data:`HMS_DURATION` (``1h30m`` is 5400); None if ``text`` is not one.

    The empty string, which the expression matches, is not a duration.
    """
    match = HMS_DURATION.fullmatch(text) if text else None
    if match is None:
        return None
    return sum(
        int(match[unit] or 0) * factor for unit, factor in (("h", 3600), ("m", 60), ("s", 1))
    )


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
