let notice: string | null = null;

/**
 * A sentence for the sign-in page after the app signed the user out on purpose (the account
 * was deleted). Kept here because the redirect to sign-in comes from the layout, which only
 * sees that the session ended.
 */
export function setSignOutNotice(text: string): void {
  notice = text;
}

export function peekSignOutNotice(): string | null {
  return notice;
}

export function clearSignOutNotice(): void {
  notice = null;
}
