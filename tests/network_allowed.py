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
from stacks.network.policy import NetworkPolicy, moves

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
            elif consumer.ip:
                out.add((f.from_, f.to, port))
            elif plan.source_networks:
                out.add((NETWORK, f.to, port))
        out |= {(name, f.to, port) for name in names for port in f.ports}
    return out


def summarised(plan: Plan, policy: NetworkPolicy) -> tuple[set[Triple], set[str]]:
    """What the permits a cloud had to summarise (``extra_addresses``, each named in a
    ``network-summarised`` warning) may admit beyond the declared flows: every server at
    the provider inside their prefixes, to each server of the destination, on the permit's
    ports; and those prefixes (the only ones that may hold addresses of nobody declared)."""
    book = AddressBook(plan, {})
    triples: set[Triple] = set()
    prefixes: set[str] = set()
    for p in policy.permits:
        if p.extra_addresses:
            prefixes.update(p.addresses)
            triples |= {
                (u, v, port)
                for prefix in p.addresses
                for u in book.servers(prefix)
                for v in policy.groups[p.destination].servers
                for port in p.ports
                if u != v
            }
    return triples, prefixes


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


def run_azure_stacks(plan: Plan, plan_path: str = "p") -> dict[str, Any]:
    """Every Azure stack of ``plan`` run offline (the foundation first, its outputs passed
    to the waves; ``plan_path``: the plan file the settings name): stack name -> its run."""
    from stacks.config import settings_for_stack, stack_names
    from stacks.testing import run_offline_full

    runs = {"foundation": run_offline_full(settings_for_stack(plan, "foundation", plan_path), plan)}
    for stack in stack_names(plan)[1:]:
        runs[stack] = run_offline_full(
            settings_for_stack(plan, stack, plan_path),
            plan,
            stack_outputs={"foundation": runs["foundation"].outputs},
        )
    return runs


def _ports(rule: Mapping[str, Any]) -> list[str]:
    proto = str(rule["protocol"]).lower()
    ranges = rule.get("destinationPortRanges") or [rule.get("destinationPortRange")]
    return [f"{proto}/{r}" for r in ranges]


def azure_allowed(plan: Plan, runs: Mapping[str, Any]) -> tuple[set[Triple], list[str]]:
    """(consumer, provider, port) the Azure NSGs admit, and any over-wide source. As Azure
    evaluates them: a server's inbound traffic must pass its subnet's NSG and, when its NIC
    has one, its NIC's NSG (a split unit); each NSG's rules are read for the servers it
    guards. ``VirtualNetwork`` stands for every server and the source networks."""
    resources = [r for run in runs.values() for r in run.resources]
    members: dict[str, set[str]] = defaultdict(set)  # ASG id -> servers
    cloud_ips: dict[str, str] = {}
    holds: dict[str, set[str]] = defaultdict(set)  # subnet name -> servers with a NIC in it
    guards: dict[str, list[str]] = defaultdict(list)  # server -> ids of the NSGs it meets
    for nic in (r for r in resources if r.type == NIC):
        sid = nic.inputs["tags"]["server"]
        config = nic.inputs["ipConfigurations"][0]
        cloud_ips[sid] = config["privateIPAddress"]
        holds[str(config["subnet"]["id"]).rpartition("/")[2]].add(sid)
        for asg in config.get("applicationSecurityGroups") or []:
            members[asg["id"]].add(sid)
        if nic.inputs.get("networkSecurityGroup"):
            guards[sid].append(nic.inputs["networkSecurityGroup"]["id"])
    subnets = {}  # read from the rendered subnets and the NICs placed in them
    for subnet in (r.inputs for r in resources if r.type == SUBNET):
        if subnet.get("subnetName") in holds:
            subnets[subnet["addressPrefix"]] = tuple(sorted(holds[subnet["subnetName"]]))
            nsg_id = (subnet.get("networkSecurityGroup") or {}).get("id")
            for sid in holds[subnet["subnetName"]] if nsg_id else ():
                guards[sid].append(str(nsg_id))
    book = AddressBook(plan, cloud_ips, subnets)
    everyone = {*plan.servers, NETWORK}
    admits: dict[str, set[Triple]] = {}
    wide: list[str] = []
    for nsg in (r for r in resources if r.type == NSG):
        if nsg.name.endswith("-gateway-nsg"):
            continue
        found: set[Triple] = set()
        for rule in nsg.inputs["securityRules"]:
            if rule["access"] != "Allow" or rule["name"] == "in-application-gateway":
                continue
            if rule.get("sourceAddressPrefix") == "VirtualNetwork":
                sources = everyone
            else:
                sources = _side(rule, "source", members, book, wide)
            dests = _side(rule, "destination", members, book, wide)
            for port in _ports(rule):
                found |= {(u, v, port) for u in sources for v in dests if u != v}
        admits[nsg.id] = found
    allowed: set[Triple] = set()
    wide += [f"{sid}: no NSG on its subnet or NIC" for sid in cloud_ips if not guards[sid]]
    for sid, nsgs in guards.items():
        passed: set[Triple] | None = None
        for nsg_id in nsgs:
            mine = {t for t in admits.get(nsg_id, set()) if t[1] == sid}
            passed = mine if passed is None else passed & mine
        allowed |= passed or set()
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
