"""dbt_reach's warning reach-ins (part of the fence; checked by dbt_reach.self_check against the
versions dbt_reach.CHECKED names): dbt's warnings as dbt words them, collected per request.

Every dbt event goes through the event manager's `fire_event`; the tap (installed once, in the
engine's boot) copies the message of each warn-level event into the sink of the current thread,
when it has one. dbt's loggers, callbacks and `--warn-error` handling are untouched: a warning
that `--warn-error` turns into an error is still recorded (then raised by dbt, as always).
"""
import re
import threading

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_local = threading.local()
_process: dict[str, list[str] | None] = {"sink": None}


def check_warning_tap():
    """The reach-ins' targets: the event manager's fire_event (dbt-common 1.39) and dbt's
    ManifestLoader.check_for_model_deprecations (dbt-core 1.11)."""
    from dbt.parser.manifest import ManifestLoader
    from dbt_common.events import event_manager_client

    if not callable(getattr(event_manager_client.get_event_manager(), "fire_event", None)):
        return "dbt_common's event manager fire_event"
    if not callable(getattr(ManifestLoader, "check_for_model_deprecations", None)):
        return "dbt.parser.manifest.ManifestLoader.check_for_model_deprecations"
    return None


def install():
    from dbt_common.events import event_manager_client
    from dbt_common.events.base_types import EventLevel

    manager = event_manager_client.get_event_manager()
    if getattr(manager, "_dbtt_tapped", False):
        return
    fire = manager.fire_event

    def tapped(e, level=None, node=None, force_warn_or_error_handling=False):
        sink = getattr(_local, "sink", None)
        if sink is None:
            sink = _process["sink"]
        if sink is not None:
            try:
                if (level if level is not None else e.level_tag()) == EventLevel.WARN:
                    text = _ANSI.sub("", str(e.message())).strip()
                    if text and text not in sink:
                        sink.append(text)
            except Exception:  # noqa: BLE001 - a warning we cannot read never breaks dbt
                pass
        return fire(e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    manager.fire_event = tapped
    manager._dbtt_tapped = True


class collect:
    """`with collect() as warnings:` records this thread's dbt warnings into `warnings`; with
    `process_wide=True` also those of threads that collect none themselves (a dbt process that
    runs one invocation: its nodes run on dbt's pool threads)."""

    def __init__(self, process_wide=False):
        self.process_wide = process_wide

    def __enter__(self):
        self.previous = getattr(_local, "sink", None)
        self.sink: list[str] = []
        _local.sink = self.sink
        if self.process_wide:
            _process["sink"] = self.sink
        return self.sink

    def __exit__(self, *exc):
        _local.sink = self.previous
        if self.process_wide:
            _process["sink"] = None
        return False


def check_model_deprecations(manifest):
    """dbt's parse-time model deprecation warnings again, for a manifest this request did not parse."""
    from types import SimpleNamespace

    from dbt.parser.manifest import ManifestLoader

    ManifestLoader.check_for_model_deprecations(SimpleNamespace(manifest=manifest))
