/**
 * Label selectors as upstream Bindy and Kubernetes evaluate them: every matchLabels entry and
 * every matchExpressions requirement must hold, so an empty selector matches everything.
 */
import type { LabelSelector, LabelSelectorRequirement, SelectorSource } from '../crds/types.js';

type Labels = Readonly<Record<string, string>> | undefined;

/** matchesRequirement evaluates one matchExpressions entry; an unknown operator matches nothing. */
export function matchesRequirement(r: LabelSelectorRequirement, labels: Labels): boolean {
  const value = labels?.[r.key];
  switch (r.operator) {
    case 'In':
      return value !== undefined && (r.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(r.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

/** matchesSelector says whether `labels` satisfy the selector (all entries and requirements). */
export function matchesSelector(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
  return byLabel && (selector.matchExpressions ?? []).every((r) => matchesRequirement(r, labels));
}

/** matchesAny is the union of a recordsFrom / bind9InstancesFrom list; an absent or empty list matches nothing. */
export function matchesAny(sources: readonly SelectorSource[] | undefined | null, labels: Labels): boolean {
  return (sources ?? []).some((s) => matchesSelector(s.selector, labels));
}

/** badOperator names the first matchExpressions operator Kubernetes does not define, so status can say so. */
export function badOperator(sources: readonly SelectorSource[] | undefined | null): string | undefined {
  for (const s of sources ?? []) {
    for (const r of s.selector?.matchExpressions ?? []) if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) return r.operator;
  }
  return undefined;
}
