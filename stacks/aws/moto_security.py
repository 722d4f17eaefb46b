"""MotoMocks handlers for security groups, their rules and managed prefix lists.

Protocols, ports, descriptions and prefix list entries are checked as AWS checks them
(moto accepts them unchecked), then the group or rule is created in moto's EC2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi

from stacks.aws.moto_checks import (
    ACCOUNT_ID,
    Handler,
    MockCheckError,
    _check_cidr,
    _check_description,
    _check_protocol_ports,
    _fake_id,
    _i,
    _tag_specs,
)
from stacks.aws.moto_peering import check_peered

if TYPE_CHECKING:
    from stacks.aws.moto_mocks import MotoMocks


def _security_group(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    name = inp.get("name") or args.name
    _check_description(inp.get("description"), "group description", "CreateSecurityGroup")
    sg = ec2.create_security_group(
        GroupName=name,
        Description=inp.get("description", "Managed"),
        VpcId=inp.get("vpcId", ""),
        TagSpecifications=_tag_specs("security-group", inp.get("tags")),
    )
    gid = sg["GroupId"]
    for key, call in (
        ("ingress", ec2.authorize_security_group_ingress),
        ("egress", ec2.authorize_security_group_egress),
    ):
        perms = [
            _permission(rule, f"AuthorizeSecurityGroup{key.title()}") for rule in inp.get(key) or []
        ]
        if key == "egress":
            # pulumi-aws (like Terraform) revokes AWS's default allow-all egress on create
            ec2.revoke_security_group_egress(
                GroupId=gid,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
        if perms:
            call(GroupId=gid, IpPermissions=perms)
    return gid, {
        **inp,
        "id": gid,
        "name": name,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{gid}",
        "ownerId": ACCOUNT_ID,
    }


def _permission(rule: Mapping[str, Any], operation: str) -> dict[str, Any]:
    proto = _check_protocol_ports(
        rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"), operation
    )
    _check_description(rule.get("description"), "rule description", operation)
    perm: dict[str, Any] = {"IpProtocol": proto}
    if proto != "-1":
        perm.update(FromPort=_i(rule.get("fromPort", 0)), ToPort=_i(rule.get("toPort", 0)))
    if rule.get("cidrBlocks"):
        perm["IpRanges"] = [{"CidrIp": c} for c in rule["cidrBlocks"]]
    if rule.get("ipv6CidrBlocks"):
        perm["Ipv6Ranges"] = [{"CidrIpv6": c} for c in rule["ipv6CidrBlocks"]]
    if rule.get("securityGroups"):
        perm["UserIdGroupPairs"] = [{"GroupId": g} for g in rule["securityGroups"]]
    return perm


def _sg_rule(direction: str) -> Handler:
    def handler(
        m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
    ) -> tuple[str, dict[str, Any]]:
        ec2, inp = m._client("ec2", region), args.inputs
        op = f"AuthorizeSecurityGroup{direction}"
        proto = _check_protocol_ports(
            inp.get("ipProtocol"), inp.get("fromPort"), inp.get("toPort"), op
        )
        sources = [
            k
            for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
            if inp.get(k)
        ]
        if len(sources) != 1:
            raise MockCheckError(
                "InvalidParameterCombination",
                f"exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, "
                f"referenced_security_group_id is required, got {sources}",
                op,
            )
        perm: dict[str, Any] = {"IpProtocol": proto}
        if proto != "-1":
            perm.update(FromPort=_i(inp["fromPort"]), ToPort=_i(inp["toPort"]))
        _check_description(inp.get("description"), "rule description", op)
        desc = {"Description": inp["description"]} if inp.get("description") else {}
        if inp.get("cidrIpv4"):
            perm["IpRanges"] = [{"CidrIp": inp["cidrIpv4"], **desc}]
        elif inp.get("cidrIpv6"):
            perm["Ipv6Ranges"] = [{"CidrIpv6": inp["cidrIpv6"], **desc}]
        elif inp.get("prefixListId"):
            perm["PrefixListIds"] = [{"PrefixListId": inp["prefixListId"], **desc}]
        else:
            referenced = str(inp["referencedSecurityGroupId"])
            check_peered(ec2, str(inp.get("securityGroupId", "")), referenced, op)
            perm["UserIdGroupPairs"] = [{"GroupId": referenced, **desc}]
        call = (
            ec2.authorize_security_group_ingress
            if direction == "Ingress"
            else ec2.authorize_security_group_egress
        )
        out = call(GroupId=inp.get("securityGroupId", ""), IpPermissions=[perm])
        rules = out.get("SecurityGroupRules") or [{}]
        rid = rules[0].get("SecurityGroupRuleId") or _fake_id("sgr", args.name)
        return rid, {
            **inp,
            "id": rid,
            "securityGroupRuleId": rid,
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group-rule/{rid}",
        }

    return handler


def _prefix_list(
    m: MotoMocks, args: pulumi.runtime.MockResourceArgs, region: str
) -> tuple[str, dict[str, Any]]:
    ec2, inp = m._client("ec2", region), args.inputs
    entries = inp.get("entries") or []
    max_entries = _i(inp.get("maxEntries", 0))
    if len(entries) > max_entries:
        raise MockCheckError(
            "PrefixListMaxEntriesExceeded",
            f"{len(entries)} entries but max entries {max_entries}",
            "CreateManagedPrefixList",
        )
    cidrs = [e["cidr"] for e in entries]
    if len(cidrs) != len(set(cidrs)):
        raise MockCheckError(
            "InvalidRequest", "a prefix list cannot hold one CIDR twice", "CreateManagedPrefixList"
        )
    for cidr in cidrs:
        _check_cidr(cidr, "prefix list entry", "CreateManagedPrefixList")
    out = ec2.create_managed_prefix_list(
        PrefixListName=inp.get("name") or args.name,
        AddressFamily=inp.get("addressFamily", "IPv4"),
        MaxEntries=max_entries,
        Entries=[
            {
                "Cidr": e["cidr"],
                **({"Description": e["description"]} if e.get("description") else {}),
            }
            for e in entries
        ],
        TagSpecifications=_tag_specs("prefix-list", inp.get("tags")),
    )["PrefixList"]
    pid = out["PrefixListId"]
    return pid, {**inp, "id": pid, "arn": out.get("PrefixListArn", ""), "version": 1}
