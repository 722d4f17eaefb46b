"""Stack configs: written from the plan (``stacks/config/Pulumi.<stack>.yaml``), read back
into :class:`~stacks.settings.StackSettings` with up-front validation.

Stacks: ``foundation`` (the landing zone only) and one ``wave-NN`` per wave of the plan,
``wave-00`` included. Wave 0's servers (the foundation systems: AD, DNS, ...) live in the
``wave-00`` stack, not in ``foundation``, so that every server is built by one code path
and the landing zone, which every wave references, changes only when the network does.

Keys are namespaced ``utflytt:`` (region, planPath, kind, wave, provider, foundationStack,
tags) plus the provider's own region key (``azure-native:location`` or ``aws:region``).
No secret is ever written here: credentials are set by the user with
``pulumi config set --secret`` and survive regeneration (every key and top-level entry the
writer does not manage, ``encryptionsalt`` and every ``secure:`` value included, is kept as
it was). Stack configs are never deleted: a stack the plan no longer has is reported stale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeGuard

import yaml

from migration.errors import InputFileError, UtflyttError
from migration.fileio import write_atomic
from migration.plan import Plan
from migration.regions import EU_REGIONS
from stacks.settings import StackSettings

NAMESPACE = "utflytt"
PROVIDER_REGION_KEY = {"azure": "azure-native:location", "aws": "aws:region"}
MANAGED_KEYS = (
    "utflytt:foundationStack",
    "utflytt:kind",
    "utflytt:planPath",
    "utflytt:provider",
    "utflytt:region",
    "utflytt:tags",
    "utflytt:wave",
    *PROVIDER_REGION_KEY.values(),
)
HEADER = (
    "# `utflytt plan` sets the keys it owns here from {plan} (the utflytt: keys it writes\n"
    "# and the provider's region). Everything else is yours and kept: secrets set with\n"
    "# `pulumi config set --secret`, encryptionsalt, your own keys. Never a plain-text secret.\n"
)
STACK_RE = re.compile(r"^(foundation|wave-(\d{2,}))$")


class StackConfigError(UtflyttError):
    """A stack config is invalid; ``keys`` names the offending keys."""

    def __init__(self, stack: str, problems: list[tuple[str, str]]) -> None:
        self.keys = [key for key, _ in problems]
        lines = [f"{key}: {message}" for key, message in problems]
        super().__init__(f"stack config {stack}: " + "; ".join(lines))


def stack_names(plan: Plan) -> list[str]:
    """``foundation`` then ``wave-NN`` for every wave of the plan."""
    return [
        "foundation",
        *(f"wave-{w.number:02d}" for w in sorted(plan.waves, key=lambda w: w.number)),
    ]


def settings_for_stack(plan: Plan, stack: str, plan_path: str) -> StackSettings:
    """The settings of ``stack`` derived from the plan; unknown stack: :class:`UtflyttError`."""
    names = stack_names(plan)
    if stack not in names:
        raise UtflyttError(
            f"unknown stack {stack!r}: expected one of {', '.join(names)} (from {plan_path})"
        )
    tags = {"managed-by": "utflytt"}
    if plan.organisation:
        tags["organisation"] = plan.organisation
    wave = None if stack == "foundation" else int(stack.split("-", 1)[1])
    return StackSettings(
        stack=stack,
        kind="foundation" if wave is None else "wave",
        provider=plan.target.provider,
        region=plan.target.region,
        plan_path=plan_path,
        wave=wave,
        tags=tags,
    )


def settings_to_config(settings: StackSettings) -> dict[str, Any]:
    """The managed config keys of a stack, with typed values (YAML-ready)."""
    config: dict[str, Any] = {
        "utflytt:foundationStack": settings.foundation_stack,
        "utflytt:kind": settings.kind,
        "utflytt:planPath": settings.plan_path,
        "utflytt:provider": settings.provider,
        "utflytt:region": settings.region,
        "utflytt:tags": dict(sorted(settings.tags.items())),
        PROVIDER_REGION_KEY[settings.provider]: settings.region,
    }
    if settings.wave is not None:
        config["utflytt:wave"] = settings.wave
    return dict(sorted(config.items()))


def as_engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config values as the Pulumi CLI hands them to a program: strings, objects as JSON."""
    return {
        key: value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        for key, value in config.items()
    }


def config_for(
    stack: str,
    config: Mapping[str, str] | None = None,
    stack_configs: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, str]:
    """The config an offline run of ``stack`` gets: ``config`` (shared by every stack), then
    the stack's own keys from ``stack_configs`` (stack -> keys, :mod:`stacks.user_config`)."""
    return {**(config or {}), **((stack_configs or {}).get(stack) or {})}


def render_stack_config(settings: StackSettings, kept: Mapping[str, Any] | None = None) -> str:
    """The text of ``Pulumi.<stack>.yaml``: header, managed keys, then the kept entries."""
    kept = dict(kept or {})
    kept_config = dict(kept.pop("config", None) or {})
    config = settings_to_config(settings)
    for key, value in kept_config.items():
        if key not in MANAGED_KEYS or _is_secure(value):
            config[key] = value
    document: dict[str, Any] = {**kept, "config": dict(sorted(config.items()))}
    body = yaml.safe_dump(
        dict(sorted(document.items())),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
    )
    return HEADER.format(plan=settings.plan_path) + body


@dataclass(frozen=True)
class StackConfigSync:
    """What :func:`sync_stack_configs` did: files written, left unchanged, and stale ones."""

    directory: Path
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    stale: tuple[Path, ...] = ()  # Pulumi.wave-NN.yaml of waves the plan no longer has: kept
    outputs: tuple[tuple[Path, str], ...] = ()  # (path, text) of the configs to write

    @property
    def paths(self) -> list[Path]:
        """Every current stack's config (written or unchanged), in stack order."""
        return sorted([*self.written, *self.unchanged], key=_stack_order)

    def summary(self) -> str:
        """``stack configs: 3 written, 8 unchanged, 1 stale``."""
        return (
            f"stack configs: {len(self.written)} written, {len(self.unchanged)} unchanged, "
            f"{len(self.stale)} stale"
        )


def _stack_order(path: Path) -> tuple[int, str]:
    return (0 if path.name == "Pulumi.foundation.yaml" else 1, path.name)


def render_stack_configs(
    plan: Plan, plan_path: str | Path, out_dir: str | Path = "stacks/config"
) -> StackConfigSync:
    """What bringing the stack configs in line with the plan would write; writes nothing.

    Stack configs are the user's files: only the keys the writer owns (:data:`MANAGED_KEYS`)
    are set; every other key, ``secure:`` values and ``encryptionsalt`` are kept. Every
    existing config is read and checked first (:class:`InputFileError` on a broken one). A
    file whose text would not change is listed as unchanged. Nothing is ever deleted: a wave
    stack the plan no longer has is reported as stale (it may still be deployed;
    ``pulumi destroy`` it first). ``utflytt plan`` writes :attr:`StackConfigSync.outputs`
    with its other files, all or nothing.
    """
    out = Path(out_dir)
    outputs: list[tuple[Path, str]] = []
    unchanged: list[Path] = []
    for stack in stack_names(plan):
        settings = settings_for_stack(plan, stack, Path(plan_path).as_posix())
        path = out / f"Pulumi.{stack}.yaml"
        kept = _existing(path)
        text = render_stack_config(settings, kept)
        if path.exists() and _read_text(path) == text:
            unchanged.append(path)
            continue
        outputs.append((path, text))
    current = {p.name for p, _ in outputs} | {p.name for p in unchanged}
    stale = tuple(
        path
        for path in (sorted(out.glob("Pulumi.wave-*.yaml")) if out.is_dir() else [])
        if path.name not in current and STACK_RE.match(path.name[7:-5])
    )
    return StackConfigSync(
        out, tuple(p for p, _ in outputs), tuple(unchanged), stale, tuple(outputs)
    )


def sync_stack_configs(
    plan: Plan, plan_path: str | Path, out_dir: str | Path = "stacks/config"
) -> StackConfigSync:
    """Render (see :func:`render_stack_configs`) and write the changed stack configs."""
    sync = render_stack_configs(plan, plan_path, out_dir)
    if sync.outputs:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    for path, text in sync.outputs:
        write_atomic(path, text)
    return sync


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read stack config: {exc}") from None


def _is_secure(value: Any) -> bool:
    """A ``{secure: ...}`` value set with ``pulumi config set --secret``: never overwritten."""
    return isinstance(value, dict) and set(value) == {"secure"}


def write_stack_configs(
    plan: Plan, plan_path: str | Path, out_dir: str | Path = "stacks/config"
) -> list[Path]:
    """Write or update every stack's config (see :func:`sync_stack_configs`); return paths."""
    return sync_stack_configs(plan, plan_path, out_dir).paths


def _existing(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(_read_text(path)) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise InputFileError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: expected a mapping with a 'config' key")
    return data


def load_stack_config(
    path: str | Path, project: str = NAMESPACE
) -> tuple[dict[str, str], list[str]]:
    """Read a ``Pulumi.<stack>.yaml`` as the CLI would hand it over: (config, secret keys).

    Keys without a namespace get ``<project>:``; ``{secure: ...}`` values cannot be
    decrypted without the CLI: they are returned as the placeholder ``"<secret>"`` and
    listed among the secret keys.
    """
    data = _existing(Path(path))
    if not data:
        raise InputFileError(f"{path}: no such stack config")
    raw = data.get("config") or {}
    config: dict[str, str] = {}
    secrets: list[str] = []
    for key, value in raw.items():
        full = key if ":" in key else f"{project}:{key}"
        if _is_secure(value):
            config[full] = "<secret>"
            secrets.append(full)
        else:
            config[full] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return config, sorted(secrets)


def _get(config: Any, key: str) -> Any:
    """A fully qualified key from a mapping or from the live Pulumi config."""
    if isinstance(config, Mapping):
        return config.get(key)
    namespace, short = key.split(":", 1)
    import pulumi

    return pulumi.Config(namespace).get(short)


def _is_kind(value: str | None) -> TypeGuard[Literal["foundation", "wave"]]:
    return value in ("foundation", "wave")


def _is_provider(value: str | None) -> TypeGuard[Literal["azure", "aws"]]:
    return value in ("azure", "aws")


def read_settings(config: Any, stack: str | None = None) -> StackSettings:
    """Validate the stack config and return its settings, naming every offending key.

    ``config`` is a mapping of fully qualified keys (``utflytt:region``) to values (strings
    as the CLI passes them, or typed values), or ``pulumi.runtime`` when run by Pulumi
    (anything else that is not a Mapping reads the live config).
    """
    problems: list[tuple[str, str]] = []

    def text(key: str, required: bool = True) -> str | None:
        value = _get(config, key)
        if value is None or value == "":
            if required:
                problems.append((key, "required"))
            return None
        if not isinstance(value, str):
            value = json.dumps(value) if not isinstance(value, int | float) else str(value)
        return str(value)

    kind = text("utflytt:kind")
    if kind is not None and kind not in ("foundation", "wave"):
        problems.append(("utflytt:kind", f"expected foundation or wave, got {kind!r}"))
    provider = text("utflytt:provider")
    if provider is not None and provider not in ("azure", "aws"):
        problems.append(("utflytt:provider", f"expected azure or aws, got {provider!r}"))
    region = text("utflytt:region")
    if region is not None and provider in EU_REGIONS and region not in EU_REGIONS[provider]:
        problems.append(
            ("utflytt:region", f"expected a region in the EU for {provider}, got {region!r}")
        )
    if provider in PROVIDER_REGION_KEY and region is not None:
        provider_key = PROVIDER_REGION_KEY[provider]
        provider_region = text(provider_key, required=False)
        if provider_region is not None and provider_region != region:
            problems.append(
                (
                    provider_key,
                    f"expected the same region as utflytt:region ({region}), "
                    f"got {provider_region!r}",
                )
            )
    plan_path = text("utflytt:planPath")
    wave_text = text("utflytt:wave", required=False)
    wave: int | None = None
    if kind == "wave":
        if wave_text is None:
            problems.append(("utflytt:wave", "required for a wave stack"))
        else:
            try:
                wave = int(wave_text)
                if wave < 0:
                    raise ValueError
            except ValueError:
                problems.append(("utflytt:wave", f"expected a wave number >= 0, got {wave_text!r}"))
    elif kind == "foundation" and wave_text is not None:
        problems.append(("utflytt:wave", "not allowed in the foundation stack"))
    foundation_stack = text("utflytt:foundationStack", required=False) or "foundation"
    tags_value = _get(config, "utflytt:tags")
    tags: dict[str, str] = {}
    if tags_value is not None:
        if isinstance(tags_value, str):
            try:
                tags_value = json.loads(tags_value)
            except json.JSONDecodeError:
                tags_value = None
        if not isinstance(tags_value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in tags_value.items()
        ):
            problems.append(("utflytt:tags", "expected a mapping of text to text"))
        else:
            tags = dict(tags_value)
    name = stack or (
        ("foundation" if kind == "foundation" else f"wave-{wave:02d}")
        if kind and (kind == "foundation" or wave is not None)
        else "?"
    )
    if problems:
        raise StackConfigError(name, problems)
    assert (
        _is_kind(kind) and _is_provider(provider) and region is not None and plan_path is not None
    )
    return StackSettings(
        stack=name,
        kind=kind,
        provider=provider,
        region=region,
        plan_path=plan_path,
        wave=wave,
        foundation_stack=foundation_stack,
        tags=tags,
    )
