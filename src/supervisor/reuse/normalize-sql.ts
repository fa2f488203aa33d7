// Compiled SQL as reuse compares it: comments dropped and whitespace collapsed outside string
// literals and quoted identifiers, so reformatting or re-commenting a model does not rebuild it.

/** The SQL with `--` / `/* *\/` comments removed and every whitespace run outside quotes made one space. */
export function normalizeSql(sql: string): string {
  let out = '';
  let pendingSpace = false;
  const emit = (text: string): void => {
    if (pendingSpace && out !== '') out += ' ';
    pendingSpace = false;
    out += text;
  };
  for (let i = 0; i < sql.length;) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      pendingSpace = true;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      pendingSpace = true;
    } else if (c === "'" || c === '"' || c === '`') {
      // A quoted run, with doubled quotes inside it, kept byte for byte.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j += 1;
      }
      emit(sql.slice(i, j + 1));
      i = j + 1;
    } else if (/\s/.test(c)) {
      pendingSpace = true;
      i += 1;
    } else {
      let j = i + 1;
      while (j < sql.length && !/[\s'"`]/.test(sql[j] as string) && !(sql[j] === '-' && sql[j + 1] === '-') && !(sql[j] === '/' && sql[j + 1] === '*')) j += 1;
      emit(sql.slice(i, j));
      i = j;
    }
  }
  return out;
}
