import { api, send } from './client';

/** Uploads a file (a PDF) with POST /files; the answer's id goes into an application, a task or the profile. */
export function uploadFile(file: File) {
  return send((headers) => {
    const form = new FormData();
    form.append('file', file);
    return api().POST('/files', {
      headers,
      body: form as unknown as { file: string },
      bodySerializer: (body) => body as unknown as FormData,
    });
  });
}

/** Downloads a file the API serves only with the bearer token (GET /files/{fileId}): fetched, then saved. */
export async function downloadFile(fileId: string, name: string) {
  const response = await api().GET('/files/{fileId}', { params: { path: { fileId } }, parseAs: 'blob' });
  if (!response.response.ok || !response.data)
    throw new Error(`The file could not be downloaded (${response.response.status})`);
  saveBlob(response.data as Blob, name);
}

/** Hands a downloaded answer to the browser as a file. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
