/** The station and its people: first start, sign-in and sessions, the agency, user accounts. */
import { z } from 'zod'
import { roleSchema } from '../roles.ts'
import { empty, id, isoTime, method, type MethodDef } from './common.ts'

export const username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$/, 'username')
export const displayName = z.string().trim().min(1).max(40)
export const password = z.string().min(1).max(256)
/** 执法证号: provincial formats differ (digits, letters, sometimes a Chinese prefix). */
export const badgeNo = z
  .string()
  .trim()
  .regex(/^[\p{Script=Han}A-Za-z0-9-]{4,32}$/u, 'badge')
export const agencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{2,32}$/, 'agencyCode')
export const agencyName = z.string().trim().min(2).max(60)
export const userSchema = z.object({
  id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(roleSchema),
  badgeNo: z.string().nullable(),
  disabled: z.boolean(),
  lockedUntil: isoTime.nullable(),
  mustChangePassword: z.boolean(),
  createdAt: isoTime,
  lastSignInAt: isoTime.nullable(),
})
export type User = z.infer<typeof userSchema>

export const agencySchema = z.object({
  name: z.string(),
  code: z.string(),
  idleLockMinutes: z.number().int(),
  maxFailedSignIns: z.number().int(),
  lockoutMinutes: z.number().int(),
  /** A registered camera plugged in is imported by itself, as its officer's recording (off by default). */
  autoImport: z.boolean(),
  createdAt: isoTime,
})
export type Agency = z.infer<typeof agencySchema>
export const sessionInfo = z.object({
  user: userSchema,
  mustChangePassword: z.boolean(),
  idleLockMinutes: z.number().int(),
})

export const accountsMethods = {
  'system.info': method({
    input: empty,
    output: z.object({
      initialized: z.boolean(),
      agency: z.object({ name: z.string(), code: z.string() }).nullable(),
      version: z.string(),
      schemaVersion: z.number().int(),
    }),
    access: 'public',
    readOnly: true,
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'system.initialize': method({
    input: z.strictObject({
      agencyName,
      agencyCode,
      adminUsername: username,
      adminDisplayName: displayName,
      adminPassword: password,
    }),
    output: z.object({ adminUserId: id }),
    access: 'public',
  }),
  'auth.signIn': method({
    input: z.strictObject({
      /**
       * Omitted only on the CLI's channel: the CLI's default operator, the earliest active administrator (its
       * password is still required). Any other channel answers VALIDATION, as before it was optional.
       */
      username: z.string().trim().min(1).max(64).optional(),
      password,
    }),
    output: sessionInfo.extend({ session: z.string() }),
    access: 'public',
  }),
  'auth.signOut': method({
    input: empty,
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'auth.me': method({
    input: empty,
    output: sessionInfo.extend({ locked: z.boolean() }),
    access: 'authenticated',
    readOnly: true,
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'auth.changePassword': method({
    input: z.strictObject({ currentPassword: password, newPassword: password }),
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
  }),
  'auth.lock': method({
    input: empty,
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'auth.unlock': method({
    input: z.strictObject({ password }),
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'agency.get': method({
    input: empty,
    output: agencySchema,
    access: 'authenticated',
    readOnly: true,
  }),
  'agency.update': method({
    input: z.strictObject({
      name: agencyName.optional(),
      code: agencyCode.optional(),
      idleLockMinutes: z.number().int().min(1).max(240).optional(),
      maxFailedSignIns: z.number().int().min(3).max(20).optional(),
      lockoutMinutes: z.number().int().min(1).max(1440).optional(),
      autoImport: z.boolean().optional(),
    }),
    output: agencySchema,
    access: ['admin'],
  }),
  'users.list': method({
    input: empty,
    output: z.object({ users: z.array(userSchema) }),
    access: ['admin'],
    readOnly: true,
  }),
  'users.create': method({
    input: z.strictObject({
      username,
      displayName,
      roles: z.array(roleSchema).min(1).max(6),
      badgeNo: badgeNo.optional(),
      initialPassword: password,
    }),
    output: z.object({ user: userSchema }),
    access: ['admin'],
  }),
  'users.update': method({
    input: z.strictObject({
      userId: id,
      displayName: displayName.optional(),
      roles: z.array(roleSchema).min(1).max(6).optional(),
      badgeNo: badgeNo.nullable().optional(),
      disabled: z.boolean().optional(),
    }),
    output: z.object({ user: userSchema }),
    access: ['admin'],
  }),
  'users.find': method({
    /** The id of a user name, for the CLI, which takes names on its command line (--user, --officer, …). */
    input: z.strictObject({ username: z.string().trim().min(1).max(64) }),
    output: z.object({ userId: id }),
    // Names and ids of officers are no secret inside the agency (cases.officers lists them to everyone).
    access: 'authenticated',
    readOnly: true,
  }),
  'users.resetPassword': method({
    input: z.strictObject({ userId: id, newPassword: password }),
    output: z.object({}),
    access: ['admin'],
  }),
  'users.unlock': method({
    input: z.strictObject({ userId: id }),
    output: z.object({ user: userSchema }),
    access: ['admin'],
  }),
} as const satisfies Record<string, MethodDef>
