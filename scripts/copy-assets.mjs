// Copies the files tsc does not emit (the storage browser's static assets) into dist/.
import { cpSync, existsSync } from 'node:fs';

const assets = [['src/web-ui/public', 'dist/src/web-ui/public']];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
