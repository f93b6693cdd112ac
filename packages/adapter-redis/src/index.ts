export {
  type RedisClient,
  type RedisKeyValue,
  type RedisKeyValueOptions,
  redisKeyValue,
} from './redis-key-value.js';
