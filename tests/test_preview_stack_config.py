"""`utflytt preview` reads the stack configs `utflytt plan` wrote: each stack gets the user
keys of its own Pulumi.<stack>.yaml (utflytt:aws vpcCidrs, instanceTypes ...), as a real
`pulumi preview` of that stack would; `utflytt plan` lays out AWS VPCs with the
foundation's utflytt:aws."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from app.cli import cli
from migration.errors import UtflyttError
from stacks.aws.layout import AwsConfigError
from stacks.project import plan_stack_dir
from stacks.user_config import foundation_aws_options, read_stack_configs, user_keys
from tests.aws_fixtures import small_plan
from tests.builders import dep, document, server, system

# 10/8 and 172.16/12 together cover every /16 of the default VPC pool
COVERING = ["10.0.0.0/8", "172.16.0.0/12"]
NO_FREE_VPC = (
    "utflytt:aws.vpcCidrs: the source networks overlap every default VPC CIDR "
    "(10.100-199.0.0/16, 172.16-31.0.0/16): set one per environment in the foundation's "
    "stack config (Pulumi.foundation.yaml)"
)
FOUNDATION_CONFIG = "config:\n  utflytt:aws:\n    vpcCidrs: {prod: 192.168.0.0/16}\n"


def _estate(folder: Path) -> Path:
    """A Pulumi project (`utflytt init`) with an AWS catalog whose source networks cover the
    default VPC pool."""
    assert CliRunner().invoke(cli, ["init", str(folder)]).exit_code == 0
    doc = document(
        [system("ad", foundation=True), system("app", depends_on=[dep("ad")])],
        [server("dc01", "ad", ip="10.1.0.4"), server("app01", "app", ip="10.1.0.5")],
        target="aws",
        region="eu-north-1",
    )
    doc["source_networks"] = COVERING
    catalog = folder / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return catalog


def _plan(catalog: Path) -> Result:
    return CliRunner().invoke(cli, ["plan", str(catalog), "-o", str(catalog.parent / "build")])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The estate planned with utflytt:aws.vpcCidrs in its foundation's stack config."""
    folder = tmp_path_factory.mktemp("project")
    catalog = _estate(folder)
    (folder / "stacks" / "Pulumi.foundation.yaml").write_text(FOUNDATION_CONFIG, "utf-8")
    result = _plan(catalog)
    assert result.exit_code == 0, result.output
    return folder


def test_plan_without_vpc_cidrs_fails_naming_the_key(tmp_path: Path) -> None:
    """No free default VPC CIDR and no config: plan stops with the key to set, writes nothing."""
    catalog = _estate(tmp_path)
    result = _plan(catalog)
    assert result.exit_code == 1
    assert result.output == f"Error: {NO_FREE_VPC}\n"
    assert not (tmp_path / "build").exists()


def test_plan_lays_out_the_vpcs_with_the_foundation_config(project: Path) -> None:
    """allocations.json's subnets and IPs lie in the configured VPC, and the user's key is
    kept in the rewritten stack config."""
    allocations = json.loads((project / "stacks" / "allocations.json").read_text("utf-8"))
    aws = allocations["aws"]
    assert aws["subnets"] and all(c.startswith("192.168.") for c in aws["subnets"].values())
    assert {s["ip"][:8] for s in aws["servers"].values()} == {"192.168."}
    kept = yaml.safe_load((project / "stacks" / "Pulumi.foundation.yaml").read_text("utf-8"))
    assert kept["config"]["utflytt:aws"] == {"vpcCidrs": {"prod": "192.168.0.0/16"}}


def test_preview_reads_the_project_stack_configs(project: Path) -> None:
    """Found from the plan's project (no option): the foundation's VPC is the configured one,
    and the wave's instances sit at their allocated addresses in it."""
    plan = str(project / "build" / "plan.json")
    foundation = CliRunner().invoke(cli, ["preview", "foundation", "--plan", plan, "--json"])
    assert foundation.exit_code == 0, foundation.output
    doc = json.loads(foundation.output)
    vpc = next(r for r in doc["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["cidrBlock"] == "192.168.0.0/16"
    assert {"rule_set": "vpc prod", "what": "subnets", "count": 3, "limit": 200} in doc["rule_sets"]
    ips = {
        s["ip"]
        for s in json.loads((project / "stacks" / "allocations.json").read_text("utf-8"))["aws"][
            "servers"
        ].values()
    }
    wave = CliRunner().invoke(cli, ["preview", "wave-01", "--plan", plan, "--json"])
    assert wave.exit_code == 0, wave.output
    instances = [
        r for r in json.loads(wave.output)["resources"] if r["type"] == "aws:ec2/instance:Instance"
    ]
    assert instances and {r["inputs"]["privateIp"] for r in instances} <= ips


def test_preview_without_the_config_fails_clearly(project: Path, tmp_path: Path) -> None:
    """--stack-config-dir pointing at a folder without the foundation's vpcCidrs: the
    foundation cannot be laid out, exit 1 naming the key (single stack and --all)."""
    plan = str(project / "build" / "plan.json")
    args = ["--plan", plan, "--stack-config-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, ["preview", "foundation", *args])
    assert result.exit_code == 1
    assert result.output.endswith(f"Error: stack foundation: {NO_FREE_VPC}\n")
    every = CliRunner().invoke(cli, ["preview", "--all", "--json", *args])
    assert every.exit_code == 1
    assert every.output.endswith(
        f"Error: 1 of 3 stacks failed: foundation: {NO_FREE_VPC} "
        "(2 wave stacks not previewed: they need the foundation)\n"
    )


def test_preview_all_with_the_config_previews_every_stack(project: Path) -> None:
    result = CliRunner().invoke(
        cli, ["preview", "--all", "--json", "--plan", str(project / "build" / "plan.json")]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["failed"] == [] and [s["stack"] for s in doc["stacks"]] == [
        "foundation",
        "wave-00",
        "wave-01",
    ]


def test_each_stack_gets_its_own_keys(project: Path, tmp_path: Path) -> None:
    """A key of Pulumi.wave-01.yaml reaches wave-01; the foundation's own keys do not (each
    Pulumi stack sees only its config)."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "Pulumi.foundation.yaml").write_text(
        "config:\n  utflytt:aws:\n    vpcCidrs: {prod: 192.168.0.0/16}\n"
        "    instanceTypes: {app01: t3.small}\n",
        "utf-8",
    )
    plan = str(project / "build" / "plan.json")

    def app01_type() -> str:
        args = ["preview", "wave-01", "--plan", plan, "--stack-config-dir", str(configs)]
        result = CliRunner().invoke(cli, [*args, "--json"])
        assert result.exit_code == 0, result.output
        resources = json.loads(result.output)["resources"]
        return str(next(r for r in resources if r["name"] == "app01-vm")["inputs"]["instanceType"])

    assert app01_type() == "m5.large"  # the plan's sku: the foundation's key is not wave-01's
    wave = "config:\n  utflytt:aws:\n    instanceTypes: {app01: t3.micro}\n"
    (configs / "Pulumi.wave-01.yaml").write_text(wave, "utf-8")
    assert app01_type() == "t3.micro"


def test_live_and_a_stack_config_dir_do_not_mix(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["preview", "wave-01", "--live", "--stack-config-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--live reads the stack configs of the current Pulumi project" in result.output


# --- reading the configs -----------------------------------------------------------------


def test_user_keys_leave_out_managed_keys_secrets_and_other_namespaces(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.wave-01.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "config": {
                    "utflytt:kind": "wave",
                    "utflytt:wave": 1,
                    "utflytt:aws": {"amis": {"x": "ami-1"}},
                    "utflytt:vpnSharedKey": {"secure": "AAAA"},
                    "sshPublicKey": "ssh-ed25519 AAA",  # project namespace implied
                    "aws:region": "eu-north-1",
                }
            }
        ),
        "utf-8",
    )
    assert user_keys(path) == {
        "utflytt:aws": '{"amis": {"x": "ami-1"}}',
        "utflytt:sshPublicKey": "ssh-ed25519 AAA",
    }


def test_a_config_for_the_other_cloud_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.foundation.yaml").write_text(
        "config:\n  utflytt:provider: azure\n", "utf-8"
    )
    with pytest.raises(UtflyttError, match="a stack config for azure, but the plan targets aws"):
        read_stack_configs(tmp_path, small_plan())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("utflytt:aws: [1, 2]", "utflytt:aws: expected an object"),
        ("utflytt:aws: {vpcCidr: {}}", "utflytt:aws: unknown key(s) vpcCidr"),
    ],
)
def test_a_wrong_aws_object_names_the_file(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "Pulumi.foundation.yaml"
    path.write_text(f"config:\n  {value}\n", "utf-8")
    with pytest.raises(AwsConfigError) as caught:
        foundation_aws_options(tmp_path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_the_plan_project_is_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\nstackConfigDir: stacks\n", "utf-8")
    (tmp_path / "build" / "deep").mkdir(parents=True)
    assert plan_stack_dir(tmp_path / "build" / "deep" / "plan.json") == (
        tmp_path.resolve() / "stacks"
    )
    assert foundation_aws_options(None) == foundation_aws_options(tmp_path / "none")


def test_an_azure_stack_gets_its_own_keys(tmp_path: Path) -> None:
    """Azure too: wave-01's utflytt:sshPublicKey replaces the offline placeholder key for
    its Linux server built from an image; the placeholder stays without the config."""
    from migration.fileio import write_json
    from migration.plan import Target

    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFromTheStackConfigOfWave01 ops"
    (tmp_path / "Pulumi.yaml").write_text("name: t\nstackConfigDir: stacks\n", "utf-8")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.wave-01.yaml").write_text(
        f"config:\n  utflytt:sshPublicKey: {key}\n", "utf-8"
    )
    plan_file = tmp_path / "build" / "plan.json"
    plan_file.parent.mkdir()
    azure = small_plan(target=Target(provider="azure", region="swedencentral"))
    write_json(plan_file, azure.to_json_dict())

    def preview(*extra: str) -> str:
        args = ["preview", "wave-01", "--plan", str(plan_file), "--json", *extra]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return result.output

    assert key in preview()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert key not in preview("--stack-config-dir", str(empty))
