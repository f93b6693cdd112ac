import { z } from 'zod';
import { AuthError } from '../../errors.js';
import { gitHubLeakReportSchema } from '../../secret-scanning/secret-scanning-schemas.js';
import { readRawBody } from '../raw-body.js';
import { problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });

/** An alert is a few matches of ~500 bytes each; GitHub batches far fewer than this allows. */
export const MAX_LEAK_REPORT_BYTES = 512 * 1024;

const leakLabelsSchema = z.array(
  z.object({
    token_hash: z.string().describe('SHA-256 (hex) of the reported token'),
    token_type: z.string().describe('The type GitHub reported'),
    label: z
      .enum(['true_positive', 'false_positive'])
      .describe("true_positive: one of this install's API keys, now revoked (or flagged)"),
  }),
);

/**
 * The partner endpoint of GitHub's secret scanning. Not cookie-authenticated (the signature is
 * the credential), so the handler's origin check passes a server-to-server POST that carries no
 * cookie and no Origin; the body is read here, as bytes, because the signature covers them.
 */
export const secretScanningRoutes = [
  defineRoute({
    method: 'POST',
    path: '/secret-scanning/github',
    operationId: 'receiveGitHubLeakReport',
    summary:
      "GitHub's secret scanning alert (signed by GitHub): reported API keys are revoked or flagged, answered in GitHub's format",
    tag: 'machines',
    auth: 'none',
    rawJsonBody: gitHubLeakReportSchema,
    responses: {
      200: { description: 'One label per reported token', schema: leakLabelsSchema },
      400: problem('A signature header is missing, or the payload is not the alert format'),
      401: problem('signature_invalid: not signed by a known GitHub key'),
      404: problem('secretScanning.github is not configured'),
      413: problem('The payload is too large'),
    },
    async handle({ api, config, request, call }) {
      // off: answered before the body is read
      if (!config.secretScanning.github) throw new AuthError('not_found', { detail: 'no such route' });
      const keyIdentifier = request.headers.get('github-public-key-identifier');
      const signature = request.headers.get('github-public-key-signature');
      if (!keyIdentifier || !signature) {
        throw new AuthError('invalid_request', {
          detail: 'send the Github-Public-Key-Identifier and Github-Public-Key-Signature headers',
        });
      }
      const payload = await readRawBody(request, MAX_LEAK_REPORT_BYTES);
      const labels = await api.receiveGitHubLeakReport({ payload, keyIdentifier, signature }, call);
      return { status: 200, body: labels };
    },
  }),
];
