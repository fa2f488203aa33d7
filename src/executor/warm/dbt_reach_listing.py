"""dbt_reach's quiet `dbt ls` (part of the fence; checked by dbt_reach.self_check against the
versions dbt_reach.CHECKED names).

A plan lists the run's selection with `dbt ls` on a warm engine and reads the listed lines from
the invocation's result (dbtRunner's `result`), never from what dbt prints. dbt's
ListTask.output_results also prints each line as an event through the invocation's loggers,
which turns it into a protobuf message and scrubs it against every environment variable: most
of an ls's cost past its fixed start (~0.35 ms a line on the bench machine, ~70 ms of a 200-node
plan). `install_quiet_listing` keeps the lines in the result, as dbt does, without printing
them. The engine runs only the worker's own invocations, whose printed ls lines nobody reads;
errors and warnings of an ls still take dbt's own path.
"""


def check_listing():
    """Names the target of the quiet listing the installed dbt lacks, or None."""
    from dbt.task.list import ListTask

    if not callable(getattr(ListTask, "output_results", None)) or "node_results" not in ListTask.output_results.__code__.co_names:
        return "dbt.task.list.ListTask.output_results (collecting node_results)"
    return None


def install_quiet_listing():
    """ListTask.output_results collecting the listed lines without printing them."""
    from dbt.task.list import ListTask

    if getattr(ListTask.output_results, "_dbtt_fast", False):
        return

    def output_results(self, results):
        self.node_results.extend(results)
        return self.node_results

    output_results._dbtt_fast = True  # type: ignore[attr-defined]
    ListTask.output_results = output_results
