// ES module entry point of `gprofops`: the same objects as the CommonJS entry point.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const gprofops = require('./index.js')

export const {
  Profile,
  GcTrace,
  Trace,
  EventBatches,
  merge,
  mergeAsync,
  diff,
  errorCodes,
} = gprofops
export default gprofops
