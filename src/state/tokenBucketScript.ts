/**
 * The shared token bucket of one credential, as one atomic Redis script: the same rules as the
 * local bucket (src/http/createTokenBucket.ts), on the Redis server's clock, so that replicas
 * whose clocks differ still share one budget.
 *
 * The bucket is a hash: `tokens` (the balance at `at`, which may be negative: reservations),
 * `at` (epoch ms; a pause moves it into the future, and until then nothing refills) and `pauses`
 * (how many pauses have begun, so that a caller whose wait a pause overtook queues again).
 *
 * KEYS[1]: the bucket. ARGV: capacity, refill per second, the operation, its argument:
 * - `acquire`, the longest wait the caller can make in ms (-1: any): reserves a token and answers
 *   {1, wait, pauses}; or, when the wait would not fit, takes nothing and answers {0, wait, pauses}.
 * - `release`: gives back a reserved token whose caller gave up (unless a pause began since).
 * - `pause`, for how many ms: holds every token until then, then one is free.
 * - `ready`: {1, the wait a caller would have now, pauses}.
 * Every write renews the key's expiry: a bucket untouched for longer than it takes to refill
 * (and any pause) is full again, which an absent key means.
 */
export const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local op = ARGV[3]
local arg = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'pauses')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
local pauses = tonumber(state[3]) or 0
if now > at then
  tokens = math.min(capacity, tokens + (now - at) / 1000 * rate)
  at = now
end
local function waitFor(balance)
  local paused = math.max(0, at - now)
  local refill = 0
  if balance < 0 then refill = math.ceil(-balance / rate * 1000) end
  return paused + refill
end
local function save()
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at), 'pauses', tostring(pauses))
  local refillMs = math.ceil((capacity - tokens) / rate * 1000)
  redis.call('PEXPIRE', KEYS[1], math.max(1000, (at - now) + refillMs + 1000))
end
if op == 'acquire' then
  local wait = waitFor(tokens - 1)
  if arg >= 0 and wait > 0 and wait >= arg then
    return {0, wait, pauses}
  end
  tokens = tokens - 1
  save()
  return {1, wait, pauses}
elseif op == 'release' then
  if pauses == arg then
    tokens = math.min(capacity, tokens + 1)
    save()
  end
  return {1, 0, pauses}
elseif op == 'pause' then
  local untilMs = now + arg
  if untilMs > at then
    tokens = 1
    at = untilMs
    pauses = pauses + 1
    save()
  end
  return {1, waitFor(tokens - 1), pauses}
end
return {1, waitFor(tokens - 1), pauses}
`;
