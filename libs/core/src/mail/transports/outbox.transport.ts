import { mkdir, rename, writeFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../mailer.js';

/** Development without a mail provider: each mail becomes an .eml file in OUTBOX_DIR. */
export function createOutboxTransport(dir: string, from: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let isAnnounced = false;
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      await mkdir(dir, { recursive: true });
      const safeId = message.messageId.replace(/[^A-Za-z0-9.-]/g, '_');
      const path = `${dir}/${new Date().toISOString().replace(/[:.]/g, '-')}_${safeId}.eml`;
      // Written aside and renamed, so whoever watches the folder never reads half a mail.
      await writeFile(`${path}.partial`, info.message as Buffer);
      await rename(`${path}.partial`, path);
      if (!isAnnounced) {
        logger.info({ outbox: dir }, 'MAIL_TRANSPORT is outbox: mail goes to the local outbox folder');
        isAnnounced = true;
      }
      return { destination: path };
    },
    check: async () => ({ state: 'configured' }),
    close: () => undefined,
  };
}
