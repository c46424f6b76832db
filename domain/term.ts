import { z } from 'zod';

const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes');

/** The rules of a term that span its programs, with LFX Mentorship's defaults. */
export const TermRulesInput = z.strictObject({
  maxOpenApplications: z
    .int()
    .min(1)
    .max(50)
    .default(3)
    .describe('Open applications a person may have in the term (withdrawn and ended ones do not count)'),
  maxAcceptances: z
    .int()
    .min(1)
    .max(10)
    .default(1)
    .describe('Programs a person may be selected, onboarding or active in at a time'),
  oncePerPerson: z
    .boolean()
    .default(false)
    .describe('Whoever is active in or completed an earlier term of the organization may not apply'),
  announcementAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .default(null)
    .describe('Selection results reach applicants at this instant; decisions after it are told at once'),
  onboardingDaysAfterAnnouncement: z
    .int()
    .min(1)
    .max(60)
    .default(5)
    .describe('With an announcement: days from the moment the applicant is told to the onboarding deadline'),
  slotsPerProgram: z
    .int()
    .min(1)
    .max(10_000)
    .nullable()
    .default(null)
    .describe('Mentees each program may select, unless the program sets its own `slots`'),
  menteesPerMentor: z
    .int()
    .min(1)
    .max(100)
    .nullable()
    .default(null)
    .describe('Mentees one mentor may take across the programs of the term'),
});
export type TermRules = z.output<typeof TermRulesInput>;

/** What an admin sends to create a term. */
export const TermInput = TermRulesInput.extend({
  id: Slug.describe('Opaque term id, e.g. lfx-2027-t1'),
  organization: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
});
export type TermInput = z.input<typeof TermInput>;
export type Term = z.output<typeof TermInput>;

/** A change to a term's rules; fields left out stay as they are. */
export const TermChange = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  maxOpenApplications: TermRulesInput.shape.maxOpenApplications.unwrap().optional(),
  maxAcceptances: TermRulesInput.shape.maxAcceptances.unwrap().optional(),
  oncePerPerson: z.boolean().optional(),
  announcementAt: z.iso.datetime({ offset: true }).nullable().optional(),
  onboardingDaysAfterAnnouncement: TermRulesInput.shape.onboardingDaysAfterAnnouncement.unwrap().optional(),
  slotsPerProgram: z.int().min(1).max(10_000).nullable().optional(),
  menteesPerMentor: z.int().min(1).max(100).nullable().optional(),
});
export type TermChange = z.infer<typeof TermChange>;

/** The term's rules as pinned into each mentee's workflow (for the UI and the announcement). */
export interface PinnedTermRules {
  /** null: a program without a term, which is a term of its own */
  termId: string | null;
  organization: string;
  name: string;
  maxOpenApplications: number;
  maxAcceptances: number;
  oncePerPerson: boolean;
  announcementAt: string | null;
  onboardingDaysAfterAnnouncement: number;
  /** The program's slots: its own, else the term's slotsPerProgram. */
  slots: number | null;
  menteesPerMentor: number | null;
}
