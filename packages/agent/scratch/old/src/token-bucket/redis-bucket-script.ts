/**
 * The whole bucket operation in one Lua script, so a take is one atomic round trip whatever the
 * number of agents. Same arithmetic as bucket-fill.ts (the contract suite holds both to it).
 *
 * KEYS[1]  bucket hash {available, last}
 * ARGV[1]  'take' | 'give'
 * ARGV[2]  tokens
 * ARGV[3]  capacity
 * ARGV[4]  fill amount per interval
 * ARGV[5]  interval (ms)
 * ARGV[6]  '1' continuous fill, '0' whole intervals
 * ARGV[7]  idle expiry (ms): an untouched bucket would be full again, so it can be dropped
 * ARGV[8]  now (ms); empty means the Redis server's TIME, one clock for every agent
 *
 * Returns {allowed (0|1), remaining (string), wait ms (string; '-1' = never)}. Numbers travel as
 * strings because Redis truncates Lua numbers to integers in replies.
 */
export const REDIS_BUCKET_SCRIPT = `
local mode = ARGV[1]
local tokens = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local fill = tonumber(ARGV[4])
local interval = tonumber(ARGV[5])
local continuous = ARGV[6] == '1'
local ttl = tonumber(ARGV[7])
local now
if ARGV[8] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[8])
end
local state = redis.call('HMGET', KEYS[1], 'available', 'last')
local available = tonumber(state[1])
local last = tonumber(state[2])
if available == nil or last == nil then
  if mode == 'give' then return {1, tostring(capacity), '0'} end
  available = capacity
  last = now
end
local elapsed = now - last
if elapsed > 0 then
  if continuous then
    available = math.min(capacity, available + fill * elapsed / interval)
    last = now
  else
    local intervals = math.floor(elapsed / interval)
    if intervals > 0 then
      available = math.min(capacity, available + intervals * fill)
      last = last + intervals * interval
    end
  end
end
local allowed = 0
local wait = 0
if mode == 'give' then
  available = math.min(capacity, available + tokens)
  allowed = 1
elseif available >= tokens then
  available = available - tokens
  allowed = 1
else
  local deficit = tokens - available
  if fill <= 0 or tokens > capacity then
    wait = -1
  elseif continuous then
    wait = deficit * interval / fill
  else
    wait = last + math.ceil(deficit / fill) * interval - now
  end
end
redis.call('HSET', KEYS[1], 'available', string.format('%.17g', available), 'last', string.format('%.17g', last))
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, string.format('%.17g', available), string.format('%.17g', wait)}
`;
