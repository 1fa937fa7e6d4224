import { blockDeviceHandlers } from './block-devices.js'
import type { Handler } from './context.js'
import { netDeviceHandlers } from './net-devices.js'
import { snapshotHandlers } from './snapshots.js'
import { statsHandlers } from './stats.js'
import { vmCrudHandlers } from './vm-crud.js'
import { powerHandlers } from './vm-power.js'

/** Every VM-area operation with behaviour of its own, by `METHOD /template`. */
export const vmHandlers: Record<string, Handler> = {
  ...vmCrudHandlers,
  ...powerHandlers,
  ...snapshotHandlers,
  ...blockDeviceHandlers,
  ...netDeviceHandlers,
  ...statsHandlers
}
