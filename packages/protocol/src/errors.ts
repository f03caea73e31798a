/** Why a payload was refused. Every code maps to HTTP 400 except `too_large` (413). */
export type ProtocolErrorCode = 'bad_encoding' | 'too_large' | 'bad_json' | 'bad_version' | 'invalid';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
