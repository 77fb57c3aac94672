--[[
  Finishes a coalesced fetch in one step: stores the answer in the cache (when it may be cached),
  releases the lock if it is still ours, and tells every waiting process the outcome, so waiters
  learn of a failure at once instead of waiting for the lock to expire.

  KEYS[1]      coalescing lock
  KEYS[2]      cache entry

  ARGV[1]      the holder's token
  ARGV[2]      cache value, or '' to cache nothing (errors, deferrals)
  ARGV[3]      cache TTL in milliseconds (ignored without a value)
  ARGV[4]      pub/sub channel of this key
  ARGV[5]      outcome message for waiters

  Returns 1 when the lock was still ours, 0 when it had expired (another process may have taken over).
]]

if ARGV[2] ~= '' then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
local held = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  held = 1
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return held
