import type { FrameProcessor } from '../frame-processor';
import type { Frame } from '../frames';
import { Pipeline } from '../pipeline';

export interface PipelineRun {
  pipeline: Pipeline;
  /** Frames that left the last stage downstream, in order. */
  downstream: Frame[];
  /** Frames that left the first stage upstream (errors), in order. */
  upstream: Frame[];
  /** Pushes frames and waits until every stage is idle. */
  send(...frames: Frame[]): Promise<void>;
  /** Output frame types, compacted: consecutive `audio` frames collapse to one `audio*N` entry. */
  types(): string[];
}

/** Test helper: builds a pipeline of `stages`, records what comes out of both ends. */
export function runPipeline(stages: FrameProcessor[]): PipelineRun {
  const downstream: Frame[] = [];
  const upstream: Frame[] = [];
  const pipeline = new Pipeline(
    stages,
    (f) => downstream.push(f),
    (f) => upstream.push(f),
  );
  return {
    pipeline,
    downstream,
    upstream,
    async send(...frames) {
      for (const f of frames) pipeline.push(f);
      await pipeline.idle();
    },
    types() {
      const out: string[] = [];
      let audio = 0;
      for (const f of downstream) {
        if (f.type === 'audio') {
          audio += 1;
          continue;
        }
        if (audio > 0) out.push(`audio*${audio}`);
        audio = 0;
        out.push(f.type);
      }
      if (audio > 0) out.push(`audio*${audio}`);
      return out;
    },
  };
}
