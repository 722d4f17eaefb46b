"""Cloud resource names: each provider's naming rule and every name template, in one place.

A name the stacks derive from catalog ids (server, system, environment, role, network
group) or from catalog text is built here, through its :class:`NameRule`, so the template
cannot drift from the check (docs/naming.md lists every rule and its source).

- A name that meets its rule is used as it is: names already deployed never change.
- A name that breaks a rule the cloud lets us satisfy by shortening (too long, a trailing
  hyphen, a character the resource does not take) is made to fit by :func:`fit`: its head,
  ``-`` and 8 hex digits of the SHA-256 of the *whole* unshortened name. That depends on the
  ids alone (never on the catalog's hash or on where an id sorts), so a re-plan gives the
  same name, and two long ids with a common head still get different names.
- Text a person reads as data rather than as a label (tag values: owner, cost centre,
  organisation) is never rewritten: a rule it breaks is an error (:mod:`stacks.naming_check`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from migration.errors import UtflyttError

HASH_LENGTH = 8

AZURE_NAMES = (
    "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules"
)
AZURE_TAGS = (
    "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/tag-resources"
    "#limitations"
)
AZURE_COMPUTER_NAME = (
    "https://learn.microsoft.com/en-us/rest/api/compute/virtual-machines/create-or-update#osprofile"
)
AWS_ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference"
AWS_SECURITY_GROUP = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
)
AWS_PREFIX_LIST = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateManagedPrefixList.html"
)
AWS_BUCKET = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
AWS_TAG = f"{AWS_ELB}/API_Tag.html"
AWS_BACKUP = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlanInput.html"


class NameRuleError(UtflyttError):
    """A derived name breaks its cloud's rule and cannot be shortened (a bug in a template:
    names from catalog ids are always made to fit). The message names the rule."""


def _tag_char(ch: str) -> bool:
    """Letters, digits and spaces of any script, and ``_ . : / = + - @`` (AWS tag values)."""
    return unicodedata.category(ch)[0] in "LNZ" or ch in "_.:/=+-@"


@dataclass(frozen=True)
class NameRule:
    """One provider's rule for one kind of name."""

    key: str  # e.g. "azure.virtual-machine"
    what: str  # e.g. "Azure virtual machine name"
    max_length: int
    chars: str  # regex character-class body of every character
    source: str  # the documentation the rule is taken from
    min_length: int = 1
    first: str = "A-Za-z0-9"  # character class of the first character
    last: str = "A-Za-z0-9"  # character class of the last character
    forbidden_prefixes: tuple[str, ...] = ()
    no_repeat: tuple[str, ...] = ()  # substrings that must not occur, e.g. "--", ".."
    not_numeric: bool = False  # a name of digits only is refused
    valid_char: Callable[[str], bool] | None = field(default=None, compare=False)
    shorten: bool = True  # False: a breach is an error, never rewritten
    summary: str = ""  # the rule in words, for error messages

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        """The whole rule's characters as one regex (names of 2 or more characters)."""
        if self.valid_char is not None:
            return None
        return re.compile(f"[{self.first}][{self.chars}]*[{self.last}]")

    def problem(self, name: str) -> str | None:
        """Why ``name`` breaks the rule, or None when it meets it."""
        pattern = self._pattern
        if (
            pattern is not None
            and self.min_length <= len(name) <= self.max_length
            and len(name) > 1
            and pattern.fullmatch(name)
            and not name.startswith(self.forbidden_prefixes)
            and not any(part in name for part in self.no_repeat)
            and not (self.not_numeric and name.isdigit())
        ):
            return None  # the common case, in one regex
        if not self.min_length <= len(name) <= self.max_length:
            return f"{len(name)} characters, expected {self.min_length} to {self.max_length}"
        if not name:
            return None
        if self.valid_char is not None:
            bad = sorted({ch for ch in name if not self.valid_char(ch)})
        else:
            bad = sorted(set(re.sub(f"[{self.chars}]", "", name)))
        if bad:
            return "characters not allowed: " + " ".join(repr(ch) for ch in bad)
        if self.valid_char is None and not re.fullmatch(f"[{self.first}]", name[0]):
            return f"starts with {name[0]!r}"
        if self.valid_char is None and not re.fullmatch(f"[{self.last}]", name[-1]):
            return f"ends with {name[-1]!r}"
        if self.valid_char is not None and name != name.strip():
            return "leading or trailing space"
        for prefix in self.forbidden_prefixes:
            if name.startswith(prefix):
                return f"starts with {prefix!r}"
        for part in self.no_repeat:
            if part in name:
                return f"contains {part!r}"
        if self.not_numeric and name.isdigit():
            return "digits only"
        return None

    def describe(self) -> str:
        """The rule in one phrase, with its source."""
        text = self.summary or f"at most {self.max_length} characters"
        return f"{self.what}: {text} ({self.source})"


def digest(text: str, length: int = HASH_LENGTH) -> str:
    """Lower-case hex of the SHA-256 of ``text``: stable across runs and machines."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def fit(rule: NameRule, name: str) -> str:
    """``name`` if it meets ``rule``; else its head, ``-`` and :func:`digest` of the whole
    name (characters the rule refuses become ``-``). Deterministic; raises
    :class:`NameRuleError` for a rule that must not be shortened."""
    if rule.problem(name) is None:
        return name
    if not rule.shorten:
        raise NameRuleError(f"{name!r}: {rule.problem(name)}; {rule.describe()}")
    tag = digest(name)
    body = re.sub(f"[^{rule.chars}]", "-", name.lower() if "A-Z" not in rule.chars else name)
    head = body[: max(0, rule.max_length - len(tag) - 1)].rstrip("-._")
    while head and not re.fullmatch(f"[{rule.first}]", head[0]):
        head = head[1:]
    for part in rule.no_repeat:
        while part in head:
            head = head.replace(part, part[0])
    shortened = f"{head}-{tag}" if head else tag
    problem = rule.problem(shortened)
    if problem is not None:  # only a template bug gets here
        raise NameRuleError(f"{name!r} shortened to {shortened!r}: {problem}; {rule.describe()}")
    return shortened


# ----------------------------------------------------------------------------- the rules

_AZ_NET = "A-Za-z0-9_.\\-"
_AZ_NET_SUMMARY = (
    "letters, digits, '_', '.', '-'; starts with a letter or digit, ends with a letter, digit "
    "or '_'"
)


def _azure_network(key: str, what: str, max_length: int, min_length: int = 1) -> NameRule:
    return NameRule(
        key,
        what,
        max_length,
        _AZ_NET,
        AZURE_NAMES,
        min_length=min_length,
        last="A-Za-z0-9_",
        summary=f"{min_length}-{max_length} {_AZ_NET_SUMMARY}",
    )


AZURE_RESOURCE_GROUP = NameRule(
    "azure.resource-group",
    "Azure resource group name",
    90,
    "A-Za-z0-9_().\\-",
    AZURE_NAMES,
    first="A-Za-z0-9_().\\-",
    last="A-Za-z0-9_()\\-",
    summary="1-90 letters, digits, '_', '(', ')', '.', '-'; does not end with '.'",
)
AZURE_VIRTUAL_NETWORK = _azure_network("azure.virtual-network", "Azure VNet name", 64, 2)
AZURE_SUBNET = _azure_network("azure.subnet", "Azure subnet name", 80)
AZURE_NSG = _azure_network("azure.network-security-group", "Azure NSG name", 80)
AZURE_NSG_RULE = _azure_network("azure.security-rule", "Azure NSG rule name", 80)
AZURE_ASG = _azure_network("azure.application-security-group", "Azure ASG name", 80)
AZURE_NIC = _azure_network("azure.network-interface", "Azure network interface name", 80)
AZURE_PUBLIC_IP = _azure_network("azure.public-ip", "Azure public IP name", 80)
AZURE_APP_GATEWAY = _azure_network("azure.application-gateway", "Azure application gateway", 80)
AZURE_WAF_POLICY = _azure_network("azure.waf-policy", "Azure WAF policy name", 128)
AZURE_DISK = _azure_network("azure.disk", "Azure managed disk name", 80)
AZURE_VIRTUAL_MACHINE = NameRule(
    "azure.virtual-machine",
    "Azure virtual machine name",
    64,
    "A-Za-z0-9\\-",
    AZURE_NAMES,
    summary="1-64 letters, digits, '-'; does not end with '-'",
)
AZURE_WINDOWS_COMPUTER_NAME = NameRule(
    "azure.windows-computer-name",
    "Windows computer name",
    15,
    "A-Za-z0-9\\-",
    AZURE_COMPUTER_NAME,
    not_numeric=True,
    summary="1-15 letters, digits, '-'; not digits only; does not end with '-'",
)
AZURE_LINUX_COMPUTER_NAME = NameRule(
    "azure.linux-computer-name",
    "Linux computer name",
    64,
    "A-Za-z0-9.\\-",
    AZURE_COMPUTER_NAME,
    summary="1-64 letters, digits, '.', '-'; does not end with '-' or '.'",
)
AZURE_KEY_VAULT_SECRET = NameRule(
    "azure.key-vault-secret",
    "Azure Key Vault secret name",
    127,
    "A-Za-z0-9\\-",
    AZURE_NAMES,
    first="A-Za-z0-9\\-",
    last="A-Za-z0-9\\-",
    summary="1-127 letters, digits, '-'",
)
AZURE_KEY_VAULT = NameRule(
    "azure.key-vault",
    "Azure Key Vault name (global)",
    24,
    "a-z0-9\\-",
    AZURE_NAMES,
    min_length=3,
    first="a-z",
    no_repeat=("--",),
    summary="3-24 letters, digits, '-'; starts with a letter; no '--'",
)
AZURE_STORAGE_ACCOUNT = NameRule(
    "azure.storage-account",
    "Azure storage account name (global)",
    24,
    "a-z0-9",
    AZURE_NAMES,
    min_length=3,
    first="a-z0-9",
    summary="3-24 lower-case letters and digits",
)
AZURE_TAG_VALUE = NameRule(
    "azure.tag-value",
    "Azure tag value",
    256,
    "",
    AZURE_TAGS,
    min_length=0,
    valid_char=lambda ch: True,
    shorten=False,
    summary="at most 256 characters",
)

AWS_SECURITY_GROUP_NAME = NameRule(
    "aws.security-group",
    "AWS security group name",
    255,
    "A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*\\-",
    AWS_SECURITY_GROUP,
    first="A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*\\-",
    last="A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*\\-",
    forbidden_prefixes=("sg-",),
    summary="1-255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*; not starting 'sg-'",
)
AWS_PREFIX_LIST_NAME = NameRule(
    "aws.prefix-list",
    "AWS managed prefix list name",
    255,
    "A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*\\-",
    AWS_PREFIX_LIST,
    first="A-Za-z0-9",
    last="A-Za-z0-9",
    forbidden_prefixes=("com.amazonaws",),
    summary="1-255 characters; not starting 'com.amazonaws'",
)
_ELB_SUMMARY = "1-32 letters, digits, '-'; does not start or end with '-'"
AWS_LOAD_BALANCER = NameRule(
    "aws.load-balancer",
    "AWS load balancer name",
    32,
    "A-Za-z0-9\\-",
    f"{AWS_ELB}/API_CreateLoadBalancer.html",
    forbidden_prefixes=("internal-",),
    summary=_ELB_SUMMARY + "; not starting 'internal-'",
)
AWS_TARGET_GROUP = NameRule(
    "aws.target-group",
    "AWS target group name",
    32,
    "A-Za-z0-9\\-",
    f"{AWS_ELB}/API_CreateTargetGroup.html",
    summary=_ELB_SUMMARY,
)
AWS_BUCKET_NAME = NameRule(
    "aws.s3-bucket",
    "Amazon S3 bucket name (global)",
    63,
    "a-z0-9.\\-",
    AWS_BUCKET,
    min_length=3,
    first="a-z0-9",
    last="a-z0-9",
    forbidden_prefixes=("xn--", "sthree-"),
    no_repeat=("..",),
    summary="3-63 lower-case letters, digits, '.', '-'; starts and ends with a letter or digit",
)
AWS_BACKUP_NAME = NameRule(
    "aws.backup-plan",
    "AWS Backup plan or selection name",
    50,
    "A-Za-z0-9_.\\-",
    AWS_BACKUP,
    first="A-Za-z0-9_.\\-",
    last="A-Za-z0-9_.\\-",
    summary="1-50 letters, digits, '-', '_', '.'",
)
AWS_TAG_VALUE = NameRule(
    "aws.tag-value",
    "AWS tag value",
    256,
    "",
    AWS_TAG,
    min_length=0,
    valid_char=_tag_char,
    shorten=False,
    summary="at most 256 letters, digits, spaces and _ . : / = + - @; no space at either end",
)

RULES: dict[str, NameRule] = {
    rule.key: rule for rule in list(globals().values()) if isinstance(rule, NameRule)
}
"""Every rule above, by key (docs/naming.md lists each with its source)."""


# ------------------------------------------------------------------------- the templates
# Azure


def azure_vm(server_id: str) -> str:
    """``vm-<server>``."""
    return fit(AZURE_VIRTUAL_MACHINE, f"vm-{server_id}")


def azure_nic(server_id: str) -> str:
    """``nic-<server>``."""
    return fit(AZURE_NIC, f"nic-{server_id}")


def azure_disk(server_id: str, index: int) -> str:
    """``disk-<server>-os`` (index 0), ``disk-<server>-data<index>``."""
    return fit(AZURE_DISK, f"disk-{server_id}-{'os' if index == 0 else f'data{index}'}")


def azure_linux_computer_name(server_id: str) -> str:
    """A Linux server's host name: its id (catalog ids are at most 63 characters)."""
    return fit(AZURE_LINUX_COMPUTER_NAME, server_id)


def azure_admin_secret(server_id: str) -> str:
    """Key Vault secret holding a server's local admin password: ``admin-<server>``."""
    return fit(AZURE_KEY_VAULT_SECRET, f"admin-{server_id}")


def azure_tls_secret(system: str) -> str:
    """Key Vault secret of a citizen-facing system's certificate: ``tls-<system>``."""
    return fit(AZURE_KEY_VAULT_SECRET, f"tls-{system}")


AZURE_UNIT_RULES = {
    "nsg": AZURE_NSG,
    "snet": AZURE_SUBNET,
    "nsg-agw": AZURE_NSG,
    "snet-agw": AZURE_SUBNET,
    "pip-agw": AZURE_PUBLIC_IP,
    "waf": AZURE_WAF_POLICY,
    "agw": AZURE_APP_GATEWAY,
}
AZURE_UNIT_KINDS = ("nsg", "snet")
AZURE_GATEWAY_KINDS = ("nsg-agw", "snet-agw", "pip-agw", "waf", "agw")


def azure_unit(kind: str, key: str) -> str:
    """A unit's (system-environment) network names: ``nsg-<key>``, ``snet-<key>``, and its
    gateway's ``nsg-agw-<key>``, ``snet-agw-<key>``, ``pip-agw-<key>``, ``waf-<key>``,
    ``agw-<key>`` (the rule of each: :data:`AZURE_UNIT_RULES`)."""
    return fit(AZURE_UNIT_RULES[kind], f"{kind}-{key}")


def azure_asg(group: str) -> str:
    """Application security group of a network group: ``asg-<group>``; over 80 characters,
    ``asg-<first 60 of group>-<8 hex of the group>`` (the scheme deployed ASGs carry)."""
    name = f"asg-{group}"
    if AZURE_ASG.problem(name) is None:
        return name
    return fit(AZURE_ASG, f"asg-{group[:60]}-{digest(group)}")


# AWS


def aws_security_group(group: str) -> str:
    """Security group of a network group: ``utflytt-<group>``."""
    return fit(AWS_SECURITY_GROUP_NAME, f"utflytt-{group}")


def aws_alb_security_group(system: str) -> str:
    """Security group of a system's public load balancer: ``utflytt-<system>-alb``."""
    return fit(AWS_SECURITY_GROUP_NAME, f"utflytt-{system}-alb")


def aws_load_balancer(system: str) -> str:
    """A citizen-facing system's load balancer: ``utflytt-<system>`` (32 characters)."""
    return fit(AWS_LOAD_BALANCER, f"utflytt-{system}")


def aws_target_group(system: str) -> str:
    """The load balancer's target group: ``utflytt-<system>`` (32 characters)."""
    return fit(AWS_TARGET_GROUP, f"utflytt-{system}")


def aws_bucket(purpose: str, account_id: str, region: str) -> str:
    """A landing-zone bucket: ``utflytt-<purpose>-<account>-<region>`` (global, 63)."""
    return fit(AWS_BUCKET_NAME, f"utflytt-{purpose}-{account_id}-{region}")
