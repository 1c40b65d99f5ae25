const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a client may register this redirect URI: https anywhere, http only to a loopback host
 * (a native app's local listener, RFC 8252 §7.3), never a fragment (OAuth 2.1 §2.3), never
 * credentials in the URL.
 */
export function isAllowedRedirectUri(value: string): boolean {
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
