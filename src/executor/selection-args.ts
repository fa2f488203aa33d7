// dbt selection flags for a run's `select`/`exclude`. A `select` of the form `selector:<name>`
// names a YAML selector from selectors.yml, which dbt takes as `--selector <name>`.

export function selectionArgs(select: string | null, exclude: string | null): string[] {
  const args: string[] = [];
  const named = select ? /^selector:(\S+)$/.exec(select.trim()) : null;
  if (named?.[1]) args.push('--selector', named[1]);
  else if (select) args.push('--select', select);
  if (exclude) args.push('--exclude', exclude);
  return args;
}
