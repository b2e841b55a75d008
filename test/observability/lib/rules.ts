/** The alert rules file, parsed (docker/observability/rules/infer.rules.yaml). */
import { parse } from 'yaml';
import { RULES, readText } from './files.ts';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export const ruleGroups = (parse(readText(RULES)) as { groups: RuleGroup[] }).groups;
