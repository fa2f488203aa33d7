// Compiled SQL as reuse compares it: comments dropped and whitespace collapsed outside string
// literals and quoted identifiers, so reformatting or re-commenting a model does not rebuild it.

const SPACE = /\s/;

/** The SQL with `--` / `/* *\/` comments removed and every whitespace run outside quotes made one space. */
export function normalizeSql(sql: string): string {
  // The rest of a word: up to a space, a quote or a comment.
  const word = /(?:[^\s'"`\-/]|-(?!-)|\/(?!\*))*/y;
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
    } else if (SPACE.test(c)) {
      pendingSpace = true;
      i += 1;
    } else {
      word.lastIndex = i + 1;
      word.test(sql);
      const j = word.lastIndex;
      emit(sql.slice(i, j));
      i = j;
    }
  }
  return out;
}
