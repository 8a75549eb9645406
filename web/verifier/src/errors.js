// The one error type of the verifier. `code` is one of the named reasons of
// docs/RPC.md "Proofs and the light client" (the same codes as the C++ light
// client, light/errors.h), e.g. LIGHT_COMMIT_INVALID or FORK_DETECTED.
export class VerifyError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'VerifyError';
    this.code = code;
    this.detail = message;
  }
}

export function refuse(code, message) {
  return new VerifyError(code, message);
}
