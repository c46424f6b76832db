import { z } from '@hono/zod-openapi';
import { VERIFICATION_CODE_PATTERN } from '../domain/certificate-codes.js';
import { ProblemError } from '../domain/problems.js';
import { pageExample } from './examples.js';

/** `?limit=&cursor=` on every list; the cursor is opaque to the frontend and names its list. */
export const pageQuery = (list: CursorList) => ({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({
      description:
        'The `nextCursor` of the previous page of this list; omit (or leave empty) for the first page. A cursor of another list, or one edited by hand, is a 400',
      example: encodeCursor(list, list.example),
    }),
});

export const pageOf = <T extends z.ZodType>(item: T, name: string, example: object) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
    })
    .openapi({ example: pageExample(example) })
    .openapi(name);

/** Where the previous page stopped: the sort value and id of its last item. */
export interface Position {
  value: string | number;
  id: string;
}

/**
 * A list that cursors walk. A cursor names its list, so one from another list (or edited by hand) is a 400
 * before it reaches a query, and its sort value and id are checked against what the list sorts by.
 */
export interface CursorList {
  name: string;
  /** none: the position is read back from the row by id; instant: an ISO timestamp; optional-instant: one or '' */
  value: 'none' | 'instant' | 'optional-instant';
  id: RegExp;
  /** A position in this list, for the reference page's example cursor. */
  example: Position;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APPLICATION_ITEM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/\d{1,3}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const EXAMPLE_ID = '5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11';

export const LISTS = {
  applications: { name: 'applications', value: 'none', id: UUID, example: { value: '', id: EXAMPLE_ID } },
  evaluationsDue: {
    name: 'evaluations-due',
    value: 'instant',
    id: APPLICATION_ITEM,
    example: { value: '2027-02-02T18:00:00.000Z', id: `${EXAMPLE_ID}/2` },
  },
  installments: {
    name: 'stipend-installments',
    value: 'optional-instant',
    id: APPLICATION_ITEM,
    example: { value: '2027-02-23T18:00:00.000Z', id: `${EXAMPLE_ID}/1` },
  },
  programs: {
    name: 'programs',
    value: 'none',
    id: /^[a-z0-9][a-z0-9-]{0,63}$/,
    example: { value: '', id: 'lfx-2027-term-1' },
  },
  certificates: {
    name: 'certificates',
    value: 'none',
    id: VERIFICATION_CODE_PATTERN,
    example: { value: '', id: 'K7PD-2QXM-9RTA' },
  },
} as const satisfies Record<string, CursorList>;

export function encodeCursor(list: CursorList, position: Position): string {
  return Buffer.from(JSON.stringify([list.name, position.value, position.id])).toString('base64url');
}

export function decodeCursor(list: CursorList, cursor: string | undefined): Position | null {
  if (cursor === undefined || cursor === '') return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {}
  const [name, value, id] = Array.isArray(decoded) && decoded.length === 3 ? decoded : [];
  if (name !== list.name) {
    const other = typeof name === 'string' && Object.values(LISTS).some((l) => l.name === name);
    throw new ProblemError(
      400,
      'bad-cursor',
      other
        ? `The cursor belongs to another list (${name}); start this one again without it`
        : 'The cursor is not one this API returned; start again without it',
    );
  }
  if (typeof id !== 'string' || !list.id.test(id) || !valueFits(list, value)) {
    throw new ProblemError(400, 'bad-cursor', 'The cursor was changed; start again without it');
  }
  return { value: value as Position['value'], id };
}

function valueFits(list: CursorList, value: unknown): boolean {
  if (list.value === 'none') return value === '';
  if (list.value === 'optional-instant' && value === '') return true;
  return typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

/** Takes one row more than the page to know whether another page follows. */
export function toPage<R, I>(
  list: CursorList,
  rows: R[],
  limit: number,
  position: (row: R) => Position,
  view: (row: R) => I,
) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return {
    items: page.map(view),
    nextCursor: more ? encodeCursor(list, position(last)) : null,
  };
}
