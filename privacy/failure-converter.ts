import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures with their message and stack trace moved into an encoded payload, so the payload codec encrypts
 * them too. Loaded by path (DataConverter.failureConverterPath): workflows use it inside their sandbox.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
