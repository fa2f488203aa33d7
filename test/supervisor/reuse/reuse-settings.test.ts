import { describe, expect, it } from 'vitest';
import { parseProjectSettings } from '../../../src/supervisor/projects/project-settings.js';

describe("dbt_temporal.yml's reuse:", () => {
  it('is off by default, and takes a boolean or { enabled, stateful }', () => {
    expect(parseProjectSettings(null, 'f.yml').reuse).toEqual({ enabled: false, stateful: false });
    expect(parseProjectSettings({ reuse: true }, 'f.yml').reuse).toEqual({ enabled: true, stateful: false });
    expect(parseProjectSettings({ reuse: { enabled: true, stateful: true } }, 'f.yml').reuse).toEqual({ enabled: true, stateful: true });
  });

  it('names the file and the key of a mistake', () => {
    expect(() => parseProjectSettings({ reuse: { enable: true } }, 'f.yml')).toThrow(/f\.yml: unknown key `reuse\.enable` \(did you mean `reuse\.enabled`\?\)/);
    expect(() => parseProjectSettings({ reuse: 'yes' }, 'f.yml')).toThrow(/f\.yml: reuse must be a mapping/);
  });
});
