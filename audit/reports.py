"""The preset reports of ``rstat audit report``: questions analysts ask often, as read-only SQL.

Each preset is a query over the audit table with ``{name:Type}`` placeholders, filled from the command's
options, so it runs through the same read-only path as any analyst's query (and shows what to adapt).
"""

from __future__ import annotations

import msgspec

from audit.table import quote_name

__all__ = ["PRESETS", "Preset", "report"]

_WHO = "if(actor = '', 'by hand in SQL', actor)"
_RECENT = "commit_time >= now() - toIntervalDay({days:UInt32}) AND ({org:Int64} = 0 OR org = {org:Int64})"


class Preset(msgspec.Struct, frozen=True):
    description: str
    sql: str
    #: options the preset cannot run without
    requires: tuple[str, ...] = ()


PRESETS: dict[str, Preset] = {
    "changes-per-day": Preset(
        "changes per table and day (the last --days, one --org or all)",
        "SELECT toDate(commit_time) AS day, `table`, countIf(op = 'c') AS created, "  # noqa: S608 - no input
        "countIf(op = 'u') AS updated, "
        "countIf(op = 'd') AS deleted, count() AS changes FROM {target} WHERE " + _RECENT + " "
        "GROUP BY day, `table` ORDER BY day, `table`",
    ),
    "match-history": Preset(
        "every change of a match (--match), its events and line-ups, in commit order",
        "SELECT commit_time, `table`, key, op, changed, "  # noqa: S608 - a constant; values are parameters
        + _WHO
        + " AS who, source, request_id FROM {target} "
        "WHERE (`table` = 'matches' AND key = concat('{\"id\":', toString({match:Int64}), '}')) OR "
        "(`table` IN ('match_events', 'lineups') AND JSONExtractInt(if(after = '', before, after), 'match_id') "
        "= {match:Int64}) ORDER BY commit_lsn, ordinal",
        requires=("match",),
    ),
    "score-corrections": Preset(
        "scores changed after the final whistle (the match was finished or awarded before the change)",
        "SELECT commit_time, JSONExtractInt(key, 'id') AS match_id, "
        "concat(JSONExtractRaw(before, 'home_score'), '-', JSONExtractRaw(before, 'away_score')) AS was, "
        "concat(JSONExtractRaw(after, 'home_score'), '-', JSONExtractRaw(after, 'away_score')) AS now, "
        "JSONExtractString(before, 'status') AS status_before, " + _WHO + " AS who, source, request_id "
        "FROM {target} WHERE `table` = 'matches' AND op = 'u' "
        "AND JSONExtractString(before, 'status') IN ('finished', 'awarded') "
        "AND hasAny(changed, ['home_score', 'away_score']) AND " + _RECENT + " ORDER BY commit_time DESC",
    ),
    "activity": Preset(
        "changes per actor and source (the last --days, one --org or all)",
        "SELECT " + _WHO + " AS who, source, count() AS changes, uniqExact(request_id) AS requests, "
        "arraySort(groupUniqArray(`table`)) AS tables, min(commit_time) AS first, max(commit_time) AS last "
        "FROM {target} WHERE " + _RECENT + " GROUP BY who, source ORDER BY changes DESC",
    ),
}


def report(name: str, table: str, *, days: int, org: int | None, match: int | None) -> tuple[str, dict[str, str]]:
    """The SQL of preset ``name`` over ``table`` and the values of its placeholders."""
    preset = PRESETS[name]
    values = {"days": str(days), "org": str(org or 0), "match": "" if match is None else str(match)}
    missing = [option for option in preset.requires if not values[option]]
    if missing:
        raise ValueError(f"the {name} report needs {', '.join('--' + m for m in missing)}")
    sql = preset.sql.replace("{target}", quote_name(table))
    return sql, {k: v for k, v in values.items() if "{" + k + ":" in sql}
