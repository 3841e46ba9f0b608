import { Ajv, type ValidateFunction } from 'ajv';

/**
 * An agent's post-call analysis (`post_call_analysis` on the agent; null = no analysis): after a
 * call that was answered ends, the configured LLM writes a `summary`, grades the call (score
 * 0.0–1.0, `call_outcome`, detected issues, an `outcome_label` from `outcome_labels`) and fills
 * `extraction_schema` (a JSON Schema of an object) from the conversation.
 */
export interface PostCallAnalysisSettings {
  summary: boolean;
  grading: boolean;
  /** JSON Schema (type object) the extracted data must match; null = no extraction. */
  extraction_schema: Record<string, unknown> | null;
  /** The labels the grader picks `outcome_label` from (empty = no label). */
  outcome_labels: string[];
}

export const MAX_OUTCOME_LABELS = 50;
export const MAX_OUTCOME_LABEL_CHARS = 100;
export const MAX_EXTRACTION_SCHEMA_CHARS = 20_000;
const KEYS = ['summary', 'grading', 'extraction_schema', 'outcome_labels'];

const newAjv = (): Ajv => new Ajv({ strict: false, allErrors: true });
let ajv = newAjv();
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 200;

/**
 * The ajv validator of a user's JSON Schema (lenient: unknown keywords allowed), compiled once per
 * distinct schema text; ajv keeps every compiled schema, so the cache starts over past 200.
 * Throws when the schema is not valid.
 */
export function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  if (compiled.size >= MAX_COMPILED) {
    compiled.clear();
    ajv = newAjv();
  }
  const fn = ajv.compile(schema);
  compiled.set(key, fn);
  return fn;
}

/**
 * Validates `post_call_analysis`; problems go to `add(field, message)` with dotted field names.
 * Absent keys take the defaults (summary and grading on, no extraction, no labels).
 */
export function parsePostCallAnalysis(
  value: unknown,
  field: string,
  add: (field: string, message: string) => void,
): PostCallAnalysisSettings | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(field, 'Must be an object or null.');
    return null;
  }
  const body = value as Record<string, unknown>;
  for (const k of Object.keys(body)) if (!KEYS.includes(k)) add(`${field}.${k}`, 'Unknown field.');
  const flag = (k: 'summary' | 'grading'): boolean => {
    if (body[k] === undefined) return true;
    if (typeof body[k] === 'boolean') return body[k];
    add(`${field}.${k}`, 'Must be a boolean.');
    return true;
  };
  const settings: PostCallAnalysisSettings = {
    summary: flag('summary'),
    grading: flag('grading'),
    extraction_schema: null,
    outcome_labels: [],
  };
  const schema = body.extraction_schema;
  if (schema !== undefined && schema !== null) {
    const f = `${field}.extraction_schema`;
    if (typeof schema !== 'object' || Array.isArray(schema)) add(f, 'Must be a JSON Schema object or null.');
    else if (JSON.stringify(schema).length > MAX_EXTRACTION_SCHEMA_CHARS)
      add(f, `Ensure the schema has no more than ${MAX_EXTRACTION_SCHEMA_CHARS} characters of JSON.`);
    else if ((schema as Record<string, unknown>).type !== 'object')
      add(f, 'The schema must describe an object ("type": "object").');
    else {
      try {
        validatorFor(schema as Record<string, unknown>);
        settings.extraction_schema = schema as Record<string, unknown>;
      } catch (err) {
        add(f, `Not a valid JSON Schema: ${(err as Error).message.slice(0, 200)}`);
      }
    }
  }
  const labels = body.outcome_labels;
  if (labels !== undefined) {
    const f = `${field}.outcome_labels`;
    if (
      !Array.isArray(labels) ||
      labels.length > MAX_OUTCOME_LABELS ||
      !labels.every((l) => typeof l === 'string' && l.trim() !== '' && l.length <= MAX_OUTCOME_LABEL_CHARS)
    )
      add(
        f,
        `Must be a list (at most ${MAX_OUTCOME_LABELS}) of non-blank labels of at most ${MAX_OUTCOME_LABEL_CHARS} characters.`,
      );
    else settings.outcome_labels = [...new Set(labels as string[])];
  }
  if (!settings.summary && !settings.grading && settings.extraction_schema === null)
    add(field, 'Turn on at least one of summary, grading or extraction_schema, or set post_call_analysis to null.');
  return settings;
}
