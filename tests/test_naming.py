"""Cloud names (issue 18 point 2): every name the stacks derive from catalog ids meets its
provider's rule, shortened deterministically where the cloud allows; text that becomes a
tag value as written is rejected by ``validate`` and ``plan`` with its catalog line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from migration.catalog import load_catalog
from stacks import naming
from stacks.naming_audit import audit
from stacks.naming_check import NameCheckError, check_catalog_names, name_problems

DATA = Path(__file__).parent / "data"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,62}\Z")
long_ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{55,62}\Z")
ENVIRONMENTS = st.sampled_from(["prod", "test", "dev"])


def every_template(server: str, system: str, env: str) -> list[tuple[naming.NameRule, str]]:
    """(rule, name) of every template in stacks.naming, for one server and system."""
    key = f"{system}-{env}"
    group = f"{system}.{env}.web"
    names = [
        (naming.AZURE_VIRTUAL_MACHINE, naming.azure_vm(server)),
        (naming.AZURE_NIC, naming.azure_nic(server)),
        (naming.AZURE_DISK, naming.azure_disk(server, 0)),
        (naming.AZURE_DISK, naming.azure_disk(server, 255)),
        (naming.AZURE_KEY_VAULT_SECRET, naming.azure_admin_secret(server)),
        (naming.AZURE_KEY_VAULT_SECRET, naming.azure_tls_secret(system)),
        (naming.AZURE_LINUX_COMPUTER_NAME, naming.azure_linux_computer_name(server)),
        (naming.AZURE_ASG, naming.azure_asg(group)),
        (naming.AZURE_ASG, naming.azure_asg(f"clients.{group}.99")),
        (naming.AWS_SECURITY_GROUP_NAME, naming.aws_security_group(f"clients.{group}.99")),
        (naming.AWS_SECURITY_GROUP_NAME, naming.aws_alb_security_group(system)),
        (naming.AWS_LOAD_BALANCER, naming.aws_load_balancer(system)),
        (naming.AWS_TARGET_GROUP, naming.aws_target_group(system)),
        (naming.AWS_BUCKET_NAME, naming.aws_bucket("alb-logs", "123456789012", "eu-north-1")),
    ]
    names += [
        (naming.AZURE_UNIT_RULES[k], naming.azure_unit(k, key)) for k in naming.AZURE_UNIT_RULES
    ]
    return names


@settings(max_examples=300, deadline=None)
@given(server=ids, system=ids, env=ENVIRONMENTS)
def test_every_derived_name_meets_its_rule(server, system, env):
    """Any catalog id (up to 63 characters, any slug, a trailing hyphen too) gives names
    that meet their provider's rule, and the same ids give the same names."""
    for rule, name in every_template(server, system, env):
        assert rule.problem(name) is None, (rule.key, name)
    assert every_template(server, system, env) == every_template(server, system, env)


@settings(max_examples=200, deadline=None)
@given(a=long_ids, b=long_ids)
def test_shortened_names_of_different_ids_differ(a, b):
    """Two long ids with a common head still get different names (the hash is of the
    whole name), so a load balancer or VM name is never shared by two systems."""
    if a == b:
        return
    assert naming.azure_vm(a) != naming.azure_vm(b)
    assert naming.aws_load_balancer(a) != naming.aws_load_balancer(b)
    assert naming.aws_target_group(a) != naming.aws_target_group(b)


def test_names_that_fit_are_never_changed():
    """A name already deployed keeps its name: fitting names pass through unchanged (the
    bundled example's, and the old truncation only where it was not truncating)."""
    assert naming.azure_vm("eko-app01") == "vm-eko-app01"
    assert naming.azure_disk("eko-app01", 1) == "disk-eko-app01-data1"
    assert naming.azure_unit("snet-agw", "portal-prod") == "snet-agw-portal-prod"
    assert naming.aws_load_balancer("portal") == "utflytt-portal"
    assert naming.aws_security_group("economy.prod.app") == "utflytt-economy.prod.app"
    group = "x" * 80
    assert naming.azure_asg(group) == f"asg-{'x' * 60}-{naming.digest(group)}"  # as deployed


def test_a_63_character_id_is_shortened_with_a_stable_hash():
    """The issue's example: ``vm-`` + a 63-character id is 66 characters, over Azure's 64."""
    sid = "a" * 62 + "b"
    name = naming.azure_vm(sid)
    assert len(f"vm-{sid}") == 66 and naming.AZURE_VIRTUAL_MACHINE.problem(f"vm-{sid}")
    assert name == "vm-" + "a" * 52 + "-" + naming.digest(f"vm-{sid}")
    assert len(name) == 64
    system = "citizen-portal-for-everyone"  # 32-character load balancer names
    assert (
        naming.aws_load_balancer(system)
        == f"utflytt-citizen-portal-{naming.digest('utflytt-' + system)}"
    )


@pytest.mark.parametrize(
    ("rule", "name", "why"),
    [
        (naming.AZURE_VIRTUAL_MACHINE, "vm-" + "a" * 62, "65 characters, expected 1 to 64"),
        (naming.AZURE_VIRTUAL_MACHINE, "vm-web-", "ends with '-'"),
        (naming.AZURE_NIC, "nic-a.", "ends with '.'"),
        (naming.AWS_LOAD_BALANCER, "internal-web", "starts with 'internal-'"),
        (naming.AWS_BUCKET_NAME, "utflytt-Logs", "characters not allowed: 'L'"),
        (naming.AWS_BUCKET_NAME, "a..b", "contains '..'"),
        (naming.AZURE_WINDOWS_COMPUTER_NAME, "12345", "digits only"),
        (naming.AWS_TAG_VALUE, "IT & lön", "characters not allowed: '&'"),
        (naming.AWS_TAG_VALUE, "IT ", "leading or trailing space"),
        (naming.AZURE_TAG_VALUE, "x" * 257, "257 characters, expected 0 to 256"),
    ],
)
def test_each_rule_fires(rule, name, why):
    assert rule.problem(name) == why


def test_docs_name_every_rule_and_its_source():
    """docs/naming.md cannot drift from the module: every rule's source is linked there."""
    text = (Path(__file__).parent.parent / "docs" / "naming.md").read_text()
    assert len(naming.RULES) == 25
    for rule in naming.RULES.values():
        assert rule.source.split("#")[0] in text, rule.key


def test_text_used_as_written_is_never_rewritten():
    """Tag values are data (chargeback, queries): fit refuses to shorten them."""
    with pytest.raises(naming.NameRuleError, match="AWS tag value"):
        naming.fit(naming.AWS_TAG_VALUE, "IT & lön")


# ----------------------------------------------------------------- catalog check, CLI


def write_catalog(tmp_path: Path, target: str, owner: str) -> Path:
    text = (DATA / "small.yaml").read_text()
    text = text.replace("planning:\n", f"planning:\n  target: {target}\n", 1)
    text = text.replace("owner: Ekonomiavdelningen", f"owner: {owner}")
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


REJECTED = """\
Error: 1 cloud name or tag value derived from the catalog would be refused:
  system economy owner: 'Ekonomi & lön (ekonomi)': characters not allowed: '&' '(' ')'
    AWS tag value: at most 256 letters, digits, spaces and _ . : / = + - @; no space at \
either end (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Tag.html)
  at catalog.yaml:30: system 'economy' owner
"""


def test_validate_rejects_a_tag_value_aws_refuses(tmp_path, monkeypatch):
    """Exact output and exit code: the field, the value, why, the rule and its source, and
    the catalog line."""
    monkeypatch.chdir(tmp_path)
    write_catalog(tmp_path, "aws", "Ekonomi & lön (ekonomi)")
    result = CliRunner().invoke(cli, ["validate", "catalog.yaml"])
    assert result.exit_code == 1
    assert result.output == REJECTED


def test_plan_rejects_it_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_catalog(tmp_path, "aws", "Ekonomi & lön (ekonomi)")
    result = CliRunner().invoke(cli, ["plan", "catalog.yaml", "-o", "build"])
    assert result.exit_code == 1
    assert result.output.endswith(REJECTED)
    assert not (tmp_path / "build").exists()


def test_the_same_owner_is_fine_on_azure_and_a_plain_one_on_aws(tmp_path):
    """Azure takes any tag value up to 256 characters; AWS takes the plain spelling."""
    azure = load_catalog(write_catalog(tmp_path, "azure", "Ekonomi & lön (ekonomi)"))
    assert name_problems(azure, ["azure"]) == []
    assert [p for _, p in name_problems(azure, ["aws"])] == ["characters not allowed: '&' '(' ')'"]
    plain = load_catalog(write_catalog(tmp_path, "aws", "Ekonomi och lön"))
    check_catalog_names(plain, tmp_path / "catalog.yaml", ["azure", "aws"])


def test_validate_warns_about_the_other_cloud(tmp_path, monkeypatch):
    """Azure target: valid (exit 0), with a warning that `plan --target aws` would refuse."""
    monkeypatch.chdir(tmp_path)
    write_catalog(tmp_path, "azure", "Ekonomi & lön")
    result = CliRunner().invoke(cli, ["validate", "catalog.yaml"])
    assert result.exit_code == 0
    assert (
        "warning: with --target aws: 1 cloud name or tag value derived from the catalog would "
        "be refused:\n  system economy owner: 'Ekonomi & lön': characters not allowed: '&'\n"
    ) in result.stderr
    assert "  at catalog.yaml:30: system 'economy' owner" in result.stderr


def test_a_short_windows_id_ending_in_a_hyphen_is_rejected(tmp_path):
    """stacks.names keeps a Windows id of up to 15 characters as its computer name; one
    ending in '-' is not a valid computer name, and the check says so with its line."""
    path = write_catalog(tmp_path, "azure", "Ekonomiavdelningen")
    path.write_text(path.read_text().replace("eko-db01", "eko-db-"))
    with pytest.raises(NameCheckError) as caught:
        check_catalog_names(load_catalog(path), path, ["azure"])
    assert "server eko-db-: 'eko-db-': ends with '-'" in str(caught.value)
    assert re.search(r"at .*catalog.yaml:\d+: server 'eko-db-'", str(caught.value))
    check_catalog_names(load_catalog(path), path, ["aws"])  # AWS sets no computer name


def test_the_bundled_example_passes_on_both_clouds():
    catalog = load_catalog(Path(__file__).parent.parent / "examples/mariehamn/catalog.yaml")
    assert name_problems(catalog, ["azure", "aws"], templated=True) == []


# --------------------------------------------------------------- recorded resources


class _Fake:
    def __init__(self, typ: str, name: str, inputs: dict[str, object]) -> None:
        self.type, self.name, self.inputs = typ, name, inputs


def test_the_audit_fires_on_a_recorded_name_that_breaks_its_rule():
    """What the stack tests rely on: a VM named from a 63-character id as the stacks did
    before, an auto-named load balancer, an NSG rule and a tag value are each reported."""
    sid = "a" * 63
    resources = [
        _Fake("azure-native:compute:VirtualMachine", "x", {"vmName": f"vm-{sid}"}),
        _Fake("aws:lb/loadBalancer:LoadBalancer", "citizen-portal-entrance-alb", {}),
        _Fake(
            "azure-native:network:NetworkSecurityGroup",
            "n",
            {"networkSecurityGroupName": "nsg-a", "securityRules": [{"name": "in-"}]},
        ),
        _Fake("aws:ec2/instance:Instance", "i", {"tags": {"owner": "A & B"}}),
    ]
    problems = audit(resources)
    assert len(problems) == 4, problems
    assert problems[0].startswith("azure-native:compute:VirtualMachine x: 'vm-aaa")


def lengthen(doc: dict[str, object]) -> dict[str, object]:
    """The catalog with every system and server id made 63 characters long (a third of them
    ending in '-'), references included."""
    systems, servers = doc["systems"], doc["servers"]
    assert isinstance(systems, list) and isinstance(servers, list)
    old = sorted({s["id"] for s in systems} | {s["id"] for s in servers})
    new = {}
    for i, sid in enumerate(old):
        new[sid] = (sid + "-" + "z" * 63)[:62] + ("-" if i % 3 == 0 else str(i % 10))
        assert SLUG.match(new[sid]) and len(new[sid]) == 63
    assert len(set(new.values())) == len(new)
    for item in [*systems, *servers]:
        item["id"] = new[item["id"]]
        if "system" in item:
            item["system"] = new[item["system"]]
        for dep in item.get("depends_on") or []:
            dep["to"] = new[dep["to"]]
    return doc


def long_id_catalog(tmp_path: Path, doc: dict[str, object], target: str) -> Path:
    doc = lengthen(json.loads(json.dumps(doc, default=str)))
    planning = dict(doc.get("planning") or {})  # type: ignore[call-overload]
    planning.update(target=target, region="eu-north-1" if target == "aws" else "swedencentral")
    doc["planning"] = planning
    path = tmp_path / f"long-{target}.json"
    path.write_text(json.dumps(doc))
    return path
