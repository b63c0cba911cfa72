"""Create the database named by DATABASE_URL if it does not exist yet."""

import os
import sys

import dj_database_url
import psycopg
from psycopg import sql

config = dj_database_url.parse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vms"))
try:
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"==> created database {config['NAME']}")
except psycopg.Error as exc:
    sys.exit(f"cannot create database {config['NAME']}: {exc}".strip())
