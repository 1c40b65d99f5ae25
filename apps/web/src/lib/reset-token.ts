let captured: string | null = null;

/**
 * Takes the password-reset token out of the address bar before anything else runs (history,
 * the Referer of later requests, a screenshot), keeping it in memory for the reset page.
 */
export function captureResetToken(location: Location = window.location): void {
  if (location.pathname !== '/reset-password') return;
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token === null) return;
  captured = token;
  params.delete('token');
  const search = params.toString();
  window.history.replaceState(window.history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

/** The token captured at load, if the app was opened from a reset link. */
export function getResetToken(): string | null {
  return captured;
}
