import { describe, expect, it } from 'vitest';
import { selectionArgs } from '../../src/executor/selection-args.js';

describe('selectionArgs', () => {
  it('passes selectors through and maps selector:<name> to --selector', () => {
    expect(selectionArgs('tag:a +b', 'c')).toEqual(['--select', 'tag:a +b', '--exclude', 'c']);
    expect(selectionArgs('selector:nightly', null)).toEqual(['--selector', 'nightly']);
    expect(selectionArgs(null, null)).toEqual([]);
  });
});
