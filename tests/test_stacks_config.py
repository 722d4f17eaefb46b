"""Stack config files: exact generated text, read-back, kept secrets, validation errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stacks.azure import layout
from stacks.config import (
    MANAGED_KEYS,
    StackConfigError,
    load_stack_config,
    read_settings,
    settings_for_stack,
    sync_stack_configs,
    write_stack_configs,
)
from tests.stacks_fixtures import make_plan

WAVE_01 = """\
# `utflytt plan` sets the keys it owns here from build/plan.json (the utflytt: keys it writes
# and the provider's region). Everything else is yours and kept: secrets set with
# `pulumi config set --secret`, encryptionsalt, your own keys. Never a plain-text secret.
config:
  azure-native:location: swedencentral
  utflytt:foundationStack: foundation
  utflytt:kind: wave
  utflytt:planPath: build/plan.json
  utflytt:provider: azure
  utflytt:region: swedencentral
  utflytt:tags:
    managed-by: utflytt
    organisation: Testby kommun
  utflytt:wave: 1
"""


def test_writes_foundation_and_one_file_per_wave_with_exact_text(tmp_path):
    """Pulumi.foundation.yaml plus Pulumi.wave-NN.yaml per wave; wave-01's text is pinned."""
    paths = write_stack_configs(make_plan(), "build/plan.json", tmp_path)
    assert [p.name for p in paths] == [
        "Pulumi.foundation.yaml",
        "Pulumi.wave-00.yaml",
        "Pulumi.wave-01.yaml",
        "Pulumi.wave-02.yaml",
    ]
    assert (tmp_path / "Pulumi.wave-01.yaml").read_text() == WAVE_01
    foundation = (tmp_path / "Pulumi.foundation.yaml").read_text()
    assert "utflytt:kind: foundation" in foundation and "utflytt:wave" not in foundation


def test_read_back_gives_the_settings_it_was_written_from(tmp_path):
    """Loading each file as the CLI would and validating it returns the same settings."""
    plan = make_plan()
    for path in write_stack_configs(plan, "build/plan.json", tmp_path):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        config, secrets = load_stack_config(path)
        assert secrets == []
        assert read_settings(config) == settings_for_stack(plan, stack, "build/plan.json")


def test_regeneration_keeps_secrets_and_encryption_salt_and_never_deletes(tmp_path):
    """User-set secure values and encryptionsalt survive; a wave the plan lost is kept, stale."""
    plan = make_plan()
    write_stack_configs(plan, "build/plan.json", tmp_path)
    wave = tmp_path / "Pulumi.wave-01.yaml"
    wave.write_text(
        wave.read_text()
        .replace(
            "config:\n",
            "encryptionsalt: v1:abc\nconfig:\n  utflytt:adminPassword:\n    secure: v1:xyz\n"
            "  mine: kept\n",
        )
        .replace(
            "  utflytt:region: swedencentral\n",
            "  utflytt:region:\n    secure: v1:owned-but-secret\n",
        )
    )
    stale = tmp_path / "Pulumi.wave-07.yaml"
    stale.write_text(WAVE_01)
    user_file = tmp_path / "Pulumi.wave-08.yaml"
    user_file.write_text("config: {}\n")
    other = tmp_path / "Pulumi.dev.yaml"
    other.write_text("config: {}\n")
    sync = sync_stack_configs(plan, "build/plan.json", tmp_path)
    text = wave.read_text()
    assert "encryptionsalt: v1:abc\n" in text
    assert "  utflytt:adminPassword:\n    secure: v1:xyz\n" in text
    assert "  utflytt:region:\n    secure: v1:owned-but-secret\n" in text
    assert "  mine: kept\n" in text
    config, secrets = load_stack_config(wave)
    assert secrets == ["utflytt:adminPassword", "utflytt:region"]
    assert config["utflytt:adminPassword"] == "<secret>"
    assert stale.read_text() == WAVE_01 and user_file.exists() and other.exists()
    assert sync.stale == (stale, user_file)
    assert sync.written == (wave,)
    assert [p.name for p in sync.unchanged] == [
        "Pulumi.foundation.yaml",
        "Pulumi.wave-00.yaml",
        "Pulumi.wave-02.yaml",
    ]
    assert sync.summary() == "stack configs: 1 written, 3 unchanged, 2 stale"


def test_an_unchanged_stack_config_is_not_rewritten(tmp_path):
    """Same plan twice: the second run writes nothing (the file's mtime stays)."""
    plan = make_plan()
    first = sync_stack_configs(plan, "build/plan.json", tmp_path)
    assert len(first.written) == 4 and first.unchanged == ()
    path = tmp_path / "Pulumi.wave-01.yaml"
    before = path.stat().st_mtime_ns
    second = sync_stack_configs(plan, "build/plan.json", tmp_path)
    assert second.written == () and len(second.unchanged) == 4
    assert path.stat().st_mtime_ns == before
    third = sync_stack_configs(plan, "other/plan.json", tmp_path)
    assert len(third.written) == 4  # the owned key utflytt:planPath changed


def test_invalid_config_names_every_offending_key():
    """Bad kind, non-EU region, missing plan path and a bad wave are all reported at once."""
    with pytest.raises(StackConfigError) as info:
        read_settings(
            {
                "utflytt:kind": "wave",
                "utflytt:provider": "azure",
                "utflytt:region": "eastus",
                "utflytt:wave": "x",
                "azure-native:location": "westeurope",
            }
        )
    assert info.value.keys == [
        "utflytt:region",
        "azure-native:location",
        "utflytt:planPath",
        "utflytt:wave",
    ]
    assert str(info.value) == (
        "stack config ?: utflytt:region: expected a region in the EU for azure, got 'eastus'; "
        "azure-native:location: expected the same region as utflytt:region (eastus), "
        "got 'westeurope'; utflytt:planPath: required; "
        "utflytt:wave: expected a wave number >= 0, got 'x'"
    )


def test_provider_location_must_match_the_region():
    """azure-native:location differing from utflytt:region is an error naming it."""
    with pytest.raises(StackConfigError) as info:
        read_settings(
            {
                "utflytt:kind": "foundation",
                "utflytt:provider": "azure",
                "utflytt:region": "swedencentral",
                "utflytt:planPath": "p.json",
                "azure-native:location": "westeurope",
            }
        )
    assert info.value.keys == ["azure-native:location"]


def test_addresses_avoid_the_source_networks():
    """A source network inside 10.200/13 moves the cloud to the next candidate space."""
    plan = make_plan(source_networks=("10.201.0.0/16",))
    addressing = layout.plan_addresses(plan)
    assert addressing.base == "10.96.0.0/13"
    assert addressing.server_ips["dc01"] == "10.98.0.4"


def test_backup_bucket_meets_the_rpo():
    """The largest Azure interval not above the RPO (4 h when none is); none or >= 24 h is
    daily; the classification (retention) closes the name."""
    assert [layout.backup_bucket(r) for r in (None, 1, 4, 7, 12, 23, 24, 48)] == [
        "daily-internal",
        "hourly-4h-internal",
        "hourly-4h-internal",
        "hourly-6h-internal",
        "hourly-12h-internal",
        "hourly-12h-internal",
        "daily-internal",
        "daily-internal",
    ]
    assert layout.backup_bucket(8, "secret") == "hourly-8h-secret"


def test_default_size_covers_cpu_and_memory():
    """No SKU: smallest Dsv5 fitting vCPU and memory, Esv5 when memory-heavy."""
    from migration.plan import PlannedServer

    assert layout.vm_size(PlannedServer(wave=1, vcpu=3, memory_gb=8)) == ("Standard_D4s_v5", True)
    assert layout.vm_size(PlannedServer(wave=1, vcpu=2, memory_gb=16)) == ("Standard_E2s_v5", True)
    assert layout.vm_size(PlannedServer(wave=1, sku="Standard_B2ms")) == ("Standard_B2ms", False)


# keys a user may set: any namespaced key outside the owned ones, plain or secret
_user_keys = st.dictionaries(
    st.from_regex(r"\A(mine|aws|utflytt):[a-z][a-zA-Z0-9]{0,12}\Z").filter(
        lambda k: k not in MANAGED_KEYS
    ),
    st.one_of(
        st.text(alphabet="abcXYZ019 -_", max_size=12),
        st.integers(-5, 5),
        st.builds(lambda s: {"secure": f"v1:{s}"}, st.text(alphabet="abcdef0123", max_size=16)),
    ),
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(user=_user_keys, salt=st.text(alphabet="abcdef0123456789", min_size=1, max_size=20))
def test_any_user_keys_and_salt_survive_a_replan(tmp_path_factory, user, salt):
    """Whatever the user adds (plain or secure keys, encryptionsalt) is there after a re-plan,
    and only the owned keys carry the plan's values."""
    import yaml as pyyaml

    folder = tmp_path_factory.mktemp("configs")
    plan = make_plan()
    write_stack_configs(plan, "build/plan.json", folder)
    path = folder / "Pulumi.wave-01.yaml"
    document = pyyaml.safe_load(path.read_text())
    document["encryptionsalt"] = f"v1:{salt}"
    document["config"].update(user)
    path.write_text(pyyaml.safe_dump(document))
    sync_stack_configs(plan, "other/plan.json", folder)
    after = pyyaml.safe_load(path.read_text())
    assert after["encryptionsalt"] == f"v1:{salt}"
    for key, value in user.items():
        assert after["config"][key] == value
    assert after["config"]["utflytt:planPath"] == "other/plan.json"
    assert {p.name for p in folder.iterdir()} == {
        "Pulumi.foundation.yaml",
        "Pulumi.wave-00.yaml",
        "Pulumi.wave-01.yaml",
        "Pulumi.wave-02.yaml",
    }
