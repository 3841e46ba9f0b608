/**
 * The audio frame every part of a call agrees on: 8 kHz mono 16-bit PCM (G.711's rate) in 20 ms
 * frames of 160 samples. RTP packets, the recorder, the media bridge and the voice pipeline (VAD,
 * TTS output, pacing) all count in these units.
 */

/** Telephony sample rate (G.711, RTP clock of PCMU/PCMA), in Hz. */
export const TELEPHONY_RATE_HZ = 8000;

/** Samples (and RTP timestamp units) per millisecond at the telephony rate. */
export const SAMPLES_PER_MS = TELEPHONY_RATE_HZ / 1000;

/** Duration of one frame (RTP ptime), in ms. */
export const FRAME_MS = 20;

/** Samples in one frame (160). */
export const FRAME_SAMPLES = FRAME_MS * SAMPLES_PER_MS;
