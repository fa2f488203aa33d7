// Search attributes DbtProject, DbtCommand, DbtTarget, DbtSelector, DbtStatus and the static
// ones from TEMPORAL_SEARCH_ATTRIBUTES; only names registered on the namespace are upserted
// (resolve_config checks), so an unregistered name never fails a workflow task.
import { defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { RunRequest } from '../../shared/input.js';
import { SEARCH_ATTRIBUTE_MAX_BYTES, truncateUtf8 } from '../../shared/limits.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../shared/run-status.js';
import type { DbtStatusValue } from '../../shared/run-status.js';
import type { RunConfig } from '../activities/resolve-config.js';

export class SearchAttributePublisher {
  private readonly allowed: Set<string>;

  constructor(private readonly config: RunConfig) {
    this.allowed = new Set(config.search_attributes);
  }

  private upsert(values: Record<string, string | null>): void {
    const pairs = [];
    for (const [name, value] of Object.entries(values)) {
      // Static attributes win over ours with the same name.
      if (!this.allowed.has(name) || name in this.config.static_search_attributes || value === null) continue;
      // A value over the server's limit would terminate the run: cut it (a 100 KB select still runs).
      pairs.push({ key: defineSearchAttributeKey(name, 'KEYWORD'), value: truncateUtf8(value, SEARCH_ATTRIBUTE_MAX_BYTES) });
    }
    if (pairs.length > 0) upsertSearchAttributes(pairs);
  }

  /** At the start of a run: the request's attributes and the static ones. */
  initial(request: RunRequest): void {
    const statics = Object.entries(this.config.static_search_attributes).map(([name, value]) => ({ key: defineSearchAttributeKey(name, 'KEYWORD'), value: truncateUtf8(value, SEARCH_ATTRIBUTE_MAX_BYTES) }));
    if (statics.length > 0) upsertSearchAttributes(statics);
    this.upsert({
      [SEARCH_ATTRIBUTE_NAMES.command]: request.command,
      [SEARCH_ATTRIBUTE_NAMES.target]: request.target,
      [SEARCH_ATTRIBUTE_NAMES.selector]: request.selector ? `selector:${request.selector}` : request.select,
      [SEARCH_ATTRIBUTE_NAMES.project]: request.project,
    });
  }

  planned(project: string): void {
    this.upsert({ [SEARCH_ATTRIBUTE_NAMES.project]: project, [SEARCH_ATTRIBUTE_NAMES.status]: 'running' });
  }

  status(value: DbtStatusValue): void {
    this.upsert({ [SEARCH_ATTRIBUTE_NAMES.status]: value });
  }
}
