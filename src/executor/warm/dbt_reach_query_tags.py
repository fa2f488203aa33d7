"""dbt_reach's query-tag reach-in (part of the fence; checked by dbt_reach.self_check against the
versions dbt_reach.CHECKED names). Query tags: every query a node issues names its run
(invocation id), its node and the attempt.

The mechanism is dbt's own `query-comment` (dbt_project.yml): a Jinja macro that dbt renders
for each connection and node and puts in front of every statement, so a DBA sees it in
`pg_stat_activity`, query history and logs. Where the project sets none (dbt's default), the
comment is dbt's default one (app, dbt_version, profile_name, target_name, node_id or
connection_name) plus `invocation_id` (dbt's own, the run's: the one in run_results.json) and
`attempt` (the Temporal activity attempt). A project's own query-comment, or `query-comment: ''`
(off), is kept as it is. Nothing is written into the project: the comment replaces the default
where dbt builds its query header (the connection manager's set_query_header), in warm engines
and in the subprocess shim alike. The attempt comes with each node request (warm: note_attempt)
or once for the process (the subprocess shim, one node per process: note_process_attempt).
"""

COMMENT = """
{%- set comment_dict = {} -%}
{%- do comment_dict.update(
    app='dbt',
    dbt_version=dbt_version,
    profile_name=target.get('profile_name'),
    target_name=target.get('target_name'),
) -%}
{%- if node is not none -%}
  {%- do comment_dict.update(node_id=node.unique_id) -%}
{%- else -%}
  {%- do comment_dict.update(connection_name=connection_name) -%}
{%- endif -%}
{%- do comment_dict.update(dbt_temporal_tags(node.unique_id if node is not none else connection_name)) -%}
{{ return(tojson(comment_dict)) }}
"""

_ATTEMPTS: dict[str, int] = {}  # unique id -> attempt of the request an engine serves (dict ops are atomic)
_PROCESS_ATTEMPT: list[int] = []  # the subprocess shim's one node's attempt


def note_process_attempt(attempt):
    """The subprocess shim: the attempt of the one node this process runs."""
    if attempt:
        _PROCESS_ATTEMPT[:] = [int(attempt)]


def note_attempt(unique_id, attempt):
    """Warm engines: the attempt of the node request about to run."""
    if unique_id and attempt:
        _ATTEMPTS[unique_id] = int(attempt)


def tags(name):
    """What the comment adds for node (or connection) `name`: the run's invocation id, the attempt."""
    from dbt_common.invocation import get_invocation_id

    out = {"invocation_id": get_invocation_id()}
    attempt = _ATTEMPTS.get(name) or (_PROCESS_ATTEMPT[0] if _PROCESS_ATTEMPT else None)
    if attempt:
        out["attempt"] = int(attempt)
    return out


class _TaggedConfig:
    """The adapter's config as the query header sees it: dbt-temporal's comment, all else as is."""

    def __init__(self, config, query_comment):
        self._config = config
        self.query_comment = query_comment

    def __getattr__(self, name):
        return getattr(self._config, name)


def check_query_tags():
    """The reach-in's targets: the connection manager's set_query_header, dbt's query-string
    setter and its QueryComment contract (dbt-adapters 1.24)."""
    try:
        from dbt.adapters.base.connections import BaseConnectionManager
        from dbt.adapters.base.query_headers import MacroQueryStringSetter  # noqa: F401
        from dbt.adapters.contracts.connection import QueryComment
    except ImportError as err:
        return f"the query header classes ({err})"
    if not callable(getattr(BaseConnectionManager, "set_query_header", None)):
        return "dbt.adapters.base.connections.BaseConnectionManager.set_query_header"
    if not all(hasattr(QueryComment(), f) for f in ("comment", "append", "job_label")):
        return "dbt.adapters.contracts.connection.QueryComment(comment, append, job_label)"
    return None


def install():
    """Puts the tags into dbt's query header where the project sets no query-comment; returns
    warnings (empty when installed) instead of failing: queries then carry dbt's own comment."""
    try:
        from dbt.adapters.base.connections import BaseConnectionManager
        from dbt.adapters.base.query_headers import MacroQueryStringSetter
        from dbt.adapters.contracts.connection import QueryComment
    except ImportError as err:
        return [f"query tags are off: {err}"]
    original = BaseConnectionManager.set_query_header
    if original.__name__ == "dbtt_set_query_header":
        return []
    default = QueryComment()

    def dbtt_set_query_header(self, query_header_context):
        if getattr(self.profile, "query_comment", None) != default:
            return original(self, query_header_context)  # the project's own (or none at all)
        tagged = QueryComment(comment=COMMENT, append=default.append, job_label=default.job_label)
        self.query_header = MacroQueryStringSetter(_TaggedConfig(self.profile, tagged), {**query_header_context, "dbt_temporal_tags": tags})

    BaseConnectionManager.set_query_header = dbtt_set_query_header
    return []
