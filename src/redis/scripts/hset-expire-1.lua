--[[
  Sets fields of a hash and renews its time to live, atomically and in one command (a MULTI costs
  far more client CPU on a connection that also carries BullMQ's scripts).

  KEYS[1]      the hash

  ARGV[1]      time to live in seconds
  ARGV[2..]    field, value, field, value …

  Returns the EXPIRE reply (1).
]]

redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return redis.call('EXPIRE', KEYS[1], ARGV[1])
