import type { G711Codec } from '../../audio/g711';
import { InProcessMediaEngine } from '../media/in-process-media-engine';
import type { MediaSession } from '../media/media-session';
import type { NegotiatedMedia } from '../sdp';
import type { UserAgentCore } from '../sip/user-agent-core';
import type { CallMediaDefaults } from './call-leg-types';
import { SdpState } from './sdp-state';

/** The media side of a leg: its RtpSession, our SDP state, and hold tracking from negotiated media. */
export class LegMedia {
  readonly session: MediaSession;
  readonly sdp: SdpState;
  #held = false;

  private constructor(session: MediaSession, sdp: SdpState) {
    this.session = session;
    this.sdp = sdp;
  }

  static async open(core: UserAgentCore, m: CallMediaDefaults, codecs: G711Codec[] | undefined): Promise<LegMedia> {
    const engine = (m.engine ??= new InProcessMediaEngine(m.pool, core.log));
    const session = await engine.open({ bindAddress: m.bindAddress, mediaTimeoutMs: m.mediaTimeoutMs });
    return new LegMedia(
      session,
      new SdpState(m.sdpAddress ?? core.publicIp, session.localPort, core.ids.token('', 4), codecs ?? m.codecs),
    );
  }

  get held(): boolean {
    return this.#held;
  }

  /** Applies (re-)negotiated media; returns 'hold' / 'resume' when the far end changed hold state. */
  apply(media: NegotiatedMedia): 'hold' | 'resume' | null {
    this.session.setRemote(media);
    this.session.start();
    if (media.onHold && !this.#held) {
      this.#held = true;
      this.session.pause();
      return 'hold';
    }
    if (!media.onHold && this.#held) {
      this.#held = false;
      this.session.resume();
      return 'resume';
    }
    return null;
  }
}
