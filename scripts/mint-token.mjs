#!/usr/bin/env node
// Mints an HS256 job token with PIXERVE_JWT_SECRET, for trying Pixerve by hand:
//   node scripts/mint-token.mjs ['<job JSON>'] [minutes valid, default 60]
import { createHmac } from 'node:crypto';

const secret = process.env.PIXERVE_JWT_SECRET;
if (!secret) {
  console.error('PIXERVE_JWT_SECRET is not set (./run.sh prints it, and keeps it in .data/dev-secrets.env)');
  process.exit(1);
}

// An empty job argument is the default job too (run.sh passes '' to give the minutes).
const job = JSON.parse(process.argv[2] || JSON.stringify({
  formats: { jpg: { settings: { quality: 80 }, sizes: [[1600, 1600], [400]] }, webp: { sizes: [[1600, 1600], [400]] } },
  directHost: true,
  subDir: 'demo',
}));
const minutes = Number(process.argv[3] ?? 60);
const now = Math.floor(Date.now() / 1000);
const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ job, iat: now, exp: now + minutes * 60 })}`;
console.log(`${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`);
