"""SQL of the generated admin routes, built once per resource from its spec (identifiers quoted by psycopg).

Tenant scoping lives here: ``scope`` joins a table up its parent chain to the column naming its
organization, and every query filters on it, so no route can read or change a row of another organization.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from api.admin.resources import RESOURCES, Resource

__all__ = ["QUERIES", "Queries"]


def _scope(resource: Resource) -> tuple[sql.Composable, sql.Composable]:
    """(FROM clause with joins up to the organization, the organization column expression)."""
    joins: list[sql.Composable] = [sql.SQL("{} AS t0").format(sql.Identifier(resource.table))]
    current, alias = resource, "t0"
    n = 0
    while current.org_column is None:
        assert current.parent is not None, f"{current.name} has neither org_column nor parent"
        column, parent_name = current.parent
        parent = RESOURCES[parent_name]
        n += 1
        joins.append(
            sql.SQL("JOIN {} AS {} ON {}.id = {}.{}").format(
                sql.Identifier(parent.table),
                sql.Identifier(f"t{n}"),
                sql.Identifier(f"t{n}"),
                sql.Identifier(alias),
                sql.Identifier(column),
            )
        )
        current, alias = parent, f"t{n}"
    return sql.SQL(" ").join(joins), sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(current.org_column))


class Queries:
    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        table = sql.Identifier(resource.table)
        source, org = _scope(resource)
        self.org_of = sql.SQL("SELECT {} AS org_id FROM {} WHERE t0.id = %s").format(org, source)
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
