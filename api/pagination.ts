import { z } from '@hono/zod-openapi';
import { ProblemError } from '../domain/problems.js';
import { pageExample } from './examples.js';

/** `?limit=&cursor=` on every list; the cursor is opaque to the frontend. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z.string().max(500).optional().openapi({
    description: 'The `nextCursor` of the previous page; omit for the first page',
    example: 'WyIiLCI1YjBjMWY4ZS0yZDZhLTRjNDEtOWQwZS03ZjNiNmE5YzJlMTEiXQ',
  }),
};

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

export function decodeCursor(cursor: string | undefined): Position | null {
  if (cursor === undefined) return null;
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if ((typeof value === 'string' || typeof value === 'number') && typeof id === 'string')
      return { value, id };
  } catch {}
  throw new ProblemError(
    400,
    'bad-cursor',
    'The cursor is not one this API returned; start again without it',
  );
}

/** Takes one row more than the page to know whether another page follows. */
export function toPage<R, I>(rows: R[], limit: number, position: (row: R) => Position, view: (row: R) => I) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return {
    items: page.map(view),
    nextCursor: more
      ? Buffer.from(JSON.stringify([position(last).value, position(last).id])).toString('base64url')
      : null,
  };
}
