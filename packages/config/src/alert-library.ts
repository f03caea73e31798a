/**
 * `server.alertLibrary`: tuning of the Kubernetes alert library shipped with Fathom (on by
 * default). Applied by `@fathom/alerts`' `libraryRuleFiles`, which also refuses overrides naming a
 * rule it does not have. Example:
 *
 *   alertLibrary:
 *     rules:
 *       KubePodCrashLooping: { enabled: false }
 *       KubeContainerMemoryNearLimit: { threshold: 0.95, forMs: 30m, labels: { team: platform } }
 *       RouterDeploymentNotFullyAvailable: { selector: 'kube_deployment_labels{label_tier="haproxy"}' }
 */
import { parseDurationMs } from '@fathom/model';
import { z } from 'zod';

/** A duration that may be 0 (`for: 0s` fires at once). */
const forMs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDurationMs(v);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "0s" or "15m", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

const ruleOverride = z.strictObject({
  enabled: z.boolean().optional(),
  /** The number the rule compares against (only rules that have one). */
  threshold: z.number().optional(),
  /** A replacement for the rule's tunable series selector (only rules that have one). */
  selector: z.string().min(1).optional(),
  forMs: forMs.optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const alertLibrarySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Where docs/alerts/ is published, for the alerts' runbook links. */
  runbookBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Overrides by alert name. */
  rules: z.record(z.string(), ruleOverride).default({}),
});
