export { parseSdp, SdpParseError } from './parse-sdp';
export {
  buildOffer,
  DEFAULT_TELEPHONE_EVENT_PT,
  STATIC_PAYLOAD_TYPES,
  type OfferOptions,
  type SdpEndpoint,
} from './build-offer';
export { negotiateAnswer, readAnswer, type AnswerOptions } from './negotiate';
export {
  isSdpError,
  type MediaDirection,
  type NegotiatedMedia,
  type SdpMedia,
  type SessionDescription,
  type SdpResult,
} from './sdp-types';
