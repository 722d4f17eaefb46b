"""A faithful fast path for moto's per-resource tag lookup (installed by offline runs).

moto 5 answers ``resource.get_tags()`` (called for every EC2 object it serialises or
filters) with ``describe_tags(filters={"resource-id": [id]})``, which scans every tag of
every resource in the account: creating n tagged resources costs O(n²). At 1,000 systems
the AWS foundation (about 9,000 resources) spent most of its time there.

:func:`install` replaces ``TaggedEC2Resource.get_tags`` with a lookup of the resource's
own tags that returns the same list (same keys, values, order and ``resource_type``) for
every id without a wildcard character; an id with one (``*``, ``?``, ``[``), which moto's
filter would treat as a pattern, still goes through ``describe_tags``. Nothing moto
validates changes: CIDRs, subnets outside their VPC, overlaps and instance types are
checked by other code paths.
"""

from __future__ import annotations

from typing import Any

_WILDCARDS = frozenset("*?[")
_INSTALLED: list[Any] = []


def _fast_get_tags(self: Any) -> list[dict[str, str]]:
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    rid = self.id
    if not rid:
        return []
    if _WILDCARDS & set(rid):
        return _INSTALLED[0](self)  # type: ignore[no-any-return]
    tags = self.ec2_backend.tags.get(rid)
    if not tags:
        return []
    kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(rid), "")
    return [
        {"resource_id": rid, "key": key, "value": value, "resource_type": kind}
        for key, value in list(tags.items())
    ]


def install() -> None:
    """Use the fast tag lookup for every moto EC2 resource in this process (idempotent)."""
    if _INSTALLED:
        return
    from moto.ec2.models.core import TaggedEC2Resource

    _INSTALLED.append(TaggedEC2Resource.get_tags)
    TaggedEC2Resource.get_tags = _fast_get_tags  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own ``get_tags`` (tests comparing both)."""
    if not _INSTALLED:
        return
    from moto.ec2.models.core import TaggedEC2Resource

    TaggedEC2Resource.get_tags = _INSTALLED.pop()  # type: ignore[method-assign]
