#!/usr/bin/env node
// Prebuilds the workflow bundles so workers do not run webpack at every start: the plain one,
// and the traced one (DBT_EXPORT_TO_OTLP) with the OpenTelemetry workflow interceptors.
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const workflowsPath = dist('src/supervisor/workflows/index.js');
const logger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };
// Workflow interceptors must be bundled: a prebuilt bundle ignores Worker.create's interceptors.
const runMetrics = dist('src/supervisor/metrics/run-interceptor.js');
// The payload converter too (see src/supervisor/payload-converter.ts).
const payloadConverterPath = dist('src/supervisor/payload-converter.js');
const bundles = [
  { out: dist('workflow-bundle.js'), modules: [runMetrics] },
  {
    out: dist('workflow-bundle-traced.js'),
    // Our trace context goes first: it sets the span context the SDK's interceptors read.
    modules: [runMetrics, dist('src/supervisor/workflows/trace-context.js'),
      createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
  },
];
for (const { out, modules } of bundles) {
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: modules, payloadConverterPath, logger });
  await writeFile(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}
