"""The AWS foundation and wave stacks of a small plan, run under moto-backed mocks."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from stacks.aws.moto_mocks import MockCheckError, MotoMocks
from stacks.aws.moto_peering import check_peered
from stacks.aws.offline import AwsRun, aws_config, run_aws_offline
from stacks.aws.security import check_all
from stacks.settings import StackSettings
from tests.aws_fixtures import WAVE_SERVERS, small_plan
from tests.network_allowed import aws_allowed, declared

ALB: set[tuple[str, str, str]] = set()  # the load balancer is no server: nothing to add

REGION = "eu-north-1"
FOUNDATION = StackSettings("foundation", "foundation", "aws", REGION, "plan.json")


def wave_settings(n: int) -> StackSettings:
    return StackSettings(f"wave-{n:02d}", "wave", "aws", REGION, "plan.json", wave=n)


@dataclass
class Deployment:
    mocks: MotoMocks
    foundation: AwsRun
    waves: dict[int, AwsRun]
    imported_ami: str


CERTIFICATE = "arn:aws:acm:eu-north-1:123456789012:certificate/portal"


def _with_peer(options: dict[str, object]) -> dict[str, str]:
    """A stack config with the VPN peer every plan with source networks needs."""
    return aws_config({"vpnPeerIp": "203.0.113.5", **options})


@pytest.fixture(scope="module")
def deployed():
    """Foundation then every wave, in one moto session (waves land in its subnets)."""
    plan = small_plan()
    with MotoMocks(REGION) as mocks:
        ami = mocks.import_image("eko-app01")  # found by its tag
        config = aws_config(
            {
                "amis": {s: ami for s in ("dc01", "dc02", "eko-db01", "eko-test01")},
                "vpnPeerIp": "203.0.113.5",
                "certificateArns": {"portal": CERTIFICATE},
            }
        )
        foundation = run_aws_offline(FOUNDATION, plan, mocks, config)
        mocks.stack_outputs["foundation"] = foundation.outputs
        waves = {n: run_aws_offline(wave_settings(n), plan, mocks, config) for n in WAVE_SERVERS}
        yield Deployment(mocks, foundation, waves, ami)


def _ingress(ec2, group_id):
    """moto's inbound rules of a group as (proto, from, to, source) tuples."""
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroupRules"
    ]
    return sorted(
        (
            r["IpProtocol"],
            r["FromPort"],
            r["ToPort"],
            r.get("CidrIpv4")
            or r.get("CidrIpv6")
            or r.get("ReferencedGroupInfo", {}).get("GroupId"),
        )
        for r in rules
        if not r["IsEgress"]
    )


def _instance(ec2, server_id):
    found = ec2.describe_instances(Filters=[{"Name": "tag:server", "Values": [server_id]}])
    return found["Reservations"][0]["Instances"][0]


class TestLandingZone:
    def test_one_vpc_per_environment_with_a_private_subnet_per_az(self, deployed):
        """prod and test get a VPC; each a private subnet in each of the region's 3 AZs,
        its static range reserved; prod (a citizen system) public subnets too."""
        ec2 = deployed.mocks.ec2()
        vpcs = {
            t["Value"]: v["CidrBlock"]
            for v in ec2.describe_vpcs()["Vpcs"]
            for t in v.get("Tags", [])
            if t["Key"] == "environment"
        }
        assert vpcs == {"prod": "10.100.0.0/16", "test": "10.101.0.0/16"}
        network = deployed.foundation.outputs["network"]
        assert sorted(network["prod"]["subnets"]) == [
            f"{tier}-{z}" for tier in ("private", "public") for z in "abc"
        ]
        assert sorted(network["test"]["subnets"]) == ["private-a", "private-b", "private-c"]
        private = [network["prod"]["subnets"][f"private-{z}"] for z in "abc"]
        assert [s["az"] for s in private] == ["eu-north-1a", "eu-north-1b", "eu-north-1c"]
        reserved = ec2.get_subnet_cidr_reservations(SubnetId=private[0]["id"])
        blocks = [r["Cidr"] for r in reserved["SubnetIpv4CidrReservations"]]
        assert all(
            r["ReservationType"] == "explicit" for r in reserved["SubnetIpv4CidrReservations"]
        )
        placed = [
            p["ip"] for p in network["prod"]["servers"].values() if p["subnet"] == "private-a"
        ]
        assert placed and all(
            any(ipaddress.ip_address(ip) in ipaddress.ip_network(b) for b in blocks)
            for ip in placed
        )
        assert len(network["prod"]["publicSubnetIds"]) == 3
        assert network["test"]["publicSubnetIds"] == []

    def test_site_to_site_vpn_routes_to_the_source_networks(self, deployed):
        """Each VPC has a VPN gateway, a static VPN to the old provider and routes to it."""
        ec2 = deployed.mocks.ec2()
        (cgw,) = ec2.describe_customer_gateways()["CustomerGateways"]
        assert cgw["IpAddress"] == "203.0.113.5"
        connections = ec2.describe_vpn_connections()["VpnConnections"]
        assert len(connections) == 2
        assert {c["CustomerGatewayId"] for c in connections} == {cgw["CustomerGatewayId"]}
        routes = deployed.foundation.of_type("aws:ec2/vpnConnectionRoute:VpnConnectionRoute")
        assert sorted(r.inputs["destinationCidrBlock"] for r in routes) == ["10.10.0.0/16"] * 2
        to_source = [
            r
            for rt in ec2.describe_route_tables()["RouteTables"]
            for r in rt["Routes"]
            if r.get("DestinationCidrBlock") == "10.10.0.0/16"
        ]
        assert len(to_source) == 2 and all(r["GatewayId"].startswith("vgw-") for r in to_source)

    def test_flow_logs_kms_key_and_backup_plans_from_rpo(self, deployed):
        """Flow logs on every VPC; a rotating KMS key; one backup plan per RPO tier."""
        ec2 = deployed.mocks.ec2()
        logs = ec2.describe_flow_logs()["FlowLogs"]
        assert {f["ResourceId"] for f in logs} == {
            v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]
        }
        keys = deployed.foundation.of_type("aws:kms/key:Key")
        assert len(keys) == 2  # volumes and backups; logs (stacks.aws.monitoring)
        assert all(key.inputs["enableKeyRotation"] is True for key in keys)
        plans = deployed.foundation.of_type("aws:backup/plan:Plan")
        schedules = {
            p.inputs["rules"][0]["ruleName"]: p.inputs["rules"][0]["schedule"] for p in plans
        }
        assert schedules == {
            "rpo-1h-confidential": "cron(0 * * * ? *)",
            "rpo-4h-internal": "cron(0 */4 * * ? *)",
            "rpo-12h-internal": "cron(0 */12 * * ? *)",
            "rpo-24h-internal": "cron(0 1 * * ? *)",
        }
        (vault,) = deployed.foundation.of_type("aws:backup/vault:Vault")
        assert vault.inputs["kmsKeyArn"] == deployed.foundation.outputs["kmsKeyArn"]

    def test_foundation_passes_security_invariants(self, deployed):
        """Region, tags, no public IP: nothing to report."""
        assert [str(v) for v in check_all(deployed.foundation.resources)] == []


class TestPeering:
    """VPC peering only where a declared flow crosses environments (eko-test01 -> the prod
    database), with a route each way; a rule across unpeered VPCs fails as on AWS."""

    def test_test_and_prod_are_peered_with_routes_both_ways(self, deployed):
        ec2 = deployed.mocks.ec2()
        network = deployed.foundation.outputs["network"]
        prod, test = network["prod"], network["test"]
        peerings = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
        assert [
            ({p["RequesterVpcInfo"]["VpcId"], p["AccepterVpcInfo"]["VpcId"]}, p["Status"]["Code"])
            for p in peerings
        ] == [({prod["vpcId"], test["vpcId"]}, "active")]
        pcx = peerings[0]["VpcPeeringConnectionId"]
        routes = {
            (rt["VpcId"], r.get("DestinationCidrBlock"))
            for rt in ec2.describe_route_tables()["RouteTables"]
            for r in rt["Routes"]
            if r.get("VpcPeeringConnectionId") == pcx
        }
        assert routes == {
            (prod["vpcId"], test["vpcCidr"]),
            (test["vpcId"], prod["vpcCidr"]),
        }

    def test_no_crossing_flow_no_peering(self):
        """Without the test -> prod flow the foundation peers nothing."""
        plan = small_plan()
        same_env = tuple(
            f
            for f in plan.flows
            if plan.servers[f.from_].environment == plan.servers[f.to].environment
        )
        config = _with_peer({"availabilityZones": ["eu-north-1a"]})
        with MotoMocks(REGION) as mocks:
            run = run_aws_offline(FOUNDATION, small_plan(flows=same_env), mocks, config)
            assert not run.of_type("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
            mine = {net["vpcId"] for net in run.outputs["network"].values()}
            peered = {
                p[side]["VpcId"]
                for p in mocks.ec2().describe_vpc_peering_connections()["VpcPeeringConnections"]
                for side in ("RequesterVpcInfo", "AccepterVpcInfo")
            }
            assert len(mine) == 2 and not mine & peered

    def test_a_rule_referencing_a_group_of_an_unpeered_vpc_fails(self):
        """The mock refuses what AWS refuses: a group of another VPC without peering."""
        with MotoMocks(REGION) as mocks:
            ec2 = mocks.ec2()
            vpcs = [
                ec2.create_vpc(CidrBlock=c)["Vpc"]["VpcId"] for c in ("10.1.0.0/16", "10.2.0.0/16")
            ]
            groups = [
                ec2.create_security_group(GroupName=f"g{i}", Description="x", VpcId=v)["GroupId"]
                for i, v in enumerate(vpcs)
            ]
            check_peered(ec2, groups[0], groups[0], "AuthorizeSecurityGroupIngress")  # itself
            with pytest.raises(MockCheckError) as err:
                check_peered(ec2, groups[0], groups[1], "AuthorizeSecurityGroupIngress")
            assert "InvalidGroup.NotFound" in str(err.value)
            pcx = ec2.create_vpc_peering_connection(VpcId=vpcs[0], PeerVpcId=vpcs[1])
            ec2.accept_vpc_peering_connection(
                VpcPeeringConnectionId=pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
            )
            check_peered(ec2, groups[0], groups[1], "AuthorizeSecurityGroupIngress")


class TestWaves:
    @pytest.mark.parametrize("wave", sorted(WAVE_SERVERS))
    def test_every_wave_passes_security_invariants(self, deployed, wave):
        """No public IP but the citizen ALB, no world ingress, encrypted, tagged, in the EU."""
        run = deployed.waves[wave]
        assert run.of_type("aws:ec2/instance:Instance"), "the wave created no instance"
        assert [str(v) for v in check_all(run.resources)] == []

    def test_instances_run_in_moto_with_plan_types_in_foundation_subnets(self, deployed):
        """Every migrating server is a running instance of its planned type, no public IP."""
        ec2 = deployed.mocks.ec2()
        plan = small_plan()
        network = deployed.foundation.outputs["network"]
        for wave, servers in WAVE_SERVERS.items():
            for sid in servers:
                inst = _instance(ec2, sid)
                server = plan.servers[sid]
                assert inst["InstanceType"] == server.sku
                placed = network[server.environment]["servers"][sid]
                subnet = network[server.environment]["subnets"][placed["subnet"]]
                assert inst["SubnetId"] == subnet["id"]
                assert inst["PrivateIpAddress"] == placed["ip"]
                assert "PublicIpAddress" not in inst
                tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
                assert tags["wave"] == f"wave-{wave:02d}" and tags["system"] == server.system

    def test_rehost_uses_imported_ami_and_rebuild_the_os_image(self, deployed):
        """Rehost: the VM Import AMI (config or tag lookup); rebuild: the publisher image."""
        ec2 = deployed.mocks.ec2()
        assert _instance(ec2, "eko-app01")["ImageId"] == deployed.imported_ami  # by tag
        assert _instance(ec2, "dc01")["ImageId"] == deployed.imported_ami  # by config
        lib_ami = _instance(ec2, "lib-web01")["ImageId"]
        (image,) = ec2.describe_images(ImageIds=[lib_ami])["Images"]
        assert image["Name"].startswith("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04")
        assert image["OwnerId"] == "099720109477"

    def test_every_ebs_volume_is_encrypted_with_the_landing_zone_key(self, deployed):
        """Root and data volumes in moto are encrypted with the foundation's KMS key."""
        volumes = deployed.mocks.ec2().describe_volumes()["Volumes"]
        data = deployed.waves[2].of_type("aws:ebs/volume:Volume")
        assert len(data) == 3  # eko-app01: 1, eko-db01: 2
        key = deployed.foundation.outputs["kmsKeyArn"]
        assert volumes and all(
            v["Encrypted"] and v["KmsKeyId"] == key for v in volumes if v["Size"] > 8
        )
        assert {v["Size"] for v in volumes} >= {500, 1000, 200}

    def test_security_groups_allow_exactly_the_declared_flows(self, deployed):
        """Read back from moto (groups, instances, prefix lists): every declared flow into
        the cloud is admitted, nothing else, and no source is wider than its servers."""
        allowed, wide = aws_allowed(small_plan(), deployed.mocks.ec2())
        assert allowed - ALB == declared(small_plan())
        assert wide == []

    def test_database_admits_exactly_its_declared_consumers(self, deployed):
        """eko-db01: 1433 from eko-app01, the retained archive and eko-test01; the retired
        CRM too, by its /32, while it still runs (its flows are to be re-pointed)."""
        allowed, _ = aws_allowed(small_plan(), deployed.mocks.ec2())
        assert {(u, p) for u, v, p in allowed if v == "eko-db01"} == {
            ("eko-app01", "tcp/1433"),
            ("arch01", "tcp/1433"),
            ("eko-test01", "tcp/1433"),
        } | {(u, p) for u, v, p in declared(small_plan()) if v == "eko-db01"}

    def test_provider_admits_later_consumer_from_old_and_future_address(self, deployed):
        """eko-app01 (wave 2) admits portal-app01 (wave 3) by its group and, while it is
        at the provider, by a rule from its old /32 (a few addresses need no prefix list)."""
        ec2 = deployed.mocks.ec2()
        cidrs = {
            (r.get("CidrIpv4"), r["FromPort"])
            for r in ec2.describe_security_group_rules()["SecurityGroupRules"]
            if not r["IsEgress"]
        }
        assert ("10.10.7.20/32", 8000) in cidrs
        assert [
            pl
            for pl in ec2.describe_managed_prefix_lists()["PrefixLists"]
            if pl.get("OwnerId") != "AWS"
        ] == []
        allowed, _ = aws_allowed(small_plan(), ec2)
        assert ("portal-app01", "eko-app01", "tcp/8000-8100") in allowed

    def test_domain_controller_admits_ldap_and_dns_from_earlier_and_later_waves(self, deployed):
        """dc01 admits 389/636 from eko-app01 and 389 + udp/53 from lib-web01; no rule is
        open to the world."""
        allowed, _ = aws_allowed(small_plan(), deployed.mocks.ec2())
        assert ("lib-web01", "dc01", "udp/53") in allowed
        assert ("eko-app01", "dc01", "tcp/636") in allowed

    def test_a_widened_rule_is_caught(self, deployed):
        """Negative: a rule from a /24 of the old provider shows up as wider than its
        servers and as consumers nobody declared."""
        ec2 = deployed.mocks.ec2()
        group = _instance(ec2, "dc01")["SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "10.10.9.0/24"}],
                }
            ],
        )
        try:
            allowed, wide = aws_allowed(small_plan(), ec2)
            assert wide == [f"{group}: 10.10.9.0/24"]
            assert ("arch01", "dc01", "tcp/22") in allowed - declared(small_plan())
        finally:
            ec2.revoke_security_group_ingress(
                GroupId=group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 22,
                        "ToPort": 22,
                        "IpRanges": [{"CidrIp": "10.10.9.0/24"}],
                    }
                ],
            )

    def test_citizen_system_is_public_only_through_its_alb(self, deployed):
        """The portal's ALB is the one internet-facing resource; web servers admit :80 from
        the ALB's group only, the app server only :8080 from the web servers."""
        run = deployed.waves[3]
        (alb,) = run.of_type("aws:lb/loadBalancer:LoadBalancer")
        assert alb.inputs["internal"] is False
        public = set(deployed.foundation.outputs["network"]["prod"]["publicSubnetIds"])
        assert set(alb.inputs["subnets"]) == public
        ec2 = deployed.mocks.ec2()
        (alb_sg,) = alb.inputs["securityGroups"]
        assert _ingress(ec2, alb_sg) == [
            ("tcp", 80, 80, "0.0.0.0/0"),  # redirects to HTTPS only
            ("tcp", 80, 80, "::/0"),
            ("tcp", 443, 443, "0.0.0.0/0"),
            ("tcp", 443, 443, "::/0"),
        ]
        for web in ("portal-web01", "portal-web02"):
            group = _instance(ec2, web)["SecurityGroups"][0]["GroupId"]
            assert ("tcp", 80, 80, alb_sg) in _ingress(ec2, group)
        app_group = _instance(ec2, "portal-app01")["SecurityGroups"][0]["GroupId"]
        assert {r[:3] for r in _ingress(ec2, app_group)} == {("tcp", 8080, 8080)}
        for wave in (0, 1, 2):
            assert not deployed.waves[wave].of_type("aws:lb/loadBalancer:LoadBalancer")


class TestBrokenConfig:
    """A deliberately broken stack config fails with the AWS (moto) error."""

    def test_overlapping_subnets_fail_with_moto_conflict(self):
        """Pinning a private subnet onto a public one is moto's InvalidSubnet.Conflict."""
        config = _with_peer(
            {
                "availabilityZones": ["eu-north-1a"],
                "subnetCidrs": {"prod/private-a": "10.100.0.0/24"},
            }
        )
        with MotoMocks(REGION) as mocks, pytest.raises(ClientError) as err:
            run_aws_offline(FOUNDATION, small_plan(), mocks, config)
        assert "InvalidSubnet.Conflict" in str(err.value)
        assert "10.100.0.0/24" in str(err.value)

    def test_instance_type_not_offered_in_eu_north_1_fails_with_moto_error(self):
        """t2.micro is not offered in eu-north-1: moto's InvalidInstanceType."""
        plan = small_plan()
        config = _with_peer(
            {
                "availabilityZones": ["eu-north-1a", "eu-north-1b"],
                "instanceTypes": {"lib-web01": "t2.micro"},
            }
        )
        with MotoMocks(REGION) as mocks:
            mocks.stack_outputs["foundation"] = run_aws_offline(
                FOUNDATION, plan, mocks, config
            ).outputs
            with pytest.raises(ClientError) as err:
                run_aws_offline(wave_settings(1), plan, mocks, config)
        assert err.value.response["Error"]["Code"] == "InvalidInstanceType.NotFound"
        assert "t2.micro" in str(err.value)

    def test_vpc_cidr_outside_aws_limits_fails_with_moto_error(self):
        """A /8 VPC is outside AWS's /16-/28: moto's InvalidVpc.Range."""
        config = _with_peer(
            {"vpcCidrs": {"prod": "172.16.0.0/8"}, "availabilityZones": ["eu-north-1a"]}
        )
        with MotoMocks(REGION) as mocks, pytest.raises(ClientError) as err:
            run_aws_offline(FOUNDATION, small_plan(), mocks, config)
        assert "InvalidVpc.Range" in str(err.value)

    def test_availability_zone_of_another_region_fails(self):
        """moto would accept us-east-1a in eu-north-1; the mock's own check does not."""
        config = _with_peer({"availabilityZones": ["us-east-1a", "us-east-1b"]})
        with MotoMocks(REGION) as mocks, pytest.raises(MockCheckError) as err:
            run_aws_offline(FOUNDATION, small_plan(), mocks, config)
        assert "Value (us-east-1" in str(err.value) and "eu-north-1a" in str(err.value)
