"""The ``warta`` command: worker, publish, tail, process, kafka, topics, schemas, docs, eval."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.progress import Progress

from streams.cli import click_compat as _click
from streams.cli.docs_cmd import docs_app
from streams.cli.downstream import register as register_downstream
from streams.cli.eval import eval_app
from streams.cli.ingest_cmd import ingest_app
from streams.cli.web_cmd import web as web_cmd
from streams.core.settings import TOPIC_ROLES, Settings, get_settings
from streams.observability.logging import get_logger

__all__ = ["app", "main"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Warta: real-time news stream processor.")
kafka_app = typer.Typer(
    no_args_is_help=True, help="A local single-node Kafka broker (KRaft) for dev and tests."
)
topics_app = typer.Typer(no_args_is_help=True, help="Kafka topics.")
schemas_app = typer.Typer(no_args_is_help=True, help="JSON Schema contracts of the topics.")
app.add_typer(kafka_app, name="kafka")
app.add_typer(topics_app, name="topics")
app.add_typer(schemas_app, name="schemas")
app.add_typer(docs_app, name="docs")
app.add_typer(eval_app, name="eval")
app.add_typer(ingest_app, name="ingest")
app.command("web")(web_cmd)
register_downstream(app)

err = Console(stderr=True)
SCHEMA_DIR = Path("schemas")


@app.callback()
def _startup() -> None:
    """Configure logging from the settings before any command logs its first line."""
    from streams.observability.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


@app.command()
def worker(loglevel: str = typer.Option("warning", help="Faust's own log level")) -> None:
    """Run the Faust worker: consume warta.articles.raw and produce the enriched topics."""
    from streams.app import create_app

    settings = get_settings()
    _seed_offsets(settings)
    faust_app = create_app(settings)
    faust_app.main = None  # type: ignore[assignment]
    from faust.worker import Worker

    from streams.observability.logging import stdlib_logging_config

    Worker(
        faust_app,
        loglevel=loglevel,
        quiet=True,
        logging_config=stdlib_logging_config(loglevel, settings.log_format),
    ).execute_from_commandline()


def _seed_offsets(settings: Settings) -> None:
    """Give never-committed input partitions a committed offset (see ``seed_group_offsets``)."""
    from streams.kafka.admin import seed_group_offsets

    try:
        seeded = seed_group_offsets(settings, settings.app_id, [settings.topics.raw])
    except Exception as exc:  # the broker may not be up yet: Faust waits for it; nothing is lost
        get_logger("warta.worker").warning("offset seeding skipped", error=str(exc))
        return
    if seeded:
        get_logger("warta.worker").info("seeded committed offsets", partitions=len(seeded))


@app.command()
def process(
    paths: list[str] = typer.Argument(
        ..., help=".txt, .html, .jsonl files or directories; - for JSONL on stdin"
    ),
    archive: str | None = typer.Option(
        None, "--archive", help="archive URL: sqlite:///path.db or postgresql://..."
    ),
    rules: Path | None = typer.Option(None, "--rules", help="alert rules YAML"),
    alerts_out: Path | None = typer.Option(None, "--alerts-out", help="write fired alerts as JSONL here"),
) -> None:
    """Run the whole pipeline in-process (no Kafka); one EnrichedArticle JSON line per input."""
    from streams.cli.process_cmd import run_process

    code = run_process(paths, archive=archive, rules=rules, alerts_out=alerts_out)
    raise typer.Exit(code)


@app.command()
def publish(
    paths: list[str] = typer.Argument(..., help=".txt, .html, .jsonl files or directories; - for stdin"),
    topic: str | None = typer.Option(None, help="topic (default: the raw topic)"),
) -> None:
    """Publish articles to warta.articles.raw (key: article id)."""
    from streams.ingest.inputs import iter_inputs
    from streams.kafka.client import publish_items

    settings = get_settings()
    items = list(iter_inputs(paths, max_bytes=settings.max_article_bytes * 4))
    with Progress(console=err, transient=True, disable=len(items) < 50) as progress:
        task = progress.add_task("publishing", total=len(items))
        sent = publish_items(settings, items, topic=topic, on_sent=lambda _i: progress.advance(task))
    err.print(f"published {sent} record(s) to {topic or settings.topics.raw}")


@app.command()
def tail(
    topic: str = typer.Argument(..., help=f"topic name, or a role: {', '.join(TOPIC_ROLES)}"),
    as_json: bool = typer.Option(False, "--json", help="print raw JSON lines"),
    from_beginning: bool = typer.Option(True, "--from-beginning/--latest"),
    limit: int | None = typer.Option(None, min=1, max=10_000_000, help="stop after N records"),
    idle: float | None = typer.Option(None, min=0, max=86_400.0, help="stop after N seconds without records"),
) -> None:
    """Print the records arriving on a topic."""
    from streams.cli.render import render_record
    from streams.kafka.client import consume

    settings = get_settings()
    name = settings.topics.name(topic) if topic in TOPIC_ROLES else topic  # type: ignore[arg-type]
    out = Console()

    try:
        for rec in consume(settings, [name], from_beginning=from_beginning, limit=limit, idle_timeout=idle):
            if as_json:
                sys.stdout.write(rec.raw.decode("utf-8", "replace") + "\n")
                sys.stdout.flush()
            else:
                out.print(render_record(rec.topic, rec.value, rec.offset))
    except KeyboardInterrupt:
        pass


@kafka_app.command("start")
def kafka_start(
    port: int | None = typer.Option(None, min=1, max=65535, help="listener port (default: a free one)"),
) -> None:
    """Fetch Kafka (once) and start a single-node KRaft broker; prints the bootstrap address."""
    from streams.kafka.broker import BrokerError, LocalBroker

    s = get_settings()
    broker = LocalBroker(s.kafka_cache, s.data_dir / "kafka")
    try:
        state = broker.start(port=port)
    except BrokerError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    err.print(f"Kafka is up at {state.bootstrap} (pid {state.pid}); export WARTA_BROKERS={state.bootstrap}")
    print(state.bootstrap)


@kafka_app.command("stop")
def kafka_stop() -> None:
    """Stop the local broker."""
    from streams.kafka.broker import LocalBroker

    s = get_settings()
    stopped = LocalBroker(s.kafka_cache, s.data_dir / "kafka").stop()
    err.print("Kafka stopped" if stopped else "no local Kafka was running")


@kafka_app.command("status")
def kafka_status() -> None:
    """Say whether the local broker runs, and where."""
    from streams.kafka.broker import LocalBroker

    s = get_settings()
    state = LocalBroker(s.kafka_cache, s.data_dir / "kafka").status()
    if state is None:
        err.print("no local Kafka is running")
        raise typer.Exit(1)
    print(state.bootstrap)


@topics_app.command("create")
def topics_create() -> None:
    """Create Warta's topics (configured partitions and replication)."""
    from streams.kafka.admin import create_topics

    created = create_topics(get_settings())
    err.print(f"created: {', '.join(created) if created else 'nothing (all exist)'}")


@schemas_app.command("export")
def schemas_export(directory: Path = typer.Option(SCHEMA_DIR, "--dir")) -> None:
    """Write the JSON Schema of each topic's value into schemas/."""
    from streams.core.schemas import export_schemas

    for p in export_schemas(directory):
        err.print(f"wrote {p}")


@schemas_app.command("check")
def schemas_check(directory: Path = typer.Option(SCHEMA_DIR, "--dir")) -> None:
    """Fail when schemas/ differs from the models (run `warta schemas export` after a change)."""
    from streams.core.schemas import check_schemas

    drift = check_schemas(directory)
    if drift:
        err.print(
            f"[red]schema drift:[/red] {', '.join(drift)}; run `warta schemas export` and bump schema_version"
        )
        raise typer.Exit(1)
    err.print("schemas match the models")


@app.command()
def demo() -> None:
    """Start a local Kafka and a worker, publish the sample articles, print what comes out, stop."""
    from streams.cli.demo import run_demo

    raise typer.Exit(run_demo(get_settings()))


def main() -> None:
    """Run the CLI; a failure outside a command's own handling is a W-code line, not a traceback."""
    from pydantic import ValidationError

    from streams.core.errors import ERROR_CODES, WartaError

    try:
        code = app(standalone_mode=False)
    except _click.UsageError as exc:
        if not exc.format_message():  # ``warta`` alone: the help, as click prints it
            exc.show()
            raise SystemExit(2) from None
        where = exc.ctx.command_path if exc.ctx is not None else "warta"
        _exit_with("W003", exc.format_message(), f"see `{where} --help`")
    except _click.ClickException as exc:
        _exit_with("W003", exc.format_message(), "see `warta --help`")
    except typer.Abort:
        raise SystemExit(130) from None
    except WartaError as exc:
        _exit_with(exc.code, exc.reason, exc.hint)
    except ValidationError as exc:
        errs = exc.errors()
        where = ".".join(str(x) for x in errs[0]["loc"]) if errs else exc.title
        _exit_with(
            "W001",
            f"invalid setting {where}: {errs[0]['msg'] if errs else exc}",
            "settings come from WARTA_* environment variables; see the Settings table in the README",
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # no traceback for users: one line with a code, the hint says how to see it
        import os

        if os.environ.get("WARTA_DEBUG"):
            raise
        _exit_with(
            "W002",
            f"{ERROR_CODES['W002']}: {type(exc).__name__}: {exc}",
            "run again with WARTA_DEBUG=1 for the traceback and report it with the command line",
        )
    raise SystemExit(code if isinstance(code, int) else 0)


def _exit_with(code: str, reason: str, hint: str | None) -> None:
    err.print(f"[red]error {code}:[/red] {reason}", soft_wrap=True, markup=True, highlight=False)
    if hint:
        err.print(f"[dim]hint: {hint}[/dim]", soft_wrap=True)
    raise SystemExit(2)


def _dump(obj: object) -> str:
    return orjson.dumps(obj).decode()


if __name__ == "__main__":
    main()
