/**
 * Just enough PromQL reading to list the series selectors of an expression: each metric name
 * with the label names its matchers use. It skips strings, range and subquery brackets,
 * function and aggregation names, and the label lists of by/without/on/ignoring/group_*.
 * Syntax itself is promtool's to check (`promtool check rules`), not this reader's.
 */

export interface Selector {
  metric: string;
  /** Label names in the selector's braces (`{model=~"a", state="b"}` -> model, state). */
  labels: string[];
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);
/** Followed by a parenthesised list of label names, not an expression. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const MATCHER_LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*/y;

/** The index just past the string literal starting at `start` (", ' or `). */
function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  if (i >= expr.length) throw new Error(`unterminated string in: ${expr}`);
  return i + 1;
}

/** The index just past the bracket closing the one at `start`. */
function skipPast(expr: string, start: number, close: string): number {
  const end = expr.indexOf(close, start + 1);
  if (end < 0) throw new Error(`unclosed ${expr[start]} in: ${expr}`);
  return end + 1;
}

/** Label names of the matchers in the braces at `start`, and the index past them. */
function readMatchers(expr: string, start: number): { labels: string[]; end: number } {
  const labels: string[] = [];
  let i = start + 1;
  for (;;) {
    while (/[\s,]/.test(expr[i] ?? '')) i++;
    if (expr[i] === '}') return { labels, end: i + 1 };
    MATCHER_LABEL.lastIndex = i;
    const matcher = MATCHER_LABEL.exec(expr);
    if (!matcher) throw new Error(`cannot read the matchers at ${i} of: ${expr}`);
    labels.push(matcher[1] as string);
    i = MATCHER_LABEL.lastIndex;
    if (expr[i] !== '"' && expr[i] !== "'" && expr[i] !== '`') throw new Error(`matcher value not quoted: ${expr}`);
    i = skipString(expr, i);
  }
}

const nextNonSpace = (expr: string, from: number): number => {
  let i = from;
  while (/\s/.test(expr[i] ?? '')) i++;
  return i;
};

export function selectorsOf(expr: string): Selector[] {
  const selectors: Selector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i);
    else if (c === '[') i = skipPast(expr, i, ']');
    else if (c === '#') i = skipPast(expr, i, '\n');
    else if (c === '{') throw new Error(`a selector without a metric name is not supported: ${expr}`);
    else if (/[0-9.]/.test(c)) {
      // Numbers and durations (10m, 1e3, 0x1f): never metric names.
      while (/[0-9a-zA-Z._]/.test(expr[i] ?? '')) i++;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENTIFIER.lastIndex = i;
      const word = (IDENTIFIER.exec(expr) as RegExpExecArray)[0];
      i += word.length;
      const next = nextNonSpace(expr, i);
      if (LABEL_LIST_KEYWORDS.has(word)) {
        if (expr[next] === '(') i = skipPast(expr, next, ')');
      } else if (KEYWORDS.has(word) || AGGREGATIONS.has(word) || expr[next] === '(') {
        // An operator, an aggregation (its label list is skipped above) or a function call.
      } else if (expr[next] === '{') {
        const { labels, end } = readMatchers(expr, next);
        selectors.push({ metric: word, labels });
        i = end;
      } else {
        selectors.push({ metric: word, labels: [] });
      }
    } else i++;
  }
  return selectors;
}

/** Grafana's built-in interval variables, and the dashboard's own ones (regex values). */
const INTERVALS: Record<string, string> = { __rate_interval: '1m', __interval: '1m', __range: '1h' };

/**
 * The expression as Prometheus receives it from Grafana: interval variables become durations,
 * template variables (inside regex matchers) `.*`, the value of "All".
 */
export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, (_all, name: string) => INTERVALS[name] ?? '.*');
}

/** The metric of a Grafana `label_values(metric{...}, label)` variable query, parsed as PromQL. */
export function labelValuesQuery(query: string): { selector: string; label: string } | undefined {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/s.exec(query);
  return match ? { selector: match[1] as string, label: match[2] as string } : undefined;
}
