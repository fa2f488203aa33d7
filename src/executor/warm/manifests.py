"""Parsed manifests: one parse per worker and parse key, shared by the worker's engines.

A manifest depends on the project files, the parse arguments (target, vars, paths) and the
environment variables that parsing read. The worker's key covers the first two; the engine
records which variables a parse read (dbt's own record of `env_var` calls in project files,
plus those named in dbt_project.yml and profiles.yml, plus dbt's `DBT_*` settings) and files
the frozen manifest under the key and the values of just those variables. Sibling engines
find it in the worker's manifest directory (`DBT_TEMPORAL_MANIFEST_DIR`) and thaw it instead
of parsing: runs that differ only in unrelated env (a run id, a secret the profile does not
read) share one parse. Every caller gets its own copy (a run context compiles into it).
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
from collections import OrderedDict

import dbt_reach

MAX_MANIFESTS = int(os.environ.get("DBT_TEMPORAL_ENGINE_MANIFESTS", "2"))
MAX_SHARED = 64
SHARED_DIR = os.environ.get("DBT_TEMPORAL_MANIFEST_DIR") or None
# Hashes of env values on disk are salted per worker: no dictionary attack on a secret's hash.
SALT = os.environ.get("DBT_TEMPORAL_MANIFEST_SALT", "")
# Per-task settings the worker itself sets: they never change what dbt parses.
RUN_SETTINGS = frozenset({
    "DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_STATE", "DBT_DEFER", "DBT_EVENT_TIME_START",
    "DBT_EVENT_TIME_END", "DBT_LOG_LEVEL_FILE",
})
_ENV_CALL = re.compile(r"""env_var\(\s*(['"])([^'"]+)\1""")


class ParseFailed(Exception):
    pass


def _arg(args, name):
    for i, a in enumerate(args[:-1]):
        if a == name:
            return args[i + 1]
    return None


def _names_in(path, names):
    """Adds the env var names a file reads; False when it reads one by a computed name."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    found = _ENV_CALL.findall(text)
    names.update(n for _, n in found)
    return len(found) == text.count("env_var(")


def parse_env_names(manifest, parse_args):
    """The env var names a parse depended on, or None when that cannot be told (all count)."""
    names = set(getattr(manifest, "env_vars", None) or {})
    project_dir = _arg(parse_args, "--project-dir") or "."
    profiles_dir = _arg(parse_args, "--profiles-dir") or project_dir
    paths = [os.path.join(project_dir, "dbt_project.yml"), os.path.join(profiles_dir, "profiles.yml")]
    for f in (getattr(manifest, "files", None) or {}).values():
        p = getattr(f, "path", None)
        root, rel = getattr(p, "project_root", None), getattr(p, "relative_path", None)
        searched = getattr(p, "searched_path", "")
        if root and rel:
            paths.append(os.path.join(root, searched or "", rel) if searched else os.path.join(root, rel))
            paths.append(os.path.join(root, "dbt_project.yml"))
    for path in dict.fromkeys(paths):
        if not _names_in(path, names):
            return None
    names.update(k for k in os.environ if k.startswith("DBT_") and k not in RUN_SETTINGS)
    return sorted(names)


def _fingerprint(names):
    env = os.environ if names is not None else None
    items = [(n, env.get(n)) for n in names] if env is not None else sorted(
        (k, v) for k, v in os.environ.items() if k not in RUN_SETTINGS and k != "HOME" and not k.startswith("DBTT_"))
    return hashlib.sha256((SALT + json.dumps(items)).encode()).hexdigest()[:32]


class SharedDir:
    """The worker's manifest directory: `<key>.json` lists the variants (which env names
    each depends on), `<key>-<fingerprint>.pickle` holds each frozen manifest."""

    def __init__(self, root):
        self.root = root

    def lock(self, key):
        fd = os.open(os.path.join(self.root, f"{key}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def _variants(self, key):
        try:
            with open(os.path.join(self.root, f"{key}.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return []

    def find(self, key):
        """(env names, fingerprint, blob) of the variant that matches this env, or None."""
        for names in self._variants(key):
            fp = _fingerprint(names)
            try:
                with open(os.path.join(self.root, f"{key}-{fp}.pickle"), "rb") as f:
                    return names, fp, f.read()
            except OSError:
                continue
        return None

    def put(self, key, names, fp, blob):
        path = os.path.join(self.root, f"{key}-{fp}.pickle")
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
        variants = [v for v in self._variants(key) if v != names] + [names]
        index = os.path.join(self.root, f"{key}.json")
        with open(f"{index}.{os.getpid()}.tmp", "w") as f:
            json.dump(variants, f)
        os.replace(f"{index}.{os.getpid()}.tmp", index)
        self._trim()

    def _trim(self):
        try:
            blobs = sorted((e for e in os.scandir(self.root) if e.name.endswith(".pickle")), key=lambda e: e.stat().st_mtime)
        except OSError:
            return
        for e in blobs[:-MAX_SHARED]:
            try:
                os.unlink(e.path)
            except OSError:
                pass


class ManifestStore:
    """Frozen manifests by (key, env fingerprint): a few in memory, all the worker's on disk."""

    def __init__(self, shared_dir=SHARED_DIR):
        self.blobs = OrderedDict()  # (key, fingerprint) -> frozen manifest
        self.names = {}  # key -> the env-name lists of its variants
        self.lock = threading.Lock()
        self.shared = SharedDir(shared_dir) if shared_dir and os.path.isdir(shared_dir) else None
        self.counters = {"parsed": 0, "loaded": 0, "hits": 0}

    def _remember(self, key, names, fp, blob):
        with self.lock:
            self.blobs[(key, fp)] = blob
            self.blobs.move_to_end((key, fp))
            variants = self.names.setdefault(key, [])
            if names not in variants:
                variants.append(names)
            while len(self.blobs) > MAX_MANIFESTS:
                self.blobs.popitem(last=False)

    def _in_memory(self, key):
        with self.lock:
            for names in self.names.get(key, []):
                blob = self.blobs.get((key, _fingerprint(names)))
                if blob is not None:
                    self.blobs.move_to_end((key, _fingerprint(names)))
                    return blob
        return None

    def get(self, key, parse_args, seed=None):
        """A private manifest for `key` under the current env, and how it came: "hit" (this
        engine had it), "loaded" (a sibling parsed it) or "parsed"."""
        blob = self._in_memory(key)
        if blob is not None:
            self.counters["hits"] += 1
            return dbt_reach.thaw_manifest(blob), "hit"
        if self.shared is None:
            return self._parse(key, parse_args, seed), "parsed"
        fd = self.shared.lock(key)  # siblings parsing this key finish first; then it is on disk
        try:
            found = self.shared.find(key)
            if found is not None:
                names, fp, blob = found
                manifest = dbt_reach.thaw_manifest(blob)
                self._remember(key, names, fp, blob)
                self.counters["loaded"] += 1
                return manifest, "loaded"
            return self._parse(key, parse_args, seed), "parsed"
        finally:
            os.close(fd)

    def _parse(self, key, parse_args, seed):
        from dbt.cli.main import dbtRunner

        args = list(parse_args)
        target = _arg(args, "--target-path")
        if seed and target and os.path.isfile(seed):
            # The worker's start-up parse: dbt's partial parsing reuses it when nothing changed.
            os.makedirs(target, exist_ok=True)
            shutil.copyfile(seed, os.path.join(target, "partial_parse.msgpack"))
        res = dbtRunner().invoke(args)
        dbt_reach.release_duckdb()
        if not res.success or res.result is None:
            raise ParseFailed(str(res.exception or "dbt parse failed"))
        manifest = res.result
        names = parse_env_names(manifest, parse_args)
        fp = _fingerprint(names)
        blob = dbt_reach.freeze_manifest(manifest)
        self._remember(key, names, fp, blob)
        if self.shared is not None:
            try:
                self.shared.put(key, names, fp, blob)
            except OSError:
                pass  # siblings parse for themselves
        self.counters["parsed"] += 1
        return manifest
