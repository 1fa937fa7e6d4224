/**
 * The search vocabulary of the authored catalog: the words people (and other hypervisors) use for each resource,
 * operation and field, and the things the API does not do. scripts/author-catalog.ts writes it into
 * openapi/hypercore-9.4.json as `x-aliases`, `x-intent`, `x-field-terms` and `x-unsupported`; query_api reads it from
 * there at run time. Words are plain lower-case phrases; a resource's `aka` (shown in descriptions) is added to its aliases.
 */

/** What kind of question an operation answers. */
export type Intent = 'list' | 'get' | 'status' | 'create' | 'change' | 'delete' | 'action'

/** Search words per resource (first path segment), beyond the `aka` its descriptions show. */
export const RESOURCE_TERMS: Record<string, string[]> = {
  // qm and virsh are Proxmox's and libvirt's VM commands ("qm destroy 105").
  VirDomain: ['vm', 'vms', 'machine', 'virtual computer', 'computer', 'box', 'workload', 'virtual server', 'qm', 'virsh'],
  // VMDK and VHDX are how VMware and Hyper-V name a VM's disk.
  VirDomainBlockDevice: ['virtual disk', 'vdisk', 'hard disk', 'cd drive', 'dvd drive', 'cdrom', 'optical drive', 'block device', 'virtual hard disk', 'vmdk', 'vhdx'],
  VirDomainNetDevice: ['nic', 'vnic', 'network adapter', 'ethernet', 'network', 'port group', 'mac', 'interface'],
  VirDomainSnapshot: ['snapshot', 'snap', 'point in time', 'save state', 'checkpoint'],
  VirDomainSnapshotSchedule: ['snapshot schedule', 'schedule', 'recurring snapshot', 'backup job', 'protection policy', 'retention'],
  VirDomainReplication: ['replication', 'replicate', 'replica', 'rpo', 'site recovery', 'offsite'],
  RemoteClusterConnection: ['remote cluster', 'target cluster', 'secondary site', 'partner cluster', 'replication partner', 'remote cluster connection', 'cluster connection', 'replication link', 'cluster link'],
  VirDomainStats: ['stats', 'statistics', 'usage', 'utilization', 'cpu usage', 'cpu percent', 'load', 'busy', 'throughput', 'network traffic', 'read bytes', 'write bytes', 'disk activity', 'bitrate'],
  AlertSMTPConfig: ['smtp', 'mail server', 'outgoing mail', 'smtp relay'],
  AlertEmailTarget: ['email', 'alert email', 'recipient', 'notify', 'notification'],
  AlertSyslogTarget: ['syslog', 'log forwarding', 'logs', 'siem', 'remote syslog'],
  Condition: ['alert', 'alarm', 'warning', 'error', 'problem', 'health', 'triggered', 'condition'],
  Cluster: ['cluster', 'cluster name', 'hypercore version', 'firmware version', 'build'],
  NucleusKey: ['nucleus', 'cloud key'],
  DNSConfig: ['dns', 'nameserver', 'name server', 'resolver', 'search domain', 'dns suffix'],
  Drive: ['physical drive', 'physical disk', 'hdd', 'ssd', 'disk health', 'datastore', 'storage pool', 'free space', 'raw capacity'],
  GPU: ['gpu', 'graphics', 'nvidia'],
  GPUProfile: ['gpu profile', 'vgpu profile'],
  Update: ['update', 'upgrade', 'firmware', 'patch', 'release', 'hypercore version'],
  ISO: ['iso', 'iso image', 'installer', 'content library', 'media library', 'driver disc', 'install iso'],
  MonitoringConfig: ['monitoring', 'metrics', 'telemetry', 'metrics export'],
  Node: ['node', 'host', 'esxi host', 'hyper-v host', 'physical server', 'hypervisor', 'datastore', 'storage pool', 'free space', 'capacity', 'member'],
  OIDCConfig: ['sso', 'oidc', 'openid connect', 'identity provider', 'idp', 'entra id', 'azure ad', 'okta', 'adfs', 'keycloak', 'google workspace',
    'microsoft account', 'microsoft 365', 'office 365', 'work account', 'google account'],
  ClusterRegistrationData: ['registration data', 'support data'],
  Registration: ['registration', 'register', 'license', 'support contact'],
  TaskTag: ['task', 'job', 'progress', 'recent tasks', 'background task', 'finished', 'running task'],
  TimeSource: ['ntp', 'time server', 'time sync', 'clock'],
  TimeZone: ['time zone', 'timezone', 'tz', 'local time', 'clock'],
  User: ['user', 'account', 'username', 'admin', 'administrator', 'people', 'operator'],
  Role: ['role', 'permission', 'privilege', 'access rights', 'rbac'],
  VirtualDisk: ['disk image', 'virtual disk image', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'raw image', 'cloud image', 'content library', 'image library'],
  Certificate: ['certificate', 'cert', 'ssl', 'tls', 'https', 'x509', 'pem']
}

/** Operator words per operation (`METHOD path`); a POST edit inherits the words of its PATCH twin. */
export const OPERATION_TERMS: Record<string, string[]> = {
  'GET /ping': ['ping', 'health check', 'alive', 'up', 'reachable', 'responding', 'api status'],
  'POST /login': ['login', 'log in', 'sign in', 'authenticate', 'session', 'credentials'],
  'OPTIONS /login': ['cors', 'preflight', 'options'],
  'POST /logout': ['logout', 'log out', 'sign out', 'end session', 'close session'],
  'POST /VirDomain': ['provision', 'spin up', 'build', 'new vm'],
  'POST /VirDomain/action': ['power on', 'power off', 'power', 'start', 'boot', 'resume', 'shutdown', 'shut down', 'stop', 'reboot', 'restart',
    'reset', 'pause', 'suspend', 'live migrate', 'live migration', 'migrate', 'move', 'vmotion', 'nmi', 'hung', 'frozen', 'stuck',
    'unresponsive', 'force off', 'hard reset', 'power cycle', 'bounce'],
  'POST /VirDomain/{virDomainUUID}/clone': ['clone', 'copy', 'duplicate', 'template', 'deploy from template', 'linked clone', 'full clone', 'golden image', 'master image',
    'revert', 'roll back', 'rollback', 'restore from snapshot'],
  'POST /VirDomain/{virDomainUUID}/export': ['export', 'smb', 'network share', 'ovf', 'backup to share'],
  'POST /VirDomain/import': ['import', 'smb', 'network share', 'ovf', 'ova', 'appliance', 'virtual appliance'],
  'POST /VirDomainBlockDevice/{uuid}/clone': ['restore disk', 'recover', 'recover files', 'file restore', 'single disk', 'disk from snapshot', 'mount snapshot'],
  'POST /Update/{uuid}/apply': ['apply', 'install', 'upgrade cluster', 'run update'],
  'POST /Cluster/shutdown': ['shut down everything', 'power off everything', 'all nodes', 'whole cluster', 'entire system'],
  'POST /AlertEmailTarget/{uuid}/test': ['test', 'test email', 'verify'],
  'POST /Certificate': ['replace', 'install certificate', 'upload certificate', 'own certificate', 'renew'],
  'PUT /ISO/{uuid}/data': ['upload', 'iso file', 'file contents'],
  'POST /ISO': ['upload', 'new iso'],
  'PUT /VirtualDisk/upload': ['upload', 'import disk image', 'import image'],
  'POST /VirtualDisk/{uuid}/attach': ['attach', 'use image as disk'],
  'GET /Condition/filter': ['active', 'current', 'triggered', 'filter', 'open alerts'],
  'GET /Condition': ['current', 'active', 'triggered'],
  'GET /Update': ['available', 'latest', 'newest', 'can install'],
  'PATCH /VirDomainBlockDevice/{uuid}': ['resize', 'grow', 'expand', 'extend', 'enlarge', 'insert', 'eject', 'mount', 'unmount', 'load iso', 'swap iso'],
  'PATCH /VirDomain/{virDomainUUID}': ['rename', 'resize', 'settings', 'boot order', 'affinity', 'pin'],
  'PATCH /VirDomainNetDevice/{uuid}': ['vlan', 'port group', 'connect', 'disconnect', 'unplug', 'plug in'],
  // Attaching a device to a VM adds one (a disk image already uploaded has its own attach).
  'POST /VirDomainNetDevice': ['attach', 'add nic', 'another nic', 'second nic'],
  'POST /VirDomainBlockDevice': ['attach', 'add disk', 'another disk', 'second disk'],
  'POST /VirDomainSnapshot': ['take', 'now', 'checkpoint', 'before change'],
  'DELETE /VirDomainSnapshot/{uuid}': ['delete snapshot', 'free space', 'clean up'],
  'GET /TaskTag/{taskTag}': ['finished', 'done', 'wait', 'poll', 'progress', 'completed'],
  'GET /VirDomainStats': ['cpu usage'],
  'GET /VirDomainReplication': ['replication status', 'replication health', 'progress'],
  'GET /VirDomainReplication/{uuid}': ['replication status', 'progress'],
  'PATCH /VirDomainReplication/{uuid}': ['pause replication', 'resume replication', 'enable', 'disable']
}

/** Intent of operations the method and path do not tell (the rest: GET list/get, POST create/edit, PATCH, DELETE). */
export const OPERATION_INTENTS: Record<string, Intent> = {
  'GET /ping': 'status',
  'GET /TaskTag/{taskTag}': 'status',
  'GET /VirDomainStats': 'status',
  'GET /VirDomainStats/{virDomainUUID}': 'status',
  'GET /Condition/filter': 'list',
  'GET /GPUProfile/{gpuUUID}': 'list',
  'POST /VirDomain/{virDomainUUID}/clone': 'create',
  'POST /VirDomain/import': 'create',
  'POST /VirDomainBlockDevice/{uuid}/clone': 'create',
  'POST /VirtualDisk/{uuid}/attach': 'create',
  'PUT /VirtualDisk/upload': 'create',
  'PUT /ISO/{uuid}/data': 'change',
  'POST /Certificate': 'change'
}

/**
 * Operator words per request or answer field: `field` or `Schema.field` (the schema title or component name wins).
 * Enum values and field descriptions are indexed as they are; these are the words people use instead.
 */
export const FIELD_TERMS: Record<string, string[]> = {
  mem: ['memory', 'ram', 'gb', 'gib', 'gig', 'gigs', 'mb', 'more memory'],
  numVCPU: ['cpu', 'vcpu', 'processor', 'core', 'socket', 'more cpu'],
  'VirDomain.name': ['rename', 'vm name'],
  'VirDomain.description': ['description', 'notes', 'comment'],
  tags: ['tag', 'label', 'group'],
  blockDevs: ['disk', 'cd drive'],
  netDevs: ['nic', 'network'],
  bootDevices: ['boot order', 'boot device', 'boot from', 'boot first', 'boot sequence'],
  snapshotScheduleUUID: ['snapshot schedule', 'assign schedule', 'backup schedule', 'protection'],
  affinityStrategy: ['affinity', 'pin', 'placement', 'keep on node', 'run on node'],
  preferredNodeUUID: ['preferred node', 'preferred host'],
  backupNodeUUID: ['failover node', 'backup node'],
  strictAffinity: ['only run on', 'strict'],
  cloudInitData: ['cloud-init', 'cloud config', 'first boot script'],
  userData: ['user data', 'cloud-config'],
  machineType: ['machine type', 'hardware version', 'bios', 'uefi', 'secure boot'],
  machineTypeKeyword: ['bios', 'uefi', 'tpm', 'firmware type'],
  operatingSystem: ['os', 'operating system', 'windows', 'linux', 'drivers'],
  cpuType: ['cpu model', 'cpu type', 'cpu compatibility', 'evc'],
  'VirDomain.state': ['power state', 'on', 'off', 'running', 'stopped', 'powered', 'status', 'up', 'down'],
  uiState: ['power state', 'starting', 'stopping'],
  'VirDomain.nodeUUID': ['running on', 'which node', 'which host', 'current host'],
  guestAgentState: ['guest tools', 'guest agent', 'vmware tools', 'integration services', 'qemu agent', 'tools running'],
  console: ['console', 'vnc', 'spice', 'remote console'],
  attachGuestToolsISO: ['guest tools', 'tools iso', 'virtio drivers'],
  'VirDomainBlockDevice.type': ['tpm', 'vtpm', 'trusted platform module', 'cd drive', 'dvd drive', 'optical drive', 'floppy', 'bus', 'disk type'],
  capacity: ['size', 'gb', 'tb', 'gib', 'bigger', 'larger', 'grow', 'resize', 'expand', 'space', 'full'],
  cacheMode: ['cache', 'write cache', 'writeback'],
  'VirDomainBlockDevice.path': ['iso', 'insert', 'eject', 'mount', 'unmount', 'media', 'install disc'],
  'VirDomainBlockDevice.name': ['iso', 'iso name'],
  disableSnapshotting: ['exclude from snapshots', 'skip snapshots', 'no snapshots', 'leave out', 'keep out', 'pagefile', 'swap', 'scratch', 'temp disk'],
  tieringPriorityFactor: ['ssd', 'flash', 'tier', 'tiering', 'priority', 'hot data'],
  slot: ['slot', 'position'],
  mountPoints: ['mount point', 'drive letter', 'filesystem'],
  'VirDomainNetDevice.type': ['nic model', 'e1000', 'rtl8139', 'adapter type', 'emulated'],
  macAddress: ['mac', 'mac address', 'hardware address'],
  vlan: ['vlan', 'vlan id', 'port group', 'network segment', 'tagged'],
  connected: ['connect', 'disconnect', 'unplug', 'plug in', 'cable', 'link'],
  ipv4Addresses: ['ip', 'ip address', 'ipv4', 'address'],
  'VirDomainReplication.enable': ['pause', 'resume', 'stop replicating', 'enable', 'disable'],
  'VirDomainReplication.progress': ['progress', 'how far', 'percent', 'sync status'],
  percentComplete: ['percent', 'how far', 'done'],
  connectionUUID: ['target cluster', 'remote cluster'],
  rrules: ['every day', 'daily', 'hourly', 'weekly', 'monthly', 'recurrence', 'frequency', 'how often'],
  rrule: ['daily', 'weekly', 'every'],
  localRetentionDurationSeconds: ['keep', 'retention', 'retain', 'days', 'how long'],
  remoteRetentionDurationSeconds: ['keep on remote', 'remote retention'],
  'VirDomainSnapshot.label': ['snapshot name', 'label', 'comment'],
  localRetainUntilTimestamp: ['expire', 'keep until', 'retain'],
  timeZone: ['time zone', 'timezone', 'tz', 'region'],
  'TimeSource.host': ['ntp server', 'time server'],
  serverIPs: ['dns server', 'name server', 'nameserver', 'resolver'],
  searchDomains: ['search domain', 'dns suffix', 'domain suffix'],
  smtpServer: ['mail server', 'smtp host', 'relay'],
  fromAddress: ['sender', 'from address'],
  useSSL: ['tls', 'ssl', 'encrypted'],
  useAuth: ['smtp login', 'authentication'],
  emailAddress: ['email', 'recipient', 'address'],
  resendDelay: ['resend', 'repeat', 'reminder'],
  silentPeriod: ['quiet period', 'snooze', 'mute'],
  'AlertSyslogTarget.host': ['syslog server', 'log server'],
  protocol: ['udp', 'tcp'],
  clusterName: ['cluster name', 'rename cluster'],
  icosVersion: ['version', 'firmware version', 'hypercore version', 'build'],
  changeLog: ['release notes', 'changelog', 'what is new'],
  username: ['username', 'login name', 'account name'],
  password: ['password', 'reset password', 'change password'],
  fullName: ['full name', 'display name'],
  roleUUIDs: ['role', 'permission', 'admin rights', 'access'],
  sessionLimit: ['sessions', 'concurrent logins', 'session limit'],
  clientID: ['client id', 'app registration', 'application id'],
  sharedSecret: ['client secret'],
  configurationURL: ['discovery url', 'issuer', 'metadata url', 'well-known'],
  companyName: ['company'],
  contact: ['contact person'],
  phone: ['phone', 'phone number'],
  readyForInsert: ['ready', 'usable', 'upload finished', 'upload done'],
  mounts: ['in use', 'inserted in'],
  backplaneIP: ['storage network', 'backplane'],
  lanIP: ['management ip', 'lan ip', 'node address'],
  peerID: ['node number'],
  severity: ['severity', 'critical', 'warning'],
  isOK: ['ok', 'healthy'],
  progressPercent: ['progress', 'percent', 'how far'],
  'TaskTagStatus.state': ['done', 'finished', 'running', 'failed', 'queued', 'complete'],
  actionType: ['start', 'stop', 'shutdown', 'reboot', 'reset', 'pause', 'migrate', 'power'],
  'VirDomainActionDescription.nodeUUID': ['target node', 'destination host', 'to node'],
  forceShutdown: ['force', 'immediately', 'hard'],
  snapUUID: ['from snapshot', 'point in time'],
  pathURI: ['smb', 'share', 'network share', 'unc path', 'cifs'],
  regenerateDiskID: ['new disk id', 'disk signature'],
  certificate: ['certificate', 'pem'],
  privateKey: ['private key'],
  interval: ['interval', 'how often', 'frequency'],
  publishers: ['destination', 'export to']
}

/**
 * Something people ask for that the HyperCore REST API (/rest/v1) does not do, with the words that name it. A term of
 * several words matches when they come in this order, close together ("encrypt disk" matches "encrypt the VM's disks").
 */
export interface Unsupported {
  terms: string[]
  note: string
  /** Tags of the closest areas. */
  areas: string[]
}

/** What the API does not do, so query_api can say so instead of guessing. */
export const UNSUPPORTED: Unsupported[] = [
  { terms: ['firewall', 'firewall rule', 'acl', 'access list', 'port forwarding', 'nat', 'security group'], note: 'The REST API has no firewall, NAT or security-group settings; a VM NIC can only be put on a VLAN.', areas: ['Network'] },
  { terms: ['kernel', 'host os', 'node os', 'ssh', 'root shell', 'shell access', 'vib', 'root password', 'host driver'], note: 'The nodes\' own operating system is not managed through the REST API; only HyperCore firmware updates are.', areas: ['Updates', 'Cluster'] },
  { terms: ['add node', 'new node', 'join node', 'remove node', 'expand cluster', 'scale out'], note: 'Nodes join or leave a cluster on the nodes themselves, not through the REST API; GET /Node only lists them.', areas: ['Cluster'] },
  { terms: ['bond', 'bonding', 'lacp', 'nic teaming', 'network teaming', 'team the nics', 'link aggregation'], note: 'Bonding or teaming physical NICs is not configurable through the REST API.', areas: ['Network', 'Cluster'] },
  { terms: ['iops', 'qos', 'throttle', 'rate limit', 'bandwidth limit', 'traffic shaping', 'io limit'], note: 'There are no IOPS, bandwidth or QoS limits for VM disks or NICs.', areas: ['Storage', 'Network'] },
  { terms: ['api key', 'api token', 'access token', 'personal access token', 'bearer token'], note: 'The REST API has no API keys or long-lived tokens: clients log in with POST /login and send the session cookie.', areas: ['Session', 'Users'] },
  { terms: ['container', 'docker', 'kubernetes', 'k8s', 'k3s', 'rancher', 'openshift', 'pod', 'lxc', 'podman'], note: 'HyperCore runs VMs only; it has no container or Kubernetes API.', areas: ['VMs'] },
  { terms: ['support tunnel', 'remote support', 'tunnel'], note: 'The remote support tunnel is not part of /rest/v1.', areas: ['Cluster'] },
  { terms: ['maintenance mode', 'maintenance', 'evacuate', 'drain'], note: 'Node maintenance mode is not offered by the REST API.', areas: ['Cluster'] },
  { terms: ['mtu', 'jumbo', 'jumbo frame'], note: 'MTU and jumbo frames are not configurable through the REST API.', areas: ['Network'] },
  { terms: ['snmp', 'snmp trap', 'mib'], note: 'There is no SNMP setting; alerts go out by email (AlertEmailTarget) or syslog (AlertSyslogTarget).', areas: ['Alerts'] },
  { terms: ['usb', 'usb passthrough', 'pci passthrough', 'dongle', 'serial port'], note: 'USB and PCI passthrough are not offered by the REST API (installed GPUs are listed under /GPU).', areas: ['VMs', 'Cluster'] },
  { terms: ['encrypt disk', 'disk encryption', 'encryption at rest', 'encrypted disk', 'kms'], note: 'Disk encryption is not offered by the REST API.', areas: ['Storage'] },
  { terms: ['reservation', 'cpu shares', 'memory shares', 'resource pool', 'cpu limit', 'memory limit', 'ballooning', 'overcommit', 'numa', 'cpu pinning', 'vcpu pinning', 'cpu priority', 'cpu weight'], note: 'There are no reservations, shares, limits or resource pools: a VM has a vCPU count and a memory size.', areas: ['VMs'] },
  { terms: ['2fa', 'mfa', 'two factor', 'two-factor', 'multi-factor', 'otp', 'totp'], note: 'Local accounts have no two-factor settings; single sign-on (OIDCConfig) can use a provider that enforces it.', areas: ['Users'] },
  { terms: ['load balancer', 'load balancing', 'haproxy', 'reverse proxy'], note: 'HyperCore has no load balancer.', areas: ['Network'] },
  { terms: ['deduplication', 'dedup', 'dedupe'], note: 'There are no deduplication settings for the storage.', areas: ['Storage'] },
  { terms: ['vswitch', 'virtual switch', 'distributed switch', 'uplink'], note: 'There are no virtual switches to configure; a VM NIC gets a VLAN tag (VirDomainNetDevice vlan).', areas: ['Network'] },
  { terms: ['s3', 'object storage', 'tape', 'azure blob'], note: 'Backups go to another HyperCore cluster (replication) or an SMB share (export), not to object storage or tape.', areas: ['Snapshots', 'VMs'] },
  // What other hypervisors' admins look for and HyperCore's REST API does not offer (vSphere, Hyper-V and Proxmox feature lists).
  { terms: ['vpn', 'ipsec', 'wireguard', 'openvpn'], note: 'The REST API has no VPN settings; clusters replicate to each other over a remote cluster connection (RemoteClusterConnection).', areas: ['Network'] },
  { terms: ['dhcp', 'ipam', 'ip pool', 'static route', 'routing', 'default gateway', 'public ip', 'floating ip', 'elastic ip'], note: 'HyperCore does not hand out or route IP addresses: a VM\'s addresses are set inside its guest (GET /VirDomainNetDevice shows what the guest reports).', areas: ['Network'] },
  { terms: ['audit log', 'audit trail', 'event log', 'activity log', 'login history', 'access log'], note: 'There is no audit or event log in /rest/v1; GET /TaskTag lists recent tasks and their states.', areas: ['Cluster'] },
  { terms: ['schedule poweron', 'schedule start', 'schedule shutdown', 'schedule poweroff', 'schedule reboot', 'schedule restart', 'schedule stop', 'scheduled task'], note: 'VM power actions cannot be scheduled through the REST API; only snapshots have schedules (VirDomainSnapshotSchedule).', areas: ['VMs', 'Snapshots'] },
  { terms: ['install inside', 'run inside', 'copy into', 'into the guest', 'guest filesystem', 'run script', 'run command', 'execute command', 'powershell', 'install software', 'install package', 'antivirus', 'virus', 'malware'], note: 'The REST API manages VMs from outside: it cannot run commands, copy files or install software inside a guest (the guest tools only report its state).', areas: ['VMs'] },
  { terms: ['ipmi', 'idrac', 'ilo', 'bmc', 'out of band', 'wake on lan', 'fan speed', 'temperature', 'power supply'], note: 'Node hardware (IPMI/iDRAC/iLO, fans, power supplies, wake-on-LAN) is not managed through the REST API; GET /Node and GET /Drive show what the cluster reports.', areas: ['Cluster'] },
  { terms: ['cost', 'price', 'pricing', 'billing', 'chargeback', 'showback', 'invoice', 'budget'], note: 'The REST API has no cost or billing data; GET /VirDomainStats gives the usage figures to build one from.', areas: ['VMs'] },
  { terms: ['currently logged', 'logged in user', 'who is logged', 'kick session', 'sessions currently', 'sessions open right now'], note: 'The REST API keeps no list of sessions: a session is started with POST /login and ended with POST /logout by whoever holds it; a user\'s sessionLimit caps how many they may hold.', areas: ['Session', 'Users'] },
  { terms: ['downgrade', 'roll back update', 'rollback update', 'roll back hypercore', 'roll back firmware', 'roll back cluster', 'revert update', 'undo update', 'previous hypercore version'], note: 'Updates only go forward: GET /Update lists the newer versions a cluster can apply, and none can be undone.', areas: ['Updates'] },
  { terms: ['telling him', 'telling her', 'tell him', 'tell her', 'tell them', 'let him know', 'let her know', 'message him', 'message her', 'email him', 'email her', 'email the user'], note: 'The cluster sends only its own alerts (to AlertEmailTarget addresses); it cannot send a message of your own to a person.', areas: ['Alerts'] },
  { terms: ['slack', 'microsoft teams', 'webhook', 'pagerduty', 'opsgenie', 'sms', 'text message', 'push notification', 'text me', 'me a text'], note: 'Alerts go out only by email (AlertEmailTarget) or syslog (AlertSyslogTarget); there are no webhooks or chat integrations.', areas: ['Alerts'] },
  { terms: ['proxy', 'http proxy', 'proxy server'], note: 'There is no HTTP proxy setting in the REST API.', areas: ['Updates', 'Cluster'] },
  { terms: ['drs', 'rebalance', 'balance vms', 'distributed resource scheduler', 'automatic placement'], note: 'There is no automatic VM balancing: a VM prefers a node through its affinity (PATCH /VirDomain affinityStrategy) and moves with a live migration (POST /VirDomain/action).', areas: ['VMs'] },
  { terms: ['anti affinity', 'anti-affinity', 'separate nodes', 'same node'], note: 'There are no VM-to-VM (anti-)affinity rules; each VM can only prefer a node and a backup node (affinityStrategy).', areas: ['VMs'] },
  { terms: ['hot add', 'hot plug', 'hotplug', 'hot-add'], note: 'vCPUs and memory change only while the VM is shut off; there is no hot add.', areas: ['VMs'] },
  { terms: ['storage vmotion', 'storage migration', 'iscsi', 'lun', 'nfs', 'fibre channel'], note: 'HyperCore has one storage pool made of the nodes\' drives: there are no datastores, LUNs, iSCSI or NFS to create, mount or move disks between.', areas: ['Storage'] },
  { terms: ['factory reset', 'reimage', 'reinstall hypercore'], note: 'Resetting or reimaging a cluster is not done through the REST API.', areas: ['Cluster'] },
  { terms: ['aws', 'amazon web services', 'ec2', 'gcp', 'google cloud', 'public cloud', 'cloud provider', 'hyperscaler', 'to azure', 'microsoft azure', 'azure vm'], note: 'The REST API does not move VMs to or from public clouds; POST /VirDomain/{virDomainUUID}/export writes a VM to an SMB share, which other tools can take further.', areas: ['VMs'] },
  { terms: ['change ip', 'ip change', 're-ip', 'readdress'], note: 'The cluster\'s and the nodes\' own IP addresses are not changed through the REST API; a VM\'s addresses are set inside its guest.', areas: ['Cluster', 'Network'] },
  { terms: ['fault tolerance', 'restart priority', 'admission control', 'ha policy'], note: 'High availability is built in: a failed node\'s VMs restart elsewhere by themselves; there are no fault-tolerance, restart-priority or admission-control settings.', areas: ['VMs', 'Cluster'] }
]

type Schema = Record<string, unknown>

function isSchema (value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function own<T> (table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** The `x-aliases` of one operation: its resource's `aka` and search words, then its own operator words. */
export function aliasesFor (method: string, path: string, aka: string | undefined): string[] {
  const resource = path.split('/').filter(Boolean)[0] ?? ''
  const key = `${method} ${path}`
  // A POST edit of /X/{id} does what the PATCH on the same path does, so it answers to the same words.
  const twin = method === 'POST' && /^\/[^/]+\/\{[^}]+\}$/.test(path) ? own(OPERATION_TERMS, `PATCH ${path}`) : undefined
  const words = [
    ...(aka ?? '').split(',').map((w) => w.trim().toLowerCase()).filter((w) => w !== ''),
    ...(own(RESOURCE_TERMS, resource) ?? []),
    ...(own(OPERATION_TERMS, key) ?? twin ?? [])
  ]
  return [...new Set(words)]
}

/** The `x-intent` of one operation, from the exceptions table or its method and path shape. */
export function intentFor (method: string, path: string): Intent {
  const listed = own(OPERATION_INTENTS, `${method} ${path}`)
  if (listed !== undefined) return listed
  const parts = path.split('/').filter(Boolean)
  const byId = parts.length === 2 && (parts[1] ?? '').startsWith('{')
  if (parts.length === 1 && method === 'GET') return 'list'
  if (parts.length === 1 && method === 'POST' && !['login', 'logout'].includes(parts[0] ?? '')) return 'create'
  if (byId && method === 'GET') return 'get'
  if (byId && (method === 'POST' || method === 'PATCH')) return 'change'
  if (byId && method === 'DELETE') return 'delete'
  return method === 'GET' ? 'get' : 'action'
}

/**
 * The `x-field-terms` of one operation: every field it reads or writes (request body, and the answer of a GET), by
 * path as describe_endpoint shows it (`dom.mem`, `[].actionType`), with the operator words for it (possibly none).
 * Records of other resources inside (a snapshot's copy of its VM, a VM's latest task) and internal or deprecated
 * fields are left out: they are not what the operation is about.
 */
export function fieldTermsFor (schemas: Schema, ownRecords: string[], foreignRecords: string[], roots: unknown[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const walk = (node: unknown, prefix: string, context: string[], depth: number): void => {
    if (!isSchema(node) || depth > 8) return
    if (typeof node.$ref === 'string') {
      const name = node.$ref.split('/').pop() ?? ''
      if (context.includes(name) || (foreignRecords.includes(name) && !ownRecords.includes(name))) return
      walk(schemas[name], prefix, [...context, name], depth + 1)
      return
    }
    const ctx = typeof node.title === 'string' ? [...context, node.title] : context
    if (Array.isArray(node.allOf)) for (const part of node.allOf) walk(part, prefix, ctx, depth + 1)
    if (isSchema(node.items)) walk(node.items, `${prefix}[]`, ctx, depth + 1)
    if (!isSchema(node.properties)) return
    for (const [name, prop] of Object.entries(node.properties)) {
      if (!isSchema(prop) || prop['x-internal'] === true || prop.deprecated === true) continue
      const path = prefix === '' ? name : `${prefix}.${name}`
      let terms: string[] | undefined
      for (let i = ctx.length - 1; i >= 0 && terms === undefined; i--) terms = own(FIELD_TERMS, `${ctx[i]}.${name}`)
      // Whatever has a name can be renamed ("rename a user": username, fullName).
      const naming = name === 'name' || /[a-z]Name$/.test(name) ? ['rename'] : []
      out[path] = [...new Set([...(out[path] ?? []), ...(terms ?? own(FIELD_TERMS, name) ?? []), ...naming])]
      walk(prop, path, ctx, depth + 1)
    }
  }
  for (const root of roots) walk(root, '', [], 0)
  return out
}
