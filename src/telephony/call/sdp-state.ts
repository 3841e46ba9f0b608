import type { G711Codec } from '../../audio/g711';
import { buildOffer, negotiateAnswer, type NegotiatedMedia } from '../sdp';
import type { MediaDirection } from '../sdp/sdp-types';

/** Our side of the SDP session: address, port, o= session id and an increasing version. */
export class SdpState {
  readonly #address: string;
  readonly #port: number;
  readonly #sessionId: string;
  readonly #codecs: G711Codec[] | undefined;
  #version = 0;

  constructor(address: string, port: number, sessionIdHex: string, codecs?: G711Codec[]) {
    this.#address = address;
    this.#port = port;
    this.#sessionId = String(parseInt(sessionIdHex, 16));
    this.#codecs = codecs;
  }

  offer(direction: MediaDirection): string {
    return buildOffer({
      address: this.#address,
      port: this.#port,
      sessionId: this.#sessionId,
      sessionVersion: this.#version++,
      direction,
      telephoneEvent: true,
      ptimeMs: 20,
      ...(this.#codecs ? { codecs: this.#codecs } : {}),
    });
  }

  answer(offerText: string): { answerSdp: string; media: NegotiatedMedia } | { error: string } {
    return negotiateAnswer(offerText, {
      address: this.#address,
      port: this.#port,
      sessionId: this.#sessionId,
      sessionVersion: this.#version++,
      ...(this.#codecs ? { codecs: this.#codecs } : {}),
    });
  }
}
