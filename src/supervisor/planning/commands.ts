// How each dbt command maps onto dbt invocations: which resource types it selects, and which
// task runs exactly one of its nodes.
import type { DbtCommand } from '../../shared/contracts.js';
import type { GraphNode } from './project-graph.js';

/**
 * Resource types each command selects (as `dbt ls --resource-type`); an empty list means dbt
 * ls's default (every resource type), which is what `list` reports.
 */
export const COMMAND_RESOURCE_TYPES: Record<DbtCommand, string[]> = {
  build: ['model', 'seed', 'snapshot', 'test', 'unit_test'],
  run: ['model'],
  test: ['test', 'unit_test'],
  seed: ['seed'],
  snapshot: ['snapshot'],
  // dbt compile covers its EXECUTABLE_NODE_TYPES (no unit tests).
  compile: ['model', 'seed', 'snapshot', 'test', 'analysis'],
  list: [],
  'source-freshness': ['source'],
};

/** How to execute one node of a command. */
export type NodeExecution = { kind: 'node'; subcommand: 'build' | 'test' | 'compile' } | { kind: 'freshness' };

export function executionFor(command: DbtCommand, node: GraphNode): NodeExecution {
  if (command === 'source-freshness') return { kind: 'freshness' };
  if (command === 'compile') return { kind: 'node', subcommand: 'compile' };
  // `build` runs everything but unit tests, which only `test` runs on their own.
  return { kind: 'node', subcommand: node.resource_type === 'unit_test' ? 'test' : 'build' };
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
