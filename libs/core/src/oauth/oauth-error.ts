/** The OAuth error codes (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707 §2) our flows report. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'invalid_scope' | 'invalid_target' | 'invalid_client_metadata';

/**
 * A refusal in the OAuth protocol's own terms. The HTTP edge turns it into the MCP SDK's error
 * of the same code, so core does not depend on the SDK. Messages never say whether an account exists.
 */
export class OAuthProtocolError extends Error {
  override name = 'OAuthProtocolError';
  readonly code: OAuthErrorCode;

  constructor(code: OAuthErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
