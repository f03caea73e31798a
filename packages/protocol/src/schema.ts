import { isValidLabelName, isValidMetricName, METRIC_NAME } from '@fathom/model';
import { z } from 'zod';

const wireValue = z.union([z.number(), z.enum(['NaN', '+Inf', '-Inf', 'stale'])]);
const sample = z.tuple([z.number().int().nonnegative(), wireValue]);

const labels = z
  .record(z.string(), z.string())
  .superRefine((rec, ctx) => {
    const name = rec[METRIC_NAME];
    if (name === undefined || !isValidMetricName(name)) {
      ctx.addIssue({ code: 'custom', message: `missing or invalid metric name ${JSON.stringify(name ?? '')}` });
    }
    for (const key of Object.keys(rec)) {
      if (key !== METRIC_NAME && !isValidLabelName(key)) {
        ctx.addIssue({ code: 'custom', message: `invalid label name ${JSON.stringify(key)}` });
      }
    }
  });

export const batchWireSchema = z.object({
  version: z.literal(1),
  agent: z.object({ id: z.string().min(1).max(256), host: z.string().min(1).max(256), version: z.string().max(64) }),
  seq: z.number().int().nonnegative(),
  metadata: z.record(
    z.string(),
    z.object({ type: z.enum(['counter', 'gauge', 'untyped']), help: z.string().max(4096) }),
  ),
  series: z.array(z.object({ labels, samples: z.array(sample).min(1) })),
});

export type BatchWire = z.infer<typeof batchWireSchema>;
