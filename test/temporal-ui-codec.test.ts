import { mkdir } from 'node:fs/promises';
import { type ServerType, serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { findFreePorts } from '../scripts/temporal-binaries.js';
import { bearer } from './support/auth.js';
import { startDevSystem } from './support/dev-system.js';
import { programFixture } from './support/programs.js';

/*
 * What ops see in the Temporal UI: the dev server's UI decodes a mentee's history through the API's codec
 * endpoint (an ops token, CORS for the UI's origin), and without the codec the same history is ciphertext.
 * The screenshots land in docs/ (docs/personal-data.md shows them).
 */
let system: Awaited<ReturnType<typeof startDevSystem>>;
let api: ServerType;
let apiPort: number;
beforeAll(async () => {
  [apiPort] = (await findFreePorts(1)) as [number];
  system = await startDevSystem('ui-codec', { codecApiPort: apiPort });
  api = serve({ fetch: system.app.fetch, hostname: '127.0.0.1', port: apiPort });
  const worker = await system.newWorker();
  void worker.run();
});
afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await system?.stop();
});

describe('the Temporal UI', () => {
  it('shows a decoded history through the codec endpoint, and ciphertext without it', {
    timeout: 180_000,
  }, async () => {
    const program = programFixture(Date.now());
    expect((await system.call('POST', '/programs', program)).status).toBe(201);
    const applied = await system.call(
      'POST',
      `/programs/${program.id}/applications`,
      { mentee: { id: 'ui-person', name: 'Ursula Interface', email: 'ursula@example.org' } },
      { userId: 'ui-person', role: 'mentee' },
    );
    expect(applied.status).toBe(201);
    const workflowId = menteeWorkflowId(applied.body.id);
    const { runId } = await system.client.workflow.getHandle(workflowId).describe();
    const url = `${system.server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

    await mkdir('docs', { recursive: true });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const ops = (await bearer({ userId: 'ops-ui', role: 'ops' })).authorization;
      const look = async (withCodec: boolean, file: string) => {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const codecCalls: number[] = [];
        // the UI passes the signed-in user's token (TEMPORAL_CODEC_PASS_ACCESS_TOKEN); the dev UI has no sign-in
        await page.route(`http://127.0.0.1:${apiPort}/codec/**`, async (route) => {
          if (!withCodec) return route.abort();
          const response = await route.fetch({
            headers: { ...route.request().headers(), authorization: ops },
          });
          codecCalls.push(response.status());
          return route.fulfill({ response });
        });
        await page.goto(url);
        // the workflow's input, at the top of its page: decoded through the codec, or as the namespace holds it
        await page.getByText('Event History').first().waitFor({ timeout: 60_000 });
        // the UI keeps polling (no network idle): its codec round trip takes well under this
        await page.waitForTimeout(4_000);
        await page.screenshot({ path: file, fullPage: false });
        const text = await page.content();
        await page.close();
        return { text, codecCalls };
      };
      const decoded = await look(true, 'docs/temporal-ui-decoded.png');
      expect(decoded.codecCalls.length).toBeGreaterThan(0);
      expect(decoded.codecCalls.every((status) => status === 200)).toBe(true);
      expect(decoded.text).toMatch(/applicationId/);
      const encrypted = await look(false, 'docs/temporal-ui-encrypted.png');
      expect(encrypted.text).not.toMatch(/applicationId/);
      expect(encrypted.text).toMatch(/binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA/);
    } finally {
      await browser.close();
    }
  });
});
