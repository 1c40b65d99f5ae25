import { z } from 'zod';
import { PasswordSchema } from './auth.schemas.js';

/** The current password is checked, not validated: an old password from before today's rules must still be accepted. */
const CurrentPasswordSchema = z.string().min(1, 'must not be empty').max(1024, 'is too long');

export const ChangePasswordSchema = z.strictObject({
  current_password: CurrentPasswordSchema,
  new_password: PasswordSchema,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordSchema>;

export const DeleteAccountSchema = z.strictObject({ password: CurrentPasswordSchema });

export const VerifyEmailSchema = z.strictObject({ token: z.string().min(1, 'must not be empty').max(512, 'is too long') });
