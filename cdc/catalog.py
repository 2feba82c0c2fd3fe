"""What the reader learns from the catalog: captured tables, their key columns, and user-defined types."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from cdc.errors import CdcConfigError
from cdc.values import TEXT, ColumnType, array_of, builtin_type

__all__ = ["Catalog"]

Conn = psycopg.Connection[tuple[object, ...]]


class Catalog:
    """Catalog look-ups on an ordinary connection (never on the replication one)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._types: dict[int, ColumnType] = {}

    def column_type(self, oid: int) -> ColumnType:
        """The type of ``oid``: built-ins directly; enums as strings; domains as their base; arrays of these."""
        found = builtin_type(oid) or self._types.get(oid)
        if found is not None:
            return found
        row = self.conn.execute(
            "SELECT typname, typtype::text, typcategory::text, typelem, typbasetype FROM pg_type WHERE oid = %s",
            (oid,),
        ).fetchone()
        if row is None:
            resolved = TEXT
        else:
            name, typtype, category, elem, base = str(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4])  # type: ignore[call-overload]
            if typtype == "e":
                resolved = ColumnType(name, {"type": "string", "pgtype": "enum", "pgname": name}, TEXT.convert)
            elif typtype == "d":
                resolved = self.column_type(base)
            elif category == "A" and elem:
                resolved = array_of(self.column_type(elem))
            else:
                resolved = TEXT
        self._types[oid] = resolved
        return resolved

    def tables(self, include: Sequence[str], exclude: Sequence[str]) -> list[str]:
        """Tables of the public schema to capture: ``include`` (all when empty) minus ``exclude``."""
        existing = [
            str(r[0])
            for r in self.conn.execute(
                "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
                "AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname"
            ).fetchall()
        ]
        unknown = [t for t in include if t not in existing]
        if unknown:
            raise CdcConfigError(f"RSTAT__CDC__TABLES names tables that do not exist in public: {unknown}")
        chosen = list(include) if include else existing
        return [t for t in chosen if t not in exclude]

    def columns(self, table: str) -> list[tuple[str, int]]:
        """(name, type oid) of the live columns of ``public.table`` in table order."""
        return [
            (str(r[0]), int(r[1]))  # type: ignore[call-overload]
            for r in self.conn.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                (f"public.{table}",),
            ).fetchall()
        ]

    def primary_key(self, table: str) -> list[str]:
        return [
            str(r[0])
            for r in self.conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)",
                (f"public.{table}",),
            ).fetchall()
        ]

    def publication_columns(self, publication: str) -> dict[str, list[str]]:
        """The columns each table of the publication sends (its column list, or all of them)."""
        rows = self.conn.execute(
            "SELECT tablename, attnames FROM pg_publication_tables WHERE pubname = %s AND schemaname = 'public'",
            (publication,),
        ).fetchall()
        return {str(r[0]): [str(c) for c in r[1]] for r in rows}  # type: ignore[attr-defined]

    def sync_publication(self, publication: str, specs: dict[str, list[str] | None]) -> None:
        """Create the publication or set its tables (with column lists where columns are excluded)."""
        items = []
        for table, columns in sorted(specs.items()):
            ident = sql.SQL("public.{}").format(sql.Identifier(table))
            if columns is None:
                items.append(ident)
            else:
                items.append(sql.SQL("{} ({})").format(ident, sql.SQL(", ").join(map(sql.Identifier, columns))))
        listing = sql.SQL(", ").join(items)
        exists = self.conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (publication,)).fetchone()
        verb = "ALTER PUBLICATION {} SET TABLE {}" if exists else "CREATE PUBLICATION {} FOR TABLE {}"
        self.conn.execute(sql.SQL(verb).format(sql.Identifier(publication), listing))
