"""The command line: one thin function per command. The library does the work; KgErrors become
``Error: …`` with exit code 1 here, in one place; bad usage exits 2 (click)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from . import __version__
from .errors import KgError, ValidationFailed
from .explore import VIA
from .export import EXPORT_FORMATS
from .extract import EXTRACTORS, NOT_A_FORMAT
from .fetch import DEFAULT_MAX_PAPERS, DEFAULT_PER_PAPER, DEFAULT_SOURCES, SERVICES
from .html import COLORS, LAYOUTS, SIZES
from .iris import DEFAULT_BASE
from .netexport import NETWORK_FORMATS
from .projections import PROJECTIONS, WEIGHTED
from .query import FORMATS
from .reflist import FORMATS as REFLIST_FORMATS
from .text import counted

if TYPE_CHECKING:
    from .explore import Step

# Each command imports what does its work when it runs: `kg --help` loads none of it.

SHOWN = 10  # failed requests kg fetch prints; report.json has them all


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


@cli.command(short_help="Build the graph from exports, pages and fetched files.")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (graph.ttl, graph.trig, graph.html, store/, report.json).",
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
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1, nothing written) when any file or record would be skipped.",
)
@click.option(
    "-j",
    "--workers",
    type=click.IntRange(1),
    help="Processes reading the files (default: one per core; the outputs are the same for "
    "any number).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read every file again (ignore OUTPUT/.cache/, which keeps what each file gave).",
)
@click.option(
    "-x",
    "--exclude",
    "exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out the files under a folder whose name or path under it matches GLOB "
    "(repeatable): --exclude 'README*' --exclude 'notes/*'.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def build(
    inputs: tuple[Path, ...],
    output: Path,
    base_iri: str,
    format_: str | None,
    strict: bool,
    workers: int | None,
    no_cache: bool,
    exclude: tuple[str, ...],
    quiet: bool,
) -> None:
    """Build the graph from INPUTS (files and folders; default: seeds/).

    Writes OUTPUT/graph.ttl (the merged graph, Turtle), OUTPUT/graph.trig (the merged graph
    and each source's facts in a named graph), OUTPUT/graph.html (an offline map),
    OUTPUT/store/ and OUTPUT/report.json (what was read and skipped), all replaced together.
    Files may be gzipped. Exit code 3 when some files or records were skipped (each is named
    with its path and line on stderr and in report.json); identifier conflicts between
    sources are printed as warnings. A rebuild reads only the files that changed, and does
    nothing when nothing did. A progress bar is drawn on stderr when it is a terminal.
    Leave out files that are not inputs (a README, notes) with --exclude GLOB.

    Example: kg build seeds/ my-exports/ -o output --exclude 'README*'
    """
    _build_and_tell(
        inputs, output, quiet, base_iri, format_, strict, workers, not no_cache, exclude
    )


def _build_and_tell(
    inputs: Iterable[Path],
    output: Path,
    quiet: bool,
    base_iri: str = DEFAULT_BASE,
    forced: str | None = None,
    strict: bool = False,
    workers: int | None = None,
    cache: bool = True,
    exclude: tuple[str, ...] = (),
) -> None:
    """Run a build and print what it did (``kg build``, ``kg fetch --build``)."""
    from .console import ProgressBar
    from .pipeline import EXIT_SKIPPED
    from .pipeline import build as build_graph

    stream = sys.stderr
    bar = ProgressBar(stream) if not quiet and stream.isatty() else None
    try:
        report = build_graph(
            inputs,
            output,
            base_iri=base_iri,
            forced=forced,
            strict=strict,
            workers=workers,
            cache=cache,
            progress=bar,
            exclude=exclude,
        )
    finally:
        if bar:
            bar.close()
    for problem in report.problems:
        click.echo(problem.describe(), err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if any(p.message.startswith(NOT_A_FORMAT) for p in report.problems) and not quiet:
        click.echo("(files that are not inputs can be left out with --exclude GLOB)", err=True)
    for line in [] if quiet else report.summary():
        click.echo(line)
    if report.problems:
        raise click.exceptions.Exit(EXIT_SKIPPED)


@cli.command(short_help="Fetch papers and their neighbours from the open scholarly web.")
@click.argument("ids", nargs=-1)
@click.option(
    "-i",
    "--input",
    "id_file",
    type=click.File("r"),
    help="Read identifiers from FILE (one a line, # comments; - for standard input).",
)
@click.option("--pubmed-query", help="Start from the papers a PubMed search finds.")
@click.option(
    "--missing",
    is_flag=True,
    help="Look up every paper of the build in -g that lacks a title or a year.",
)
@click.option(
    "-g",
    "--graph",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The build folder whose gaps --missing fills.",
)
@click.option("--refs", is_flag=True, help="Follow each paper's references.")
@click.option("--cited-by", is_flag=True, help="Follow the papers that cite each paper.")
@click.option("--similar", is_flag=True, help="Follow each paper's similar papers (PubMed).")
@click.option(
    "--depth",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Levels of neighbours to follow (0: the given papers only).",
)
@click.option(
    "--max-papers",
    type=click.IntRange(1),
    default=DEFAULT_MAX_PAPERS,
    show_default=True,
    help="Papers to know at most, given ones included.",
)
@click.option(
    "--per-paper",
    type=click.IntRange(1),
    default=DEFAULT_PER_PAPER,
    show_default=True,
    help="Neighbours to keep per paper and relation.",
)
@click.option(
    "--sources",
    default=",".join(DEFAULT_SOURCES),
    show_default=True,
    help="Services to ask, by comma: " + ", ".join(SERVICES) + ".",
)
@click.option(
    "-o",
    "--output",
    default="fetched",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the answers are saved in.",
)
@click.option("--refresh", is_flag=True, help="Ask again what the folder and cache hold.")
@click.option("--build", "then_build", is_flag=True, help="Build the graph afterwards.")
@click.option(
    "-O",
    "--build-output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where --build writes (default: output, or -g's folder with --missing).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def fetch(
    ids: tuple[str, ...],
    id_file: Any,
    pubmed_query: str | None,
    missing: bool,
    graph: Path,
    refs: bool,
    cited_by: bool,
    similar: bool,
    depth: int,
    max_papers: int,
    per_paper: int,
    sources: str,
    output: Path,
    refresh: bool,
    then_build: bool,
    build_output: Path | None,
    quiet: bool,
) -> None:
    """Fetch papers and their neighbours from the open scholarly web into OUTPUT.

    IDS are DOIs, PMIDs, PMCIDs or OpenAlex work ids, mixed. Each answer is saved as a
    file kg build reads; a rerun asks only for what the folder lacks. Keys come from the
    environment (NCBI_API_KEY, OPENALEX_API_KEY, S2_API_KEY) with KG_MAILTO, and appear in
    no file or message. Exit code 3 when a request failed or an answer could not be read
    (each is in OUTPUT/report.json); 1 when no service could be reached.

    Example: kg fetch 25879639 --refs --cited-by --similar --build
    """
    from .fetch import FetchOptions, build_inputs, read_ids
    from .fetch import fetch as fetch_papers
    from .fetch.console import FetchBar
    from .pipeline import EXIT_SKIPPED

    given = list(ids)
    if id_file is not None:
        given += read_ids(id_file)
    if not (given or pubmed_query or missing):
        raise click.UsageError("give IDs, -i FILE, --pubmed-query or --missing")
    relations = {
        name for name, on in (("refs", refs), ("cited-by", cited_by), ("similar", similar)) if on
    }
    chosen = tuple(s.strip() for s in sources.split(",") if s.strip())
    bad = [s for s in chosen if s not in SERVICES]
    if bad or not chosen:
        raise click.BadParameter(
            f"unknown source {bad[0] if bad else sources!r} (known: {', '.join(SERVICES)})",
            param_hint="--sources",
        )
    options = FetchOptions(
        ids=tuple(given),
        pubmed_query=pubmed_query,
        missing=graph if missing else None,
        relations=frozenset(relations),
        depth=depth,
        max_papers=max_papers,
        per_paper=per_paper,
        sources=chosen,
        output=output,
        refresh=refresh,
    )
    stream = sys.stderr
    bar = FetchBar(stream) if not quiet and stream.isatty() else None
    try:
        report = fetch_papers(options, progress=bar)
    finally:
        if bar:
            bar.close()
    for text in report.bad_ids:
        click.echo(f"skipped {text!r}: not a DOI, PMID, PMCID or OpenAlex id", err=True)
    for failure in report.failed[:SHOWN]:
        click.echo(f"failed {failure['source']}: {failure['error']}: {failure['url']}", err=True)
    if len(report.failed) > SHOWN:
        more = len(report.failed) - SHOWN
        click.echo(f"… and {more} more failed requests: see {output / 'report.json'}", err=True)
    for bad_body in report.unreadable:
        click.echo(f"unreadable answer from {bad_body['url']}: {bad_body['error']}", err=True)
    if not quiet:
        click.echo(report.summary())
        click.echo(f"wrote {(output / 'report.json').as_posix()}")
    if then_build:
        if missing:
            inputs = [*build_inputs(graph), output]
            target = build_output or graph
        else:
            inputs, target = [output], build_output or Path("output")
        _build_and_tell(inputs, target, quiet)
    if not report.complete:
        raise click.exceptions.Exit(EXIT_SKIPPED)


def graph_option(function: Any) -> Any:
    """``-g/--graph PATH``: a build folder (default ``output``) or one RDF file."""
    return click.option(
        "-g",
        "--graph",
        "graph",
        default="output",
        show_default=True,
        type=click.Path(path_type=Path),
        help="A build folder or an RDF file (.ttl, .trig, .nq, .nt, .jsonld).",
    )(function)


def projection_option(default: str) -> Any:
    """``--projection KIND``: which network of the graph (see kg.network.PROJECTIONS)."""
    return click.option(
        "--projection",
        type=click.Choice(list(PROJECTIONS)),
        default=default,
        show_default=True,
        help="Which network: " + "; ".join(f"{k}: {v[1]}" for k, v in PROJECTIONS.items()),
    )


def min_weight_option(f: Any) -> Any:
    """``--min-weight N``: leave out the links lighter than N in a weighted projection."""
    return click.option(
        "--min-weight",
        default=1,
        show_default=True,
        type=click.IntRange(1),
        help=f"Keep only links of this weight or more ({', '.join(WEIGHTED)}); every node stays.",
    )(f)


def _check_min_weight(min_weight: int, projection: str, network_wanted: bool = True) -> None:
    if min_weight > 1 and not (network_wanted and projection in WEIGHTED):
        what = "the network formats of " if not network_wanted else ""
        raise click.UsageError(
            f"--min-weight is for {what}the weighted projections ({', '.join(WEIGHTED)})"
        )


@cli.command(short_help="Run a SPARQL query, or a named one, on a built graph.")
@graph_option
@click.argument("text", required=False)
@click.option(
    "--file",
    "file_",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a .rq file.",
)
@click.option("-n", "--name", help="Run a named query (see --list).")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME to VALUE (repeatable); <…> is an IRI.",
)
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How to print SELECT/ASK results; CONSTRUCT/DESCRIBE print Turtle.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.001), help="Give up after this many seconds."
)
@click.option("--list", "list_", is_flag=True, help="List the named queries and exit.")
def query(
    graph: Path,
    text: str | None,
    file_: Any,
    name: str | None,
    params: tuple[str, ...],
    format_: str,
    timeout: float | None,
    list_: bool,
) -> None:
    """Run a SPARQL query on a built graph: QUERY text, --file F.rq, --name NAME, or - (stdin).

    The kg prefixes (c4o, cito, dcterms, deo, fabio, foaf, kgo, prism, prov, rdf, rdfs, xsd)
    are predeclared. Parameters are bound as RDF terms, never pasted into the query; year,
    from and to are years. SERVICE, LOAD and updates are refused.

    Example: kg query -g output --name cited-by -p doi=10.1186/s12939-015-0156-0
    """
    from .query import ParameterError, named, parse_params, render, run_named
    from .query import run as run_query
    from .store import open_graph

    if list_:
        for named_query in named().values():
            takes = " | ".join(named_query.parameters) or "-"
            click.echo(f"{named_query.name:<18} {named_query.summary}  [{takes}]")
        return
    given = [x for x in (text, file_, name) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, --file, --name or - (stdin)")
    bound = parse_params(params)
    store = open_graph(graph)
    try:
        if name:
            result = run_named(store, name, bound, timeout)
        else:
            source = file_.read() if file_ else sys.stdin.read() if text == "-" else text
            result = run_query(store, source or "", bound, timeout)
    except ParameterError as error:  # a value the parameter does not take: a usage error
        raise click.BadParameter(str(error), param_hint="'-p' / '--param'") from None
    click.echo(render(result, format_), nl=False)


@cli.command(short_help="Write a built graph as RDF, a network, or a BibTeX/RIS reading list.")
@graph_option
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice([*sorted(EXPORT_FORMATS), *NETWORK_FORMATS, *REFLIST_FORMATS]),
    required=True,
    help="RDF: turtle, ntriples (the merged graph); trig, nquads, jsonld (also each source's "
    "graph). A network (see --projection): graphml (Gephi, Cytoscape, yEd), gexf (Gephi, sized "
    "and coloured), cytoscape (Cytoscape.js JSON), vosviewer (VOSviewer JSON), csv (two "
    "tables: NAME.nodes.csv and NAME.edges.csv). The papers: bibtex, ris (see --name).",
)
@projection_option("citation")
@min_weight_option
@click.option("-n", "--name", metavar="QUERY", help="bibtex, ris: the papers a named query gives.")
@click.option("-p", "--param", multiple=True, metavar="NAME=VALUE", help="A parameter of --name.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (replaced atomically); for csv, NAME.nodes.csv and NAME.edges.csv.",
)
def export(
    graph: Path,
    format_: str,
    projection: str,
    min_weight: int,
    name: str | None,
    param: tuple[str, ...],
    output: Path,
) -> None:
    """Write a built graph as RDF, a network (with PageRank, communities…) or a reading list.

    Example: kg export -g output --format gexf --projection cocitation -o cocitation.gexf

    Example: kg export --format ris --name cited-by -p doi=10.1186/s12939-015-0156-0 -o cited.ris
    """
    from .export import export as export_graph
    from .metrics import annotate
    from .netexport import export_network
    from .projections import network
    from .query import ParameterError, parse_params
    from .reflist import export_references
    from .store import open_graph

    _check_min_weight(min_weight, projection, format_ in NETWORK_FORMATS)
    if (name or param) and (format_ not in REFLIST_FORMATS or not name):
        raise click.UsageError("--name QUERY [-p NAME=VALUE …] is for the bibtex and ris formats")
    store = open_graph(graph)
    if format_ in REFLIST_FORMATS:
        try:
            count = export_references(store, format_, output, name, parse_params(param))
        except ParameterError as error:  # a value the parameter does not take: a usage error
            raise click.BadParameter(str(error), param_hint="'-p' / '--param'") from None
        click.echo(f"wrote {output.as_posix()} ({counted(count, 'paper')})")
        return
    if format_ in NETWORK_FORMATS:
        net = annotate(network(store, projection, min_weight=min_weight))
        for path in export_network(net, format_, output):
            click.echo(f"wrote {path.as_posix()}")
        return
    export_graph(store, format_, output)
    click.echo(f"wrote {output.as_posix()}")


@cli.command(short_help="Serve a built graph read-only as a SPARQL endpoint.")
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=7878,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option("--allow-remote", is_flag=True, help="Allow an address other than loopback.")
def serve(graph: Path, host: str, port: int, allow_remote: bool) -> None:
    """Serve a built graph read-only over the SPARQL protocol (Oxigraph), until Ctrl-C.

    The kg prefixes are predeclared, as in kg query; a syntax error is an HTTP 400 that gives
    the line and column of the query as sent.

    Example: kg serve -g output --port 7878   (then GET http://127.0.0.1:7878/query?query=…)
    """
    from .serve import check_bind
    from .serve import serve as serve_graph

    warning = check_bind(host, allow_remote, port=port)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    serve_graph(
        graph,
        host=host,
        port=port,
        on_ready=lambda url: click.echo(
            f"serving {graph.as_posix()} read-only at {url} (Ctrl-C stops)", err=True
        ),
    )


@cli.command(short_help="Upload a built graph to a triple store (Graph Store Protocol).")
@graph_option
@click.option("--endpoint", required=True, help="Graph Store Protocol URL (…/store, …/data).")
@click.option(
    "--graph-iri", help="Put the merged graph into this named graph (default: the default graph)."
)
@click.option(
    "--per-source", is_flag=True, help="Also put each source's facts into its own named graph."
)
def push(graph: Path, endpoint: str, graph_iri: str | None, per_source: bool) -> None:
    """Upload a built graph to a triple store with the SPARQL Graph Store Protocol (PUT).

    Credentials come only from KG_ENDPOINT_TOKEN, or KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD.

    Example: kg push -g output --endpoint http://localhost:3030/kg/data
    """
    from .push import push as push_graph

    report = push_graph(graph, endpoint, graph_iri=graph_iri, per_source=per_source)
    for name, count in report.graphs:
        click.echo(f"put {counted(count, 'triple')} into {name}")


def via_option(function: Any) -> Any:
    return click.option(
        "--via",
        type=click.Choice(list(VIA)),
        default="any",
        show_default=True,
        help="Follow citations, similar-article links, or any relation between papers.",
    )(function)


@cli.command(short_help="Summarise a built graph: counts, top papers and authors.")
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1), help="List size.")
def stats(graph: Path, as_json: bool, top: int) -> None:
    """Summarise a built graph: counts by kind, the top papers, authors and journals, the
    communities with their top titles, and the data gaps.

    Example: kg stats -g output --json
    """
    from .metrics import render_stats
    from .metrics import stats as graph_stats
    from .store import open_graph

    summary = graph_stats(open_graph(graph), limit=top)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(render_stats(summary), nl=False)


def _print_steps(steps: Iterable[Step]) -> None:
    for step in steps:
        a = step.attrs
        where = f"{a.get('year', '')} {a.get('journal', '')}".strip()
        arrow = f"{step.arrow()} " if step.relation else ""
        indent = "  " * min(step.distance, 1)
        click.echo(f"{indent}{arrow}{step.node}  {a['title']}" + (f"  ({where})" if where else ""))


@cli.command(short_help="Print the shortest chain of relations between two papers.")
@graph_option
@click.argument("source")
@click.argument("target")
@via_option
def path(graph: Path, source: str, target: str, via: str) -> None:
    """Print the shortest chain of relations between two papers, given by DOI, PMID or PMCID
    (relations are followed in either direction; each step shows which way it goes).

    Example: kg path -g output 10.1186/s12939-015-0156-0 26488904
    """
    from .explore import shortest_path
    from .projections import network
    from .store import open_graph

    steps = shortest_path(network(open_graph(graph), "full"), source, target, via)
    click.echo(f"{counted(len(steps) - 1, 'step')} via {via}:")
    _print_steps(steps)


@cli.command(short_help="Print the papers within N relations of a paper.")
@graph_option
@click.argument("paper")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0), help="Steps.")
@via_option
def neighbors(graph: Path, paper: str, depth: int, via: str) -> None:
    """Print the papers within --depth relations of PAPER (a DOI, PMID or PMCID).

    Example: kg neighbors -g output 10.1186/s12939-015-0156-0 --depth 2
    """
    from .explore import neighbors as explore_neighbors
    from .projections import network
    from .store import open_graph

    steps = list(explore_neighbors(network(open_graph(graph), "full"), paper, depth, via))
    click.echo(f"{counted(len(steps) - 1, 'paper')} within {counted(depth, 'step')} via {via}:")
    _print_steps(steps)


@cli.command(short_help="Write the interactive map of a built graph, one HTML file.")
@graph_option
@projection_option("full")
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="force",
    show_default=True,
    help="force: a force-directed map; timeline: x is the year.",
)
@click.option(
    "--color",
    type=click.Choice(COLORS),
    default="kind",
    show_default=True,
    help="Colour nodes by kind, community or year.",
)
@click.option(
    "--size",
    type=click.Choice(SIZES),
    default="cited",
    show_default=True,
    help="Size nodes by citations in the graph or by PageRank.",
)
@click.option(
    "--max-nodes",
    default=2000,
    show_default=True,
    type=click.IntRange(1),
    help="Above this, show the top papers by PageRank and say what was left out.",
)
@click.option("--around", metavar="ID", help="Map the papers around this DOI, PMID or PMCID.")
@click.option(
    "--depth", type=click.IntRange(1, 3), help="With --around: steps from the paper (default 1)."
)
@min_weight_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (replaced atomically).",
)
def html(
    graph: Path,
    projection: str,
    layout: str,
    color: str,
    size: str,
    max_nodes: int,
    around: str | None,
    depth: int | None,
    min_weight: int,
    output: Path,
) -> None:
    """Write an interactive map of a built graph: one HTML file that works offline. With
    --around, the papers within --depth steps of one paper (citations either way, similarity,
    co-citation, coupling) and their prior and derivative works.

    Example: kg html -g output --projection citation --layout timeline -o timeline.html

    Example: kg html -g output --around 10.1186/s12939-015-0156-0 --depth 2 -o around.html
    """
    from .mapview import Map
    from .store import open_graph

    if depth is not None and around is None:
        raise click.UsageError("--depth is for --around")
    if around is not None:  # a citation map
        given = click.get_current_context().get_parameter_source("projection")
        if given is not click.core.ParameterSource.DEFAULT and projection != "citation":
            raise click.UsageError("--around draws the citation map: leave --projection out")
        projection = "citation"
    _check_min_weight(min_weight, projection)
    Map(
        open_graph(graph),
        projection=projection,
        layout=layout,
        color=color,
        size=size,
        max_nodes=max_nodes,
        min_weight=min_weight,
        around=around,
        depth=depth or 1,
    ).save(output)
    click.echo(f"wrote {output.as_posix()}")


@cli.command(short_help="Check a built graph against kg's SHACL shapes.")
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
def validate(graph: Path, as_json: bool) -> None:
    """Check a built graph (its merged graph) against kg's SHACL shapes (ontology/shapes.ttl).

    Prints each violation as its focus node, path, message and value, then a summary. Exit 1
    when the graph does not conform.

    Example: kg validate -g output
    """
    from .validate import validate as validate_graph

    report = validate_graph(graph)
    if as_json:
        click.echo(report.as_json())
    elif report.conforms:
        click.echo(report.summary())
    if not report.conforms:
        lines = () if as_json else tuple(v.describe() for v in report.violations)
        raise ValidationFailed(report.summary(), lines)


def main() -> None:
    cli()
