"""MotoMocks answers to provider functions (data sources): availability zones and AMIs.

``getAmi`` filters moto's images as DescribeImages does and fails with the provider's own
words when nothing (or, without ``mostRecent``, more than one image) matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def _get_azs(m: MotoMocks, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    zones = m._client("ec2", region).describe_availability_zones()["AvailabilityZones"]
    return {
        "id": region,
        "names": [z["ZoneName"] for z in zones],
        "zoneIds": [z["ZoneId"] for z in zones],
        "groupNames": [region],
    }


def _get_ami(m: MotoMocks, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    ec2 = m._client("ec2", region)
    kwargs: dict[str, Any] = {}
    if args.get("owners"):
        kwargs["Owners"] = list(args["owners"])
    filters = [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]
    tag_filters = [f for f in filters if f["Name"].startswith("tag:")]
    if filters:
        kwargs["Filters"] = filters
    if tag_filters:
        # Same answer as DescribeImages with the tag filters, found through the tag index:
        # moto matches tag filters by scanning every tag for every image (seconds per lookup
        # once a wave has imported a few hundred images).
        candidates: set[str] | None = None
        for f in tag_filters:
            found = ec2.describe_tags(
                Filters=[
                    {"Name": "resource-type", "Values": ["image"]},
                    {"Name": "key", "Values": [f["Name"][4:]]},
                    {"Name": "value", "Values": f["Values"]},
                ]
            )["Tags"]
            ids = {t["ResourceId"] for t in found}
            candidates = ids if candidates is None else candidates & ids
        kwargs["Filters"] = [f for f in filters if f not in tag_filters]
        if not kwargs["Filters"]:
            del kwargs["Filters"]
        kwargs["ImageIds"] = sorted(candidates or ())
    images = ec2.describe_images(**kwargs)["Images"] if kwargs.get("ImageIds", True) else []
    if not images:
        # the provider's own words when a lookup matches nothing
        raise Exception(
            "Your query returned no results. Please change your search criteria "
            f"and try again. (aws:ec2/getAmi in {region}: {kwargs})"
        )
    if len(images) > 1 and not args.get("mostRecent"):
        raise Exception(
            "Your query returned more than one result. Please try a more specific "
            "search criteria, or set `most_recent` attribute to true."
        )
    image = sorted(images, key=lambda i: (i.get("CreationDate", ""), i["ImageId"]))[-1]
    return {
        "id": image["ImageId"],
        "imageId": image["ImageId"],
        "name": image.get("Name", ""),
        "ownerId": image.get("OwnerId", ""),
        "platform": image.get("Platform", ""),
        "rootDeviceName": image.get("RootDeviceName", ""),
        "architecture": image.get("Architecture", ""),
        "tags": {t["Key"]: t["Value"] for t in image.get("Tags", [])},
    }
