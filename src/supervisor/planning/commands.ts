// How each dbt command maps onto dbt invocations: which resource types it selects, and which
// subcommand and selector run exactly one of its nodes.
import type { DbtCommand } from '../../shared/contracts.js';
import type { GraphNode } from './project-graph.js';

/** Resource types each command executes (as `dbt ls --resource-type`). */
export const COMMAND_RESOURCE_TYPES: Partial<Record<DbtCommand, string[]>> = {
  build: ['model', 'seed', 'snapshot', 'test', 'unit_test'],
  run: ['model'],
  test: ['test', 'unit_test'],
  seed: ['seed'],
  snapshot: ['snapshot'],
};

/** dbt subcommand for one node: `build` for everything but unit tests (which only `test` runs alone). */
export function subcommandFor(node: GraphNode): 'build' | 'test' {
  return node.resource_type === 'unit_test' ? 'test' : 'build';
}

/**
 * A selector matching exactly this node: its fully-qualified name intersected with its resource
 * type, and with its file when it is in the root project (an fqn is a prefix match in dbt).
 */
export function exactSelector(node: GraphNode, rootProject: string): string {
  const parts = [`fqn:${node.fqn.join('.')}`, `resource_type:${node.resource_type}`];
  if (node.package_name === rootProject && node.original_file_path && !/\s/.test(node.original_file_path)) parts.unshift(`path:${node.original_file_path}`);
  return parts.join(',');
}
