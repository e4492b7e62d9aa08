/**
 * Least privilege from evidence: the permissions a set of users actually exercised (read from
 * kube-apiserver's audit log) against the permissions RBAC objects grant them. A permission is
 * (API group, resource[/subresource], verb, scope), where the scope is `cluster` (no namespace),
 * `lease` (the lease namespace) or `instance` (a namespace holding Bind9Instances).
 */
import { readFileSync } from 'node:fs';

/** Scope says where a permission applies; a ClusterRole grant covers `any`. */
export type Scope = 'cluster' | 'lease' | 'instance' | 'any';

/** Permission is one (group, resource, verb, scope), with the object names a grant is limited to. */
export interface Permission {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly scope: Scope;
  readonly names?: readonly string[];
}

/** Use is a permission the audit log shows a user exercising, with the HTTP status it got. */
export interface Use extends Permission {
  readonly user: string;
  readonly name?: string;
  readonly code: number;
  /** When the apiserver received the request (ms since the epoch). */
  readonly at: number;
}

interface AuditEvent {
  stage: string;
  verb: string;
  user: { username: string };
  requestReceivedTimestamp: string;
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/** ScopeOf classifies a namespace: the lease namespace, one of the test's instance namespaces, or other. */
export type ScopeOf = (namespace: string | undefined) => Scope | undefined;

/**
 * readUses reads the audit log's completed resource requests by `users` since `since`. Requests in
 * namespaces `scopeOf` does not know (other tests sharing the bed and the user) are left out.
 */
export function readUses(path: string, users: (name: string) => boolean, since: Date, scopeOf: ScopeOf): Use[] {
  const uses: Use[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const e = JSON.parse(line) as AuditEvent;
    // A watch is logged at ResponseStarted long before it completes; either stage proves the use.
    if (!['ResponseStarted', 'ResponseComplete'].includes(e.stage) || !e.objectRef?.resource || !users(e.user.username)) continue;
    const at = Date.parse(e.requestReceivedTimestamp);
    if (at < since.getTime()) continue;
    const scope = scopeOf(e.objectRef.namespace);
    if (!scope) continue;
    const resource = recordClass(e.objectRef.subresource ? `${e.objectRef.resource}/${e.objectRef.subresource}` : e.objectRef.resource);
    uses.push({ user: e.user.username, group: e.objectRef.apiGroup ?? '', resource, verb: e.verb, scope, name: e.objectRef.name, code: e.responseStatus?.code ?? 0, at });
  }
  return uses;
}

/**
 * recordClass folds the eight record kinds into `<records>`: one generic reconciler serves them
 * all, so one kind exercised is every kind exercised (the scenario need not create all eight).
 */
function recordClass(resource: string): string {
  return resource.replace(/^[a-z]+records(?=$|\/)/, '<records>');
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** grantsOf expands RBAC rules into single permissions at one scope. */
export function grantsOf(rules: readonly Rule[], scope: Scope): Permission[] {
  const all = rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((group) =>
      (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => ({ group, resource: recordClass(resource), verb, scope, ...(r.resourceNames ? { names: r.resourceNames } : {}) }))),
    ),
  );
  return [...new Map(all.map((p) => [keyOf(p), p])).values()];
}

/** covers tells whether a grant authorizes a use (list/watch with resourceNames need a name, as the apiserver requires). */
export function covers(g: Permission, u: Use): boolean {
  if (g.group !== u.group || g.resource !== u.resource || g.verb !== u.verb) return false;
  if (g.scope !== 'any' && g.scope !== u.scope) return false;
  return !g.names || (u.name !== undefined && g.names.includes(u.name));
}

/** keyOf prints a permission as one table cell: `group/resource verb @scope [names]`. */
export function keyOf(p: Permission): string {
  return `${p.group || 'core'}/${p.resource} ${p.verb} @${p.scope}${p.names ? ` [${p.names.join(',')}]` : ''}`;
}

/** Comparison is what was used but not granted (or denied), and what was granted but never used. */
export interface Comparison {
  readonly usedNotGranted: string[];
  readonly grantedNotUsed: string[];
  readonly table: string[];
}

/** compare matches uses with grants and renders the used-vs-granted table. */
export function compare(uses: readonly Use[], grants: readonly Permission[]): Comparison {
  // Every use counts: a permission denied once and used since is still a denial.
  const usedNotGranted = [...new Set(uses.filter((u) => u.code === 403 || !grants.some((g) => covers(g, u))).map(keyOf))];
  const grantedNotUsed = grants.filter((g) => !uses.some((u) => u.code !== 403 && covers(g, u))).map(keyOf);
  const table = [
    ...grants.map((g) => `${uses.some((u) => u.code !== 403 && covers(g, u)) ? 'used    ' : 'UNUSED  '} granted ${keyOf(g)}`),
    ...usedNotGranted.map((k) => `DENIED/NOT GRANTED ${k}`),
  ];
  return { usedNotGranted: [...usedNotGranted].sort(), grantedNotUsed: [...new Set(grantedNotUsed)].sort(), table };
}
