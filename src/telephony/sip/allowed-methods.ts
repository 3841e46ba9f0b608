/** Methods our user agent handles (Allow header). */
export const ALLOWED_METHODS = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER';
