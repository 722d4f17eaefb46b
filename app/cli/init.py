"""``utflytt init DIR``: a Pulumi project beside your catalog, for your stack configs.

Registered on the ``utflytt`` group by app.cli.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.options import quiet_option


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", default=None, help="Pulumi project name (default: DIR's name).")
@quiet_option(help="Print nothing but errors.")
def init(directory: Path, name: str | None, quiet: bool) -> None:
    """Scaffold a Pulumi project in DIR, beside (or for) your catalog.

    Creates Pulumi.yaml (stack configs in DIR/stacks/), __main__.py (utflytt's Pulumi
    program), .gitignore and a README. Files that exist are kept, never overwritten. Then
    `utflytt plan DIR/catalog.yaml` writes the stack configs into DIR/stacks/.

    \b
    Example:
        utflytt init mystad
        cp inventory.yaml mystad/catalog.yaml
        utflytt plan mystad/catalog.yaml -o mystad/build
    """
    from stacks.project import init_project

    scaffold = init_project(directory, name)
    if quiet:
        return
    for path in scaffold.created:
        click.echo(f"created {path}{'/' if path.is_dir() else ''}")
    for path in scaffold.kept:
        click.echo(f"kept {path}{'/' if path.is_dir() else ''} (exists)")
    click.echo(
        f"next: put your catalog in {directory}/catalog.yaml, then "
        f"`utflytt plan {directory}/catalog.yaml -o {directory}/build`"
    )


COMMANDS: list[click.Command] = [init]
