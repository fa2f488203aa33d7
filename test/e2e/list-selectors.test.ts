// `list` plans exactly `dbt ls`'s node set (every resource type, as dbt ls reports them) for the
// whole selector grammar: methods, graph operators, set operations, exclude, indirect selection.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DbtRunInput, JsonValue } from '../../src/shared/contracts.js';
import { dbtLsBatch } from '../support/dbt-ls-batch.js';
import type { LsResult } from '../support/dbt-ls-batch.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { PARITY_MAIN, parityWorkerEnv } from '../support/parity-fixtures.js';

interface Case {
  select?: string;
  exclude?: string;
  indirect_selection?: 'eager' | 'cautious' | 'buildable' | 'empty';
  vars?: Record<string, JsonValue>;
}

const CASES: Case[] = [
  { select: 'tag:staging' },
  { select: 'tag:marts,tag:nightly' },
  { select: 'path:models/staging' },
  { select: 'path:models/marts/orders_incremental.sql' },
  { select: 'file:stg_orders.sql' },
  { select: 'source:landing' },
  { select: 'source:landing.landing_payments+' },
  { select: 'source:*' },
  { select: 'config.materialized:table' },
  { select: 'config.incremental_strategy:microbatch' },
  { select: 'config.schema:reporting' },
  { select: 'config.store_failures:true' },
  { select: 'test_type:unit' },
  { select: 'test_type:data' },
  { select: 'test_name:accepted_values' },
  { select: 'unit_test:revenue_sums_per_customer' },
  { select: 'resource_type:seed' },
  { select: 'resource_type:snapshot resource_type:unit_test' },
  { select: 'package:parity_main', exclude: 'resource_type:test' },
  { select: 'parity_main.marts.*' },
  { select: 'stg_orders' },
  { select: '+orders_enriched' },
  { select: 'stg_orders+' },
  { select: '1+customer_revenue' },
  { select: '@stg_customers' },
  { select: '+customer_revenue,tag:staging' },
  { select: 'stg_customers stg_orders', exclude: 'stg_orders' },
  { exclude: 'tag:marts source:*' },
  { select: 'stg_customers+', exclude: 'resource_type:test' },
  { select: 'stg_orders', indirect_selection: 'cautious' },
  { select: 'stg_orders', indirect_selection: 'buildable' },
  { select: 'stg_orders', indirect_selection: 'empty' },
  { select: 'customer_revenue', indirect_selection: 'cautious' },
  // vars reach parse-time config: vars_model's tags come from var('vars_tag').
  { select: 'tag:custom_tag', vars: { vars_tag: 'custom_tag' } },
];

function lsArgs(c: Case): string[] {
  const args: string[] = [];
  if (c.select) args.push('--select', c.select);
  if (c.exclude) args.push('--exclude', c.exclude);
  if (c.indirect_selection) args.push('--indirect-selection', c.indirect_selection);
  return args;
}

function title(c: Case): string {
  return Object.entries(c).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

let expected: LsResult[];

const e2e = useE2eWorker('list-selectors', () => parityWorkerEnv([PARITY_MAIN]));

// dbt ls's answers, the oracle for every case.
beforeAll(async () => {
  expected = await dbtLsBatch(PARITY_MAIN.dir, CASES.map((c) => {
    const parseArgs = c.vars ? ['--vars', JSON.stringify(c.vars)] : [];
    return { args: [...lsArgs(c), ...parseArgs], parseArgs };
  }));
});

describe.concurrent('list plans exactly dbt ls', () => {
  it('covers at least 30 selector expressions', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const [i, c] of CASES.entries()) {
    it(`list ${title(c)}`, async () => {
      const want = expected[i];
      if (!want || 'error' in want) throw new Error(`dbt ls failed for this case: ${want?.error ?? 'no result'}`);
      const input: DbtRunInput = { command: 'list', ...c };
      const res = await e2e.run(input);
      if (want.ids.length === 0) {
        // dbt ls prints nothing and exits 0; an empty plan may be reported as a failure or an empty list.
        expect(res.output?.node_results ?? []).toEqual([]);
        return;
      }
      expect(res.ok, res.message ?? '').toBe(true);
      expect(res.output?.node_results.map((r) => r.unique_id).sort()).toEqual(want.ids);
      expect(new Set(res.output?.node_results.map((r) => r.status))).toEqual(new Set(['success']));
    });
  }
});
