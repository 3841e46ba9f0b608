import { validatorFor, type PostCallAnalysisSettings } from './analysis-settings';

/** One detected problem of the call, as the grader reports it. */
export interface GradeIssue {
  severity: 'low' | 'medium' | 'high' | 'critical';
  description: string;
}

export const CALL_OUTCOMES = ['success', 'partial', 'failure'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** What one analysis run produced (only the parts the settings asked for are non-null). */
export interface AnalysisResult {
  summary: string | null;
  score: number | null;
  call_outcome: CallOutcome | null;
  outcome_label: string | null;
  issues: GradeIssue[];
  extracted_data: Record<string, unknown> | null;
  grader_model: string;
}

export interface TranscriptLine {
  role: string;
  content: unknown;
}

export interface GradeRequest {
  settings: PostCallAnalysisSettings;
  /** The agent's instructions (what the call was meant to achieve). */
  agentPrompt: string;
  transcript: TranscriptLine[];
  endReason: string | null;
  durationSeconds: number | null;
}

export interface LlmEndpoint {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
}

/** Why a run failed: the message is stored on the call's grade (no secrets, no transcript). */
export class AnalysisError extends Error {}

const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/**
 * Post-call analysis with an OpenAI-compatible chat completions endpoint (the server's LLM):
 * ONE non-streaming request (`response_format: json_object`) asking for exactly the parts the
 * settings turn on; the answer is checked (score 0–1, outcome, label from the list, issues) and the
 * extracted data validated against the user's JSON Schema with ajv. Anything off → AnalysisError.
 */
export class CallGrader {
  readonly #llm: LlmEndpoint;
  readonly #timeoutMs: number;

  constructor(llm: LlmEndpoint, options: { timeoutMs?: number } = {}) {
    this.#llm = llm;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  get model(): string {
    return this.#llm.model;
  }

  async grade(req: GradeRequest): Promise<AnalysisResult> {
    const content = await this.#complete(messagesFor(req));
    return parseAnswer(content, req.settings, this.#llm.model);
  }

  async #complete(messages: { role: string; content: string }[]): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.#llm.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#llm.apiKey ? { authorization: `Bearer ${this.#llm.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.#llm.model,
          messages,
          stream: false,
          temperature: 0,
          response_format: { type: 'json_object' },
        }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new AnalysisError(
        `LLM request failed: ${(err as Error).name === 'TimeoutError' ? 'timeout' : 'connection'}`,
      );
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new AnalysisError(`LLM answered HTTP ${res.status}`);
    }
    let body: { choices?: { message?: { content?: string | null } }[] };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new AnalysisError('LLM answer is not JSON');
    }
    const text = body.choices?.[0]?.message?.content;
    if (typeof text !== 'string' || text.trim() === '') throw new AnalysisError('LLM answer has no content');
    return text;
  }
}

function messagesFor(req: GradeRequest): { role: string; content: string }[] {
  const s = req.settings;
  const keys: string[] = [];
  if (s.summary) keys.push('"summary": two to four sentences on what happened in the call and how it ended');
  if (s.grading) {
    keys.push(
      '"score": a number from 0.0 (the agent failed its instructions) to 1.0 (it did everything right)',
      `"call_outcome": one of ${CALL_OUTCOMES.map((o) => `"${o}"`).join(', ')} (did the call achieve its purpose)`,
      '"issues": a list of {"severity": "low" | "medium" | "high" | "critical", "description": string} for each problem of the agent (empty list when none)',
    );
    if (s.outcome_labels.length > 0)
      keys.push(
        `"outcome_label": exactly one of ${s.outcome_labels.map((l) => JSON.stringify(l)).join(', ')}, the one that fits best`,
      );
  }
  if (s.extraction_schema)
    keys.push(
      `"extracted_data": an object with the information from the call, valid against this JSON Schema: ${JSON.stringify(s.extraction_schema)}`,
    );
  const system =
    'You analyse a finished phone call between an AI voice agent ("assistant") and a person ("user"). ' +
    'Answer with ONE JSON object and nothing else, with exactly these keys:\n' +
    keys.map((k) => `- ${k}`).join('\n');
  const lines = req.transcript
    .filter((t) => t.role === 'user' || t.role === 'assistant')
    .map((t) => `${t.role}: ${typeof t.content === 'string' ? t.content : JSON.stringify(t.content)}`);
  const user =
    `Agent instructions:\n${req.agentPrompt.slice(0, 20_000)}\n\n` +
    `Call ended: ${req.endReason ?? 'unknown'}, ${req.durationSeconds ?? 0} s.\n\n` +
    `Transcript:\n${lines.length > 0 ? lines.join('\n') : '(nobody spoke)'}`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function parseAnswer(text: string, s: PostCallAnalysisSettings, model: string): AnalysisResult {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let v: unknown;
  try {
    v = JSON.parse(unfenced);
  } catch {
    throw new AnalysisError('LLM answer is not a JSON object');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new AnalysisError('LLM answer is not a JSON object');
  const a = v as Record<string, unknown>;
  const out: AnalysisResult = {
    summary: null,
    score: null,
    call_outcome: null,
    outcome_label: null,
    issues: [],
    extracted_data: null,
    grader_model: model,
  };
  if (s.summary) {
    if (typeof a.summary !== 'string' || a.summary.trim() === '') throw new AnalysisError('LLM answer has no summary');
    out.summary = a.summary.trim().slice(0, 5_000);
  }
  if (s.grading) {
    if (typeof a.score !== 'number' || !Number.isFinite(a.score) || a.score < 0 || a.score > 1)
      throw new AnalysisError('LLM answer: score is not a number from 0 to 1');
    out.score = Math.round(a.score * 1000) / 1000;
    const outcome = CALL_OUTCOMES.find((o) => o === String(a.call_outcome).toLowerCase());
    if (!outcome) throw new AnalysisError(`LLM answer: call_outcome is not one of ${CALL_OUTCOMES.join(', ')}`);
    out.call_outcome = outcome;
    const issues = a.issues ?? [];
    if (!Array.isArray(issues)) throw new AnalysisError('LLM answer: issues is not a list');
    out.issues = issues.slice(0, 50).map((i): GradeIssue => {
      const o = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
      const severity = SEVERITIES.includes(String(o.severity).toLowerCase())
        ? (String(o.severity).toLowerCase() as GradeIssue['severity'])
        : 'medium';
      const description = typeof o.description === 'string' ? o.description : typeof i === 'string' ? i : '';
      return { severity, description: description.slice(0, 1_000) };
    });
    if (s.outcome_labels.length > 0) {
      const label = s.outcome_labels.find((l) => l.toLowerCase() === String(a.outcome_label).toLowerCase());
      if (label === undefined) throw new AnalysisError("LLM answer: outcome_label is not one of the agent's labels");
      out.outcome_label = label;
    }
  }
  if (s.extraction_schema) {
    const data = a.extracted_data;
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new AnalysisError('LLM answer: extracted_data is not an object');
    const validate = validatorFor(s.extraction_schema);
    if (!validate(data))
      throw new AnalysisError(
        `LLM answer: extracted_data does not match the schema (${(validate.errors ?? [])
          .slice(0, 3)
          .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
          .join('; ')})`,
      );
    out.extracted_data = data as Record<string, unknown>;
  }
  return out;
}
