"""Engine and sessions. SQLite (WAL) by default; the same code runs on PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from storage import models  # noqa: F401  (registers the tables)

# SPEC §5 shows postgresql+asyncpg://; Linli's storage is synchronous, so the
# asyncio driver name is mapped to psycopg (3), which speaks the same server.
_SYNC_DRIVERS = {"postgresql+asyncpg": "postgresql+psycopg", "postgres": "postgresql+psycopg",
                 "postgresql": "postgresql+psycopg", "sqlite+aiosqlite": "sqlite"}


def sync_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return _SYNC_DRIVERS.get(scheme, scheme) + sep + rest


def make_engine(url: str) -> Engine:
    url = sync_url(url)
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool if memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT (each handler runs in one);
        # SQLAlchemy's documented recipe: let SQLAlchemy emit BEGIN itself.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the web page) never block the bot
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def create_schema(engine: Engine) -> None:
    """First start creates the tables. Once the schema must change, Alembic takes over."""
    SQLModel.metadata.create_all(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block succeeds, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
