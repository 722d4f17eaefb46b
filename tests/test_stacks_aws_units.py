"""The AWS layout (pure functions), the security checks and the moto mocks' own checks."""

from __future__ import annotations

import ipaddress

# Seen on CPython 3.11.7 (believed to be its ast.parse recursion-depth bug): after the failing
# mock runs below, the hypothesis plugin's late import raised "AST constructor recursion depth
# mismatch" during pytest's assertion rewrite. Importing it up front avoids that.
import hypothesis  # noqa: F401
import pulumi
import pulumi_aws as aws
import pytest
from botocore.exceptions import ClientError

from stacks.aws import layout
from stacks.aws.layout import AwsConfigError, AwsOptions
from stacks.aws.moto_mocks import MockCheckError, MotoMocks, RecordedResource
from stacks.aws.security import check_all
from stacks.network.policy import network_policy
from stacks.network.rulesets import aws_rule_sets
from tests.aws_fixtures import small_plan

AZS = ("eu-north-1a", "eu-north-1b", "eu-north-1c")


class TestLayout:
    def test_vpcs_avoid_source_networks(self):
        """A VPC never overlaps the source networks the VPN routes to."""
        plan = small_plan(source_networks=("10.100.0.0/15",))
        assert layout.vpc_cidrs(plan, AwsOptions()) == {
            "prod": "10.102.0.0/16",
            "test": "10.103.0.0/16",
        }
        with pytest.raises(AwsConfigError, match=r"vpcCidrs\.prod.*overlaps"):
            layout.vpc_cidrs(plan, AwsOptions(vpc_cidrs={"prod": "10.101.0.0/16"}))

    def test_subnets_are_disjoint_and_inside_the_vpc(self):
        """Public subnets (prod has a citizen system) then one private subnet per AZ."""
        addressing = layout.address_plan(small_plan(), AwsOptions(), AZS)
        prod = addressing.vpcs["prod"]
        nets = [ipaddress.ip_network(s.cidr) for s in prod.subnets]
        assert all(n.subnet_of(ipaddress.ip_network("10.100.0.0/16")) for n in nets)
        assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
        assert [s.name for s in prod.subnets] == [
            "prod-public-a",
            "prod-public-b",
            "prod-public-c",
            "prod-private-a",
            "prod-private-b",
            "prod-private-c",
        ]
        assert [s.tier for s in addressing.vpcs["test"].subnets] == ["private"] * 3

    def test_rule_sets_follow_declared_flows_only(self):
        """Same-wave consumer by group, retained and retired consumers by a rule per /32
        (a few addresses: no prefix list), a later consumer by group and (while at the
        provider) by its /32."""
        plan = small_plan()
        policy = network_policy(plan)
        rules = aws_rule_sets(policy)
        db = rules[policy.group_of["eko-db01"]]
        assert {(r.port, bool(r.cidr)) for r in db} == {
            ("tcp/1433", False),
            ("tcp/1433", True),
        }
        app = [r for r in rules[policy.group_of["eko-app01"]] if r.port == "tcp/8000-8100"]
        assert {bool(r.cidr) for r in app} == {True, False}

    def test_migrated_consumer_closes_the_hybrid_rule(self):
        """Once the plan marks the consumer migrated, the old-address rule disappears."""
        plan = small_plan()
        servers = dict(plan.servers)
        servers["portal-app01"] = servers["portal-app01"].model_copy(update={"migrated": True})
        policy = network_policy(small_plan(servers=servers))
        app = aws_rule_sets(policy)[policy.group_of["eko-app01"]]
        assert [r.cidr for r in app if r.port == "tcp/8000-8100"] == [None]

    @pytest.mark.parametrize(
        ("rpo", "tier"),
        [
            (0.5, "rpo-1h-internal"),
            (3, "rpo-2h-internal"),
            (5, "rpo-4h-internal"),
            (8, "rpo-8h-internal"),
            (13, "rpo-12h-internal"),
            (None, "rpo-24h-internal"),
            (48, "rpo-24h-internal"),
        ],
    )
    def test_backup_tier_meets_rpo(self, rpo, tier):
        """The least frequent schedule that meets the RPO (stacks.baseline decides)."""
        assert layout.backup_tier(rpo)[0] == tier

    def test_unknown_option_key_is_named(self):
        """A typo in utflytt:aws does not pass silently."""
        with pytest.raises(AwsConfigError, match="amiz"):
            AwsOptions.from_config({"amiz": {}})

    def test_image_query_per_os(self):
        """Windows from Amazon's account, Ubuntu from Canonical's, unknown Linux is AL2023."""
        assert layout.image_query("windows-server-2019").owners == ("801119661308",)
        assert layout.image_query("ubuntu-22.04").owners == ("099720109477",)
        assert layout.image_query("suse-15").name.startswith("al2023")


from stacks.baseline import REQUIRED_TAGS  # noqa: E402


def _rec(typ, inputs, name="r"):
    return RecordedResource(typ, name, inputs, f"{name}-id", {}, "eu-north-1")


TAGS = {k: "x" for k in REQUIRED_TAGS}


class TestSecurityChecks:
    def test_flags_public_ip_world_ingress_unencrypted_untagged_and_non_eu(self):
        """Each invariant reports its own violation."""
        bad = [
            _rec("pulumi:providers:aws", {"region": "us-east-1"}, "p"),
            _rec(
                "aws:ec2/instance:Instance",
                {
                    "tags": TAGS,
                    "vpcSecurityGroupIds": ["sg-1"],
                    "rootBlockDevice": {"encrypted": False},
                },
                "vm",
            ),
            _rec(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                {"tags": TAGS, "securityGroupId": "sg-1", "cidrIpv4": "0.0.0.0/0"},
                "rule",
            ),
            _rec("aws:ebs/volume:Volume", {"encrypted": True}, "vol"),
            _rec(
                "aws:lb/loadBalancer:LoadBalancer",
                {"tags": {**TAGS, "level": "shared"}, "internal": False},
                "lb",
            ),
        ]
        found = {(v.check, v.resource.split()[-1].replace("root", "vm")) for v in check_all(bad)}
        assert found == {
            ("region-eu", "p"),
            ("no-public-ip", "vm"),
            ("ebs-encrypted", "vm"),
            ("no-world-ingress", "rule"),
            ("ebs-encrypted", "vol"),
            ("tagged", "vol"),
            ("no-public-ip", "lb"),
        }


@pytest.fixture(scope="module")
def mocks():
    with MotoMocks("eu-north-1") as m:
        pulumi.runtime.set_mocks(m, project="utflytt", stack="unit", preview=False)
        yield m


@pulumi.runtime.test
def _build(make):
    return make().id


class TestMotoMocks:
    def test_subnet_outside_its_vpc_is_moto_invalid_subnet_range(self, mocks):
        """CreateSubnet against moto rejects a CIDR outside the VPC."""

        def make():
            vpc = aws.ec2.Vpc("v1", cidr_block="10.0.0.0/16")
            return aws.ec2.Subnet("s1", vpc_id=vpc.id, cidr_block="192.168.1.0/24")

        with pytest.raises(ClientError, match="InvalidSubnet.Range"):
            _build(make)

    def test_duplicate_security_group_is_moto_duplicate(self, mocks):
        """Two groups of one name in one VPC: InvalidGroup.Duplicate."""

        def make():
            vpc = aws.ec2.Vpc("v2", cidr_block="10.1.0.0/16")
            aws.ec2.SecurityGroup("g1", name="same", vpc_id=vpc.id, description="a")
            return aws.ec2.SecurityGroup(
                "g2",
                name="same",
                vpc_id=vpc.id,
                description="b",
                opts=pulumi.ResourceOptions(depends_on=[]),
            )

        with pytest.raises(ClientError, match="InvalidGroup.Duplicate"):
            _build(make)

    @pytest.mark.parametrize(
        ("proto", "low", "high", "text"),
        [
            ("foo", 1, 2, "Unknown protocol"),
            ("tcp", 90, 80, "port range 90-80"),
            ("udp", 1, 70000, "port range 1-70000"),
        ],
    )
    def test_rule_protocols_and_ports_are_checked(self, mocks, proto, low, high, text):
        """moto accepts these rules; the mock rejects them like EC2 does."""

        def make():
            vpc = aws.ec2.Vpc(f"v-{proto}-{high}", cidr_block="10.2.0.0/16")
            group = aws.ec2.SecurityGroup(f"g-{proto}-{high}", vpc_id=vpc.id, description="x")
            return aws.vpc.SecurityGroupIngressRule(
                f"r-{proto}-{high}",
                security_group_id=group.id,
                ip_protocol=proto,
                from_port=low,
                to_port=high,
                cidr_ipv4="10.0.0.0/8",
            )

        with pytest.raises(MockCheckError, match=text):
            _build(make)
