import { z } from 'zod';

/**
 * Schema of `models/<name>/model.json`, the description that travels with every
 * model in the repository (in the spirit of Triton's config.pbtxt). The worker
 * preprocesses and post-processes strictly from it; the API shows it in /v1/models.
 */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);

export const modelInputSchema = z
  .object({
    name: z.string().min(1),
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    color_order: z.enum(['RGB', 'BGR']).default('RGB'),
    /** fill: stretch to size; cover: scale and centre-crop; contain: scale and pad. */
    resize: z.enum(['fill', 'cover', 'contain']).default('fill'),
    /** Pixel values are divided by `scale` first (255 maps 0..255 to 0..1). */
    scale: z.number().positive().default(255),
    mean: rgbTriple.default([0, 0, 0]),
    std: rgbTriple.default([1, 1, 1]),
    /** Colour used to flatten alpha and to pad in `contain` mode. */
    background: rgbTriple.default([0, 0, 0]),
  })
  .strict()
  .refine((input) => input.std.every((s) => s !== 0), { message: 'std must not contain 0', path: ['std'] });

export const modelOutputSchema = z
  .object({
    name: z.string().min(1),
    activation: z.enum(['softmax', 'sigmoid', 'none']).default('softmax'),
    /** Multi-label models (sigmoid): labels scoring at least this are reported as positive. */
    threshold: z.number().min(0).max(1).optional(),
  })
  .strict();

export const modelConfigSchema = z
  .object({
    name: z.string().regex(MODEL_NAME_PATTERN, 'lower-case letters, digits, "-" and "_"'),
    description: z.string().optional(),
    labels: z.array(z.string().min(1)).min(1),
    input: modelInputSchema,
    output: modelOutputSchema,
    max_batch_size: z.number().int().min(1).max(1024).default(32),
    top_k: z.number().int().min(1).optional(),
  })
  .strict();

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelInput = z.infer<typeof modelInputSchema>;
