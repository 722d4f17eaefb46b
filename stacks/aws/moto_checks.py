"""Shared pieces of the moto-backed AWS mocks: the checks moto does not make, and helpers.

:class:`MockCheckError` is raised where AWS would refuse a request that moto accepts
(an unknown region, security group protocols and ports, descriptions, CIDR blocks); the
helpers build fake ids, tag specifications and integers from protobuf numbers. Used by the
handler modules (``stacks.aws.moto_network``, ``moto_security``, ``moto_compute``,
``moto_echo``) and by :class:`stacks.aws.moto_mocks.MotoMocks`.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

# boto3/botocore ship no type information: typed as Any (mypy override in pyproject.toml)
import boto3
import pulumi
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks

ACCOUNT_ID = "123456789012"  # moto's default account
Handler = Callable[["MotoMocks", pulumi.runtime.MockResourceArgs, str], tuple[str, dict[str, Any]]]
_PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "-1": "-1", "all": "-1"}


class MockCheckError(ClientError):  # type: ignore[misc]  # ClientError is Any (untyped botocore)
    """A check that moto does not make, failed; shaped like the AWS API error it stands for."""

    def __init__(self, code: str, message: str, operation: str) -> None:
        super().__init__(
            {"Error": {"Code": code, "Message": f"{message} (utflytt check)"}}, operation
        )


def _fake_id(prefix: str, *parts: str) -> str:
    return f"{prefix}-0{hashlib.sha256('/'.join(parts).encode()).hexdigest()[:16]}"


def _i(value: Any) -> int:
    return int(value)  # protobuf Struct numbers arrive as floats


def _tag_specs(resource_type: str, tags: Mapping[str, str] | None) -> list[dict[str, Any]]:
    if not tags:
        return []
    return [
        {
            "ResourceType": resource_type,
            "Tags": [{"Key": k, "Value": str(v)} for k, v in sorted(tags.items())],
        }
    ]


def _provider_id(ref: str) -> str:
    return ref.rsplit("::", 1)[-1] if ref else ""


@functools.cache
def _known_regions() -> frozenset[str]:
    return frozenset(boto3.session.Session().get_available_regions("ec2"))


def _check_region(region: str, typ: str) -> None:
    known = _known_regions()
    if region not in known:
        raise MockCheckError(
            "InvalidRegion", f"{typ}: unknown AWS region {region!r}", "ResolveEndpoint"
        )


def _check_protocol_ports(protocol: Any, from_port: Any, to_port: Any, operation: str) -> str:
    """AWS's rules for IpProtocol/FromPort/ToPort, which moto accepts without checking."""
    proto = str(protocol).lower()
    if proto not in _PROTOCOLS and not (proto.isdigit() and 0 <= int(proto) <= 255):
        raise MockCheckError(
            "InvalidParameterValue",
            f"Invalid value '{protocol}' for IP protocol. Unknown protocol.",
            operation,
        )
    number = _PROTOCOLS.get(proto, proto)
    if number in ("6", "17"):
        if from_port is None or to_port is None:
            raise MockCheckError(
                "InvalidParameterValue", f"{proto}: from_port and to_port are required", operation
            )
        low, high = _i(from_port), _i(to_port)
        if not (0 <= low <= 65535 and 0 <= high <= 65535) or low > high:
            raise MockCheckError(
                "InvalidParameterValue",
                f"Invalid {proto} port range {low}-{high}: expected 0-65535, from_port <= to_port",
                operation,
            )
    return proto if proto != "all" else "-1"


_DESCRIPTION_RE = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")


def _check_description(text: Any, what: str, operation: str) -> None:
    """AWS's character set for security group (rule) descriptions; moto accepts anything."""
    if text and not _DESCRIPTION_RE.match(str(text)):
        raise MockCheckError(
            "InvalidParameterValue",
            f"Invalid {what} {str(text)!r}: up to 255 characters, allowed are "
            "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
            operation,
        )


def _check_cidr(cidr: str, what: str, operation: str) -> None:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        raise MockCheckError(
            "InvalidParameterValue",
            f"Value ({cidr}) for parameter {what} is invalid. This is not a valid CIDR block.",
            operation,
        ) from None
