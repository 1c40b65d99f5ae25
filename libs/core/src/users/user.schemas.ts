import { z } from 'zod';
import { TimeZoneSchema } from './time-zone.js';

/** A user's display name: the same rules at registration and in a profile change. */
export const UserNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(100, 'must be at most 100 characters')
  .meta({ example: 'Ada Lovelace' });

export const UpdateProfileSchema = z
  .strictObject({
    name: UserNameSchema.optional(),
    time_zone: TimeZoneSchema.optional(),
  })
  .refine((patch) => patch.name !== undefined || patch.time_zone !== undefined, {
    message: 'provide at least one of name, time_zone',
  });
export type UpdateProfileInput = z.infer<typeof UpdateProfileSchema>;
