/**
 * Which pod labels become `label_<name>` (sanitized) on series. Globs (`*` = any run of
 * characters) on the original label key; deny wins. The default keeps every label except the
 * controllers' hash/uid bookkeeping, which changes on every rollout and would churn series.
 */
import { sanitizeLabelName } from '@fathom/model';

export interface LabelPolicyConfig {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export const DEFAULT_LABEL_POLICY: LabelPolicyConfig = {
  allow: ['*'],
  deny: ['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'controller-uid', 'batch.kubernetes.io/controller-uid', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index'],
};

export class LabelPolicy {
  private readonly _allow: RegExp[];
  private readonly _deny: RegExp[];

  constructor(config: LabelPolicyConfig = DEFAULT_LABEL_POLICY) {
    this._allow = config.allow.map(glob);
    this._deny = config.deny.map(glob);
  }

  keeps(key: string): boolean {
    return this._allow.some((r) => r.test(key)) && !this._deny.some((r) => r.test(key));
  }

  /** `label_<sanitized key>` → value for the kept labels. */
  apply(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels ?? {})) if (this.keeps(k) && v !== '') out[`label_${sanitizeLabelName(k)}`] = v;
    return out;
  }
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
