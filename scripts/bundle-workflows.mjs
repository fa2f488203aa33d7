#!/usr/bin/env node
// Prebuilds the workflow bundle so workers do not run webpack at every start.
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const workflowsPath = fileURLToPath(new URL('../dist/src/supervisor/workflows/index.js', import.meta.url));
const out = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
// Workflow interceptors must be bundled: a prebuilt bundle ignores Worker.create's interceptors.
const workflowInterceptorModules = [fileURLToPath(new URL('../dist/src/supervisor/metrics/run-interceptor.js', import.meta.url))];
// The payload converter too (see src/supervisor/payload-converter.ts).
const payloadConverterPath = fileURLToPath(new URL('../dist/src/supervisor/payload-converter.js', import.meta.url));
const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, payloadConverterPath, logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } });
await writeFile(out, code);
console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
