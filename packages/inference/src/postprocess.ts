import type { ModelConfig, Prediction } from '@infer/contracts';

/** Apply the model's output activation to one row of logits. */
export function activate(row: ArrayLike<number>, activation: ModelConfig['output']['activation']): number[] {
  const values = Array.from(row);
  if (activation === 'sigmoid') return values.map((v) => 1 / (1 + Math.exp(-v)));
  if (activation === 'none') return values;
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Labelled scores, best first; limited to top_k and to the threshold for multi-label models. */
export function toPredictions(row: ArrayLike<number>, config: ModelConfig): Prediction[] {
  if (row.length !== config.labels.length) {
    throw new Error(`model output has ${row.length} values but model.json lists ${config.labels.length} labels`);
  }
  const scores = activate(row, config.output.activation);
  const threshold = config.output.threshold;
  const predictions = scores
    .map((score, i) => ({ label: config.labels[i] as string, score }))
    .filter((p) => threshold === undefined || p.score >= threshold)
    .sort((a, b) => b.score - a.score);
  return config.top_k ? predictions.slice(0, config.top_k) : predictions;
}
