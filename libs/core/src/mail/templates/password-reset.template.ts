export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export interface PasswordResetMailInput {
  name: string;
  link: string;
  ttlMinutes: number;
}

/** The reset mail in plain text and HTML. The user's name is escaped: it is user input. */
export function renderPasswordResetMail({ name, link, ttlMinutes }: PasswordResetMailInput): RenderedMail {
  const subject = 'Reset your Todo AI Chatbot password';
  const text = [
    `Hi ${name},`,
    '',
    'Someone (hopefully you) asked to reset the password of your Todo AI Chatbot account.',
    `Open this link within ${ttlMinutes} minutes to choose a new password:`,
    '',
    link,
    '',
    'The link works once. If you did not ask for this, ignore this email: your password stays as it is.',
  ].join('\n');
  const safeLink = escapeHtml(link);
  const html = `<!doctype html>
<html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2937; max-width: 560px; margin: 0 auto; padding: 24px;">
<p>Hi ${escapeHtml(name)},</p>
<p>Someone (hopefully you) asked to reset the password of your Todo AI Chatbot account.
Open this link within ${ttlMinutes} minutes to choose a new password:</p>
<p><a href="${safeLink}" style="display: inline-block; padding: 10px 18px; background: #2563eb; color: #fff; border-radius: 6px; text-decoration: none;">Reset my password</a></p>
<p style="font-size: 13px; color: #6b7280;">Or paste this address into your browser:<br>${safeLink}</p>
<p style="font-size: 13px; color: #6b7280;">The link works once. If you did not ask for this, ignore this email: your password stays as it is.</p>
</body></html>`;
  return { subject, text, html };
}
