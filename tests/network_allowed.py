"""Read back what rendered network rules allow, independently of how they were built.

``azure_allowed`` interprets recorded Azure resources (NSG rules, application security
groups, NIC memberships, static IPs); ``declared`` is what the plan's flows ask for. Tests
compare the two: nothing more, nothing missing.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from migration.plan import Plan
from stacks.network.policy import moves, network_policy

NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
ASG = "azure-native:network:ApplicationSecurityGroup"
SUBNET = "azure-native:network:Subnet"

Triple = tuple[str, str, str]


NETWORK = "<source network>"  # a consumer admitted by a whole source network


def declared(plan: Plan) -> set[Triple]:
    """(consumer, provider, port) of every flow into a server that moves.

    A consumer is named by its id; while it is still at the provider and has no ip, it can
    only be admitted by the whole source network: then it is :data:`NETWORK` (if the plan
    has source networks at all, else nothing admits it and the plan warns).
    """
    # hubs whose consumers at the provider are too many for /32s admit the source networks
    # for the hybrid period (a warned fallback of the policy): those consumers are NETWORK
    policy = network_policy(plan)
    widened = {
        (u, v, port)
        for p in policy.permits
        if p.via == "provider" and set(p.addresses) <= set(plan.source_networks)
        for u in p.consumers
        for v in policy.groups[p.destination].servers
        for port in p.ports
    }
    out: set[Triple] = set()
    for f in plan.flows:
        provider, consumer = plan.servers[f.to], plan.servers[f.from_]
        if not moves(provider) or f.from_ == f.to:
            continue
        assert provider.wave is not None
        names: set[str] = set()
        if moves(consumer):
            names.add(f.from_)
        at_provider = not moves(consumer) or (
            (consumer.wave or 0) > provider.wave and not consumer.migrated
        )
        for port in f.ports:
            if not at_provider:
                pass
            elif consumer.ip and (f.from_, f.to, port) not in widened:
                out.add((f.from_, f.to, port))
            elif plan.source_networks:
                out.add((NETWORK, f.to, port))
        out |= {(name, f.to, port) for name in names for port in f.ports}
    return out


class AddressBook:
    """Which servers an address prefix stands for (cloud static IPs and catalog IPs)."""

    def __init__(
        self,
        plan: Plan,
        cloud_ips: Mapping[str, str],
        subnets: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.plan = plan
        # a unit's subnet holds only that unit's servers (its free addresses are no one's)
        self.subnets = [(ipaddress.IPv4Network(c), ids) for c, ids in (subnets or {}).items()]
        self.by_ip: dict[ipaddress.IPv4Address, set[str]] = defaultdict(set)
        for sid, ip in cloud_ips.items():
            self.by_ip[ipaddress.IPv4Address(ip)].add(sid)
        for sid, s in plan.servers.items():
            if s.ip and not (moves(s) and s.migrated):
                self.by_ip[ipaddress.IPv4Address(s.ip)].add(sid)

    def servers(self, prefix: str) -> set[str]:
        """Servers inside ``prefix``; a whole source network is :data:`NETWORK`."""
        if prefix in self.plan.source_networks:
            return {NETWORK}
        net = ipaddress.IPv4Network(prefix)
        found = {sid for sub, ids in self.subnets if sub.subnet_of(net) for sid in ids}
        for address in ipaddress.IPv4Network(prefix):
            found |= self.by_ip.get(address, set())
        return found

    def strangers(self, prefix: str) -> int:
        """Addresses of ``prefix`` that are no known server (0 unless over-wide)."""
        if prefix in self.plan.source_networks:
            return 0
        net = ipaddress.IPv4Network(prefix)
        inside = [sub for sub, _ in self.subnets if sub.subnet_of(net)]
        return sum(
            1
            for address in net
            if address not in self.by_ip and not any(address in sub for sub in inside)
        )


def _ports(rule: Mapping[str, Any]) -> list[str]:
    proto = str(rule["protocol"]).lower()
    ranges = rule.get("destinationPortRanges") or [rule.get("destinationPortRange")]
    return [f"{proto}/{r}" for r in ranges]


def azure_allowed(plan: Plan, runs: Mapping[str, Any]) -> tuple[set[Triple], list[str]]:
    """(consumer, provider, port) every Azure allow rule admits, and any over-wide source."""
    resources = [r for run in runs.values() for r in run.resources]
    members: dict[str, set[str]] = defaultdict(set)  # ASG id -> servers
    cloud_ips: dict[str, str] = {}
    holds: dict[str, set[str]] = defaultdict(set)  # subnet name -> servers with a NIC in it
    for nic in (r for r in resources if r.type == NIC):
        sid = nic.inputs["tags"]["server"]
        config = nic.inputs["ipConfigurations"][0]
        cloud_ips[sid] = config["privateIPAddress"]
        holds[str(config["subnet"]["id"]).rpartition("/")[2]].add(sid)
        for asg in config.get("applicationSecurityGroups") or []:
            members[asg["id"]].add(sid)
    subnets = {  # read from the rendered subnets and the NICs placed in them
        subnet["addressPrefix"]: tuple(sorted(holds[subnet["subnetName"]]))
        for subnet in (r.inputs for r in resources if r.type == SUBNET)
        if subnet.get("subnetName") in holds
    }
    book = AddressBook(plan, cloud_ips, subnets)
    allowed: set[Triple] = set()
    wide: list[str] = []
    for run in runs.values():
        for nsg in (r for r in run.resources if r.type == NSG):
            if nsg.name.endswith("-gateway-nsg"):
                continue
            for rule in nsg.inputs["securityRules"]:
                if rule["access"] != "Allow" or rule["name"] == "in-application-gateway":
                    continue
                sources = _side(rule, "source", members, book, wide)
                dests = _side(rule, "destination", members, book, wide)
                for port in _ports(rule):
                    allowed |= {(u, v, port) for u in sources for v in dests if u != v}
    return allowed, wide


def _side(
    rule: Mapping[str, Any],
    side: str,
    members: Mapping[str, set[str]],
    book: AddressBook,
    wide: list[str],
) -> set[str]:
    found: set[str] = set()
    for asg in rule.get(f"{side}ApplicationSecurityGroups") or []:
        found |= members.get(asg["id"], set())
    prefixes: Iterable[str] = rule.get(f"{side}AddressPrefixes") or []
    for prefix in prefixes:
        found |= book.servers(prefix)
        if book.strangers(prefix):
            wide.append(f"{rule['name']}: {prefix}")
    return found


def aws_allowed(plan: Plan, ec2: Any) -> tuple[set[Triple], list[str]]:
    """(consumer, provider, port) every security group rule in moto admits, read from
    moto's groups, instances and prefix lists; and any over-wide source."""
    members: dict[str, set[str]] = defaultdict(set)  # group id -> servers
    cloud_ips: dict[str, str] = {}
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            for inst in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
                sid = tags.get("server")
                if sid is None:
                    continue
                cloud_ips[sid] = inst["PrivateIpAddress"]
                for group in inst["SecurityGroups"]:
                    members[group["GroupId"]].add(sid)
    book = AddressBook(plan, cloud_ips)
    lists = {
        pl["PrefixListId"]: [
            e["Cidr"]
            for e in ec2.get_managed_prefix_list_entries(PrefixListId=pl["PrefixListId"])["Entries"]
        ]
        for pl in ec2.describe_managed_prefix_lists()["PrefixLists"]
        if pl.get("OwnerId") != "AWS"
    }
    allowed: set[Triple] = set()
    wide: list[str] = []
    rules = ec2.describe_security_group_rules()["SecurityGroupRules"]
    for rule in rules:
        if rule["IsEgress"] or not members.get(rule["GroupId"]):
            continue  # egress, or a group no instance uses (load balancer, VPC endpoints)
        dests = members.get(rule["GroupId"], set())
        sources: set[str] = set()
        prefixes: list[str] = []
        if rule.get("ReferencedGroupInfo"):
            sources |= members.get(rule["ReferencedGroupInfo"]["GroupId"], set())
        if rule.get("PrefixListId"):
            prefixes += lists.get(rule["PrefixListId"], [])
        if rule.get("CidrIpv4"):
            prefixes.append(rule["CidrIpv4"])
        for prefix in prefixes:
            if prefix == "0.0.0.0/0":
                continue  # the load balancer's own group (no instance in it)
            sources |= book.servers(prefix)
            if book.strangers(prefix):
                wide.append(f"{rule['GroupId']}: {prefix}")
        low, high = rule["FromPort"], rule["ToPort"]
        port = f"{rule['IpProtocol']}/{low}" + (f"-{high}" if high != low else "")
        allowed |= {(u, v, port) for u in sources for v in dests if u != v}
    return allowed, wide
