import { describe, expect, it } from 'vitest';
import { normalizeSql } from '../../../src/supervisor/reuse/normalize-sql.js';

describe('normalizeSql', () => {
  it('drops comments and collapses whitespace, so reformatting is not a change', () => {
    const a = 'select id,\n  name -- the name\nfrom t /* the table */ where x = 1';
    const b = '/* header */\nselect id, name\nfrom   t\twhere x = 1  -- trailing';
    expect(normalizeSql(a)).toBe('select id, name from t where x = 1');
    expect(normalizeSql(b)).toBe(normalizeSql(a));
  });

  it('keeps string literals and quoted identifiers byte for byte, comment markers inside them too', () => {
    expect(normalizeSql("select 'a  --  b', \"col  /* x */\" from t")).toBe("select 'a  --  b', \"col  /* x */\" from t");
    expect(normalizeSql("select 'it''s  here'")).toBe("select 'it''s  here'");
    expect(normalizeSql("select 'a b'")).not.toBe(normalizeSql("select 'a  b'"));
  });

  it('sees a change in the code itself', () => {
    expect(normalizeSql('select id from t')).not.toBe(normalizeSql('select id, name from t'));
  });
});
