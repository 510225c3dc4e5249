"""Alembic environment: the models module declares every table; a connection can be
handed in (``config.attributes['connection']``) so the app and tests migrate in their
own transaction, or the URL comes from ``-x url=...`` / ``BOXOFFICE_DATABASE_URL``."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from boxoffice.db import sqlalchemy_url
from boxoffice.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "BOXOFFICE_DATABASE_URL", "postgresql://"
    )
    context.configure(url=sqlalchemy_url(url), target_metadata=target_metadata,
                      literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ[
        "BOXOFFICE_DATABASE_URL"
    ]
    engine = create_engine(sqlalchemy_url(url))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
