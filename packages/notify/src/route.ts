/**
 * The routing tree (Alertmanager's model): an alert walks the tree depth first; at each level the
 * first matching child takes it unless that child says `continue`; when no child matches, the
 * node itself does. Settings are inherited from the parent. Pure.
 */
import { matchesAll, onlyLabels } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import type { RouteConfig } from './config.js';
import { DEFAULT_ROUTE_TIMING } from './config.js';
import { compileMatchers, formatMatcher } from './matchers.js';

export interface RouteNode {
  /** Stable identity of the node: the path of matchers from the root (part of group keys). */
  readonly id: string;
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  /** `'all'` = every label (Alertmanager's `...`). */
  readonly groupBy: readonly string[] | 'all';
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly continue: boolean;
  readonly muteWindows: readonly string[];
  readonly activeWindows: readonly string[];
  readonly routes: readonly RouteNode[];
}

/** Compiles a route config; throws naming the route for a missing root receiver or a bad matcher. */
export function compileRoute(cfg: RouteConfig, parent?: RouteNode, index = 0): RouteNode {
  const receiver = cfg.receiver ?? parent?.receiver;
  if (receiver === undefined) throw new Error('route: the root route needs a receiver');
  const specs = parent ? (cfg.matchers ?? []) : [];
  const id = parent ? `${parent.id}/${index}{${specs.map(formatMatcher).join(',')}}` : '{}';
  const groupBy = cfg.groupBy ?? (parent ? (parent.groupBy === 'all' ? ['...'] : parent.groupBy) : []);
  const node: RouteNode = {
    id,
    receiver,
    matchers: compileMatchers(specs),
    groupBy: groupBy.includes('...') ? 'all' : [...groupBy].sort(),
    groupWaitMs: cfg.groupWaitMs ?? parent?.groupWaitMs ?? DEFAULT_ROUTE_TIMING.groupWaitMs,
    groupIntervalMs: cfg.groupIntervalMs ?? parent?.groupIntervalMs ?? DEFAULT_ROUTE_TIMING.groupIntervalMs,
    repeatIntervalMs: cfg.repeatIntervalMs ?? parent?.repeatIntervalMs ?? DEFAULT_ROUTE_TIMING.repeatIntervalMs,
    continue: cfg.continue ?? false,
    muteWindows: cfg.muteWindows ?? [],
    activeWindows: cfg.activeWindows ?? [],
    routes: [],
  };
  const routes = (cfg.routes ?? []).map((c, i) => compileRoute(c, node, i));
  return { ...node, routes };
}

/** The nodes that take an alert with `labels` (at least the root). */
export function matchRoutes(root: RouteNode, labels: Labels): RouteNode[] {
  return matchNode(root, labels, true);
}

function matchNode(node: RouteNode, labels: Labels, isRoot: boolean): RouteNode[] {
  if (!isRoot && !matchesAll(labels, node.matchers)) return [];
  const out: RouteNode[] = [];
  for (const child of node.routes) {
    const taken = matchNode(child, labels, false);
    if (taken.length === 0) continue;
    out.push(...taken);
    if (!child.continue) break;
  }
  return out.length > 0 ? out : [node];
}

/** Every node of the tree, root first. */
export function allRoutes(root: RouteNode): RouteNode[] {
  return [root, ...root.routes.flatMap(allRoutes)];
}

/** The labels an alert is grouped by on this route. */
export function groupLabelsOf(route: RouteNode, labels: Labels): Labels {
  return route.groupBy === 'all' ? labels : onlyLabels(labels, route.groupBy);
}

/** Alertmanager-style group key: `<route id>:{a="1",b="2"}`. */
export function groupKeyOf(route: RouteNode, groupLabels: Labels): string {
  const pairs = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`);
  return `${route.id}:{${pairs.join(',')}}`;
}
