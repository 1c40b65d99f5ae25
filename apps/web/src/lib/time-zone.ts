/** The browser's IANA time zone ("Europe/Berlin"), or undefined when it does not say. */
export function browserTimeZone(): string | undefined {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && zone !== 'Etc/Unknown' ? zone : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The zones to pick from: the engine's list, plus UTC and any `extra` zone it leaves out
 * (engines list canonical names only, and some omit UTC or report an alias as the local zone).
 */
export function timeZoneOptions(...extra: (string | undefined)[]): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  for (const zone of ['UTC', ...extra]) if (zone) zones.add(zone);
  return [...zones].sort((a, b) => a.localeCompare(b));
}
