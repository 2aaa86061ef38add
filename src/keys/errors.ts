/** Why a key operation was refused; the operator endpoint maps the code to an HTTP status. */
export type KeyErrorCode = 'key_not_found' | 'key_already_revoked' | 'keys_busy' | 'unknown_algorithm';

export class KeyOperationError extends Error {
  override name = 'KeyOperationError';
  readonly code: KeyErrorCode;
  constructor(code: KeyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
