--[[
  Keeps a job's result unless its record already holds one (the alert was queued again after its
  job was removed), renews the record's time to live, and returns what the record holds then: the
  worker delivers that result to the sinks that have not accepted it yet.

  KEYS[1]      the job's record (a hash)

  ARGV[1]      time to live in seconds
  ARGV[2]      the result (JSON)

  Returns false when the result was stored (the record held nothing else), or the record's fields
  and values (HGETALL) when it held a result already, which is left as it was.
]]

local stored = redis.call('HSETNX', KEYS[1], 'result', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[1])
if stored == 1 then return false end
return redis.call('HGETALL', KEYS[1])
