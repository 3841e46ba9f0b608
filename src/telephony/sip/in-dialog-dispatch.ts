import { ALLOWED_METHODS } from './allowed-methods';
import type { SipRequest } from './message';
import { parseInfoDtmf, type InfoDtmf } from './dtmf-info';

export interface InDialogHandlers {
  respond(status: number, headers?: Array<[string, string]>): void;
  /** The far end hung up (the 200 is already sent). */
  bye(): void;
  /** A re-INVITE: the handler answers it. */
  reinvite(): void;
  dtmf(e: InfoDtmf): void;
  /** A transfer progress report (the 200 is already sent). */
  notify(sipfrag: string, subscriptionState: string): void;
}

/**
 * Routes one request inside an established dialog by method: BYE, re-INVITE, INFO (DTMF), NOTIFY
 * (transfer progress), OPTIONS; we refuse REFER (603) and answer 501 to anything else.
 */
export function dispatchInDialogRequest(req: SipRequest, h: InDialogHandlers): void {
  switch (req.method) {
    case 'BYE':
      h.respond(200);
      return h.bye();
    case 'INVITE':
      return h.reinvite();
    case 'INFO': {
      const dtmf = parseInfoDtmf(req.headers.get('Content-Type') ?? '', req.body.toString('utf8'));
      h.respond(dtmf || req.body.length === 0 ? 200 : 415);
      if (dtmf) h.dtmf(dtmf);
      return;
    }
    case 'NOTIFY':
      h.respond(200);
      return h.notify(req.body.toString('utf8'), req.headers.get('Subscription-State') ?? '');
    case 'OPTIONS':
      return h.respond(200, [['Allow', ALLOWED_METHODS]]);
    case 'REFER':
      return h.respond(603);
    case 'ACK':
      return;
    default:
      return h.respond(501);
  }
}
