import type { Transaction } from '@mlsys/contracts';
import { defineLuaScript, type RedisClient } from '@mlsys/redis';
import { transactionFingerprint } from '../domain/transaction-fingerprint.js';
import {
  type Admission,
  IN_FLIGHT_LEASE_SECONDS,
  type TransactionLedger,
} from '../domain/transaction-ledger.js';

// `txn:<id>` holds `<state>:<fingerprint>`, state `in-flight` or `produced`. Each script is one
// round trip and atomic, so two requests racing for one id cannot both be told `new`.

/** KEYS[1] txn:<id>; ARGV fingerprint, in-flight lease (s). */
const admit = defineLuaScript<[string, number], Admission>(
  'txnApiAdmitTransaction',
  `
local stored = redis.call('GET', KEYS[1])
if not stored then
  redis.call('SET', KEYS[1], 'in-flight:' .. ARGV[1], 'EX', ARGV[2])
  return 'new'
end
local state, fingerprint = string.match(stored, '^([%a-]+):(%x+)$')
if fingerprint ~= ARGV[1] then return 'conflict' end
if state == 'in-flight' then return 'in-flight' end
return 'repeat'
`,
);

/**
 * KEYS[1] txn:<id>; ARGV fingerprint, ttl (s). Marks the id produced unless another body took it
 * meanwhile (only possible after this request's lease ran out).
 */
const confirm = defineLuaScript<[string, number], number>(
  'txnApiConfirmTransaction',
  `
local stored = redis.call('GET', KEYS[1])
if stored and stored ~= 'in-flight:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'produced:' .. ARGV[1], 'EX', ARGV[2])
return 1
`,
);

/** KEYS[1] txn:<id>; ARGV fingerprint. Frees the id only if it is still this body's, in flight. */
const release = defineLuaScript<[string], number>(
  'txnApiReleaseTransaction',
  `
if redis.call('GET', KEYS[1]) == 'in-flight:' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * The transaction ledger in Redis: `txn:<transactionId>` holds the state and
 * the SHA-256 of the canonical body. A produced id stays taken for
 * `ttlSeconds` (as long as its decision stays readable), an id in flight
 * for the lease.
 */
export class RedisTransactionLedger implements TransactionLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
    private readonly inFlightSeconds: number = IN_FLIGHT_LEASE_SECONDS,
  ) {}

  /**
   * Loads the scripts into Redis's script cache (SCRIPT LOAD, which runs nothing), so that the
   * first EVALSHA of each finds it instead of failing over to a second round trip with the body.
   */
  async loadScripts(): Promise<void> {
    await Promise.all([admit, confirm, release].map((script) => this.redis.script('LOAD', script.lua)));
  }

  admit(transaction: Transaction): Promise<Admission> {
    return admit.run(this.redis, [key(transaction)], fingerprintOf(transaction), this.inFlightSeconds);
  }

  async confirm(transaction: Transaction): Promise<void> {
    await confirm.run(this.redis, [key(transaction)], fingerprintOf(transaction), this.ttlSeconds);
  }

  async release(transaction: Transaction): Promise<void> {
    await release.run(this.redis, [key(transaction)], fingerprintOf(transaction));
  }
}

const key = (transaction: Transaction) => `txn:${transaction.transactionId}`;

/**
 * A request admits and then settles the same payment object: its fingerprint (canonical JSON and
 * SHA-256, a noticeable share of the API's CPU per payment) is computed once for both.
 */
const fingerprints = new WeakMap<Transaction, string>();
function fingerprintOf(transaction: Transaction): string {
  let fingerprint = fingerprints.get(transaction);
  if (fingerprint === undefined) {
    fingerprint = transactionFingerprint(transaction);
    fingerprints.set(transaction, fingerprint);
  }
  return fingerprint;
}
