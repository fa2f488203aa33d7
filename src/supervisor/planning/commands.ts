// How each dbt command maps onto dbt invocations: which resource types it selects, and which
// task runs exactly one of its nodes.
import type { DbtCommand } from '../../shared/contracts.js';
import type { NodeExecution } from '../../shared/node-request.js';
import type { GraphNode } from './project-graph.js';

/**
 * Resource types each command selects (as `dbt ls --resource-type`); an empty list means dbt
 * ls's default (every resource type), which is what `list` reports.
 */
export const COMMAND_RESOURCE_TYPES: Record<DbtCommand, string[]> = {
  // dbt build also reports exposures and saved queries (as `no-op`: the workflow records them).
  build: ['model', 'seed', 'snapshot', 'test', 'unit_test', 'exposure', 'saved_query'],
  run: ['model'],
  test: ['test', 'unit_test'],
  seed: ['seed'],
  snapshot: ['snapshot'],
  // dbt compile covers its EXECUTABLE_NODE_TYPES (no unit tests).
  compile: ['model', 'seed', 'snapshot', 'test', 'analysis'],
  list: [],
  'source-freshness': ['source'],
};

/**
 * The dbt command words a run's project hooks execute under (dbt runs on-run-start/-end for
 * these commands only; `compile` and `list` run none).
 */
export function hookCommandWords(command: DbtCommand): string[] | null {
  if (command === 'compile' || command === 'list') return null;
  return command === 'source-freshness' ? ['source', 'freshness'] : [command];
}

/** How to execute one node of a command. */
export type { NodeExecution } from '../../shared/node-request.js';

/** Each node runs under the run's own dbt command (what `flags.WHICH` and hooks see). */
export function executionFor(command: DbtCommand, node: GraphNode): NodeExecution {
  switch (command) {
    case 'source-freshness':
      return { kind: 'freshness' };
    case 'run':
    case 'test':
    case 'seed':
    case 'snapshot':
    case 'compile':
      return { kind: 'node', subcommand: command };
    default:
      // `build` runs everything but unit tests, which dbt only runs alone under `test`.
      return { kind: 'node', subcommand: node.resource_type === 'unit_test' ? 'test' : 'build' };
  }
}

/**
 * A selector matching exactly this node: its fully-qualified name intersected with its resource
 * type, and with its file when it is in the root project (an fqn is a prefix match in dbt).
 */
export function exactSelector(node: GraphNode, rootProject: string): string {
  if (node.resource_type === 'source') return `source:${node.unique_id.split('.').slice(1).join('.')}`;
  const parts = [`fqn:${node.fqn.join('.')}`, `resource_type:${node.resource_type}`];
  if (node.package_name === rootProject && node.original_file_path && !/\s/.test(node.original_file_path)) parts.unshift(`path:${node.original_file_path}`);
  return parts.join(',');
}
