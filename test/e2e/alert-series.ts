// Builds `promtool test rules` input from a real worker's /metrics scrape: every input series
// starts from a scraped sample (its name, labels and value) and moves the way the failure an
// alert is for would move it; the expected alerts carry the rule file's own labels and
// annotations. Also pulls metric names out of PromQL for the "does it exist" checks.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of a Prometheus text-format scrape (comments skipped). */
export function parseScrape(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

/** Metric names a PromQL expression reads (ours, the SDK's, the process's, and `up`). */
export function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(dbt_temporal_\w+|temporal_\w+|process_\w+|nodejs_\w+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1] as string))];
}

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The alerting rules of a rule file. */
export function readRules(path: string): Rule[] {
  const doc = parse(readFileSync(path, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

type Series = { series: string; values: string };
type AlertTest = { eval_time: string; alertname: string; exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }> };

const render = (s: Sample, labels: Record<string, string> = {}): string => {
  const all = { ...s.labels, ...labels };
  return `${s.name}{${Object.entries(all).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
};

/** The promtool unit-test document for `rulesPath`, from the samples of one real scrape. */
export function buildAlertTests(rulesPath: string, scrape: Sample[], target: { job: string; instance: string }): object {
  const rules = new Map(readRules(rulesPath).map((r) => [r.alert, r]));
  const at = { job: target.job, instance: target.instance };
  const one = (name: string, where: (s: Sample) => boolean = () => true): Sample => {
    const s = scrape.find((x) => x.name === name && where(x));
    if (!s) throw new Error(`the scrape has no ${name}`);
    return { ...s, labels: { ...s.labels, ...at } };
  };
  const all = (name: string): Sample[] => scrape.filter((x) => x.name === name).map((s) => ({ ...s, labels: { ...s.labels, ...at } }));
  const expect = (alertname: string, labels: Record<string, string>) => {
    const rule = rules.get(alertname);
    if (!rule) throw new Error(`no rule ${alertname}`);
    const fill = (t: string) => t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '');
    return {
      exp_labels: { ...labels, ...rule.labels },
      exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, fill(v)])),
    };
  };
  const test = (input: Series[], alerts: AlertTest[]) => ({ interval: '1m', input_series: input, alert_rule_test: alerts });
  const quiet = (alertname: string, eval_time = '1m'): AlertTest => ({ eval_time, alertname, exp_alerts: [] });
  const firing = (alertname: string, eval_time: string, ...labels: Array<Record<string, string>>): AlertTest => ({ eval_time, alertname, exp_alerts: labels.map((l) => expect(alertname, l)) });

  // The worker stops answering scrapes after 2 minutes.
  const down = test([{ series: render({ name: 'up', labels: at, value: 1 }), values: '1 1 0x12' }],
    [quiet('DbtTemporalWorkerDown', '4m'), firing('DbtTemporalWorkerDown', '10m', at)]);
  // The health file stops being touched: its age grows a minute per minute from the scraped age.
  const age = one('dbt_temporal_health_file_age_seconds');
  const stale = test([{ series: render(age), values: `${age.value}+60x12` }],
    [quiet('DbtTemporalWorkerStale', '0m'), firing('DbtTemporalWorkerStale', '5m', at)]);
  // The ready worker stops polling after 2 minutes.
  const ready = one('dbt_temporal_worker_ready');
  const notReady = test([{ series: render(ready), values: `${ready.value} ${ready.value} 0x15` }],
    [quiet('DbtTemporalWorkerNotReady', '5m'), firing('DbtTemporalWorkerNotReady', '15m', at)]);
  // Successful runs continue; one run fails at minute 3.
  const ok = one('dbt_temporal_runs_finished_total', (s) => s.labels['status'] === 'success');
  const failedRun = { ...ok, labels: { ...ok.labels, status: 'failed' }, value: 0 };
  const failing = test([{ series: render(ok), values: `${ok.value}+1x20` }, { series: render(failedRun), values: '0 0 0 1+0x17' }],
    [quiet('DbtTemporalRunsFailing', '2m'), firing('DbtTemporalRunsFailing', '5m', { command: ok.labels['command'] as string })]);
  // Two retries a minute from the scraped count.
  const retries = one('dbt_temporal_node_retries_total');
  const retrying = test([{ series: render(retries), values: `${retries.value}+2x25` }],
    [quiet('DbtTemporalNodeRetriesRising', '2m'), firing('DbtTemporalNodeRetriesRising', '20m', { job: at.job })]);
  // From the scraped histogram on, every activity waits 10-100 s for a slot.
  const buckets = all('temporal_activity_schedule_to_start_latency_seconds_bucket');
  const le = (s: Sample) => (s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']));
  const waiting = test(buckets.map((b) => ({ series: render(b), values: `${b.value}+${le(b) > 10 ? 10 : 0}x30` })),
    [quiet('DbtTemporalScheduleToStartGrowing', '5m'), firing('DbtTemporalScheduleToStartGrowing', '20m', { task_queue: buckets[0]?.labels['task_queue'] as string })]);
  // The scraped worker and engine memory, once against the scraped budget and once against a
  // budget it fills to 95% (a second instance).
  const tight = { ...at, instance: 'tight:8080' };
  const memSeries = (instance: Record<string, string>, limit?: number): Series[] => {
    const moved = (s: Sample, value = s.value) => ({ series: render(s, instance), values: `${value}+0x15` });
    const used = one('process_resident_memory_bytes').value + all('dbt_temporal_engine_resident_memory_bytes').reduce((n, s) => n + s.value, 0);
    const budget = one('dbt_temporal_engine_memory_limit_bytes');
    return [moved(one('process_resident_memory_bytes')), moved(one('dbt_temporal_build_info')),
      ...all('dbt_temporal_engine_resident_memory_bytes').map((s) => moved(s)), moved(budget, limit ?? Math.ceil(used / 0.95))];
  };
  const scrapedBudget = one('dbt_temporal_engine_memory_limit_bytes').value;
  const memory = test([...memSeries(at, scrapedBudget), ...memSeries(tight)],
    [quiet('DbtTemporalMemoryNearLimit', '2m'), firing('DbtTemporalMemoryNearLimit', '10m', tight)]);

  return { rule_files: [rulesPath], evaluation_interval: '1m', tests: [down, stale, notReady, failing, retrying, waiting, memory] };
}
