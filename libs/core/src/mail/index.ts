export * from './mailer.js';
export * from './password-reset.repository.js';
export * from './send-password-reset-email.js';
export * from './templates/password-reset.template.js';
export * from './smtp-health.js';
