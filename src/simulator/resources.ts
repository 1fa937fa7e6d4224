import { X509Certificate, createPrivateKey } from 'node:crypto'
import type { CatalogOperation } from '../catalog/catalog.js'
import { AppError } from '../errors/app-error.js'
import {
  UploadBody, badRequest, bodyObject, doneAnswer, missingRecord, notFound, optString, taskAnswer, unixNow,
  type Call, type Handler, type SimContext
} from './context.js'
import { HttpError } from './http-error.js'
import { OFF_STATES, SINGLETON_UUIDS, virtualDiskRecord } from './model.js'
import type { SimulatorState } from './state.js'
import { vmStats } from './stats.js'
import { TaskFailure } from './tasks.js'
import type { SimRecord } from './types.js'
import { powerOff } from './vm-power.js'

/** Per-collection behaviour on top of the generic list/get/create/edit/delete. */
interface CollectionRules {
  /** Fields a new record starts with before the request's fields are applied. */
  defaults?: (state: SimulatorState, uuid: string) => Record<string, unknown>
  /** Synchronous checks of a create (no `existing`) or an edit; throw a 400/404 AppError to refuse. */
  check?: (state: SimulatorState, fields: Record<string, unknown>, existing?: SimRecord) => void
  /** Last changes to the fields inside the task, e.g. moving a password out of the record. */
  prepare?: (state: SimulatorState, fields: Record<string, unknown>, uuid: string) => void
  /** Runs inside the create task once the record exists. */
  afterCreate?: (state: SimulatorState, record: SimRecord) => void
  /** Runs inside the edit task once the fields are applied. */
  afterEdit?: (state: SimulatorState, record: SimRecord) => void
  /** Runs inside the delete task before the record goes; throw TaskFailure to refuse. */
  beforeDelete?: (state: SimulatorState, record: SimRecord, call: Call) => void
  /** Runs inside the delete task once the record is gone. */
  afterDelete?: (state: SimulatorState, record: SimRecord) => void
  /** What GET shows; by default the record itself. */
  view?: (record: SimRecord, sim: SimContext) => unknown
  /** Writes that take effect at once and answer `taskTag: ""`, as real clusters do for these collections. */
  immediate?: { create?: boolean, edit?: boolean, delete?: boolean }
}

function blank (fields: string[], latestTask = false): (record: SimRecord, sim: SimContext) => unknown {
  return (record, sim) => {
    const copy: Record<string, unknown> = latestTask ? withLatestTask(record, sim) : { ...record }
    for (const field of fields) if (copy[field] !== undefined) copy[field] = ''
    return copy
  }
}

/** Settings records carry `latestTaskTag`: the status of the last task that touched them (`{}` before any). */
function withLatestTask (record: SimRecord, sim: SimContext): SimRecord {
  const tag = sim.state.latestTaskTags.get(record.uuid)
  return { ...record, latestTaskTag: (tag === undefined ? undefined : sim.tasks.status(tag)) ?? {} }
}

const HOSTNAME_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

function checkRoles (state: SimulatorState, fields: Record<string, unknown>): void {
  if (fields.roleUUIDs === undefined) return
  if (!Array.isArray(fields.roleUUIDs)) throw badRequest('roleUUIDs must be an array of Role UUIDs')
  for (const role of fields.roleUUIDs) {
    if (typeof role !== 'string' || !state.collection('Role').has(role)) throw notFound('Role', String(role))
  }
}

function withRuleUUIDs (state: SimulatorState, fields: Record<string, unknown>): void {
  if (!Array.isArray(fields.rrules)) return
  fields.rrules = fields.rrules.map((rule) => {
    const r = { ...(rule as Record<string, unknown>) }
    if (typeof r.uuid !== 'string' || r.uuid === '') r.uuid = state.newUUID()
    return r
  })
}

const RULES: Record<string, CollectionRules> = {
  Cluster: {
    check (_state, fields) {
      const name = fields.clusterName
      if (name !== undefined && (typeof name !== 'string' || !HOSTNAME_RE.test(name))) {
        throw badRequest('clusterName must be a valid host name (letters, digits and hyphens, see RFC 952 and RFC 1123)')
      }
    }
  },
  User: {
    defaults: () => ({ fullName: '', roleUUIDs: [], sessionLimit: 0 }),
    check (state, fields, existing) {
      checkRoles(state, fields)
      const username = fields.username
      if (username === undefined) return
      if (typeof username !== 'string' || username.trim() === '') throw badRequest('username must not be empty')
      for (const user of state.collection('User').values()) {
        if (user.username === username && user.uuid !== existing?.uuid) throw badRequest(`a user named "${username}" already exists`)
      }
    },
    prepare (state, fields, uuid) {
      if (typeof fields.password === 'string' && fields.password !== '') state.passwords.set(uuid, fields.password)
      delete fields.password
    },
    beforeDelete (_state, record, call) {
      if (record.username === call.username) throw new TaskFailure(`Cannot delete user "${call.username}": it is the account this session is logged in with`)
    },
    afterDelete: (state, record) => { state.passwords.delete(record.uuid) },
    // user.py records these answers: create gives createdUUID at once, edit and delete give empty task tags.
    immediate: { create: true, edit: true, delete: true }
  },
  ISO: {
    defaults: (_state, uuid) => ({ size: 0, mounts: [], readyForInsert: false, path: `scribe/${uuid}` }),
    check (state, fields, existing) {
      const name = fields.name
      if (name === undefined) return
      if (typeof name !== 'string' || !/\.iso$/i.test(name)) throw badRequest('name must end in ".iso"')
      for (const iso of state.collection('ISO').values()) {
        if (iso.name === name && iso.uuid !== existing?.uuid) throw badRequest(`an ISO named "${name}" already exists`)
      }
    },
    afterCreate: (state) => state.refreshIsoMounts(),
    afterEdit: (state) => state.refreshIsoMounts(),
    beforeDelete (_state, record) {
      const mounts = record.mounts as Array<{ vmName: string }>
      if (mounts.length > 0) throw new TaskFailure(`Cannot delete ISO "${record.name as string}": it is inserted in ${mounts.map((m) => `VM "${m.vmName}"`).join(', ')}; eject it first`)
    }
  },
  AlertSMTPConfig: {
    defaults: () => ({ port: 25, useSSL: false, useAuth: false, authUser: '', authPassword: '', fromAddress: '' }),
    view: blank(['authPassword'], true)
  },
  AlertEmailTarget: {
    defaults: (state) => ({ alertTagUUID: state.newUUID(), resendDelay: 86_400, silentPeriod: 900 }),
    view: withLatestTask,
    // Deleting one still runs a task (a recorded "Delete Alert Email Target" task in the collection's test_task_tag.py).
    immediate: { create: true, edit: true }
  },
  AlertSyslogTarget: {
    defaults: (state) => ({ alertTagUUID: state.newUUID(), port: 514, protocol: 'SYSLOG_PROTOCOL_UDP', resendDelay: 86_400, silentPeriod: 900 }),
    view: withLatestTask
  },
  DNSConfig: { defaults: () => ({ searchDomains: [], serverIPs: [] }), view: withLatestTask },
  TimeSource: { view: withLatestTask },
  MonitoringConfig: { defaults: (state) => ({ clusterName: state.cluster().clusterName, interval: 60, publishers: [], subscribers: [] }) },
  OIDCConfig: {
    defaults: () => ({ clientID: '', sharedSecret: '', certificate: '', authorizationURL: '', tokenURL: '', logoutURL: '' }),
    view: blank(['sharedSecret'])
  },
  // The cluster lists key names only, never their values.
  NucleusKey: { defaults: () => ({ value: '' }), view: (record) => ({ uuid: record.uuid }) },
  Registration: {
    defaults (state) {
      const data = state.collection('ClusterRegistrationData').values().next().value
      return { companyName: '', contact: '', phone: '', email: '', clusterID: data?.clusterID ?? '', clusterData: data?.clusterData ?? '', clusterDataHash: data?.clusterDataHash ?? '', clusterDataHashAccepted: '' }
    }
  },
  TimeZone: {
    view: withLatestTask,
    check (_state, fields) {
      const tz = fields.timeZone
      if (tz === undefined) return
      try {
        // eslint-disable-next-line no-new
        new Intl.DateTimeFormat('en-US', { timeZone: String(tz) })
      } catch {
        throw badRequest(`timeZone "${String(tz)}" is not a known IANA time zone (for example America/Chicago)`)
      }
    }
  },
  VirDomainSnapshotSchedule: {
    defaults: () => ({ rrules: [] }),
    prepare: (state, fields) => withRuleUUIDs(state, fields),
    beforeDelete (state, record) {
      for (const vm of state.vms.values()) if (vm.snapshotScheduleUUID === record.uuid) vm.snapshotScheduleUUID = ''
    },
    // modules/snapshot_schedule.py reads the schedule right after writing it and notes that no task tag comes back.
    immediate: { create: true, edit: true, delete: true }
  },
  VirDomainReplication: {
    defaults: (state) => ({ sourceDomainUUID: '', targetDomainUUID: state.newUUID(), label: '', progress: { percentComplete: 0, blockCountDiff: 0, blockCountSent: 0 } }),
    check (state, fields, existing) {
      const source = fields.sourceDomainUUID
      if (existing === undefined && (typeof source !== 'string' || source === '')) throw badRequest('sourceDomainUUID (the VM to replicate) is required')
      if (typeof source === 'string' && source !== '' && !state.vms.has(source)) throw notFound('VirDomain', source)
      const connection = fields.connectionUUID
      if (typeof connection === 'string' && !state.collection('RemoteClusterConnection').has(connection)) throw notFound('RemoteClusterConnection', connection)
    },
    afterCreate (state, record) {
      const vm = state.vms.get(record.sourceDomainUUID as string)
      if (vm !== undefined && !vm.replicationUUIDs.includes(record.uuid)) vm.replicationUUIDs.push(record.uuid)
    }
  },
  Node: {
    // Usage figures follow the VMs that run on the node; a node taken down shows as offline to the others.
    view (record, sim) {
      let mem = record.systemMemUsageBytes as number
      let cpu = 0
      let count = 0
      const now = sim.clock.now()
      for (const vm of sim.state.vms.values()) {
        if (vm.nodeUUID !== record.uuid) continue
        mem += vm.mem
        if (vm.state === 'RUNNING') cpu += (vmStats(vm, now).cpuUsage as number) * vm.numVCPU
        count++
      }
      const threads = record.numThreads as number
      const down = sim.state.downNodes.has(record.uuid)
      return {
        ...record,
        ...(down ? { networkStatus: 'OFFLINE', virtualizationOnline: false } : {}),
        totalMemUsageBytes: mem,
        memUsagePercentage: Math.round((mem / (record.memSize as number)) * 10_000) / 100,
        cpuUsage: Math.round(Math.min(100, 2 + cpu / threads) * 100) / 100,
        runningVirDomainCount: count
      }
    }
  }
}

/** The display name of a record for task descriptions. */
function display (collection: string, record: SimRecord | Record<string, unknown>): string {
  for (const key of ['name', 'username', 'clusterName', 'emailAddress', 'host', 'smtpServer', 'timeZone', 'label']) {
    const value = record[key]
    if (typeof value === 'string' && value !== '') return `${collection} "${value}"`
  }
  return typeof record.uuid === 'string' ? `${collection} ${record.uuid}` : collection
}

/** The record field a `/{param}` path segment is matched against. */
function keyField (collection: string, param: string): string {
  if (param === 'uuid') return 'uuid'
  const own = collection.charAt(0).toLowerCase() + collection.slice(1) + 'UUID'
  return param === own ? 'uuid' : param
}

/** A record as GET shows it. */
export function viewOf (sim: SimContext, collection: string, record: SimRecord): unknown {
  const view = RULES[collection]?.view
  return view === undefined ? record : view(record, sim)
}

function findOne (state: SimulatorState, collection: string, param: string, value: string): SimRecord[] {
  const map = state.collection(collection)
  const field = keyField(collection, param)
  if (field === 'uuid') {
    const record = map.get(value)
    return record === undefined ? [] : [record]
  }
  return [...map.values()].filter((r) => String(r[field]) === value)
}

function requireOne (state: SimulatorState, collection: string, param: string, value: string): SimRecord {
  const found = findOne(state, collection, param, value)[0]
  if (found === undefined) throw notFound(collection, value)
  return found
}

/** The request's fields minus `uuid`, `latestTaskTag` and every field the operation's schema marks read-only. */
function writableFields (operation: CatalogOperation, body: Record<string, unknown>): Record<string, unknown> {
  const props = (operation.requestSchema?.properties ?? {}) as Record<string, { readOnly?: boolean }>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'uuid' || key === 'latestTaskTag' || props[key]?.readOnly === true) continue
    out[key] = structuredClone(value)
  }
  return out
}

/** Starts a task on a record and remembers it as the record's latest task. */
function startRecordTask (sim: SimContext, uuid: string, spec: Parameters<SimContext['tasks']['start']>[0]): string {
  const tag = sim.tasks.start(spec)
  sim.state.latestTaskTags.set(uuid, tag)
  return tag
}

/** Runs a write now (for collections whose writes are immediate) or as a task; a refusal now is a 400. */
function writeNowOrLater (sim: SimContext, now: boolean, uuid: string, spec: { description: string, run: () => void }): string {
  if (!now) return startRecordTask(sim, uuid, { description: spec.description, objectUUIDs: [uuid], run: spec.run })
  try {
    spec.run()
  } catch (err) {
    if (err instanceof TaskFailure) throw badRequest(err.message)
    throw err
  }
  return ''
}

function list (collection: string): Handler {
  return ({ sim }) => {
    const records = [...sim.state.collection(collection).values()]
    return RULES[collection]?.view === undefined ? records : records.map((r) => viewOf(sim, collection, r))
  }
}

function getOne (collection: string, param: string): Handler {
  return ({ sim, params }) => {
    const found = findOne(sim.state, collection, param, params[param] as string)
    // A real cluster answers 404 with an empty list, which the Ansible collection reads as "no record".
    if (found.length === 0) return missingRecord()
    return found.map((r) => viewOf(sim, collection, r))
  }
}

function applyEdit (state: SimulatorState, rules: CollectionRules, collection: string, record: SimRecord, fields: Record<string, unknown>): void {
  const current = state.collection(collection).get(record.uuid)
  if (current === undefined) throw new TaskFailure(`${display(collection, record)} no longer exists`)
  rules.prepare?.(state, fields, current.uuid)
  Object.assign(current, fields)
  rules.afterEdit?.(state, current)
}

function create (collection: string): Handler {
  return ({ sim, operation, body }) => {
    const { state } = sim
    const rules = RULES[collection] ?? {}
    const fields = writableFields(operation, bodyObject(body))
    const fixed = SINGLETON_UUIDS[collection]
    const existing = fixed === undefined ? undefined : state.collection(collection).get(fixed)
    rules.check?.(state, fields, existing)
    if (existing !== undefined) {
      // A cluster has one of these: creating it again changes the one it has.
      const tag = startRecordTask(sim, existing.uuid, {
        description: `Update ${display(collection, existing)}`,
        objectUUIDs: [existing.uuid],
        run: () => { applyEdit(state, rules, collection, existing, fields) }
      })
      return taskAnswer(tag, existing.uuid)
    }
    const uuid = fixed ?? state.newUUID()
    const tag = writeNowOrLater(sim, rules.immediate?.create === true, uuid, {
      description: `Create ${display(collection, fields)}`,
      run () {
        rules.prepare?.(state, fields, uuid)
        const record: SimRecord = { uuid, ...rules.defaults?.(state, uuid), ...fields }
        state.collection(collection).set(uuid, record)
        rules.afterCreate?.(state, record)
      }
    })
    return tag === '' ? doneAnswer(uuid) : taskAnswer(tag, uuid)
  }
}

function edit (collection: string, param: string): Handler {
  return ({ sim, operation, params, body }) => {
    const { state } = sim
    const rules = RULES[collection] ?? {}
    const record = requireOne(state, collection, param, params[param] as string)
    const fields = writableFields(operation, bodyObject(body))
    rules.check?.(state, fields, record)
    const tag = writeNowOrLater(sim, rules.immediate?.edit === true, record.uuid, {
      description: `Update ${display(collection, record)}`,
      run: () => { applyEdit(state, rules, collection, record, fields) }
    })
    return taskAnswer(tag)
  }
}

function remove (collection: string, param: string): Handler {
  return (call) => {
    const { sim, params } = call
    const { state } = sim
    const rules = RULES[collection] ?? {}
    const record = requireOne(state, collection, param, params[param] as string)
    const tag = writeNowOrLater(sim, rules.immediate?.delete === true, record.uuid, {
      description: `Delete ${display(collection, record)}`,
      run () {
        const current = state.collection(collection).get(record.uuid)
        if (current === undefined) throw new TaskFailure(`${display(collection, record)} no longer exists`)
        rules.beforeDelete?.(state, current, call)
        state.collection(collection).delete(current.uuid)
        rules.afterDelete?.(state, current)
      }
    })
    return taskAnswer(tag)
  }
}

const VERB_DESCRIPTIONS: Record<string, string> = {
  test: 'Send a test alert to',
  apply: 'Apply'
}

function verb (collection: string, param: string, name: string): Handler {
  return ({ sim, params }) => {
    const record = requireOne(sim.state, collection, param, params[param] as string)
    const tag = startRecordTask(sim, record.uuid, { description: `${VERB_DESCRIPTIONS[name] ?? name} ${display(collection, record)}`, objectUUIDs: [record.uuid] })
    return taskAnswer(tag)
  }
}

/**
 * A handler derived from the shape of an operation's path, for operations without a dedicated one:
 * `GET /X` lists, `GET /X/{id}` reads one (an array), `POST /X` creates, `POST|PATCH /X/{id}` edits,
 * `DELETE /X/{id}` deletes and `POST /X/{id}/verb` runs a task on the record. Unknown collections start empty.
 */
export function genericHandler (operation: CatalogOperation): Handler {
  const parts = operation.path.split('/').filter((p) => p !== '')
  const collection = parts[0] ?? ''
  const param = /^\{(.+)\}$/.exec(parts[1] ?? '')?.[1]
  const method = operation.method
  if (parts.length === 1) {
    if (method === 'GET') return list(collection)
    if (method === 'POST') return create(collection)
  }
  if (parts.length === 2 && param !== undefined) {
    if (method === 'GET') return getOne(collection, param)
    if (method === 'POST' || method === 'PATCH' || method === 'PUT') return edit(collection, param)
    if (method === 'DELETE') return remove(collection, param)
  }
  if (parts.length === 3 && param !== undefined && method === 'POST') return verb(collection, param, parts[2] as string)
  if (method === 'GET') return () => []
  // A documented action this simulator knows nothing specific about: accept it as a task that does nothing.
  return ({ sim }) => taskAnswer(sim.tasks.start({ description: `${method} ${operation.path}` }))
}

const getTaskTag: Handler = ({ sim, params }) => {
  const status = sim.tasks.status(params.taskTag as string)
  // task_tag.py treats "no record" as a finished task, so an unknown tag reads as an empty list.
  return status === undefined ? missingRecord() : [status]
}

const filterConditions: Handler = ({ sim, query }) => {
  const all = [...sim.state.collection('Condition').values()]
  return query.includeSet === 'true' ? all.filter((c) => c.value === true) : all
}

const shutdownCluster: Handler = ({ sim, body }) => {
  const req = bodyObject(body)
  const force = req.forceShutdown === true
  const cluster = sim.state.cluster()
  const tag = sim.tasks.start({
    description: `${force ? 'Force shut down' : 'Shut down'} cluster "${cluster.clusterName as string}"`,
    objectUUIDs: [cluster.uuid],
    nodeUUIDs: [...sim.state.nodes.keys()],
    run () {
      for (const vm of sim.state.vms.values()) if (!OFF_STATES.has(vm.state)) powerOff(vm)
      // Then the cluster goes dark: every node stops accepting connections (the collection polls for exactly that).
      sim.powerOff?.()
    }
  })
  return taskAnswer(tag)
}

const applyUpdate: Handler = ({ sim, params }) => {
  const update = requireOne(sim.state, 'Update', 'uuid', params.uuid as string)
  const cluster = sim.state.cluster()
  const version = /^\d+\.\d+\.\d+\.\d+$/.test(update.uuid) ? update.uuid : `${String(update.majorVersion)}.${String(update.minorVersion)}.${String(update.revision)}.${String(update.buildID)}`
  if (cluster.icosVersion === version) throw new HttpError(400, `HyperCore ${version} is already installed`)
  const node = sim.state.nodes.values().next().value
  sim.update.start(String(cluster.icosVersion), version, { node: typeof node?.lanIP === 'string' ? node.lanIP : '' })
  // Field notes: the apply answers an empty task tag; /update/update_status.json is the only progress channel.
  return doneAnswer()
}

const updateCertificate: Handler = ({ sim, body }) => {
  const req = bodyObject(body)
  const cert = optString(req, 'certificate') ?? ''
  const key = optString(req, 'privateKey') ?? ''
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert)
  } catch {
    throw badRequest('certificate must be a PEM-encoded X.509 certificate')
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw badRequest('privateKey does not belong to the certificate')
  } catch (err) {
    if (err instanceof AppError) throw err
    throw badRequest('privateKey must be a PEM-encoded private key')
  }
  const tag = sim.tasks.start({
    description: `Install certificate for ${x509.subject.replace(/\n/g, ', ')}`,
    run () {
      sim.replaceCertificate?.(cert, key)
    }
  })
  return taskAnswer(tag)
}

function requireUpload (body: unknown): UploadBody {
  if (!(body instanceof UploadBody)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the body must be sent as application/octet-stream')
  return body
}

const uploadIsoData: Handler = ({ sim, params, body }) => {
  const upload = requireUpload(body)
  const iso = requireOne(sim.state, 'ISO', 'uuid', params.uuid as string)
  iso.size = upload.bytes
  sim.state.uploadedBytes.set(iso.uuid, upload.bytes)
  return taskAnswer('', iso.uuid)
}

const uploadVirtualDisk: Handler = ({ sim, query, body }) => {
  const upload = requireUpload(body)
  const filename = query.filename
  if (filename === undefined || filename === '') throw badRequest('the query parameter filename (the disk image\'s name) is required')
  if (query.filesize !== undefined && Number(query.filesize) !== upload.bytes) {
    throw badRequest(`filesize says ${query.filesize} bytes but ${upload.bytes} bytes were received`)
  }
  if (upload.bytes === 0) throw badRequest('the upload is empty')
  const uuid = sim.state.newUUID()
  const tag = sim.tasks.start({
    description: `Upload virtual disk "${filename}"`,
    objectUUIDs: [uuid],
    run () {
      sim.state.collection('VirtualDisk').set(uuid, virtualDiskRecord(uuid, filename, upload.bytes, unixNow(sim.clock)))
      sim.state.uploadedBytes.set(uuid, upload.bytes)
    }
  })
  return taskAnswer(tag, uuid)
}

/** Operations outside the VM area with behaviour of their own, by `METHOD /template`. */
export const resourceHandlers: Record<string, Handler> = {
  'GET /TaskTag': ({ sim }) => sim.tasks.list(),
  'GET /TaskTag/{taskTag}': getTaskTag,
  'GET /Condition/filter': filterConditions,
  'POST /Cluster/shutdown': shutdownCluster,
  'POST /Update/{uuid}/apply': applyUpdate,
  'POST /Certificate': updateCertificate,
  'PUT /ISO/{uuid}/data': uploadIsoData,
  'PUT /VirtualDisk/upload': uploadVirtualDisk
}
