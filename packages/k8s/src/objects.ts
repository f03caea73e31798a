/**
 * The few fields of Kubernetes objects Fathom reads, as they appear in the API's JSON. Kept
 * minimal on purpose: unknown fields are ignored, every field may be absent.
 */
export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
}

export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
}

export interface ContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly finishedAt?: string; readonly startedAt?: string; readonly message?: string };
}

export interface ContainerStatus {
  readonly name: string;
  readonly containerID?: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly image?: string;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

export type ResourceList = Readonly<Record<string, string>>;

export interface ContainerSpec {
  readonly name: string;
  readonly image?: string;
  readonly resources?: { readonly requests?: ResourceList; readonly limits?: ResourceList };
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string; readonly containers?: readonly ContainerSpec[]; readonly initContainers?: readonly ContainerSpec[] };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly conditions?: readonly Condition[];
    readonly containerStatuses?: readonly ContainerStatus[];
    readonly initContainerStatuses?: readonly ContainerStatus[];
  };
}

export interface Service extends KubeObject {
  readonly spec?: { readonly selector?: Readonly<Record<string, string>>; readonly type?: string };
}

/** Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, HPAs: spec/status read loosely. */
export interface Workload extends KubeObject {
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
}

export interface Node extends KubeObject {
  readonly status?: { readonly allocatable?: ResourceList; readonly capacity?: ResourceList; readonly conditions?: readonly Condition[] };
  readonly spec?: { readonly unschedulable?: boolean };
}

/** core/v1 Event (what `kubectl get events` shows). */
export interface KubeEvent extends KubeObject {
  readonly involvedObject?: { readonly kind?: string; readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly fieldPath?: string };
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
  readonly count?: number;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string };
  readonly source?: { readonly component?: string; readonly host?: string };
  readonly reportingInstance?: string;
}

/** `namespace/name`, the key objects are cached under. */
export function objectKey(o: KubeObject): string {
  const m = o.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}
