/**
 * figures.ts: docs quote benchmark results as `<!-- bench:<file>.json#<path> -->NUMBER`, so a test
 * can hold every quoted figure to bench/results/ and `npm run bench:figures` can refresh them.
 */

/** FIGURE_MARKER matches one quoted figure: results file, path into it, the number shown. */
export const FIGURE_MARKER = /<!--\s*bench:([\w.-]+\.json)#([^>]+?)\s*-->\s*(-?[0-9]+(?:\.[0-9]+)?)/g;

/** lookup follows `a.b[0]["k y"][field=value]` into a JSON value. */
export function lookup(data: unknown, path: string): unknown {
  const token = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]+)"\]|\[([\w$-]+)=([^\]]+)\])/;
  let rest = path;
  let cur: unknown = data;
  while (rest.length > 0) {
    const m = token.exec(rest);
    if (!m) throw new Error(`bad bench path ${JSON.stringify(path)} at ${JSON.stringify(rest)}`);
    rest = rest.slice(m[0].length);
    if (cur === null || typeof cur !== 'object') return undefined;
    if (m[4] !== undefined) {
      const [field, value] = [m[4], m[5]];
      cur = Array.isArray(cur) ? cur.find((e: Record<string, unknown>) => String(e?.[field]) === value) : undefined;
    } else {
      const key = m[1] ?? m[2] ?? m[3];
      cur = (cur as Record<string, unknown>)[key!];
    }
  }
  return cur;
}

/** decimalsOf is how many decimals a quoted figure shows (the precision it is held to). */
export function decimalsOf(quoted: string): number {
  return quoted.includes('.') ? quoted.split('.')[1]!.length : 0;
}
