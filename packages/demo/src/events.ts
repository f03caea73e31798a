/** The Kubernetes events the simulator emits, in the event API's shape (TEAM contract, docs/api). */

export interface DemoEvent {
  readonly atMs: number;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly source: 'kubernetes';
  readonly count: number;
  readonly object: { readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly labels: Readonly<Record<string, string>>;
}
