import { createHash, randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.js';
import { ProblemError } from '../domain/problems.js';

/** Where file bytes live: PostgreSQL by default (the embedded system), an S3 bucket when configured. */
export interface FileStore {
  kind: 'postgres' | 's3';
  /** Stores the bytes under the key; PostgreSQL keeps them in the row itself, so it has nothing to do here. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
}

export const postgresFileStore: FileStore = {
  kind: 'postgres',
  put: async () => {},
  get: async () => {
    throw new Error('PostgreSQL files are read with their row');
  },
  delete: async () => {},
};

/** The kinds of file an upload may be, each told by its first bytes (never by what the client declares). */
export const FILE_KINDS = {
  pdf: { contentType: 'application/pdf', magic: [Buffer.from('%PDF-')] },
  png: { contentType: 'image/png', magic: [Buffer.from('89504e470d0a1a0a', 'hex')] },
  jpeg: { contentType: 'image/jpeg', magic: [Buffer.from('ffd8ff', 'hex')] },
} as const;
export type FileKind = keyof typeof FILE_KINDS;

export interface FileLimits {
  maxBytes: number;
  /** Default: PDF only. */
  kinds?: readonly FileKind[];
}

export interface StoredFile {
  id: string;
  name: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

/** What the bytes are (a PDF starts with "%PDF-", ISO 32000), whatever the client declared. */
const kindOf = (bytes: Buffer, kinds: readonly FileKind[]) =>
  kinds.find((kind) => FILE_KINDS[kind].magic.some((magic) => bytes.subarray(0, magic.length).equals(magic)));

/** Keeps an uploaded file of `owner`: of the configured kinds (PDF by default, by its bytes), at most the size. */
export async function storeFile(
  sql: Sql,
  store: FileStore,
  limits: FileLimits,
  upload: { owner: string; name: string; bytes: Buffer },
): Promise<StoredFile> {
  if (upload.bytes.length > limits.maxBytes) {
    throw new ProblemError(
      413,
      'file-too-large',
      `Files are limited to ${limits.maxBytes} bytes; this one has ${upload.bytes.length}`,
    );
  }
  const kinds = limits.kinds ?? ['pdf'];
  const kind = kindOf(upload.bytes, kinds);
  if (!kind) {
    throw new ProblemError(
      415,
      kinds.length === 1 && kinds[0] === 'pdf' ? 'not-a-pdf' : 'unsupported-file',
      `Only ${kinds.map((k) => k.toUpperCase()).join(', ')} files are taken, told by their bytes (a PDF starts with %PDF-)`,
    );
  }
  const id = randomUUID();
  const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
  const key = `files/${id}`;
  await store.put(key, upload.bytes, FILE_KINDS[kind].contentType);
  const [row] = await sql<{ createdAt: Date }[]>`
    INSERT INTO files (id, owner_id, name, content_type, size_bytes, sha256, storage, storage_key, content)
    VALUES (${id}, ${upload.owner}, ${upload.name}, ${FILE_KINDS[kind].contentType}, ${upload.bytes.length}, ${sha256}, ${store.kind},
            ${store.kind === 's3' ? key : null}, ${store.kind === 'postgres' ? upload.bytes : null})
    RETURNING created_at AS "createdAt"`;
  return {
    id,
    name: upload.name,
    sizeBytes: upload.bytes.length,
    sha256,
    createdAt: row!.createdAt.toISOString(),
  };
}

export interface FileRow extends StoredFile {
  ownerId: string;
  contentType: string;
}

export async function findFile(sql: Sql, id: string): Promise<FileRow | undefined> {
  const [row] = await sql<(Omit<FileRow, 'createdAt'> & { createdAt: Date })[]>`
    SELECT id, owner_id AS "ownerId", name, content_type AS "contentType", size_bytes AS "sizeBytes", sha256,
           created_at AS "createdAt"
    FROM files WHERE id = ${id}`;
  return row && { ...row, createdAt: row.createdAt.toISOString() };
}

export async function fileBytes(sql: Sql, store: FileStore, id: string): Promise<Buffer> {
  const [row] = await sql<{ storage: string; storageKey: string | null; content: Buffer | null }[]>`
    SELECT storage, storage_key AS "storageKey", content FROM files WHERE id = ${id}`;
  if (!row) throw new ProblemError(404, 'not-found', `No file with id "${id}"`);
  return row.storage === 'postgres' ? row.content! : store.get(row.storageKey!);
}

/** The applications a file is part of: a proposal, a task submission, or the résumé of the applicant's profile. */
export async function applicationsOfFile(sql: Sql, id: string): Promise<{ programId: string }[]> {
  return sql<{ programId: string }[]>`
    SELECT a.program_id AS "programId" FROM applications a
    WHERE a.id IN (SELECT application_id FROM application_content WHERE proposal_file_id = ${id}
                   UNION SELECT application_id FROM task_submissions WHERE file_id = ${id})
       OR a.mentee_id IN (SELECT user_id FROM profiles WHERE resume_file_id = ${id})`;
}
