import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

/**
 * Checks real responses against the OpenAPI document the API serves: the status must be documented for the
 * operation, and a JSON body must match the documented schema. Every test's `call` goes through it.
 */
export function responseChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document as object, 'openapi');
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const compiled = new Map<string, ReturnType<typeof ajv.getSchema>>();
  const pointer = (...parts: string[]) =>
    parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

  return (method: string, path: string, status: number, contentType: string | null, body: unknown): void => {
    const route = templates.find((t) => t.pattern.test(path.split('?')[0]!));
    if (!route) return; // unknown routes answer 404 problem+json, checked by the tests that call them
    const operation = document.paths[route.template]?.[method.toLowerCase()];
    if (!operation) return;
    const response = operation.responses[String(status)];
    if (!response) {
      throw new Error(
        `${method} ${route.template} answered ${status}, which its OpenAPI operation does not document`,
      );
    }
    const mediaType = contentType?.split(';')[0]?.trim() ?? '';
    if (!response.content || !(mediaType in response.content) || !mediaType.includes('json')) return;
    const ref = `openapi#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema')}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    if (!validate!(body)) {
      throw new Error(
        `${method} ${path} ${status} does not match its OpenAPI schema: ${ajv.errorsText(validate!.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
      );
    }
  };
}
