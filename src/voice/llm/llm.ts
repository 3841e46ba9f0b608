/** Chat messages in the OpenAI chat-completions shape (the lingua franca of LLM servers). */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A tool as the model sees it (no endpoint). */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export type LlmEvent =
  | { type: 'text'; text: string }
  /** A complete tool call (emitted once its streamed deltas are assembled). */
  | { type: 'tool_call'; call: ChatToolCall }
  | { type: 'done'; finishReason: string | null };

export interface LlmRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  signal?: AbortSignal | undefined;
  maxTokens?: number;
}

/** Streaming chat completion. The iterator throws a ProviderError on failure. */
export interface LlmProvider {
  readonly name: string;
  stream(request: LlmRequest): AsyncIterable<LlmEvent>;
}
