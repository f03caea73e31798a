/**
 * Names, images and labels of containers, from whatever runtime answers. A container with no
 * metadata is still reported (with its id only): metadata enriches, it never gates.
 */
export interface ContainerMetadata {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerMetadataSource {
  /** Metadata for the given ids; ids the runtime does not know are absent from the result. */
  lookup(ids: readonly string[], signal: AbortSignal): Promise<ReadonlyMap<string, ContainerMetadata>>;
}

/** A source that knows nothing (no runtime on this host). */
export const NO_METADATA: ContainerMetadataSource = { lookup: () => Promise.resolve(new Map()) };
