"""SQL of the generated admin routes, built once per resource from its spec (identifiers quoted by psycopg).

Every query filters on the row's organization, found up its parent chain (:func:`api.tenancy.scope`), so no
route can read or change a row of another organization.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from api.admin.resources import RESOURCES, Resource
from api.tenancy import scope

__all__ = ["QUERIES", "Queries"]


class Queries:
    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        table = sql.Identifier(resource.table)
        source, org = scope(resource.table)
        self.get = sql.SQL("SELECT t0.* FROM {} WHERE t0.id = %s AND {} = %s").format(source, org)
        self._list_head = sql.SQL("SELECT t0.* FROM {} WHERE {} = %s").format(source, org)
        self._count_head = sql.SQL("SELECT count(*) AS n FROM {} WHERE {} = %s").format(source, org)
        self.delete = sql.SQL("DELETE FROM {} WHERE id = %s").format(table)
        self.table = table

    def listing(
        self, filters: dict[str, Any], *, limit: int, offset: int
    ) -> tuple[sql.Composed, sql.Composed, list[Any]]:
        where = sql.SQL("").join(sql.SQL(" AND t0.{} = %s").format(sql.Identifier(k)) for k in filters)
        rows = sql.SQL("{}{} ORDER BY t0.id LIMIT {} OFFSET {}").format(
            self._list_head, where, sql.Literal(limit), sql.Literal(offset)
        )
        return rows, sql.SQL("{}{}").format(self._count_head, where), list(filters.values())

    def insert(self, values: dict[str, Any]) -> tuple[sql.Composed, list[Any]]:
        columns = list(values)
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            self.table,
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(columns)),
        )
        return query, [self._param(c, values[c]) for c in columns]

    def update(self, item_id: int, values: dict[str, Any]) -> tuple[sql.Composed, list[Any]]:
        sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values)
        query = sql.SQL("UPDATE {} SET {} WHERE id = %s RETURNING *").format(self.table, sets)
        return query, [*(self._param(c, v) for c, v in values.items()), item_id]

    def _param(self, column: str, value: Any) -> Any:
        if column != "org_id" and self.resource.field(column).json and value is not None:
            return Jsonb(value)
        return value


QUERIES = {name: Queries(resource) for name, resource in RESOURCES.items()}
