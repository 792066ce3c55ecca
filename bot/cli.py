"""`linli` command line: run, replay, classify, train, eval, digest."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("linli")


def main(argv: list[str] | None = None) -> int:
    try:
        return _command(argv)
    except BrokenPipeError:  # `linli replay … | head`: the reader has gone, that is all
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


def _command(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="linli", description="邻里 Linli: a bot for residential WeChat groups")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the bot, the scheduler and the web page")
    run.add_argument("--config", help="config file (default: $LINLI_CONFIG or config.yaml)")
    run.add_argument("-v", "--verbose", action="store_true")

    rep = sub.add_parser("replay", help="feed a JSON Lines transcript through the bot (SPEC §6)")
    rep.add_argument("transcript")
    rep.add_argument("--config")
    rep.add_argument("--state", help="write the final items and votes to this JSON file")
    rep.add_argument("--db", default="sqlite://", help="database URL (default: a fresh in-memory one)")

    sub.add_parser("classify", help="classify JSON Lines {id, text} from stdin (SPEC §7)")

    tr = sub.add_parser("train", help="retrain the classifier from the corpus and staff corrections")
    tr.add_argument("--config", help="config file: its database holds the corrections")
    tr.add_argument("--corpus", action="append", help=f"labelled JSON Lines (default: {DEFAULT_CORPUS})")
    tr.add_argument("--out", help="where to write the model (default: the shipped model file)")
    tr.add_argument("--no-corrections", action="store_true", help="learn from the corpus only")
    tr.add_argument("--calibrate", default=DEFAULT_CALIBRATION,
                    help="labelled messages to calibrate the confidence on, never trained on "
                         "(default: data/corpus/dev.jsonl; '' for none)")

    ev = sub.add_parser("eval", help="score the classifier on a labelled JSON Lines file")
    ev.add_argument("data")
    ev.add_argument("--model", help="model file (default: the shipped one)")
    ev.add_argument("--min-confidence", type=float, default=0.6,
                    help="the bot's gate for opening items, as classifier.min_confidence (default 0.6)")

    dig = sub.add_parser("digest", help="print a room's weekly digest (周报)")
    dig.add_argument("--room", required=True, help="room id from the config, e.g. r-b3")
    dig.add_argument("--week", help="ISO week such as 2026-W47 (default: the last full week)")
    dig.add_argument("--png", help="also write the chart to this PNG file")
    dig.add_argument("--config")
    dig.add_argument("--db", help="database URL (default: the config's database)")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job is noise
    if args.command == "classify":
        return classify_stdin()
    if args.command == "eval":
        return eval_file(args.data, args.model, args.min_confidence)
    if args.command == "train" and args.no_corrections:
        return train_model(args.corpus or [DEFAULT_CORPUS], None, args.out, args.calibrate)
    from bot.config import ConfigError, load_settings  # here: classify/eval start 0.2 s faster without pydantic
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "replay":
        logging.getLogger().setLevel(logging.WARNING)  # stdout is the bot's output only
        return replay_file(args.transcript, settings, args.state, args.db)
    if args.command == "train":
        return train_model(args.corpus or [DEFAULT_CORPUS], settings, args.out, args.calibrate)
    if args.command == "digest":
        return print_digest(settings, args.room, args.week, args.png, args.db)
    return asyncio.run(run_bot(settings))


CORPUS_DIR = Path(__file__).resolve().parent.parent / "data" / "corpus"
DEFAULT_CORPUS = str(CORPUS_DIR / "train.jsonl")
DEFAULT_CALIBRATION = str(CORPUS_DIR / "dev.jsonl")


def train_model(corpora: list[str], settings: Settings | None, out: str | None,
                calibrate: str | None = None) -> int:
    """Corpus + corrections from the bot's database → a new model file (printed: what it learnt)."""
    from handlers.classify.features import make_tokenizer
    from handlers.classify.model import MODEL_PATH
    from handlers.classify.train import CorpusError, Example, check, read_examples, train
    examples: list[Example] = []
    calibration: list[Example] | None = None
    try:
        for path in corpora:
            examples += read_examples(path)
        if calibrate:
            calibration = read_examples(calibrate)
    except FileNotFoundError as exc:
        print(f"{exc.filename}: file not found", file=sys.stderr)
        return 2
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 2
    corrections = 0
    if settings is not None:
        from storage.corrections import all_corrections
        from storage.db import create_schema, make_engine, session_scope
        engine = make_engine(settings.database)
        create_schema(engine)
        with session_scope(engine) as session:
            for row in all_corrections(session):
                ex = Example(row.text, row.kind, row.category, row.urgent, weight=CORRECTION_WEIGHT)
                try:
                    check(ex, f"correction {row.id}")
                except CorpusError as exc:
                    print(f"skipped: {exc}", file=sys.stderr)
                    continue
                examples.append(ex)
                corrections += 1
    if not examples:
        print("nothing to learn from: the corpus is empty", file=sys.stderr)
        return 2
    model = train(examples, make_tokenizer(), calibration=calibration)
    path = Path(out) if out else MODEL_PATH
    model.meta["corrections"] = corrections
    model.save(path)
    print(f"learnt from {len(examples) - corrections} corpus messages and {corrections} corrections; "
          f"{len(model.vocab)} features, temperature {model.temperature:.2f} → {path} "
          f"({path.stat().st_size // 1024} kB)")
    return 0


CORRECTION_WEIGHT = 5.0  # a label staff gave by hand counts more than one corpus line


def eval_file(path: str, model: str | None, min_confidence: float = 0.6) -> int:
    from handlers.classify import load_classifier
    from handlers.classify.evaluate import evaluate, format_report
    from handlers.classify.train import CorpusError, read_examples
    try:
        examples = read_examples(path)
        classifier = load_classifier(model)
    except FileNotFoundError as exc:
        print(f"{exc.filename}: file not found", file=sys.stderr)
        return 2
    except (CorpusError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(format_report(evaluate(classifier.classify, examples, min_confidence)))
    return 0


def replay_file(path: str, settings: Settings, state: str | None, db: str) -> int:
    from bot.replay import TranscriptError, replay
    try:
        with open(path, encoding="utf-8") as lines:
            asyncio.run(replay(lines, settings, sys.stdout, database=db, state_path=state))
    except FileNotFoundError:
        print(f"{path}: file not found", file=sys.stderr)
        return 2
    except TranscriptError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    return 0


def print_digest(settings: Settings, room_id: str, week: str | None, png: str | None,
                 db: str | None) -> int:
    """`linli digest`: the text a room would get, read from the bot's database."""
    from bot.clock import Clock
    from bot.scheduler import weekly
    from handlers.context import Context
    from handlers.digest import compose
    from storage.db import make_engine, session_scope
    from storage.digest import last_full_week, week_of

    room = settings.room(room_id)
    if room is None:
        known = ", ".join(r.id for r in settings.rooms)
        print(f"unknown room {room_id!r} (rooms in the config: {known})", file=sys.stderr)
        return 2
    clock = Clock(settings.timezone)
    try:
        start, end = week_of(week, clock.tz) if week else last_full_week(clock.now())
    except ValueError as exc:
        print(f"--week: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(db or settings.database)
    try:
        with session_scope(engine) as session:
            # as the Monday post said it (or would say it, if that is still to come)
            posted = weekly(settings.schedule.digest, clock.tz).get_next_fire_time(None, end)
            now = min(clock.now(), posted)
            made = compose(Context(settings=settings, session=session, now=now, bot_id=""),
                           room, start, end)
    except Exception as exc:  # e.g. a database the bot has never run on
        print(f"cannot read the database: {exc.__class__.__name__}: {exc}".splitlines()[0],
              file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(made.text)
    if png:
        if made.png is None:
            print(f"no chart: nothing happened in {room_id} in those weeks", file=sys.stderr)
        else:
            with open(png, "wb") as f:
                f.write(made.png)
            print(f"chart written to {png}", file=sys.stderr)
    return 0


def classify_stdin() -> int:
    """SPEC §7. Lines are classified in batches (`classify_many` is faster per message), but a
    batch ends as soon as no more input is waiting, so a caller that writes one line and waits
    for its answer still gets it at once."""
    from handlers.classify import load_classifier
    classifier = load_classifier()
    ids: list = []
    texts: list[str] = []

    def flush() -> None:
        for id_, result in zip(ids, classifier.classify_many(texts)):
            sys.stdout.write(json.dumps({"id": id_, **result.as_json()}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        ids.clear()
        texts.clear()

    for number, raw in enumerate(sys.stdin, start=1):
        if raw.strip():
            try:
                data = json.loads(raw)
                text = data["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                flush()  # the lines before the bad one are still answered
                print(f"stdin line {number}: expected {{\"id\": …, \"text\": \"…\"}}", file=sys.stderr)
                return 2
            ids.append(data.get("id"))
            texts.append(text)
        if len(texts) >= 1000 or not _more_input_waiting(sys.stdin):
            flush()
    flush()
    return 0


def _more_input_waiting(stream) -> bool:
    """Whether reading on would not wait for the writer: always for an in-memory stream, else
    when the file descriptor is readable (data or end of file) right now."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return True  # io.StringIO and the like: everything is already there
    try:
        import select
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return False  # no way to tell: answer each line at once


def build_transport(settings: Settings, clock, env: dict[str, str] | None = None):
    """`transport: local` or `transport: wechaty` (gateway from WECHATY_PUPPET_SERVICE_*)."""
    env = os.environ if env is None else env
    if settings.transport == "wechaty":
        from bot.transport.wechaty import WechatyTransport
        return WechatyTransport(settings, clock,
                                endpoint=env.get("WECHATY_PUPPET_SERVICE_ENDPOINT") or None,
                                token=env.get("WECHATY_PUPPET_SERVICE_TOKEN") or None)
    from bot.transport.local import LocalTransport
    return LocalTransport(settings, clock)


async def run_bot(settings: Settings) -> int:
    from aiohttp import web

    from bot.app import Linli
    from bot.clock import Clock
    from bot.web.server import make_app

    from bot.transport import StartError

    clock = Clock(settings.timezone)
    transport = build_transport(settings, clock)
    bot = Linli(settings, transport, clock)
    try:
        await bot.start()
    except StartError as exc:
        print(f"linli: {exc}", file=sys.stderr)
        await bot.stop()
        return 2
    runner = web.AppRunner(make_app(bot))
    await runner.setup()
    site = web.TCPSite(runner, settings.web.host, settings.web.port)
    try:
        await site.start()
    except OSError as exc:
        print(f"cannot listen on {settings.web.host}:{settings.web.port}: {exc.strerror} "
              f"(is another linli running? change web.port in the config)", file=sys.stderr)
        await runner.cleanup()
        await bot.stop()
        return 2
    print(f"邻里 Linli is running: open http://{settings.web.host}:{settings.web.port}  (Ctrl-C to stop)",
          file=sys.stderr)
    from handlers.topics import warm_up
    warming = asyncio.create_task(asyncio.to_thread(warm_up))  # off the event loop
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping…")
    await warming  # a thread cannot be cancelled: let it finish (at most ~2 s after start)
    await runner.cleanup()
    await bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
