import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../../src/supervisor/reuse/fingerprint.js';
import { codeKey, overridesRefs } from '../../../src/supervisor/reuse/pure-code.js';
import type { CodeKeyInputs } from '../../../src/supervisor/reuse/pure-code.js';

const PARENT = 'model.p.a';
const model = (raw: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({
  unique_id: 'model.p.b', resource_type: 'model', raw_code: raw, relation_name: '"db"."main"."b"', depends_on: { nodes: [PARENT], macros: [] }, ...extra,
});
const parent = (materialized = 'table'): ManifestEntry => ({ unique_id: PARENT, resource_type: 'model', relation_name: '"db"."main"."a"', config: { materialized } });

function inputs(node: ManifestEntry, over: Partial<CodeKeyInputs> = {}): CodeKeyInputs {
  return { node, entries: new Map([[PARENT, parent()]]), macros: new Map(), macroIds: [], parts: { config: 'c', macros: 'm', vars_env: 'v', target: 't' }, command: 'build', ...over };
}

describe('codeKey', () => {
  it('is the same for the same code up to comments and whitespace, and differs when the code does', () => {
    const a = codeKey(inputs(model("select * from {{ ref('a') }}")));
    expect(a).not.toBeNull();
    expect(codeKey(inputs(model("{# why #}\nselect *   from {{ ref('a') }} -- note")))).toEqual(a);
    const changed = codeKey(inputs(model("select id from {{ ref('a') }}")));
    expect(changed?.code).not.toBe(a?.code);
    expect(changed?.key).not.toBe(a?.key);
  });

  it('changes its key, not its code digest, when what the code refers to changes', () => {
    const a = codeKey(inputs(model("select * from {{ ref('a') }}")));
    const moved = codeKey(inputs(model("select * from {{ ref('a') }}"), { entries: new Map([[PARENT, { ...parent(), relation_name: '"db"."other"."a"' }]]) }));
    const otherCommand = codeKey(inputs(model("select * from {{ ref('a') }}"), { command: 'run' }));
    const otherMacros = codeKey(inputs(model("select * from {{ ref('a') }}"), { parts: { config: 'c', macros: 'm2', vars_env: 'v', target: 't' } }));
    for (const k of [moved, otherCommand, otherMacros]) {
      expect(k?.code).toBe(a?.code);
      expect(k?.key).not.toBe(a?.key);
    }
  });

  it('is null where the compiled SQL may depend on more than the key: queries, the clock, ephemeral parents, seeds', () => {
    expect(codeKey(inputs(model("{% set r = run_query('select 1') %}select * from {{ ref('a') }}")))).toBeNull();
    expect(codeKey(inputs(model("select '{{ run_started_at }}' as at from {{ ref('a') }}")))).toBeNull();
    expect(codeKey(inputs(model("select * from {{ ref('a') }} where u = '{{ target.user }}'")))).toBeNull();
    expect(codeKey(inputs(model("select * from {{ ref('a') }}"), { entries: new Map([[PARENT, parent('ephemeral')]]) }))).toBeNull();
    expect(codeKey(inputs(model('select 1', { resource_type: 'seed' })))).toBeNull();
    const macros = new Map<string, ManifestEntry>([
      ['macro.p.cols', { unique_id: 'macro.p.cols', resource_type: 'macro', macro_sql: "{% macro cols(r) %}{{ adapter.get_columns_in_relation(r) }}{% endmacro %}" }],
      ['macro.p.pick', { unique_id: 'macro.p.pick', resource_type: 'macro', macro_sql: "{% macro pick(x) %}{{ adapter.dispatch('pick')(x) }}{% endmacro %}" }],
    ]);
    expect(codeKey(inputs(model("select {{ cols(ref('a')) }}"), { macros, macroIds: ['macro.p.cols'] }))).toBeNull();
    expect(codeKey(inputs(model("select {{ pick('x') }} from {{ ref('a') }}"), { macros, macroIds: ['macro.p.pick'] }))).not.toBeNull();
    expect(codeKey(inputs(model("select {{ gone() }}"), { macros, macroIds: ['macro.p.gone'] }))).toBeNull();
  });

  it('sees a project that overrides ref or source', () => {
    const m = (name: string, pkg: string): ManifestEntry => ({ unique_id: `macro.${pkg}.${name}`, resource_type: 'macro', name, package_name: pkg });
    expect(overridesRefs(new Map([['a', m('ref', 'dbt')]]))).toBe(false);
    expect(overridesRefs(new Map([['a', m('ref', 'p')]]))).toBe(true);
  });
});
