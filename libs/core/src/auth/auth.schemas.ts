import { z } from 'zod';

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be a valid email address' }))
  .meta({ example: 'ada@example.com' });

export const PasswordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters')
  .meta({ example: 'correct horse battery staple' });

export const RegisterSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  name: z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(100, 'must be at most 100 characters')
    .meta({ example: 'Ada Lovelace' }),
});
export type RegisterInput = z.infer<typeof RegisterSchema>;

export const LoginSchema = z.strictObject({
  email: EmailSchema,
  // Not the registration rules: an old or odd password must still get the one "invalid credentials" answer.
  password: z.string().min(1, 'must not be empty').max(1024, 'is too long'),
});
export type LoginInput = z.infer<typeof LoginSchema>;

export const RefreshTokenBodySchema = z.strictObject({
  refresh_token: z.string().min(1, 'must not be empty').max(512, 'is too long'),
});

export const UserJsonSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const SessionJsonSchema = z
  .object({
    user: UserJsonSchema,
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'Access-token lifetime in seconds' }),
    refresh_token: z.string().optional().meta({ description: 'Absent when the request asked for the cookie (X-Refresh-Cookie: true)' }),
  })
  .meta({ id: 'Session' });

export const ForgotPasswordSchema = z.strictObject({ email: EmailSchema });

export const ResetPasswordSchema = z.strictObject({
  token: z.string().min(1).max(512),
  new_password: PasswordSchema,
});
