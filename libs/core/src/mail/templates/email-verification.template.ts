import { escapeHtml, type RenderedMail } from './password-reset.template.js';

export interface EmailVerificationMailInput {
  name: string;
  link: string;
  ttlHours: number;
}

/** The verification mail in plain text and HTML. The user's name is escaped: it is user input. */
export function renderEmailVerificationMail({ name, link, ttlHours }: EmailVerificationMailInput): RenderedMail {
  const subject = 'Confirm your email address for Todo AI Chatbot';
  const text = [
    `Hi ${name},`,
    '',
    'Welcome to Todo AI Chatbot. Open this link to confirm that this address is yours:',
    '',
    link,
    '',
    `The link works once, within ${ttlHours} hours. If you did not create an account, ignore this email.`,
  ].join('\n');
  const safeLink = escapeHtml(link);
  const html = `<!doctype html>
<html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2937; max-width: 560px; margin: 0 auto; padding: 24px;">
<p>Hi ${escapeHtml(name)},</p>
<p>Welcome to Todo AI Chatbot. Open this link to confirm that this address is yours:</p>
<p><a href="${safeLink}" style="display: inline-block; padding: 10px 18px; background: #2563eb; color: #fff; border-radius: 6px; text-decoration: none;">Confirm my email address</a></p>
<p style="font-size: 13px; color: #6b7280;">Or paste this address into your browser:<br>${safeLink}</p>
<p style="font-size: 13px; color: #6b7280;">The link works once, within ${ttlHours} hours. If you did not create an account, ignore this email.</p>
</body></html>`;
  return { subject, text, html };
}
