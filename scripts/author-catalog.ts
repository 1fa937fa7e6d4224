/**
 * Writes openapi/hypercore-9.4.json from the reference operation list in ../shared/hypercore.
 *
 * Only facts carry over from the reference (paths, methods, field names, types, enums, defaults and the
 * readOnly / writeOnly / CREATE-ONLY / INTERNAL / DEPRECATED flags). Every summary and description in the
 * output comes from the tables in this file. The committed JSON is the source of truth; nothing at run time
 * reads ../shared. Usage: `npx tsx scripts/author-catalog.ts [--from DIR] [--out FILE]`.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { UNSUPPORTED, aliasesFor, fieldTermsFor, intentFor } from './catalog-vocabulary.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface RefOperation {
  method: string
  path: string
  description: string
  requestBody: JsonObject | null
  responses: Record<string, string>
}

/** The tags every operation gets exactly one of. */
export const TAGS = ['VMs', 'Snapshots', 'Storage', 'Network', 'Cluster', 'Alerts', 'Users', 'Time and DNS', 'Updates', 'Session'] as const
type Tag = typeof TAGS[number]

const TAG_DOCS: Record<Tag, string> = {
  VMs: 'Virtual machines (VirDomain): create, edit, delete, power actions (start, shut down, reboot, migrate), clone, import/export and usage stats.',
  Snapshots: 'Backup and disaster recovery: VM snapshots, snapshot schedules, replication to a remote cluster and the connections used for it.',
  Storage: 'Disks and images: VM disks (VirDomainBlockDevice), ISO images for install media, uploaded virtual disks and the physical drives.',
  Network: 'VM network cards (VirDomainNetDevice): model, VLAN, MAC address, connected or not.',
  Cluster: 'The cluster itself and its hardware: nodes, GPUs, cluster name, shutdown, TLS certificate, registration, monitoring and task status (TaskTag).',
  Alerts: 'Alerts and health: active conditions, where alerts go (email recipients, syslog servers) and the SMTP server that sends alert email.',
  Users: 'Local user accounts, roles and single sign-on (OpenID Connect).',
  'Time and DNS': 'NTP time servers, the time zone, DNS servers and search domains.',
  Updates: 'Firmware (HyperCore) updates available for the cluster and applying them.',
  Session: 'Logging in and out (session cookie) and checking that the REST API answers.'
}

interface Resource {
  tag: Tag
  /** What a newcomer would call one record, with its article: "a VM". */
  one: string
  /** Plural plain name: "VMs". */
  many: string
  /** One or two sentences saying what the record is, in plain words. */
  about: string
  /** Extra words people use for it; appended to descriptions so search and readers both see them. */
  aka?: string
}

const RESOURCES: Record<string, Resource> = {
  VirDomain: {
    tag: 'VMs',
    one: 'a VM',
    many: 'VMs',
    about: 'VirDomain is HyperCore\'s name for a virtual machine (VM, guest): its name, memory in bytes, vCPU count, power state, disks (blockDevs) and NICs (netDevs).',
    aka: 'virtual machine, guest, server instance'
  },
  VirDomainBlockDevice: {
    tag: 'Storage',
    one: 'a VM disk',
    many: 'VM disks',
    about: 'VirDomainBlockDevice is a virtual disk or CD/DVD drive attached to a VM (type, size in bytes as capacity, cache mode, slot).',
    aka: 'disk, drive, volume, hard drive, CD-ROM'
  },
  VirDomainNetDevice: {
    tag: 'Network',
    one: 'a VM NIC',
    many: 'VM NICs',
    about: 'VirDomainNetDevice is a virtual network card (NIC) of a VM: emulated model, VLAN tag, MAC address and whether it is connected.',
    aka: 'network card, network interface, network adapter, VLAN'
  },
  VirDomainSnapshot: {
    tag: 'Snapshots',
    one: 'a VM snapshot',
    many: 'VM snapshots',
    about: 'VirDomainSnapshot is a point-in-time copy of a VM\'s disks and settings (memory contents are not included), usable for restore or clone.',
    aka: 'backup, restore point, checkpoint'
  },
  VirDomainSnapshotSchedule: {
    tag: 'Snapshots',
    one: 'a snapshot schedule',
    many: 'snapshot schedules',
    about: 'VirDomainSnapshotSchedule is a named set of recurrence rules (iCalendar RRULE) that takes automatic snapshots of the VMs linked to it and says how long to keep them.',
    aka: 'automatic backup, backup schedule, retention policy'
  },
  VirDomainReplication: {
    tag: 'Snapshots',
    one: 'a VM replication',
    many: 'VM replications',
    about: 'VirDomainReplication copies a VM\'s snapshots to another cluster over a remote cluster connection, for disaster recovery (DR).',
    aka: 'DR, disaster recovery, offsite copy'
  },
  RemoteClusterConnection: {
    tag: 'Snapshots',
    one: 'a remote cluster connection',
    many: 'remote cluster connections',
    about: 'RemoteClusterConnection is a secure link from this cluster to another HyperCore cluster; replications use it as their target.',
    aka: 'replication target, DR site, peer cluster'
  },
  VirDomainStats: {
    tag: 'VMs',
    one: 'a VM\'s usage statistics',
    many: 'VM usage statistics',
    about: 'VirDomainStats holds live usage figures of VMs: CPU usage, disk reads and writes, network throughput.',
    aka: 'performance, metrics, utilisation, CPU usage'
  },
  AlertSMTPConfig: {
    tag: 'Alerts',
    one: 'an SMTP server setting for alert email',
    many: 'SMTP server settings for alert email',
    about: 'AlertSMTPConfig is the outgoing mail (SMTP) server the cluster uses to send alert emails: host, port, TLS, login and sender address.',
    aka: 'email server, mail relay'
  },
  AlertEmailTarget: {
    tag: 'Alerts',
    one: 'an alert email recipient',
    many: 'alert email recipients',
    about: 'AlertEmailTarget is an email address that receives the cluster\'s alerts, with how often alerts are re-sent.',
    aka: 'notification email, alert recipient'
  },
  AlertSyslogTarget: {
    tag: 'Alerts',
    one: 'an alert syslog server',
    many: 'alert syslog servers',
    about: 'AlertSyslogTarget is a remote syslog server that receives the cluster\'s alerts (host, port, UDP or TCP).',
    aka: 'remote logging, log server'
  },
  Condition: {
    tag: 'Alerts',
    one: 'an alert condition',
    many: 'alert conditions',
    about: 'Condition is HyperCore\'s name for an alert or health check: a named state with a severity that is either set (something is wrong) or clear.',
    aka: 'alerts, warnings, errors, problems, health'
  },
  Cluster: {
    tag: 'Cluster',
    one: 'the cluster',
    many: 'cluster records',
    about: 'Cluster describes the whole system: its name, the HyperCore (firmware) version it runs and its identifiers.',
    aka: 'system, cluster name, version'
  },
  NucleusKey: {
    tag: 'Cluster',
    one: 'a Nucleus key',
    many: 'Nucleus keys',
    about: 'NucleusKey is a key a node uses to register with Scale Computing\'s Nucleus cloud service; reading it returns only the key\'s name, never its value.'
  },
  DNSConfig: {
    tag: 'Time and DNS',
    one: 'a DNS setting',
    many: 'DNS settings',
    about: 'DNSConfig lists the DNS servers the cluster uses and the search domains appended to short host names.',
    aka: 'name server, resolver'
  },
  Drive: {
    tag: 'Storage',
    one: 'a physical drive',
    many: 'physical drives',
    about: 'Drive is a physical disk (HDD or SSD) inside one of the cluster\'s nodes.',
    aka: 'hard disk, SSD, physical disk'
  },
  GPU: {
    tag: 'Cluster',
    one: 'a physical GPU',
    many: 'physical GPUs',
    about: 'GPU is a physical graphics card installed in a node.',
    aka: 'graphics card'
  },
  GPUProfile: {
    tag: 'Cluster',
    one: 'a GPU profile',
    many: 'GPU profiles',
    about: 'GPUProfile describes a way a physical GPU can be shared with or given to VMs.',
    aka: 'vGPU'
  },
  Update: {
    tag: 'Updates',
    one: 'an available update',
    many: 'available updates',
    about: 'Update is a HyperCore firmware/software version the cluster can be upgraded to.',
    aka: 'firmware, upgrade, patch, new version'
  },
  ISO: {
    tag: 'Storage',
    one: 'an ISO image',
    many: 'ISO images',
    about: 'ISO is a CD/DVD image stored on the cluster (install media, driver discs) that can be inserted into a VM\'s CD-ROM drive.',
    aka: 'install media, CD, DVD, installer image'
  },
  MonitoringConfig: {
    tag: 'Cluster',
    one: 'a monitoring setting',
    many: 'monitoring settings',
    about: 'MonitoringConfig says where the cluster publishes its metrics and who may subscribe to them, and how often.',
    aka: 'metrics export, telemetry'
  },
  Node: {
    tag: 'Cluster',
    one: 'a node',
    many: 'nodes',
    about: 'Node is one physical server of the cluster, with its IP addresses and its capacity and usage figures.',
    aka: 'host, server, hypervisor'
  },
  OIDCConfig: {
    tag: 'Users',
    one: 'an OpenID Connect (SSO) setting',
    many: 'OpenID Connect (SSO) settings',
    about: 'OIDCConfig connects the cluster\'s login to an OpenID Connect identity provider for single sign-on (SSO).',
    aka: 'single sign-on, identity provider, Azure AD, Okta'
  },
  ClusterRegistrationData: {
    tag: 'Cluster',
    one: 'the cluster registration data',
    many: 'cluster registration data',
    about: 'ClusterRegistrationData is the information about the cluster that can be exported for registering it with Scale Computing support.'
  },
  Registration: {
    tag: 'Cluster',
    one: 'a cluster registration',
    many: 'cluster registrations',
    about: 'Registration holds who the cluster is registered to with Scale Computing (company, contact, phone, email).',
    aka: 'support contact, license registration'
  },
  TaskTag: {
    tag: 'Cluster',
    one: 'a task status',
    many: 'task statuses',
    about: 'TaskTag is the status of an asynchronous job the cluster started after a change: QUEUED, RUNNING, COMPLETE or ERROR, with a progress percentage.',
    aka: 'task, job, progress, operation status'
  },
  TimeSource: {
    tag: 'Time and DNS',
    one: 'an NTP time server',
    many: 'NTP time servers',
    about: 'TimeSource is a time server (NTP) the cluster synchronises its clock with.',
    aka: 'NTP, clock, time sync'
  },
  TimeZone: {
    tag: 'Time and DNS',
    one: 'a time zone setting',
    many: 'time zone settings',
    about: 'TimeZone holds the time zone the cluster uses (for example America/New_York).',
    aka: 'timezone, local time'
  },
  User: {
    tag: 'Users',
    one: 'a user account',
    many: 'user accounts',
    about: 'User is a local account that can log in to the cluster\'s UI and REST API, with its roles and session limit.',
    aka: 'account, administrator, username'
  },
  Role: {
    tag: 'Users',
    one: 'a role',
    many: 'roles',
    about: 'Role is a named set of permissions that users are given through roleUUIDs.',
    aka: 'permission, access rights'
  },
  VirtualDisk: {
    tag: 'Storage',
    one: 'an uploaded virtual disk',
    many: 'uploaded virtual disks',
    about: 'VirtualDisk is a disk image file uploaded to the cluster (for example a qcow2 or VMDK cloud image) that can be copied into a VM as a new disk.',
    aka: 'disk image, qcow2, vmdk, cloud image'
  },
  Certificate: {
    tag: 'Cluster',
    one: 'a TLS certificate',
    many: 'TLS certificates',
    about: 'Certificate is the HTTPS (TLS) certificate and private key served by the node.',
    aka: 'SSL, HTTPS, X.509, PEM'
  }
}

/** Our summary, operationId and notes per operation that does not follow the plain CRUD pattern, or needs more. */
interface OpDoc {
  operationId?: string
  summary?: string
  /** Replaces the generated description. */
  description?: string
  /** Appended to the generated description. */
  note?: string
  tag?: Tag
  /** The answer shape is a guess (not stated by the reference). */
  uncertainResponse?: boolean
  example?: Json
  responses?: Record<string, string>
}

const ASYNC = 'The change runs in the background: the answer carries a taskTag to poll with GET /TaskTag/{taskTag} until its state is COMPLETE or ERROR.'

const OPS: Record<string, OpDoc> = {
  'GET /ping': {
    operationId: 'ping',
    summary: 'Check that the REST API is up (ping)',
    description: 'Answers when the cluster\'s REST API is running; use it as a health or status check before logging in or calling anything else.',
    tag: 'Session'
  },
  'OPTIONS /login': {
    operationId: 'loginPreflight',
    summary: 'CORS preflight for the login endpoint',
    description: 'Browser cross-origin (CORS) preflight check for POST /login. Scripts and tools never need it.',
    tag: 'Session',
    responses: { 200: 'Preflight accepted.', 401: 'Preflight refused.' }
  },
  'POST /login': {
    operationId: 'login',
    summary: 'Log in and start a session (sessionID cookie)',
    description: 'Signs in with a username and password (local account, or the configured OpenID Connect provider when useOIDC is true). On success the session ID comes back in the body and as a cookie named sessionID, which every later call must send.',
    tag: 'Session',
    example: { username: 'admin', password: '<password>', useOIDC: false },
    responses: { 200: 'Signed in; the body and the sessionID cookie carry the session ID.', 401: 'Wrong username or password.', 500: 'The cluster failed while signing in.' }
  },
  'POST /logout': {
    operationId: 'logout',
    summary: 'Sign out: close the current session (logout)',
    description: 'Ends the session named by the sessionID cookie; the cookie stops working afterwards.',
    tag: 'Session',
    responses: { 200: 'The session is closed.' }
  },
  'POST /Cluster/shutdown': {
    operationId: 'shutdownCluster',
    summary: 'Shut down the whole cluster (all nodes)',
    description: 'Powers off the entire system. Running VMs are shut down first and start again when the cluster boots; forceShutdown skips the graceful shutdown of the VMs. Destructive: every workload stops.',
    uncertainResponse: true,
    example: { forceShutdown: false }
  },
  'GET /Condition/filter': {
    operationId: 'filterConditions',
    summary: 'List alert conditions (Condition), filtered, e.g. only the active ones',
    description: 'Same records as GET /Condition, narrowed by query parameters; includeSet=true keeps only the conditions that are currently set, i.e. the active alerts and warnings.'
  },
  'GET /Condition/{name}': {
    summary: 'Get one alert condition (Condition) by its name'
  },
  'POST /VirDomain/action': {
    operationId: 'virDomainAction',
    summary: 'Power actions on VMs: start, shut down, stop, reboot, reset, pause, live-migrate',
    description: 'Changes the power state of one or more VMs (VirDomain). The body is an array of {virDomainUUID, actionType}: START (power on, boot, resume), SHUTDOWN (graceful power off through ACPI), STOP (hard power off), REBOOT (graceful restart), RESET (hard restart), PAUSE (suspend), LIVEMIGRATE (move a running VM to the node given in nodeUUID) and NMI. ' + ASYNC,
    uncertainResponse: true,
    example: [{ virDomainUUID: '<virDomainUUID>', actionType: 'START' }]
  },
  'POST /VirDomain/{virDomainUUID}/clone': {
    operationId: 'cloneVirDomain',
    summary: 'Clone a VM (VirDomain) into a new VM, optionally from a snapshot',
    description: 'Makes a new VM (copy, duplicate, template-based VM) from an existing one. The new VM\'s name and settings go in template; snapUUID picks the snapshot to copy from, otherwise a fresh snapshot is taken. ' + ASYNC + ' createdUUID is the new VM.',
    uncertainResponse: true,
    example: { template: { name: '<newVMName>' } }
  },
  'POST /VirDomain/{virDomainUUID}/export': {
    operationId: 'exportVirDomain',
    summary: 'Export a VM (VirDomain) to an SMB share',
    description: 'Writes the VM\'s disks and definition to a network share given as target.pathURI (e.g. smb://user:password@server/share/folder). The URI holds credentials: treat it as a secret. ' + ASYNC,
    uncertainResponse: true,
    example: { target: { pathURI: 'smb://<user>:<password>@<server>/<share>/<folder>' } }
  },
  'POST /VirDomain/import': {
    operationId: 'importVirDomain',
    summary: 'Import a VM (VirDomain) from an SMB share',
    description: 'Creates a VM from an export found at source.pathURI (e.g. smb://user:password@server/share/folder); template can set the new VM\'s name and settings. The URI holds credentials: treat it as a secret. ' + ASYNC,
    uncertainResponse: true,
    example: { source: { pathURI: 'smb://<user>:<password>@<server>/<share>/<folder>' }, template: { name: '<importedVMName>' } }
  },
  'POST /AlertEmailTarget/{uuid}/test': {
    operationId: 'testAlertEmailTarget',
    summary: 'Send a test alert email to one recipient (AlertEmailTarget)',
    description: 'Sends a test message to the alert email recipient, to check the SMTP server settings and the address.',
    uncertainResponse: true
  },
  'POST /Update/{uuid}/apply': {
    operationId: 'applyUpdate',
    summary: 'Upgrade the cluster to an available firmware version (Update)',
    description: 'Starts upgrading the cluster to the chosen HyperCore version (rolling upgrade of the nodes). Long-running and not reversible. ' + ASYNC,
    uncertainResponse: true
  },
  'POST /Certificate': {
    operationId: 'updateCertificate',
    summary: 'Replace the HTTPS (TLS) certificate of the node',
    description: 'Installs a new PEM certificate and its private key on the node that receives the call. The private key is a secret.',
    uncertainResponse: true,
    example: { certificate: '-----BEGIN CERTIFICATE-----\n<base64>\n-----END CERTIFICATE-----', privateKey: '-----BEGIN RSA PRIVATE KEY-----\n<base64>\n-----END RSA PRIVATE KEY-----' }
  },
  'PUT /ISO/{uuid}/data': {
    operationId: 'uploadISOData',
    summary: 'Upload the file contents of an ISO image',
    description: 'Sends the raw bytes of the .iso file for an ISO record created with POST /ISO (whose size must match). Afterwards set readyForInsert to true with PATCH /ISO/{uuid} so VMs can use it.',
    responses: { 200: 'The data was stored.' }
  },
  'POST /VirDomainBlockDevice/{uuid}/clone': {
    operationId: 'cloneVirDomainBlockDevice',
    summary: 'Create a VM disk (VirDomainBlockDevice) from a disk in a snapshot',
    description: 'Restores a single disk: copies the disk {uuid} as it was in the snapshot snapUUID into a new disk described by template (attached to template.virDomainUUID), for example to recover files. ' + ASYNC,
    uncertainResponse: true,
    example: { options: { regenerateDiskID: true, readOnly: false }, snapUUID: '<snapshotUUID>', template: { virDomainUUID: '<virDomainUUID>', type: 'VIRTIO_DISK', capacity: 10737418240 } }
  },
  'GET /VirtualDisk': { summary: 'List uploaded virtual disk images (VirtualDisk)' },
  'POST /VirtualDisk/{uuid}/attach': {
    operationId: 'attachVirtualDisk',
    summary: 'Copy an uploaded virtual disk (VirtualDisk) into a VM as a new disk',
    description: 'Clones the uploaded disk image into a new VM disk (VirDomainBlockDevice) described by template and attaches it to the VM template.virDomainUUID. ' + ASYNC,
    uncertainResponse: true,
    example: { options: { regenerateDiskID: true, readOnly: false }, template: { virDomainUUID: '<virDomainUUID>', type: 'VIRTIO_DISK', capacity: 10737418240 } }
  },
  'PUT /VirtualDisk/upload': {
    operationId: 'uploadVirtualDisk',
    summary: 'Upload a disk image file as a new virtual disk (VirtualDisk)',
    description: 'Creates a VirtualDisk from the raw bytes of a disk image (e.g. qcow2 or VMDK) sent as the body; attach it to a VM afterwards with POST /VirtualDisk/{uuid}/attach.',
    responses: { 200: 'The image was stored.', 400: 'The upload was refused.' }
  },
  'POST /VirDomainSnapshot': {
    summary: 'Take a snapshot of a VM (VirDomainSnapshot)',
    note: 'Set domainUUID to the VM and give a label; memory contents are not captured.',
    example: { domainUUID: '<virDomainUUID>', label: '<snapshotLabel>', type: 'USER' }
  },
  'POST /VirDomainNetDevice': {
    summary: 'Add a NIC to a VM (VirDomainNetDevice)',
    note: 'The VM has to be powered off (SHUTOFF) while a NIC is added.',
    example: { virDomainUUID: '<virDomainUUID>', type: 'VIRTIO', vlan: 0 }
  },
  'DELETE /VirDomainNetDevice/{uuid}': {
    summary: 'Remove a NIC from a VM (VirDomainNetDevice)',
    note: 'The VM has to be powered off (SHUTOFF) while a NIC is removed.'
  },
  'POST /VirDomainBlockDevice': {
    summary: 'Add a disk to a VM (VirDomainBlockDevice)',
    note: 'capacity is in bytes; type picks the bus (VIRTIO_DISK is the usual choice, IDE_CDROM for a CD drive).',
    example: { virDomainUUID: '<virDomainUUID>', type: 'VIRTIO_DISK', capacity: 10737418240 }
  },
  'PATCH /VirDomainBlockDevice/{uuid}': {
    summary: 'Change a VM disk (VirDomainBlockDevice): grow it, insert or eject an ISO',
    note: 'Raise capacity to grow (resize, expand) a disk. For a CD-ROM drive, set path and name to those of an ISO to insert it, or to empty strings to eject.',
    example: { capacity: 21474836480 }
  },
  'PATCH /VirDomain/{virDomainUUID}': {
    summary: 'Change settings of a VM (VirDomain): rename, memory, vCPUs, tags, boot order',
    note: 'Memory (mem, in bytes) and vCPU count (numVCPU) can only change while the VM is off (SHUTOFF or CRASHED). Disks and NICs are changed through /VirDomainBlockDevice and /VirDomainNetDevice, not here.',
    example: { name: '<newName>' }
  },
  'POST /VirDomain/{virDomainUUID}': {
    note: 'Memory (mem) and vCPU count (numVCPU) can only change while the VM is off (SHUTOFF or CRASHED).'
  },
  'POST /VirDomain': {
    summary: 'Create a new VM (VirDomain)',
    note: 'Put the VM settings in dom (name, mem in bytes, numVCPU, and optionally blockDevs and netDevs to create its disks and NICs in the same call) and creation choices in options (machineTypeKeyword bios/uefi/tpm, attachGuestToolsISO). The VM is created powered off; start it with POST /VirDomain/action.',
    example: {
      dom: {
        name: '<vmName>',
        description: '',
        mem: 4294967296,
        numVCPU: 2,
        blockDevs: [{ type: 'VIRTIO_DISK', capacity: 53687091200 }],
        netDevs: [{ type: 'VIRTIO', vlan: 0 }]
      },
      options: { attachGuestToolsISO: false }
    }
  },
  'POST /VirDomainReplication': {
    summary: 'Start replicating a VM to a remote cluster (VirDomainReplication)',
    example: { sourceDomainUUID: '<virDomainUUID>', connectionUUID: '<remoteClusterConnectionUUID>', enable: true }
  },
  'POST /ISO': {
    summary: 'Create an ISO image record, before uploading its data',
    note: 'Step one of an ISO upload: give the file name (ending in .iso) and its size in bytes with readyForInsert false, then send the bytes with PUT /ISO/{uuid}/data.',
    example: { name: '<image>.iso', size: 1073741824, readyForInsert: false }
  },
  'POST /VirDomainSnapshotSchedule': {
    example: { name: '<scheduleName>', rrules: [{ name: 'daily', rrule: 'FREQ=DAILY;INTERVAL=1', localRetentionDurationSeconds: 604800 }] }
  },
  'POST /User': {
    summary: 'Create a user account (User)',
    example: { username: '<username>', password: '<password>', fullName: '<Full Name>' }
  },
  'PATCH /User/{uuid}': {
    summary: 'Change a user account (User): password, full name, roles, session limit',
    example: { password: '<newPassword>' }
  },
  'POST /AlertSMTPConfig': {
    example: { smtpServer: 'smtp.example.com', port: 587, useSSL: true, useAuth: false, fromAddress: 'hypercore@example.com' }
  },
  'POST /AlertEmailTarget': { summary: 'Add an alert email recipient (AlertEmailTarget)', example: { emailAddress: 'ops@example.com' } },
  'POST /AlertSyslogTarget': {
    summary: 'Add a syslog server that receives alerts (AlertSyslogTarget)',
    example: { host: '192.0.2.20', port: 514, protocol: 'SYSLOG_PROTOCOL_UDP' }
  },
  'POST /TimeSource': { summary: 'Add an NTP time server (TimeSource)', example: { host: 'pool.ntp.org' } },
  'POST /TimeZone': { example: { timeZone: 'America/New_York' } },
  'PATCH /TimeZone/{uuid}': { example: { timeZone: 'Europe/Amsterdam' } },
  'POST /DNSConfig': { example: { serverIPs: ['192.0.2.53'], searchDomains: ['example.com'] } },
  'PATCH /DNSConfig/{uuid}': { example: { serverIPs: ['192.0.2.53', '192.0.2.54'] } },
  'POST /OIDCConfig': {
    example: { configurationURL: 'https://login.example.com/.well-known/openid-configuration', scopes: 'openid profile email', clientID: '<clientID>', sharedSecret: '<clientSecret>' }
  },
  'POST /Registration': { summary: 'Register the cluster with Scale Computing (Registration)', example: { companyName: '<company>', contact: '<contact name>', phone: '<phone>', email: 'ops@example.com' } },
  'PATCH /VirDomainNetDevice/{uuid}': {
    summary: 'Change a VM NIC (VirDomainNetDevice): VLAN, model, connect or disconnect',
    example: { vlan: 10 }
  },
  'GET /Node': { summary: 'List the nodes (physical servers) of the cluster (Node)' },
  'GET /Cluster': { summary: 'Get the cluster\'s name, version and identifiers (Cluster)' },
  'PATCH /Cluster/{uuid}': { summary: 'Rename the cluster (Cluster)' },
  'GET /Update': { summary: 'List firmware updates available for the cluster (Update)' },
  'GET /TaskTag/{taskTag}': {
    summary: 'Get the status and progress of a task (TaskTag) by its tag',
    note: 'Poll this after any change that answered with a taskTag, about once a second, while the state is QUEUED or RUNNING.'
  },
  'GET /GPUProfile/{gpuUUID}': { summary: 'List the GPU profiles (GPUProfile) of one physical GPU' },
  'GET /ClusterRegistrationData/{clusterID}': { summary: 'Get the exportable registration data of a cluster by its cluster ID' },
  'GET /Condition': { summary: 'List alert conditions (Condition): alerts, warnings and health checks' },
  'GET /VirDomainStats': { summary: 'Get usage statistics of all VMs (VirDomainStats): CPU, disk, network' },
  'GET /VirDomainStats/{virDomainUUID}': { summary: 'Get usage statistics of one VM (VirDomainStats) by its UUID' }
}

/** Our words for the fields of request bodies; `Title.field` wins over `field`. */
const FIELD_DOCS: Record<string, string> = {
  uuid: 'Identifier of the record; assigned by the cluster.',
  latestTaskTag: 'Status of the last background task that touched this record; set by the cluster.',
  name: 'Display name.',
  username: 'Login name.',
  password: 'Password in clear text; never returned.',
  'login.password': 'Password in clear text.',
  'login.useOIDC': 'true to check the credentials against the configured OpenID Connect provider instead of local accounts.',
  'Certificate.certificate': 'New certificate in PEM form (X.509).',
  'Certificate.privateKey': 'Its RSA private key, PEM text. Secret.',
  'Cluster/shutdown.forceShutdown': 'true skips the graceful shutdown of running VMs and powers off at once.',
  'VirDomain/clone.snapUUID': 'Snapshot (VirDomainSnapshot uuid) to copy from; when empty a new snapshot is taken first.',
  'VirDomain/export.snapUUID': 'Snapshot (VirDomainSnapshot uuid) to export instead of the current state.',
  'VirDomainBlockDevice/clone.snapUUID': 'Snapshot (VirDomainSnapshot uuid) that holds the disk to copy.',
  template: 'Settings of the record to create; unset fields take their defaults.',
  'VirDomainBlockDevice/clone.template': 'Settings of the new disk (VM to attach to, type, size).',
  'VirtualDisk/attach.template': 'Settings of the new disk (VM to attach to, type, size).',
  'VirDomain/clone.template': 'Settings of the new VM; name is the one normally given.',
  'VirDomain/export.template': 'VM settings to store with the export.',
  'VirDomain/import.template': 'Settings of the imported VM, such as its name.',
  'VirDomain/import.source': 'Where the export to import lives.',
  'VirDomain/export.target': 'Where to write the export.',
  options: 'Creation options.',
  dom: 'Settings of the new VM.',
  alertTagUUID: 'Internal alert grouping identifier; leave unset.',
  emailAddress: 'Address that receives alert emails.',
  resendDelay: 'Seconds before an alert that is still active is sent again.',
  silentPeriod: 'Seconds during which further triggers of the same alert are not sent again.',
  smtpServer: 'Host name or IP address of the outgoing mail (SMTP) server.',
  'AlertSMTPConfig.port': 'TCP port of the SMTP server (commonly 25, 465 or 587).',
  useSSL: 'true to encrypt the SMTP connection (SSL/TLS).',
  useAuth: 'true to log in to the SMTP server with authUser and authPassword.',
  authUser: 'SMTP login name, used when useAuth is true.',
  authPassword: 'SMTP password, used when useAuth is true. Secret.',
  fromAddress: 'Sender address of the alert emails.',
  'AlertSyslogTarget.host': 'Syslog server to send alerts to, as a DNS name or IP.',
  'AlertSyslogTarget.port': 'Syslog listening port; 514 is the usual one.',
  protocol: 'Transport used to reach the syslog server.',
  filesystemID: 'Identifier given by the clustered file system.',
  clusterName: 'Name of the cluster; must be a valid host name.',
  'MonitoringConfig.clusterName': 'Cluster name reported with the published metrics.',
  icosVersion: 'HyperCore (firmware) version, as major.minor.revision.build.',
  brand: 'OEM brand marker.',
  isRESTAPIEnabled: 'No longer used.',
  value: 'The key material; write-only in practice, reads return only the name.',
  searchDomains: 'Domains tried, in order, to complete short host names.',
  serverIPs: 'DNS servers, by IP address or host name.',
  'ISO.name': 'The .iso file name; the suffix .iso is required.',
  'ISO.size': 'Size of the .iso file in bytes; set once, when the record is created.',
  readyForInsert: 'Set to true only after all the data has been uploaded; until then VMs cannot use the image.',
  mounts: 'VMs that currently have this image in a CD-ROM drive.',
  'ISO.path': 'Storage path of the image, the value a CD-ROM drive\'s path takes to insert it.',
  interval: 'Seconds between metric publications.',
  publishers: 'Destinations the metrics are sent to.',
  subscribers: 'Parties allowed to subscribe to the metrics.',
  clientID: 'Client ID issued by the identity provider for this cluster.',
  sharedSecret: 'Client secret issued by the identity provider. Secret, never returned.',
  'OIDCConfig.certificate': 'PEM certificate (X.509) used to trust the identity provider.',
  configurationURL: 'The provider\'s discovery document URL (.well-known/openid-configuration).',
  scopes: 'Scopes to request so the needed claims are present.',
  authorizationURL: 'Provider authorization endpoint, read from the discovery document.',
  tokenURL: 'Provider token endpoint, read from the discovery document.',
  logoutURL: 'Provider end-session endpoint, read from the discovery document.',
  companyName: 'Company the cluster is registered to.',
  contact: 'Person to contact about the cluster.',
  phone: 'Phone number to reach the contact person.',
  email: 'Where Scale Computing can email the contact person.',
  clusterID: 'Cluster identifier used for registration.',
  clusterData: 'Registration data generated by the cluster (XML).',
  clusterDataHash: 'Hash of clusterData.',
  clusterDataHashAccepted: 'Hash of the registration data last accepted.',
  'TimeSource.host': 'Host name or IP address of the NTP server.',
  timeZone: 'Time zone name, e.g. America/New_York or Europe/Amsterdam.',
  fullName: 'Person\'s display name.',
  roleUUIDs: 'Roles (Role uuid) the user has.',
  sessionLimit: 'Most sessions this user may have open at the same time.',
  'VirDomain.name': 'Name of the VM.',
  'VirDomain.description': 'Free-text description of the VM.',
  nodeUUID: 'Node the VM runs on now; empty when it is off.',
  operatingSystem: 'Guest operating system kind (e.g. os_windows_server_2012, os_other); chooses the drivers offered.',
  mem: 'Memory in bytes (4 GiB = 4294967296). Changeable only while the VM is off.',
  numVCPU: 'Number of virtual CPUs. Changeable only while the VM is off.',
  blockDevs: 'Disks and CD-ROM drives to create with the VM. Only used when creating; later use the /VirDomainBlockDevice endpoints.',
  netDevs: 'NICs to create with the VM. Only used when creating; later use the /VirDomainNetDevice endpoints.',
  deprecated_stats: 'Old location of usage statistics; use /VirDomainStats.',
  created: 'Creation time, Unix seconds.',
  modified: 'Last change time, Unix seconds.',
  tags: 'Free labels to group VMs, comma-separated in one string (e.g. "prod,web").',
  bootDevices: 'Boot order: identifiers of disks and NICs, first tried first.',
  snapUUIDs: 'Snapshots of this VM.',
  snapshotSerialNumber: 'Internal counter of the latest snapshot.',
  replicationUUIDs: 'Internal list of replication targets.',
  sourceVirDomainUUID: 'When set, this VM is a replica (or clone) of that VM.',
  snapshotListSerialNumber: 'Internal: bumps whenever snapshots are added or removed.',
  snapshotScheduleUUID: 'Snapshot schedule (VirDomainSnapshotSchedule uuid) that takes automatic snapshots of this VM; empty for none.',
  machineType: 'Virtual hardware generation: scale-7.2 is BIOS, scale-8.10 is UEFI, scale-uefi-tpm-9.2 is UEFI with a virtual TPM (experimental). When creating, prefer options.machineTypeKeyword.',
  cpuType: 'CPU model presented to the guest, e.g. clusterBaseline-7.3 (the default: what every node can run) or HC1150-9.2.',
  snapshotAllocationBlocks: 'Blocks used by this VM\'s snapshots.',
  lastSeenRunningOnNodeUUID: 'Most recent node that ran this VM.',
  isTransient: 'Internal marker for temporary VMs.',
  vsdUUIDsToDelete: 'Internal list of storage devices pending deletion.',
  initialCloneSnapshotUUID: 'Internal: snapshot used to speed up replication of a clone.',
  'VirDomain.machineTypeKeyword': 'Keyword of the VM\'s current machine type (bios, uefi, tpm...); computed.',
  'VirDomainCreateOptions.machineTypeKeyword': 'Firmware of the new VM: bios, uefi, tpm (UEFI with virtual TPM) or tpm-compatible.',
  attachGuestToolsISO: 'Add a CD-ROM with Scale\'s guest tools when the operating system supports them.',
  virDomainUUID: 'VM (VirDomain uuid) the device belongs to. Set when creating the device on its own; leave empty inside a VM create request.',
  'VirDomainActionDescription.virDomainUUID': 'VM (VirDomain uuid) to act on.',
  'VirDomainBlockDevice.type': 'Kind of device and bus.',
  'VirDomainBlockDevice.name': 'Device name; only a CD-ROM drive\'s name can change (to an ISO file name ending in .iso).',
  capacity: 'Size in bytes (10 GiB = 10737418240); can be raised later, never lowered.',
  allocation: 'Bytes actually used.',
  physical: 'Bytes taken by the backing storage.',
  shareUUID: 'No longer used.',
  'VirDomainBlockDevice.path': 'Backing storage path; only a CD-ROM drive\'s path can change, to the path of an ISO (insert) or empty (eject).',
  slot: 'Slot on the bus; -1 lets the cluster pick. Only used when creating.',
  disableSnapshotting: 'true leaves this disk out of snapshots.',
  tieringPriorityFactor: 'How strongly this disk is placed on SSD: 8 is the default; the UI levels 0-11 map to 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 10240.',
  mountPoints: 'Where the guest mounted the disk, reported by the guest agent.',
  createdTimestamp: 'Creation time, Unix seconds.',
  'VirDomainBlockDevice.readOnly': 'true when the disk was made read-only from a snapshot.',
  'VirDomainSnapshotBlockDeviceCreateOptions.readOnly': 'true to attach the new disk read-only.',
  regenerateDiskID: 'Give the copy a new disk identity (GPT UUID or MBR signature) so it does not clash with the original.',
  'VirDomainNetDevice.type': 'Emulated NIC model; VIRTIO is fastest when the guest has the drivers.',
  macAddress: 'MAC address; leave empty to get a generated one.',
  vlan: 'VLAN tag, 0-4094; 0 (the default) means untagged, seeing all traffic.',
  connected: 'false unplugs the virtual cable.',
  ipv4Addresses: 'IPv4 addresses the guest reported for this NIC.',
  sourceDomainUUID: 'VM (VirDomain uuid) to replicate. Only used when creating.',
  targetDomainUUID: 'The replica VM on the remote cluster.',
  connectionUUID: 'Remote cluster connection (RemoteClusterConnection uuid) to replicate over.',
  enable: 'true to replicate, false to pause replication.',
  'VirDomainReplication.label': 'Free-text purpose of the replication.',
  deprecated_sourceVSDInitialSerialNumber: 'No longer used.',
  progress: 'Progress of the running replication.',
  domainUUID: 'VM (VirDomain uuid) to snapshot. Only used when creating.',
  'VirDomainSnapshot.label': 'Free-text label of the snapshot. Only used when creating.',
  'VirDomainSnapshot.type': 'Origin of the snapshot; USER for one taken on request.',
  automatedTriggerTimestamp: 'Internal time used to decide which automatic snapshots to keep.',
  localRetainUntilTimestamp: 'Unix time after which the snapshot is removed from this cluster; 0 keeps it.',
  remoteRetainUntilTimestamp: 'Unix time after which the replicated copy is removed from the remote cluster; 0 keeps it.',
  blockCountDiffFromSerialNumber: 'Serial number of the earlier snapshot the changed-block count is measured against.',
  'VirDomainSnapshot.replication': 'false keeps this snapshot from being replicated.',
  'VirDomainSnapshotSchedule.name': 'Name of the schedule.',
  rrules: 'Recurrence rules; each takes snapshots on its own rhythm.',
  pathURI: 'SMB location, e.g. smb://user:password@server/share/folder. Holds credentials.',
  format: 'Disk image format; empty means qcow2.',
  definitionFileName: 'File name of the VM definition inside the folder.',
  compress: 'true to compress the exported disk images.',
  compat: 'Image compatibility version, e.g. 0.10.',
  allowNonSequentialWrites: 'Allow writes out of order, which can be faster.',
  parallelCountPerTransfer: 'Parallel streams per transfer.'
}

/** Our descriptions of the reference component schemas and their own fields. */
const COMPONENT_DOCS: Record<string, string> = {
  VirDomainState: 'Power state of a VM: RUNNING, SHUTOFF (off), PAUSED, SHUTDOWN (shutting down), BLOCKED, CRASHED.',
  VirDomainActionDescription: 'One power action for one VM.',
  'VirDomainActionDescription.actionType': 'START powers on (or resumes), SHUTDOWN asks the guest to power off, STOP cuts power, REBOOT asks the guest to restart, RESET restarts hard, PAUSE suspends, LIVEMIGRATE moves the running VM to nodeUUID, NMI sends a non-maskable interrupt.',
  'VirDomainActionDescription.nodeUUID': 'For LIVEMIGRATE: the node to move the VM to (also accepted when starting).',
  'VirDomainActionDescription.cause': 'Who asked for the action.',
  VirDomainBlockDeviceType: 'Disk or drive kind and bus: IDE, SCSI or VIRTIO disk, IDE CD-ROM or floppy, NVRAM (UEFI variables) and VTPM (virtual TPM, newer versions).',
  VirDomainBlockDeviceCacheMode: 'Host caching of disk writes.',
  VirDomainNetDeviceType: 'Which network card hardware the VM sees.',
  VirDomainSnapshotType: 'How a snapshot came to be: USER (on request), AUTOMATED (by a schedule) or SUPPORT.',
  VirDomainDisposition: 'Whether the VM record is live or on its way out (pending delete, deleted).',
  VirDomainUIState: 'Power state as the UI shows it, including the transitional STARTING and STOPPING.',
  GuestAgentState: 'Whether the guest tools agent inside the VM answers.',
  VirDomainConsole: 'Remote console (VNC or SPICE) connection details.',
  VirDomainAffinityStrategy: 'Node placement preferences of a VM.',
  'VirDomainAffinityStrategy.strictAffinity': 'true to run only on the preferred or backup node.',
  'VirDomainAffinityStrategy.preferredNodeUUID': 'Node the VM should run on.',
  'VirDomainAffinityStrategy.backupNodeUUID': 'Node to use when the preferred one is unavailable.',
  CloudInitData: 'cloud-init data handed to the guest at first boot.',
  'CloudInitData.userData': 'Cloud-init user-data (the #cloud-config script), encoded as base64.',
  'CloudInitData.metaData': 'Cloud-init meta-data (instance id, host name), encoded as base64.',
  StatsData: 'CPU, disk and network usage counters of a VM or of one of its devices.',
  TaskTagStatus: 'Status record of a background task; taskTag and state are the dependable fields.',
  'TaskTagStatus.progressPercent': 'Completion, 0-100.',
  'TaskTagStatus.state': 'QUEUED and RUNNING are in progress, COMPLETE succeeded, ERROR and UNINITIALIZED failed.',
  SyslogProtocol: 'UDP or TCP transport for syslog.',
  MonitoringPublisher: 'A destination metrics are published to.',
  MonitoringSubscriber: 'A party allowed to subscribe to metrics.',
  VirDomainSnapshotRecurrenceRule: 'One rule of a snapshot schedule: when to snapshot and how long to keep the copies.',
  'VirDomainSnapshotRecurrenceRule.rrule': 'iCalendar recurrence rule, e.g. FREQ=DAILY;INTERVAL=1 or FREQ=WEEKLY;BYDAY=SU.',
  'VirDomainSnapshotRecurrenceRule.dtstart': 'Start of the recurrence.',
  'VirDomainSnapshotRecurrenceRule.localRetentionDurationSeconds': 'Seconds to keep each snapshot on this cluster.',
  'VirDomainSnapshotRecurrenceRule.remoteRetentionDurationSeconds': 'Seconds to keep the replicated copy on the remote cluster.',
  'VirDomainSnapshotRecurrenceRule.replication': 'true to replicate the snapshots this rule takes.',
  ISOMount: 'A VM that has the ISO inserted.',
  VirDomainReplicationProgress: 'Progress figures of a running replication.',
  VirDomainBlockDevice: 'A VM disk or CD-ROM drive.',
  VirDomainNetDevice: 'A VM network card (NIC).'
}

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

const STATUS_TEXT: Record<string, string> = {
  200: 'OK.',
  201: 'Created.',
  400: 'The request is malformed or a field is invalid.',
  401: 'No valid session: log in first.',
  403: 'This account may not do that.',
  404: 'Nothing matches that identifier.',
  500: 'The cluster failed while handling the request.',
  503: 'The cluster cannot serve the request right now (busy or starting); try again later.'
}

const MARKERS: Array<[RegExp, string, Json]> = [
  [/\*\*CREATE-ONLY\*\*/, 'x-create-only', true],
  [/\*\*INTERNAL\*\*/, 'x-internal', true],
  [/\*\*DEPRECATED\*\*/, 'deprecated', true]
]

function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function clone<T> (value: T): T {
  return structuredClone(value)
}

/** Rewrites one reference schema: our descriptions, flags from the markers, refs kept as #/components/schemas/X. */
function rewriteSchema (schema: Json, context: string[], refDescriptions: Set<string>): Json {
  if (Array.isArray(schema)) return schema.map((s) => rewriteSchema(s, context, refDescriptions))
  if (!isObject(schema)) return schema
  const out: JsonObject = {}
  const title = typeof schema.title === 'string' ? schema.title : undefined
  const ctx = title !== undefined ? [...context, title] : context
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') {
      if (typeof value === 'string') {
        refDescriptions.add(value)
        for (const [re, flag, flagValue] of MARKERS) if (re.test(value)) out[flag] = flagValue
      }
      continue
    }
    if (key === '$ref' && typeof value === 'string') {
      if (!value.startsWith('#/components/schemas/')) throw new Error(`unexpected $ref ${value}`)
      out.$ref = value
      continue
    }
    if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {}
      for (const [name, prop] of Object.entries(value)) {
        const rewritten = rewriteSchema(prop, ctx, refDescriptions)
        if (isObject(rewritten)) {
          const doc = fieldDoc(ctx, name)
          if (doc !== undefined && rewritten.$ref === undefined) rewritten.description = doc
          // JSON Schema ignores siblings of $ref in OpenAPI 3.0, so a field doc beside a $ref goes through allOf.
          if (doc !== undefined && rewritten.$ref !== undefined) {
            const ref = rewritten.$ref
            delete rewritten.$ref
            rewritten.allOf = [{ $ref: ref }]
            rewritten.description = doc
          }
        }
        props[name] = rewritten
      }
      out.properties = props
      continue
    }
    out[key] = rewriteSchema(value, ctx, refDescriptions)
  }
  return out
}

function fieldDoc (context: string[], name: string): string | undefined {
  for (let i = context.length - 1; i >= 0; i--) {
    const doc = FIELD_DOCS[`${context[i]}.${name}`] ?? COMPONENT_DOCS[`${context[i]}.${name}`]
    if (doc !== undefined) return doc
  }
  return FIELD_DOCS[name]
}

function pathContext (path: string): string {
  // '/VirDomain/{virDomainUUID}/clone' -> 'clone', '/VirDomainBlockDevice/{uuid}/clone' -> 'VirDomainBlockDevice/clone'
  const parts = path.split('/').filter((p) => p !== '' && !p.startsWith('{'))
  return parts.join('/')
}

type Kind = 'list' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'other'

function kindOf (method: string, path: string): Kind {
  const parts = path.split('/').filter(Boolean)
  const last = parts[parts.length - 1] ?? ''
  const isParam = last.startsWith('{')
  if (parts.length === 1) {
    if (method === 'GET') return 'list'
    if (method === 'POST') return 'create'
  }
  if (parts.length === 2 && isParam) {
    if (method === 'GET') return 'get'
    if (method === 'POST') return 'update'
    if (method === 'PATCH') return 'patch'
    if (method === 'DELETE') return 'delete'
  }
  return 'other'
}

function plural (resource: string): string {
  if (/(Stats|Data)$/.test(resource)) return resource
  if (/(s|x)$/.test(resource)) return resource + 'es'
  return resource + 's'
}

function operationIdFor (method: string, path: string, kind: Kind, resource: string): string {
  switch (kind) {
    case 'list': return `list${plural(resource)}`
    case 'get': return `get${resource}`
    case 'create': return `create${resource}`
    case 'update': return `update${resource}`
    case 'patch': return `patch${resource}`
    case 'delete': return `delete${resource}`
    default: throw new Error(`no operationId rule for ${method} ${path}`)
  }
}

function summaryFor (kind: Kind, resource: string, res: Resource, param: string | undefined): string {
  const label = `(${resource})`
  switch (kind) {
    case 'list': return `List ${res.many} ${label}`
    case 'get': return `Get ${res.one.replace(/^(a|an|the) /, 'one ')} ${label} by its ${param ?? 'uuid'}`
    case 'create': return `Create ${res.one} ${label}`
    case 'update': return `Edit ${res.one} ${label} (POST variant of the PATCH edit)`
    case 'patch': return `Change fields of ${res.one} ${label}`
    case 'delete': return `Delete ${res.one} ${label}`
    default: throw new Error('no summary rule')
  }
}

function descriptionFor (kind: Kind, res: Resource, param: string | undefined): string {
  const aka = res.aka !== undefined ? ` Also called: ${res.aka}.` : ''
  switch (kind) {
    case 'list': return `${res.about}${aka} Returns a JSON array with every record; the API has no paging and no server-side filter.`
    case 'get': return `${res.about}${aka} Returns a JSON array holding the one record whose ${param ?? 'uuid'} matches (an unknown one gives an empty array or 404).`
    case 'create': return `${res.about}${aka} ${ASYNC} createdUUID in the answer is the new record's uuid.`
    case 'update': return `${res.about}${aka} Same edit as the PATCH on this path, sent as POST; send only the fields to change. ${ASYNC}`
    case 'patch': return `${res.about}${aka} Send only the fields to change. ${ASYNC}`
    case 'delete': return `${res.about}${aka} ${ASYNC}`
    default: throw new Error('no description rule')
  }
}

const PARAM_DOCS: Record<string, string> = {
  uuid: 'Identifier (uuid) of the record.',
  virDomainUUID: 'Identifier (uuid) of the VM.',
  name: 'Name of the condition.',
  gpuUUID: 'Identifier (uuid) of the physical GPU.',
  clusterID: 'Cluster ID of the registration data.',
  taskTag: 'The taskTag a change answered with.'
}

/**
 * Request fields a call is refused without beyond those the reference marks required: what the cluster (and the
 * simulator, which validates with this catalog) enforces. Keyed by operation, then by dotted path into the body ('' = the body).
 */
const REQUIRED_FIELDS: Record<string, Record<string, string[]>> = {
  'POST /VirDomain': { dom: ['name', 'mem', 'numVCPU'] },
  'POST /VirDomainSnapshot': { '': ['domainUUID'] },
  'POST /VirDomainBlockDevice': { '': ['virDomainUUID'] },
  'POST /VirDomainNetDevice': { '': ['virDomainUUID'] },
  'POST /VirDomainReplication': { '': ['sourceDomainUUID'] },
  'POST /Certificate': { '': ['certificate', 'privateKey'] }
}

/** Adds REQUIRED_FIELDS to a request body schema; throws when a named field is not in it. */
function requireFields (key: string, schema: JsonObject): void {
  for (const [at, fields] of Object.entries(REQUIRED_FIELDS[key] ?? {})) {
    let node: Json | undefined = schema
    for (const part of at === '' ? [] : at.split('.')) node = isObject(node) && isObject(node.properties) ? node.properties[part] : undefined
    if (!isObject(node) || !isObject(node.properties)) throw new Error(`${key}: no object schema at "${at}" for its required fields`)
    const props = node.properties
    for (const field of fields) if (props[field] === undefined) throw new Error(`${key}: required field "${at === '' ? '' : at + '.'}${field}" is not in the schema`)
    const had = Array.isArray(node.required) ? node.required.filter((f): f is string => typeof f === 'string') : []
    node.required = [...new Set([...had, ...fields])]
  }
}

/** Record schemas for GET answers, from the fullest request schema of each resource (edit form) made permissive. */
function recordFromRequest (schema: JsonObject): JsonObject {
  const record = clone(schema)
  delete record.required
  delete record.additionalProperties
  return record
}

interface Authored {
  document: JsonObject
  referenceDescriptions: Set<string>
}

/** Builds the OpenAPI document from the reference operations and components. */
export function author (operations: RefOperation[], components: Record<string, JsonObject>): Authored {
  const refDescriptions = new Set<string>()
  for (const op of operations) refDescriptions.add(op.description)

  const schemas: JsonObject = {}
  for (const [name, schema] of Object.entries(components)) {
    const rewritten = rewriteSchema(schema, [name], refDescriptions) as JsonObject
    const doc = COMPONENT_DOCS[name]
    if (doc !== undefined) rewritten.description = doc
    schemas[name] = rewritten
  }

  const editForms = new Map<string, JsonObject>()
  const paths: Record<string, JsonObject> = {}
  const seenIds = new Set<string>()

  const sorted = [...operations]
  for (const op of sorted) {
    const key = `${op.method} ${op.path}`
    const doc = OPS[key] ?? {}
    const parts = op.path.split('/').filter(Boolean)
    const resource = parts[0] ?? ''
    const res = RESOURCES[resource]
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string)
    const kind = kindOf(op.method, op.path)
    const tag = doc.tag ?? res?.tag
    if (tag === undefined) throw new Error(`no tag for ${key}`)
    const operationId = doc.operationId ?? (res !== undefined ? operationIdFor(op.method, op.path, kind, resource) : undefined)
    if (operationId === undefined) throw new Error(`no operationId for ${key}`)
    if (seenIds.has(operationId)) throw new Error(`duplicate operationId ${operationId}`)
    seenIds.add(operationId)
    const summary = doc.summary ?? (res !== undefined ? summaryFor(kind, resource, res, params[0]) : undefined)
    if (summary === undefined) throw new Error(`no summary for ${key}`)
    let description = doc.description ?? (res !== undefined ? descriptionFor(kind, res, params[0]) : undefined)
    if (description === undefined) throw new Error(`no description for ${key}`)
    if (doc.note !== undefined) description = `${description} ${doc.note}`

    const operation: JsonObject = { operationId, tags: [tag], summary, description }
    if (params.length > 0) {
      operation.parameters = params.map((name) => ({
        name,
        in: 'path',
        required: true,
        description: PARAM_DOCS[name] ?? `The ${name}.`,
        schema: { type: 'string' }
      }))
    }
    if (key === 'GET /Condition/filter') {
      operation.parameters = [{
        name: 'includeSet',
        in: 'query',
        required: false,
        description: 'true keeps only the conditions that are currently set (active alerts).',
        schema: { type: 'boolean' },
        'x-uncertain': true
      }]
    }
    if (op.method === 'PUT' && (op.path === '/ISO/{uuid}/data' || op.path === '/VirtualDisk/upload')) {
      operation.requestBody = {
        required: true,
        description: 'The raw bytes of the file.',
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
      }
    } else if (op.requestBody !== null) {
      const schema = rewriteSchema(op.requestBody, [pathContext(op.path)], refDescriptions) as JsonObject
      requireFields(key, schema)
      const media: JsonObject = { schema }
      if (doc.example !== undefined) media.example = doc.example
      operation.requestBody = { required: true, content: { 'application/json': media } }
      if (kind === 'update' && typeof schema.title === 'string' && schema.title === resource) editForms.set(resource, schema)
    }
    if (key === 'POST /login' || key === 'GET /ping' || key === 'OPTIONS /login') operation.security = []

    const responses: JsonObject = {}
    for (const code of Object.keys(op.responses)) {
      responses[code] = { description: doc.responses?.[code] ?? STATUS_TEXT[code] ?? 'See the status code.' }
    }
    operation.responses = responses
    paths[op.path] ??= {}
    ;(paths[op.path] as JsonObject)[op.method.toLowerCase()] = operation
    ;(operation as JsonObject)['x-kind'] = kind
  }

  // Record schemas for GET answers.
  const records: Record<string, JsonObject> = {}
  for (const [resource, form] of editForms) {
    if (schemas[resource] !== undefined) continue
    const record = recordFromRequest(form)
    record.description = `${(RESOURCES[resource] as Resource).about} Record as the cluster returns it.`
    records[resource] = record
  }
  const uncertainRecord = (description: string, properties: JsonObject): JsonObject =>
    ({ type: 'object', description, properties, 'x-uncertain': true })
  records.VirDomainSnapshot = {
    type: 'object',
    description: 'A VM snapshot as the cluster returns it.',
    properties: {
      uuid: { type: 'string', readOnly: true },
      domainUUID: { type: 'string', description: 'The VM the snapshot is of.' },
      domain: { allOf: [{ $ref: '#/components/schemas/VirDomain' }], description: 'Copy of the VM record as it was when the snapshot was taken.' },
      deviceSnapshots: { type: 'array', description: 'One entry per disk.', items: { type: 'object', properties: { uuid: { type: 'string' } } } },
      timestamp: { type: 'integer', description: 'When it was taken, Unix seconds.' },
      label: { type: 'string' },
      type: { $ref: '#/components/schemas/VirDomainSnapshotType' },
      automatedTriggerTimestamp: { type: 'integer' },
      localRetainUntilTimestamp: { type: 'integer' },
      remoteRetainUntilTimestamp: { type: 'integer' },
      blockCountDiffFromSerialNumber: { type: 'integer' },
      replication: { type: 'boolean' }
    }
  }
  records.Role = { type: 'object', description: 'A role as the cluster returns it.', properties: { uuid: { type: 'string', readOnly: true }, name: { type: 'string' } } }
  records.Node = uncertainRecord('A node as the cluster returns it; capacity and usage fields beyond these vary.', {
    uuid: { type: 'string', readOnly: true },
    backplaneIP: { type: 'string', description: 'Address on the storage (backplane) network.' },
    lanIP: { type: 'string', description: 'Address on the LAN (management) network.' },
    peerID: { description: 'Number of the node inside the cluster.' }
  })
  records.Update = uncertainRecord('An available update as the cluster returns it.', {
    uuid: { type: 'string', readOnly: true },
    description: { type: 'string' },
    changeLog: { type: 'string' },
    buildID: { type: 'integer' },
    majorVersion: { type: 'integer' },
    minorVersion: { type: 'integer' },
    revision: { type: 'integer' },
    timestamp: { type: 'integer' }
  })
  records.Condition = uncertainRecord('An alert condition as the cluster returns it.', {
    name: { type: 'string' },
    severity: { type: 'string' },
    value: { type: 'boolean', description: 'true when the condition is set (active).' },
    isOK: { type: 'boolean' },
    description: { type: 'string' }
  })
  records.VirtualDisk = uncertainRecord('An uploaded virtual disk as the cluster returns it.', {
    uuid: { type: 'string', readOnly: true },
    name: { type: 'string' },
    capacity: { type: 'integer', description: 'Size in bytes.' }
  })
  Object.assign(schemas, records)
  schemas.TaskTagResponse = {
    type: 'object',
    description: 'Answer to a change: the background task to poll and, for a create, the new record\'s uuid.',
    required: ['taskTag', 'createdUUID'],
    properties: {
      taskTag: { type: 'string', description: 'Task to poll with GET /TaskTag/{taskTag}; empty when nothing runs in the background.' },
      createdUUID: { type: 'string', description: 'uuid of the record a create made; empty otherwise.' }
    }
  }
  schemas.LoginResponse = {
    type: 'object',
    description: 'Answer to a successful login.',
    required: ['sessionID'],
    properties: { sessionID: { type: 'string', description: 'Session ID; also set as the sessionID cookie. Secret.' } }
  }

  const recordFor = (resource: string): string | undefined => {
    if (resource === 'TaskTag') return 'TaskTagStatus'
    return schemas[resource] !== undefined ? resource : undefined
  }
  for (const [path, item] of Object.entries(paths)) {
    const resource = path.split('/').filter(Boolean)[0] ?? ''
    for (const [method, opJson] of Object.entries(item)) {
      const op = opJson as JsonObject
      const kind = op['x-kind'] as Kind
      delete op['x-kind']
      const ok = (op.responses as JsonObject)['200'] as JsonObject | undefined
      if (ok === undefined) continue
      if (OPS[`${method.toUpperCase()} ${path}`]?.responses?.['200'] === undefined) {
        if (method === 'get') ok.description = 'The matching records, as a JSON array.'
        else if (['create', 'update', 'patch', 'delete'].includes(kind)) ok.description = 'Accepted: the answer names the background task (taskTag) and, for a create, the new record (createdUUID).'
      }
      const record = recordFor(resource)
      if ((kind === 'list' || kind === 'get' || (kind === 'other' && method === 'get')) && record !== undefined) {
        ok.content = { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/${record}` } } } }
      } else if (['create', 'update', 'patch', 'delete'].includes(kind)) {
        ok.content = { 'application/json': { schema: { $ref: '#/components/schemas/TaskTagResponse' } } }
      } else if (OPS[`${method.toUpperCase()} ${path}`]?.uncertainResponse === true) {
        ok.content = { 'application/json': { schema: { $ref: '#/components/schemas/TaskTagResponse' } } }
        ok['x-uncertain'] = true
      } else if (path === '/login' && method === 'post') {
        ok.content = { 'application/json': { schema: { $ref: '#/components/schemas/LoginResponse' } } }
      }
    }
  }

  // Search vocabulary (scripts/catalog-vocabulary.ts): query_api reads these at run time.
  const foreignRecords = [...Object.keys(RESOURCES), 'TaskTagStatus', 'StatsData']
  for (const [path, item] of Object.entries(paths)) {
    const resource = path.split('/').filter(Boolean)[0] ?? ''
    const ownRecords = [resource, ...(resource === 'TaskTag' ? ['TaskTagStatus'] : resource === 'VirDomainStats' ? ['StatsData'] : [])]
    for (const [method, opJson] of Object.entries(item)) {
      const op = opJson as JsonObject
      const roots: Json[] = []
      const body = ((op.requestBody as JsonObject | undefined)?.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined
      if (body?.schema !== undefined) roots.push(body.schema)
      const ok = ((op.responses as JsonObject)['200'] as JsonObject | undefined)?.content as JsonObject | undefined
      if (method === 'get' && ok !== undefined) roots.push((ok['application/json'] as JsonObject).schema as Json)
      const aliases = aliasesFor(method.toUpperCase(), path, RESOURCES[resource]?.aka)
      if (aliases.length > 0) op['x-aliases'] = aliases
      op['x-intent'] = intentFor(method.toUpperCase(), path)
      const fieldTerms = fieldTermsFor(schemas, ownRecords, foreignRecords, roots)
      if (Object.keys(fieldTerms).length > 0) op['x-field-terms'] = fieldTerms
    }
  }

  const orderedPaths: Record<string, JsonObject> = {}
  for (const path of Object.keys(paths)) {
    const item = paths[path] as JsonObject
    const ordered: JsonObject = {}
    for (const m of METHOD_ORDER) {
      const op = item[m.toLowerCase()]
      if (op !== undefined) ordered[m.toLowerCase()] = op
    }
    orderedPaths[path] = ordered
  }

  const document: JsonObject = {
    openapi: '3.0.3',
    info: {
      title: 'Scale Computing HyperCore REST API',
      version: '9.4',
      description: 'The HyperCore 9.4 REST API (/rest/v1) as catalogued by scale-api-helper: every operation with a plain-language summary, its request body schema and its answers. Log in with POST /login; every other call sends the sessionID cookie. Changes run in the background and answer with a taskTag to poll at GET /TaskTag/{taskTag}. Fields marked x-uncertain are best guesses; x-create-only fields are only honoured when creating.'
    },
    servers: [{ url: '/rest/v1', description: 'Relative to https://<cluster address>.' }],
    security: [{ sessionCookie: [] }],
    tags: TAGS.map((name) => ({ name, description: TAG_DOCS[name] })),
    'x-unsupported': UNSUPPORTED as unknown as Json,
    paths: orderedPaths,
    components: {
      securitySchemes: { sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sessionID', description: 'Session ID from POST /login.' } },
      schemas
    }
  }
  return { document, referenceDescriptions: refDescriptions }
}

function normalise (text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()
}

/** Lists every description or summary in the output that repeats, or nearly repeats, a reference description. */
export function copiedProse (document: Json, reference: Set<string>): string[] {
  // Short reference phrases ("Delete a VM") are plain facts, so only long ones count by word overlap.
  const exact = new Set([...reference].map(normalise))
  const ref = [...exact].filter((t) => t.split(' ').length >= 5).map((t) => new Set(t.split(' ')))
  const similar = (text: string): boolean => {
    if (exact.has(normalise(text))) return true
    const words = new Set(normalise(text).split(' '))
    return ref.some((r) => {
      let shared = 0
      for (const w of words) if (r.has(w)) shared++
      return shared / (words.size + r.size - shared) >= 0.6
    })
  }
  const copied: string[] = []
  const walk = (node: Json): void => {
    if (Array.isArray(node)) { node.forEach(walk); return }
    if (!isObject(node)) return
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'description' || key === 'summary') && typeof value === 'string' && similar(value)) copied.push(value)
      else walk(value)
    }
  }
  walk(document)
  return copied
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: fileURLToPath(new URL('../../shared/hypercore/', import.meta.url)) },
      out: { type: 'string', default: fileURLToPath(new URL('../openapi/hypercore-9.4.json', import.meta.url)) }
    }
  })
  const from = values.from.endsWith('/') ? values.from : values.from + '/'
  const ops = JSON.parse(readFileSync(from + 'operations-9.4.json', 'utf8')) as { operations: RefOperation[] }
  const comps = JSON.parse(readFileSync(from + 'components.json', 'utf8')) as { schemas: Record<string, JsonObject> }
  const { document, referenceDescriptions } = author(ops.operations, comps.schemas)
  const copied = copiedProse(document, referenceDescriptions)
  if (copied.length > 0) throw new Error(`reference prose copied into the catalog:\n${copied.join('\n')}`)
  writeFileSync(values.out, JSON.stringify(document, null, 2) + '\n')
  const count = Object.values(document.paths as JsonObject).reduce<number>((n, item) => n + Object.keys(item as JsonObject).length, 0)
  console.log(`wrote ${values.out}: ${count} operations, ${Object.keys((document.components as JsonObject).schemas as JsonObject).length} schemas`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
