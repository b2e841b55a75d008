import type { Rgb } from './images.ts';

/**
 * Independent oracle for models/plant-pathology: the same raw-RGB weights as
 * tools/reference-model/generate_reference_model.py, applied by plain arithmetic.
 * If preprocessing got channel order or normalisation wrong, scores would differ.
 */
export const REFERENCE_LABELS = ['healthy', 'multiple_diseases', 'rust', 'scab'] as const;
const W_RAW = [
  [-4, 6, -2],
  [4, 4, -8],
  [6, -4, -4],
  [-2, -2, -2],
];
const B_RAW = [-0.5, -4, 0, 2];

export function expectedScores(rgb: Rgb): Record<string, number> {
  const v = rgb.map((c) => c / 255);
  const logits = W_RAW.map((row, k) => row.reduce((sum, w, c) => sum + w * (v[c] as number), B_RAW[k] as number));
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return Object.fromEntries(REFERENCE_LABELS.map((label, k) => [label, (exps[k] as number) / total]));
}

export function expectedTopLabel(rgb: Rgb): string {
  const scores = expectedScores(rgb);
  return Object.entries(scores).sort((a, b) => b[1] - a[1])[0]?.[0] as string;
}
