/**
 * Files in an S3 bucket: the same API (upload, profile, download) with the bytes stored through the AWS SDK in a
 * real S3-compatible server (versitygw, Apache-2.0, built from the Go module proxy by `npm run provision`), and
 * only the key in PostgreSQL; a refused upload leaves nothing in the bucket.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import type { FileKind } from '../applications/files.js';
import { s3FileStore } from '../applications/s3-store.js';
import { ensureS3Server, type S3Server, startS3Server } from '../scripts/s3-server.js';
import { bearer, TEST_AUTH } from './support/auth.js';
import { freshDatabase } from './support/database.js';

const BUCKET = 'mentorship-files';
const PDF = Buffer.from(
  '%PDF-1.4\n% a proposal\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
let server: S3Server;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let s3: S3Client;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const binary = await ensureS3Server();
  if (!binary) throw new Error('versitygw is not provisioned: run npm run provision (needs Go)');
  [server, db] = await Promise.all([startS3Server(binary), freshDatabase()]);
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  s3 = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  app = appStoringIn(['pdf']);
});

/** The API with its files in the bucket, taking uploads of these kinds. */
function appStoringIn(kinds: FileKind[]) {
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  return createApp({
    sql: db.sql,
    // the file routes never reach Temporal; the client connects lazily
    temporal: new Client({ namespace: 'default' }),
    taskQueue: 'unused',
    log: pino({ level: 'silent' }),
    auth: TEST_AUTH,
    files: {
      store: s3FileStore({ bucket: BUCKET, region: 'us-east-1', endpoint: server.endpoint, ...credentials }),
      maxBytes: 64 * 1024,
      kinds,
    },
  });
}

afterAll(async () => {
  s3?.destroy();
  await db?.close();
  await server?.stop();
});

const upload = async (who: string, bytes: Buffer, name: string) => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await app.request('/files', {
    method: 'POST',
    body: form,
    headers: await bearer({ userId: who, role: 'mentee' }),
  });
  return { status: response.status, body: (await response.json()) as { id: string; sha256: string } };
};
const objects = async () => (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount ?? 0;

describe('files in an S3 bucket', () => {
  it('keeps the bytes in the bucket and the key in PostgreSQL; downloads and permissions as with PostgreSQL', async () => {
    const stored = await upload('s3-mentee', PDF, 'résumé.pdf');
    expect(stored.status).toBe(201);
    const [row] = await db.sql`SELECT storage, storage_key, content FROM files WHERE id = ${stored.body.id}`;
    expect(row).toEqual({ storage: 's3', storage_key: `files/${stored.body.id}`, content: null });
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `files/${stored.body.id}` }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(PDF)).toBe(true);
    expect(object.ContentType).toBe('application/pdf');
    // a real server: the object is a file in the bucket's directory
    expect(existsSync(path.join(server.dir, BUCKET, 'files', stored.body.id))).toBe(true);

    const profile = await app.request('/me/profile', {
      method: 'PUT',
      headers: {
        ...(await bearer({ userId: 's3-mentee', role: 'mentee' })),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'S3 Mentee', email: 's3@example.org', resumeFileId: stored.body.id }),
    });
    expect(profile.status).toBe(200);

    const download = await app.request(`/files/${stored.body.id}`, {
      headers: await bearer({ userId: 's3-mentee', role: 'mentee' }),
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
    const ops = await app.request(`/files/${stored.body.id}`, {
      headers: await bearer({ userId: 'o', role: 'ops' }),
    });
    expect(ops.status).toBe(200);
    const stranger = await app.request(`/files/${stored.body.id}`, {
      headers: await bearer({ userId: 'someone-else', role: 'mentee' }),
    });
    expect(stranger.status).toBe(403);
  });

  it('refuses a file that is not a PDF or is over the limit, leaving nothing in the bucket', async () => {
    const before = await objects();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect((await upload('s3-mentee', png, 'photo.pdf')).status).toBe(415);
    expect((await upload('s3-mentee', Buffer.concat([PDF, Buffer.alloc(64 * 1024)]), 'big.pdf')).status).toBe(
      413,
    );
    expect(await objects()).toBe(before);
    const [{ n }] = (await db.sql`SELECT count(*)::int AS n FROM files WHERE owner_id = 's3-mentee'`) as [
      { n: number },
    ];
    expect(n).toBe(1);
  });

  it('takes the kinds FILE_TYPES names, each told by its bytes, and serves each as what it is', async () => {
    const images = appStoringIn(['png']);
    const send = async (bytes: Buffer, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name);
      return images.request('/files', {
        method: 'POST',
        body: form,
        headers: await bearer({ userId: 'img', role: 'mentee' }),
      });
    };
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(32)]);
    const stored = await send(png, 'photo.png');
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as { id: string };
    const download = await images.request(`/files/${id}`, {
      headers: await bearer({ userId: 'img', role: 'mentee' }),
    });
    expect(download.headers.get('content-type')).toBe('image/png');
    const pdf = await send(PDF, 'doc.pdf');
    expect(pdf.status).toBe(415);
    expect(((await pdf.json()) as { type: string }).type).toBe('urn:mentorship:problem:unsupported-file');
  });
});
