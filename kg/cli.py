"""The command line: one thin function per command. The library does the work; KgErrors become
``Error: …`` with exit code 1 here, in one place; bad usage exits 2 (click)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from . import __version__
from .errors import KgError
from .extract import EXTRACTORS
from .iris import DEFAULT_BASE
from .pipeline import build as build_graph

EXIT_SKIPPED = 3


class KgGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as error:
            for line in error.details:
                click.echo(line, err=True)
            raise click.ClickException(str(error)) from None


def _base_iri(ctx: click.Context, param: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or value[-1] not in "/#":
        raise click.BadParameter("must be an http(s) IRI ending in '/' or '#'")
    if any(c in value for c in ' <>"{}|\\^`'):
        raise click.BadParameter("holds characters not allowed in an IRI")
    return value


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """kg builds a knowledge graph of the scholarly literature.

    Example: kg build seeds/ -o output
    """


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write graph.ttl, graph.trig and graph.html into.",
)
@click.option(
    "--base-iri",
    default=DEFAULT_BASE,
    show_default=True,
    callback=_base_iri,
    help="Base of the IRIs kg mints (people, journals, statements, unidentified papers).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(sorted(EXTRACTORS)),
    help="Read every file as this format instead of detecting it.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def build(
    inputs: tuple[Path, ...], output: Path, base_iri: str, format_: str | None, quiet: bool
) -> None:
    """Build the graph from INPUTS (files and folders; default: seeds/).

    Writes OUTPUT/graph.ttl (the merged graph, Turtle), OUTPUT/graph.trig (the merged graph
    and each source's facts in a named graph) and OUTPUT/graph.html (an offline map). Files may
    be gzipped. Exit code 3 when some files or records were skipped (each is named on stderr);
    identifier conflicts between sources are printed as warnings.

    Example: kg build seeds/ my-exports/ -o output
    """
    report = build_graph(inputs, output, base_iri=base_iri, forced=format_)
    for problem in report.problems:
        click.echo(problem.describe(), err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        read = sum(1 for f in report.files if f.format)
        c = report.counts
        click.echo(
            f"{c['papers']} papers, {c['people']} people, {c['journals']} journals, "
            f"{c['relations']} relations, {c['statements']} citation statements "
            f"({c['triples']} triples) from {read} of {len(report.files)} files; "
            f"{len(report.problems)} problems"
        )
        for path in report.outputs:
            click.echo(f"wrote {path.as_posix()}")
    if report.problems:
        raise click.exceptions.Exit(EXIT_SKIPPED)


def main() -> None:
    cli()
