import type { LlmProvider } from '../llm/llm';

/** One-off system instructions and fixed lines of the agent (English; the model answers in the prompt's language). */
export const GREETING_INSTRUCTION =
  'The phone call was just answered. Open the conversation now with a short greeting, as your instructions describe.';
export const NUDGE_INSTRUCTION =
  'The caller has been silent for a while. Say one short sentence to check whether they are still there.';
export const AUTO_ACK_INSTRUCTION =
  'Write one very short acknowledgement (2 to 5 words) you would say on the phone while you look something up, matching the tone of your instructions. Answer with that phrase only.';
export const DEFAULT_ACK = 'One moment, please.';
export const STT_FALLBACK = "Sorry, I didn't catch that. Could you say it again?";
export const LLM_FALLBACK = "Sorry, I'm having trouble right now. Could you say that again?";

/** Auto mode of `*-with-ack` products: asks the model once for a filler phrase fitting the prompt. */
export async function generateAcknowledgement(
  llm: LlmProvider,
  systemPrompt: string,
  onError: (err: unknown) => void,
): Promise<string> {
  try {
    let text = '';
    const messages = [
      { role: 'system' as const, content: systemPrompt },
      { role: 'user' as const, content: AUTO_ACK_INSTRUCTION },
    ];
    for await (const ev of llm.stream({ messages, tools: [], signal: AbortSignal.timeout(5000), maxTokens: 20 }))
      if (ev.type === 'text') text += ev.text;
    const clean = text.replace(/\s+/g, ' ').trim();
    return clean.length > 0 && clean.length <= 80 ? clean : DEFAULT_ACK;
  } catch (err) {
    onError(err);
    return DEFAULT_ACK;
  }
}
