--[[
  Keeps a coalescing lock alive while its holder is still working, so a live fetcher is never
  overtaken; a holder that died stops extending and the lock expires after its TTL.

  KEYS[1]      coalescing lock

  ARGV[1]      the holder's token
  ARGV[2]      new TTL in milliseconds

  Returns 1 when the lock is still ours and was extended, 0 when it was lost.
]]

if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
