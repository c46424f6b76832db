import { parseArgs } from 'node:util';
import { mintToken } from '../api/auth.js';
import { loadConfig } from '../config/index.js';
import { USER_ROLES as ROLES, type UserRole } from '../domain/status.js';

// Development tokens, signed with AUTH_JWT_SECRET; production tokens come from the identity provider (AUTH_JWKS_URL).
const usage = `Usage: npm run token -- --role <${ROLES.join('|')}> --user <id> [--programs p1,p2] [--ttl 8h]`;
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    user: { type: 'string' },
    programs: { type: 'string', default: '' },
    ttl: { type: 'string', default: '8h' },
  },
});
if (!values.role || !(ROLES as readonly string[]).includes(values.role) || !values.user) {
  console.error(usage);
  process.exit(2);
}
const config = loadConfig();
if (config.AUTH_JWKS_URL) {
  console.error('AUTH_JWKS_URL is set: this API only accepts tokens from the identity provider');
  process.exit(1);
}
const token = await mintToken(
  {
    userId: values.user,
    role: values.role as UserRole,
    programs: values.programs.split(',').filter(Boolean),
  },
  { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, secret: config.AUTH_JWT_SECRET },
  values.ttl,
);
console.log(token);
