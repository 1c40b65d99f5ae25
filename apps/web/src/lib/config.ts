/** The API's origin, set at build time (VITE_API_BASE_URL); empty means the app's own origin. */
export const API_BASE_URL = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');

/** An absolute URL of the API for showing to people (the /mcp address, for example). */
export function absoluteApiUrl(path: string): string {
  return new URL(`${API_BASE_URL}${path}`, window.location.origin).toString();
}
