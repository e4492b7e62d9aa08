/** quotable drops what could end a quoted string in named's config (paths are the agent's own). */
export function quotable(path: string): string {
  return path.replace(/["\\]/g, '');
}
