// Literal secrets written in profiles.yml (password, token, private key...), so they can be
// redacted like environment secrets. `{{ env_var(...) }}` values are covered by the env scan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

const SECRET_KEY = /(password|passwd|secret|token|private_key|passphrase|api_?key|keyfile_json|client_secret)/i;

function collect(node: unknown, out: Set<string>, underSecret = false): void {
  if (typeof node === 'string') {
    if (underSecret && !node.includes('{{')) out.add(node);
  } else if (Array.isArray(node)) {
    for (const item of node) collect(item, out, underSecret);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) collect(v, out, underSecret || SECRET_KEY.test(k));
  }
}

/** Secret values found in `<dir>/profiles.yml` for each directory (unreadable files are skipped). */
export function profileSecrets(profilesDirs: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const dir of new Set(profilesDirs)) {
    try {
      collect(parseYaml(readFileSync(join(dir, 'profiles.yml'), 'utf8')), out);
    } catch {
      // dbt reports a missing or broken profile itself, naming the file.
    }
  }
  return [...out];
}
