const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Private-use scheme callbacks (RFC 8252 §7.1) of native MCP clients we name, matched exactly.
 * Cursor registers this one beside its https and loopback callbacks in the same request, so
 * refusing it would refuse Cursor. A deliberate, narrow exception to "https or loopback": an app
 * that claimed the scheme could catch a code, but not redeem it without the PKCE verifier.
 */
const PRIVATE_USE_REDIRECT_URIS: readonly string[] = ['cursor://anysphere.cursor-mcp/oauth/callback'];

/**
 * Whether a client may register this redirect URI: https anywhere, http only to a loopback host
 * (a native app's local listener, RFC 8252 §7.3), never a fragment (OAuth 2.1 §2.3), never
 * credentials in the URL; other schemes only from PRIVATE_USE_REDIRECT_URIS.
 */
export function isAllowedRedirectUri(value: string): boolean {
  if (PRIVATE_USE_REDIRECT_URIS.includes(value)) return true;
  if (value.includes('#')) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return url.hostname.length > 0;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
