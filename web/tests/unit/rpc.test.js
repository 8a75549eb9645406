// The page talks to its own node only (src/lib/rpc.js nodeBase, wsUrl).
import { test } from 'node:test';
import assert from 'node:assert/strict';

globalThis.location = { search: '?node=https://evil.example', protocol: 'https:', host: 'civic.example.gov.cn' };
const { nodeBase, wsUrl } = await import('../../src/lib/rpc.js');

test('?node= is ignored unless the build enables the development override', () => {
  assert.equal(nodeBase(), '');
  assert.equal(wsUrl(), 'wss://civic.example.gov.cn/ws');
});
