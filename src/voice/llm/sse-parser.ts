/**
 * Incremental parser for `text/event-stream` (the subset LLM servers use): collects `data:` lines
 * into events, an event ends at a blank line. Comments (`:`) and other fields are ignored.
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];

  /** Feeds decoded text; returns the data payloads of the events completed by it. */
  push(text: string): string[] {
    this.#buffer += text;
    const events: string[] = [];
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      let line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.#data.length > 0) events.push(this.#data.join('\n'));
        this.#data = [];
      } else if (line.startsWith('data:')) {
        this.#data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
    }
    return events;
  }

  /** The last event when the stream ends without a trailing blank line. */
  end(): string[] {
    const rest = this.push('\n\n');
    this.#buffer = '';
    return rest;
  }
}
