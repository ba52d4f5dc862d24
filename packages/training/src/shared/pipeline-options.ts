/** What the CLI hands one design's pipeline. */
export interface PipelineOptions {
  /** Repository root; data and artifacts live under <root>/.cache. */
  root: string;
  profile: string;
  /** Rebuild every step even when its cache stamp matches. */
  force: boolean;
}

export type Pipeline = (options: PipelineOptions) => Promise<void>;
