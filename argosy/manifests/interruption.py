"""Karpenter's interruption handling: what EventBridge forwards to its queue, and who may send.

Karpenter drains a node before EC2 takes it away when it learns early: a Spot interruption
warning, a rebalance recommendation, a scheduled health event, an instance stopping or
terminating. EventBridge rules route those events to an SQS queue the controller reads
(Karpenter's getting-started CloudFormation template, ``KarpenterInterruptionQueue`` and the
four ``*Rule`` resources, v1.14.1).
"""

from __future__ import annotations

from typing import Any, Final

from argosy.manifests.iam import PolicyDocument

#: How long an event waits in the queue: five minutes, as upstream; an older warning is moot.
MESSAGE_RETENTION_SECONDS: Final = 300

#: The rules: a short name and the event pattern each matches.
INTERRUPTION_RULES: Final[tuple[tuple[str, dict[str, Any]], ...]] = (
    ("scheduled-change", {"source": ["aws.health"], "detail-type": ["AWS Health Event"]}),
    (
        "spot-interruption",
        {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    ),
    (
        "rebalance",
        {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    ),
    (
        "instance-state-change",
        {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]},
    ),
)


def queue_policy(queue_arn: str) -> PolicyDocument:
    """EventBridge (and SQS itself) may send to the queue; nothing may use it without TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeSends",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            },
            {
                "Sid": "DenyHTTP",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
