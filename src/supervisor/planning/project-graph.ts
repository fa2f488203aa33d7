// The compact, in-memory form of a parsed manifest that planning needs: nodes and edges.

export interface GraphNode {
  unique_id: string;
  name: string;
  resource_type: string;
  package_name: string;
  original_file_path: string;
  fqn: string[];
  materialized: string | null;
  /** Direct upstream unique ids (models, seeds, sources, ...). */
  depends_on: string[];
  /** Sources only: whether freshness criteria are configured (what `dbt source freshness` checks). */
  has_freshness: boolean;
}

export interface ProjectGraph {
  projectName: string;
  adapterType: string;
  /** Whether the project (or a package) defines on-run-start / on-run-end hooks. */
  hooks: { start: boolean; end: boolean };
  nodes: Map<string, GraphNode>;
  children: Map<string, string[]>;
  /** dbt's `Found ...` stat line for this parse (`5 models, 16 data tests, 3 seeds, 511 macros`). */
  found: string;
}

interface RawNode {
  unique_id: string;
  name: string;
  resource_type: string;
  package_name: string;
  original_file_path?: string;
  fqn?: string[];
  config?: { materialized?: string; enabled?: boolean };
  depends_on?: { nodes?: string[] };
  freshness?: { warn_after?: { count?: number | null } | null; error_after?: { count?: number | null } | null } | null;
}

interface RawManifest {
  metadata?: { adapter_type?: string; project_name?: string };
  nodes?: Record<string, RawNode>;
  sources?: Record<string, RawNode>;
  unit_tests?: Record<string, RawNode>;
  functions?: Record<string, RawNode>;
  exposures?: Record<string, RawNode>;
  saved_queries?: Record<string, RawNode>;
  metrics?: Record<string, unknown>;
  macros?: Record<string, unknown>;
  groups?: Record<string, unknown>;
  semantic_models?: Record<string, unknown>;
}

/** dbt's NodeType.pluralize(), with `_` read as a space (dbt's print_compile_stats). */
function countOf(n: number, type: string): string {
  const plural = type === 'analysis' ? 'analyses' : type === 'saved_query' ? 'saved_queries' : type === 'test' ? 'data_tests' : `${type}s`;
  return `${n} ${(n === 1 ? type : plural).replaceAll('_', ' ')}`;
}

/** dbt's `Found ...` line (compilation._generate_stats): manifest node types in order, then the other collections. */
export function foundLine(manifest: RawManifest): string {
  const stats = new Map<string, number>();
  for (const node of Object.values(manifest.nodes ?? {})) {
    if (node.resource_type === 'test' && node.config?.enabled === false) continue;
    stats.set(node.resource_type, (stats.get(node.resource_type) ?? 0) + 1);
  }
  const collections: [string, Record<string, unknown> | undefined][] = [
    ['source', manifest.sources], ['exposure', manifest.exposures], ['metric', manifest.metrics], ['macro', manifest.macros],
    ['group', manifest.groups], ['semantic_model', manifest.semantic_models], ['saved_query', manifest.saved_queries], ['unit_test', manifest.unit_tests],
  ];
  for (const [type, entries] of collections) stats.set(type, (stats.get(type) ?? 0) + Object.keys(entries ?? {}).length);
  return [...stats].filter(([, n]) => n !== 0).map(([type, n]) => countOf(n, type)).join(', ');
}

function toNode(raw: RawNode): GraphNode {
  return {
    unique_id: raw.unique_id,
    name: raw.name,
    resource_type: raw.resource_type,
    package_name: raw.package_name,
    original_file_path: raw.original_file_path ?? '',
    fqn: raw.fqn ?? [raw.package_name, raw.name],
    materialized: raw.config?.materialized ?? null,
    depends_on: [...new Set(raw.depends_on?.nodes ?? [])],
    has_freshness: raw.resource_type === 'source' && Boolean(raw.freshness?.warn_after?.count || raw.freshness?.error_after?.count),
  };
}

/** Builds the graph from dbt's manifest.json text. */
export function graphFromManifest(manifestJson: string): ProjectGraph {
  const manifest = JSON.parse(manifestJson) as RawManifest;
  const nodes = new Map<string, GraphNode>();
  for (const group of [manifest.nodes, manifest.sources, manifest.unit_tests, manifest.functions, manifest.exposures, manifest.saved_queries]) {
    for (const raw of Object.values(group ?? {})) nodes.set(raw.unique_id, toNode(raw));
  }
  const children = new Map<string, string[]>();
  for (const node of nodes.values()) {
    for (const dep of node.depends_on) {
      if (!nodes.has(dep)) continue;
      const list = children.get(dep) ?? [];
      list.push(node.unique_id);
      children.set(dep, list);
    }
  }
  const operations = [...nodes.values()].filter((n) => n.resource_type === 'operation').map((n) => n.unique_id);
  return {
    hooks: { start: operations.some((id) => id.includes('-on-run-start-')), end: operations.some((id) => id.includes('-on-run-end-')) },
    projectName: manifest.metadata?.project_name ?? '',
    adapterType: manifest.metadata?.adapter_type ?? 'unknown',
    nodes,
    children,
    found: foundLine(manifest),
  };
}
