import { describe, expect, it } from 'vitest';
import { parseRunInput } from '../../src/shared/input.js';

describe('parseRunInput', () => {
  it('accepts an empty input and defaults the command to build', () => {
    expect(parseRunInput(undefined)).toMatchObject({ command: 'build', project: null, vars: {}, env: {}, fail_fast: false });
    expect(parseRunInput({})).toMatchObject({ command: 'build' });
  });

  it('ignores unknown keys and normalises blank strings to null', () => {
    expect(parseRunInput({ select: '  ', surprise: 1 })).toMatchObject({ select: null });
  });

  it('names the field and the rule on bad values', () => {
    expect(() => parseRunInput({ command: 'bogus' })).toThrow(/input\.command must be one of build, run/);
    expect(() => parseRunInput({ select: 3 })).toThrow(/input\.select must be a string, got 3/);
    expect(() => parseRunInput({ vars: [] })).toThrow(/input\.vars must be a JSON object/);
    expect(() => parseRunInput({ env: { A: 1 } })).toThrow(/input\.env\.A must be a string/);
    expect(() => parseRunInput({ full_refresh: 'yes' })).toThrow(/input\.full_refresh must be a boolean/);
    expect(() => parseRunInput({ indirect_selection: 'greedy' })).toThrow(/indirect_selection must be one of eager/);
    expect(() => parseRunInput('text')).toThrow(/input must be a JSON object/);
  });

  it('lower-cases indirect_selection', () => {
    expect(parseRunInput({ indirect_selection: 'Cautious' }).indirect_selection).toBe('cautious');
  });
});
