"""MotoMocks handlers for compute: EC2 instances, EBS volumes and volume attachments.

Instances run in moto (instance types validated for the region, AMIs and subnets must
exist); the availability zone must belong to the region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from botocore.exceptions import ClientError

from stacks.aws.moto_checks import ACCOUNT_ID, _i, _tag_specs

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def _instance(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    m._check_az(inp.get("availabilityZone"), region, "RunInstances")
    kwargs: dict[str, Any] = {
        "ImageId": inp.get("ami", ""),
        "InstanceType": inp.get("instanceType", ""),
        "MinCount": 1,
        "MaxCount": 1,
        "TagSpecifications": _tag_specs("instance", inp.get("tags")),
    }
    if inp.get("subnetId"):
        kwargs["SubnetId"] = inp["subnetId"]
    if inp.get("privateIp"):
        kwargs["PrivateIpAddress"] = inp["privateIp"]
    if inp.get("vpcSecurityGroupIds"):
        kwargs["SecurityGroupIds"] = list(inp["vpcSecurityGroupIds"])
    if inp.get("availabilityZone"):
        kwargs["Placement"] = {"AvailabilityZone": inp["availabilityZone"]}
    if inp.get("metadataOptions"):
        mo = inp["metadataOptions"]
        kwargs["MetadataOptions"] = {
            k: v
            for k, v in {
                "HttpTokens": mo.get("httpTokens"),
                "HttpEndpoint": mo.get("httpEndpoint"),
            }.items()
            if v
        }
    root = inp.get("rootBlockDevice")
    if root:
        device = "/dev/xvda"
        try:
            image = ec2.describe_images(ImageIds=[kwargs["ImageId"]])["Images"]
            device = image[0].get("RootDeviceName", device) if image else device
        except ClientError:
            pass
        ebs = {
            k: v
            for k, v in {
                "VolumeSize": _i(root["volumeSize"]) if root.get("volumeSize") else None,
                "VolumeType": root.get("volumeType"),
                "Encrypted": root.get("encrypted"),
                "KmsKeyId": root.get("kmsKeyId"),
                "DeleteOnTermination": True,
            }.items()
            if v is not None
        }
        kwargs["BlockDeviceMappings"] = [{"DeviceName": device, "Ebs": ebs}]
    inst = ec2.run_instances(**kwargs)["Instances"][0]
    iid = inst["InstanceId"]
    return iid, {
        **inp,
        "id": iid,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:instance/{iid}",
        "privateIp": inst.get("PrivateIpAddress", ""),
        "privateDns": inst.get("PrivateDnsName", ""),
        "publicIp": inst.get("PublicIpAddress", ""),
        "availabilityZone": inst["Placement"]["AvailabilityZone"],
        "primaryNetworkInterfaceId": inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
        if inst.get("NetworkInterfaces")
        else "",
        "instanceState": inst["State"]["Name"],
    }


def _volume(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    az = inp.get("availabilityZone", "")
    m._check_az(az, region, "CreateVolume")
    kwargs: dict[str, Any] = {
        "AvailabilityZone": az,
        "Size": _i(inp.get("size", 0)),
        "VolumeType": inp.get("type", "gp3"),
        "Encrypted": bool(inp.get("encrypted", False)),
        "TagSpecifications": _tag_specs("volume", inp.get("tags")),
    }
    if inp.get("kmsKeyId"):
        kwargs["KmsKeyId"] = inp["kmsKeyId"]
    vol = ec2.create_volume(**kwargs)
    vid = vol["VolumeId"]
    return vid, {**inp, "id": vid, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:volume/{vid}"}


def _volume_attachment(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    ec2.attach_volume(
        Device=inp.get("deviceName", ""),
        InstanceId=inp.get("instanceId", ""),
        VolumeId=inp.get("volumeId", ""),
    )
    aid = f"vai-{abs(hash((inp.get('volumeId'), inp.get('instanceId')))) % 10**10}"
    return aid, {**inp, "id": aid}
