import { stem, tokenize } from './stem.js'
import type { QueryIntent } from './types.js'

/** Words that carry no meaning for finding an endpoint (fillers, pronouns, auxiliaries, number words, other tools' names). */
export const STOPWORDS = new Set(('a an the to of for in on at by with from into onto via using use about as and or but so then than ' +
  'i me my mine we us our you your it its this that these those there here he she they them their someone somebody anyone ' +
  'is are was were be been being am do does did doing done has have had can could would should will shall may might must ' +
  'how what which where when who whom why please pls plz hey hi hello ok okay thanks thank want wanted need needs like let lets just ' +
  'also any some really actually basically kinda maybe still already again even very too much lot lots bit right ' +
  'yesterday today tonight tomorrow thing things stuff guys know think guess seems seem called named made ' +
  'two three four five six seven eight nine ten twice second third ' +
  'not no nor each both either neither such own same few enough quite rather almost along ever never always sometimes ' +
  'etc eg ie per else instead anyway however him hers himself herself itself themselves alone anymore equivalent yet later afterwards soon something anything uses ' +
  'hypercore scale computing api rest endpoint call request way possible able using got all every whats whos wheres hows')
  .split(' '))
/** Units of time: in a request they are a value ("every few minutes", "wait an hour"), never a thing of their own. */
export const TIME_UNITS = new Set('second seconds minute minutes min mins hour hours hr hrs day days week weeks month months year years'.split(' '))
/** Units of size: after a number they give a value ("the 50 GB scratch disk"), they do not say which thing. */
export const SIZE_UNITS = new Set('kb mb gb tb kib mib gib tib gigs gig megs'.split(' '))
/** Other hypervisors' and tools' own names: they say where a word comes from, not what is wanted. */
export const TOOL_WORDS = new Set('vmware vsphere vcenter esxi esx hyper hyperv proxmox pve pvesh powercli govc nutanix prism acli ncli xen xcp kvm qemu libvirt scvmm ovirt'.split(' '))
for (const w of TOOL_WORDS) STOPWORDS.add(w)

/** A word as the index holds it: its stem, or null for a word that carries no meaning. */
export function processTerm (term: string): string | null {
  const t = term.toLowerCase()
  if (STOPWORDS.has(t)) return null
  return stem(t)
}

/** An e-mail address, wherever it stands in a question. */
export const EMAIL = /\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/

/** The meaningful words of a text, as the index holds them. */
export function terms (text: string): string[] {
  return tokenize(text).map(processTerm).filter((t): t is string => t !== null)
}

// Idioms rewritten before words are looked at. Only everyday English lives here; what a word means for one operation
// or resource is in the catalogue (x-aliases, x-field-terms).
const OBJECT = '(?:(?:it|them|itself|themselves|(?:the|my|our|your|their|this|that|these|those|all|his|her) [\\w-]+(?: [\\w-]+){0,2}) )?'
// Where a phrasal verb's particle ends it: the clause ends or goes on with a time, a manner or another clause.
const PHRASE_END = '(?=\\s*(?:$|[,.;:!?)]|(?:again|now|please|for|at|and|then|first|when|before|after|so|by|right|immediately|today|tonight|until|without|gracefully|cleanly|remotely|every|each|daily|nightly|weekly|automatically)\\b))'
// A time of day or a recurrence ("every night at 2am", "each friday", "nightly") asks for something done on a schedule.
const TIME = /\b(?:(?:every|each|once a|twice a|on) (?:other )?(?:day|night|morning|evening|afternoon|week|weekday|weekend|hour|minute|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?|(?:nightly|daily|hourly|weekly|monthly|yearly)\b|(?:at|around) (?:[01]?\d|2[0-4])(?::\d\d)?(?: ?(?:am|pm|h|o ?clock)\b|(?![\d.]| ?(?:%|percent|[kmgt]i?b?|gigs?|cores?|v?cpus?|disks?|nodes?|vms?|days?)\b))|by (?:[01]?\d|2[0-4])(?::\d\d)? ?(?:am|pm|o ?clock)\b|\d{1,2}(?::\d\d)? ?(?:am|pm)\b|midnight|cron)/g
/** A time of day or a recurrence in a text ("every night at 2am", "nightly"). */
export const RECURRENCE = new RegExp(TIME.source)
/** The stem a time or recurrence is rewritten to (see TIME). */
export const SCHEDULE = stem('schedule')
/** Idioms and their plain wording (`$1` keeps what the idiom holds; `a|b` offers either word). */
export const PHRASES: Array<[RegExp, string]> = [
  // "the D: drive": a drive letter, not the end of a clause.
  [/\b([a-z]):\s+(?=drive\b)/g, '$1 '],
  [/\bvirtual machines?\b/g, 'vm'],
  [/\bsingle sign ?-?on\b/g, 'sso'],
  [/\bis there (?:a|any) way to\b|\bis (?:it )?possible (?:to|that)\b|\bwhat is the way to\b/g, 'how to'],
  // "who has a login", "a read-only login": a login one has is an account; logging in is the session.
  [/\b(has|have|had|with|without|got|get|gets|need|needs|a|an|new|another|own|their|his|her) ((?:[\w-]+ ){0,2}?)logins?\b/g, '$1 $2account'],
  [/(?:^|[,;.?!] *)(is|are) (it|they|this|that|(?:my|the|this|that|our) (?:[\w-]+ )?(?:vm|vms|machine|server|box|guest))( still)? (on|off|running|up|down|powered on|powered off)\b/g, 'is power state'],
  // "make bob an admin": making someone something is an edit.
  [/\bmake (\w+) (a|an)\b/g, 'change $1 $2'],
  // "send a test alert email": what is sent is a test of where alerts go.
  [/\bsend (?:a |an |one )?test\b/g, 'test'],
  // "make the vm pos-3 to start again": making a thing start is starting it.
  [/\bmake ((?:[\w-]+ ){1,4}?)to (start|stop|boot|restart|reboot|run|shutdown|power)\b/g, '$2 $1'],
  // "make him bigger until 300 GB", "make the disk larger": making a thing bigger resizes it.
  [/\bmake ((?:[\w-]+ ){0,3}?)(bigger|larger|smaller)\b/g, 'resize $1 $2'],
  // "bring the web server back up", "get it back online": power it on again, not a backup.
  [/\b(?:bring|brought|get|got) ((?:[\w-]+ ){0,4}?)back (?:up|online|on)\b/g, 'poweron|start $1'],
  // "which VMs came back up": what came back is running again; nothing was backed up.
  [/\b(?:came|come|comes|coming|went|go|goes|is|are) back (?:up|online|on)\b/g, 'running'],
  [/\bbring ((?:[\w-]+ ){0,3}?)in\b/g, 'import $1'],
  // "switch it on", but not "switch the cache mode on sqlprod's disk": on/off ends the phrase, it names no place.
  [/\b(?:power|turn|switch|boot|start) (?:up|on)\b/g, 'poweron|start'],
  [/\b(?:power|turn|switch) (?:off|down)\b/g, 'poweroff|stop|shutdown'],
  [new RegExp(`\\b(?:power|turn|switch|boot|start) (${OBJECT})(?:up|on)\\b${PHRASE_END}`, 'g'), 'poweron|start $1'],
  [new RegExp(`\\b(?:power|turn|switch) (${OBJECT})(?:off|down)\\b${PHRASE_END}`, 'g'), 'poweroff|stop|shutdown $1'],
  [new RegExp(`\\bshut ?(${OBJECT})down\\b`, 'g'), 'shutdown $1'],
  [/\bget rid of\b/g, 'remove'],
  // "just make sure it works", ", which I'd rather not do": a filler, and a relative clause rather than a question.
  [/\bmake sure (?:that )?/g, ' '],
  [/,\s*which(?=\s+(?:i|we|you|they|he|she|it|is|was|are|were|would|will|has|had|should|makes|means)\b)/g, ', that'],
  // "put the disk ahead of the CD-ROM in its boot sequence": reordering what a VM boots from is its boot order.
  [/\b(?:put|move|place|set) ((?:[\w-]+ ){0,3}?)(?:ahead of|before|after|above|below|first|last)\b[^,.;!?]*\bboot (?:order|sequence)\b/g, 'change the boot order'],
  // "throw away the old iso", "throw the old iso away": thrown away is deleted.
  [/\bthrow (?:away|out)\b/g, 'delete'],
  [/\bthrow ((?:[\w-]+ ){1,4}?)(?:away|out)\b/g, 'delete $1'],
  // "grab that one disk from friday's snapshot", "pull the D: drive out of last week's snapshot": one disk taken from a
  // snapshot is restored from it (a clone of that disk).
  [/\b(?:get|grab|pull|take|recover|fetch|bring back)\s+(?:(?:just|only)\s+)?(?:(?:the|that|this|a|one|its|a single|the one|that one)\s+)?(?:[\w-]+\s+){0,2}?(?:disk|drive|volume)\s+(?:back\s+)?(?:out\s+)?(?:of|from)\b(?=[^,.;!?]*\bsnapshot)/g, 'restore the disk from'],
  // "assign the nightly snapshot schedule to the exchange vm", "hook the schedule up to crm-db": a schedule given to a
  // VM is set on the VM (its snapshot schedule field; only VMs take one); the schedule itself does not change.
  [/\b(?:assign|hook|link|connect|apply|attach|add|put|tie)\s+(?:(?:the|a|our|my|this|that)\s+)?((?:[\w-]+\s+){0,2}?)(?:(?:snapshot|backup)\s+)?schedule\s+(?:up\s+)?(?:to|on|onto|with)\s+((?:(?:the|our|my)\s+)?(?:(?:vm|machine|guest|server)\s+)?(?:named\s+)?[\w-]+(?:\s+(?:vm|machine|guest|server|box)\b)?)/g, 'set vm $2 to use the snapshot schedule $1'],
  // "the uploaded virtual disk ubuntu.qcow2": an uploaded disk is a disk image of the library (VirtualDisk), not a VM's disk.
  [/\buploaded (?:virtual )?(?:disk|hard disk)s?(?: images?)?\b/g, 'virtualdisk'],
  // "set up OpenID Connect login": a sign-in through SSO is the SSO setup, not a session.
  [/\b(sso|oidc|openid connect|saml) (?:logins?|log ?ins?|sign ?ins?|authentication)\b/g, '$1'],
  // "In vCenter I'd upload an ISO through the datastore browser": where one does it today only says which product
  // the words come from.
  [/(^|[.;!?]\s*)(?:in|on|with|from|using|via) (?:vmware |microsoft |nutanix |plain )?(?:vcenter|vsphere|esxi|hyper-?v|proxmox|pve|nutanix|prism|libvirt|kvm|xen|xcp|scvmm|ovirt|powercli|acropolis)\b,?(?=\s*(?:i|we)\s)/g, '$1'],
  // "is it possible that I receive the alerts on my email": to receive the alerts is to be one of their recipients.
  [/\b(?:i|we|he|she|they) (?:can |could |will |would )?(?:also )?(?:receive|get) (?:the |all )?(?:cluster )?(?:alerts?|alert e?mails?|notifications?)\b/g, 'add alert email recipient'],
  // "how much cpu is the database vm using": what a VM uses is its usage (stats), not what it is given (the stats hold no memory).
  [/\bhow much (cpu|network|bandwidth)\b(?=[^,.;?!]*\b(?:using|uses|use|used|consuming|consumes|consume|burning|eating)\b)/g, 'usage $1'],
  // "get that image off the cluster": what is taken off the cluster is deleted from it.
  [/\b(?:get|take) ((?:[\w-]+ ){0,3}?)off (?:of )?(?:the|this|our|my) (?:cluster|system|hypercore)\b/g, 'delete $1'],
  // "have reports-1 power itself on at 6 am", "have the cluster send alerts": to have something do a thing is to do it.
  [/(^|[,;.!?]\s*)(?:please\s+)?have\s+((?:the |my |our )?(?:(?:vm|machine|server) )?(?:named )?[\w-]+)\s+(poweron\|start|poweroff\|stop\|shutdown|start|stop|shutdown|reboot|restart|send|email|forward|boot|snapshot|replicate)\b/g, '$1$3 $2'],
  // "patch a time source": the HTTP verb, said of a record (not of the cluster, whose patches are updates), edits it.
  [/^\s*patch (?=(?:a|an|the|this|that|my|one)\s+(?!cluster|node|hypercore|system|server|vms?\b|guests?\b|windows|linux)[a-z])/g, 'edit '],
  // "alerts should also go to our syslog collector": one more place for them to go is a new destination.
  [/\balso (?:go|be sent|get sent|be forwarded|be delivered|be mailed) to\b/g, 'be sent to a new'],
  // "the finance team asked for a copy of erp-prod": what someone asked for is the request.
  [/\b(?:asked|asks|asking) (?:me |us |you )?for\b/g, '; i want'],
  // "all snapshots older than a month": an age is a filter on the list, no field to set or schedule to keep.
  [/\b(?:older|newer|younger) than (?:a|an|one|\d+) (?:hour|day|week|month|year)s?\b/g, ' '],
  // "remove it and its disks": only a VM has disks, which go with it.
  [/\b(?:it|them)\s+(?:and|with|along with|including|plus|together with)\s+(?:all\s+)?(?:of\s+)?(?:its|their)\s+(?:disks?|drives?|volumes?|storage)\b/g, 'the vm including disks'],
  // "what I need is every snapshot": what one needs is what is asked.
  [/\bwhat (i|we|it|he|she|they) (?:really |actually |just )?(need|needs|want|wants|would like)(?: right now| now| today| first)? (?:is|are)\b/g, '$1 $2'],
  // "pop the installer ISO back out of its CD-ROM", "take the iso out of the drive": out of a drive is ejected.
  [/\b(?:pop|take|pull|get) ((?:[\w-]+ ){0,4}?)(?:back )?out(?: of)?\b(?=\s+(?:the|its|their|his|her|this|that|my|our)?\s*(?:[\w-]+\s+){0,2}(?:cd|dvd|cdrom|rom|drive|tray)\b)/g, 'eject $1 from'],
  // "give me a list of the users": giving someone a list, an overview or the details is showing it.
  // "give me the output of virsh list": the output of a command is what it shows.
  [/\b(?:give|show|print) (?:me |us )?(?:the )?(?:output|result|results) of\b/g, 'show'],
  // "give me every nic on the cluster": giving someone all of a thing is showing them.
  [/\b(?:give|gives|giving|gave|show|list) (?:me|us)\s+(?=(?:every|all|each)\b)/g, 'show '],
  [/\b(?:give|gives|giving|gave) (?:me|us)\s+(?:a |an |the )?(?=(?:list|overview|summary|details?|info|information|status|count|number|report)\b)/g, 'show '],
  [/\bkick(?:ed|s|ing)? (?:off|start)\b/g, 'start'],
  // "is it done yet?", "has the clone finished?": whether a job the cluster runs has finished is its task's state.
  [/\b(?:is|was|has|have) (it|that|this|they|(?:the|my|our) [\w-]+) (?:done|finished|complete|completed|over)\b(?! [a-z]+ing\b)/g, 'is $1 task status'],
  // Exporting a record's data is reading it ("export the registration data"); a VM is exported whole.
  [/\bexport (?:the |our |my |this )?((?:[a-z]+ )?)data\b/g, 'get $1data'],
  // "have it brought into this cluster as a new VM": a VM brought in from elsewhere is imported.
  [/\b(?:bring|brought|bringing|get|got|getting) ((?:[a-z0-9]+ ){0,4}?)(?:into|onto|in to|over to) (?:the|this|our|my) (?:cluster|system|hypercore) as (?:a |an )?(?:new )?(vm|machine|server|guest)\b/g, 'import $1 $2'],
  // "bring it into this cluster as old-erp-restored": what is brought in from outside (an export) is imported.
  [/\b(?:bring|brought|bringing) ((?:it|them) |(?:the|that|this) (?:[\w-]+ ){0,2}?)(?:back )?(?:into|onto|in to|over to) (?:the|this|our|my) (?:cluster|system|hypercore)\b/g, 'import $1'],
  // "how do I push it up?": pushing a file up to the cluster uploads it.
  [/\bpush ((?:it|them) |(?:the|that|this|my) (?:[\w-]+ ){0,2}?)up\b/g, 'upload $1'],
  // "alerts raised right now", "the active alarms": alerts that are on are current problems (conditions).
  [/\b(?:alerts?|alarms?) (?:that )?(?:are |is )?(?:raised|active|firing|open|triggered|outstanding|showing)\b|\b(?:raised|active|firing|open|triggered|outstanding) (?:alerts?|alarms?)\b/g, 'current alert conditions'],
  // "I only want it running again": a machine wished running is to be started.
  [/\b(want|need|get) (it|them|(?:the|my|our) [\w-]+) (?:running|up and running|powered on|started|online)(?: again)?\b/g, '$1 to start $2'],
  // "the whole system should go down", "everything goes dark": going down is a shutdown.
  [/\b(?:go|goes|going|went|gone) (?:down|dark|offline)\b/g, 'shutdown'],
  // "get rid of it for good", "disks included": for good is for ever; what is included goes with it.
  [/\bfor good\b/g, 'permanently'],
  // "restart it the polite way": a manner is how, not what.
  [/\b(?:the|a|in a) (?:polite|nice|gentle|graceful|clean|safe|soft|proper|normal|hard|rough|quick) way\b/g, ' '],
  [/\b([a-z]+) included\b/g, 'including $1'],
  [/\b(?:along|together) with\b/g, 'including'],
  // "try the network card first when booting": what a VM tries first when booting is its boot order.
  [/\bwhen (?:it )?(?:boots|booting|it starts|starting up)\b|\bat boot(?: time)?\b/g, 'boot order'],
  // "this time just shut it down", "like last time": a time said as a turn in a story is no time setting.
  [/\b(?:this|that|last|next|each|one|the first|the last|the next) time\b/g, ' '],
  // "I want to know whether the nodes are online", "tell me if it is running": a wish to know asks a question.
  [/(?:^|[,;.?!] *)(?:(?:i|we) (?:would like|d like|want|need|wanna) to know|(?:can you |please )?tell me|i (?:am|was) wondering) (?:whether|if)\b/g, ', is'],
  // "get an installer ISO onto this cluster": bringing a file onto the cluster is uploading it.
  [/\b(?:get|put|bring) ((?:(?:a|an|the|my|our|this|that|some) )?(?:[a-z0-9]+ ){0,4}?)(?:onto|into|on to|up to) (?:the|this|our|my) (?:cluster|system|hypercore)\b/g, 'upload $1'],
  // "in Hyper-V I would run Set-VM ...", "with virsh I'd use attach-disk": the command quoted is the request.
  [/\b(?:i|we)(?: would| usually| normally| typically| always)? (?:run|use|type|call|do)\b/g, ' , '],
  // "...; what's the hypercore way?", "what's the call on this platform?": asking how to do what was just said is asking for it.
  [/\bwhat(?: is|s)? the (?:\w+ ){0,2}(?:way|call|equivalent|endpoint|command)(?: (?:here|on this platform|on this cluster|in hypercore|for (?:it|that|this)))?\s*(?=[?.!]|$)/g, ' '],
  // "what is the equivalent of X", "what's the hypercore way to X": the question is X itself.
  [/\bwhat(?: is|s)? the (?:\w+ ){0,2}(?:equivalent|counterpart|analog(?:ue)?|way) (?:of|for|to)\b/g, ' '],
  // virsh's verbs: "destroy" a guest is a hard power-off there, "undefine" deletes it, "define" creates it.
  [/\bvirsh\s+destroy\b/g, 'virsh stop'],
  [/\bvirsh\s+undefine\b/g, 'virsh delete'],
  [/\bvirsh\s+define\b/g, 'virsh create'],
  [/\bvirsh\s+(?:snapshot-create(?:-as)?)\b/g, 'virsh snapshot create'],
  [/\bget (\w+ )?(\w+ )?back\b/g, 'restore $1$2'],
  [/\bmake (?=(?:it|them|the|this|that|my|its|our|more|less|bigger|larger|smaller)\b)/g, 'change '],
  [/\bmore big\b/g, 'bigger'],
  [/\bmore large\b/g, 'larger'],
  [/\bhow many\b/g, 'list'],
  [/\bis there\b|\bare there\b/g, 'list'],
  [/\bright now\b/g, 'current'],
  [/\bback ?up\b/g, 'backup'],
  // "our single sign-on setup;", "the current setup is": a setup owned or ending the clause is the configuration.
  [/\b(the|our|my|your|this|that|its|their|current|existing) setup\b/g, '$1 settings'],
  [/\bsetup(?=\s*(?:[;,.!?]|$|\s(?:is|are|was|has|needs)\b))/g, 'settings'],
  [/\bspin up\b|\bset ?up\b|\bstand up\b/g, 'create'],
  // "make lab-01 boot from the cd first": what a thing boots from is how it is set.
  [/\bmake ((?:[\w-]+ ){1,2}?)boot (from|off)\b/g, 'change $1 boot $2'],
  // "boot from the cd first": what a VM boots from is its boot order.
  [/\bboots? (?:off|from) (?:the |its |a |an )?(cd|dvd|cdrom|rom|iso|disk|hard disk|network|nic|pxe)\b/g, 'boot order $1'],
  // "a while ago", "a while back": a time in a story, no "while" clause.
  [/\ba while (?:ago|back)\b/g, ' '],
  // "please get that account ready": getting something ready for someone is setting it up.
  [/\b(?:get|have) ((?:(?:that|the|an?|her|his|their|this) )?(?:[\w-]+ ){0,2}?)ready\b/g, 'create $1'],
  // "pass user data when creating an ubuntu vm": what is done while making a thing is part of making it.
  [/\b(?:when|while|on|during) (?:creating|making|building|deploying|provisioning) (?:a |an |the )?(?:new )?/g, 'for a new '],
  // "start a new schedule", "kick off another replication": starting something new makes it; "start the vm" powers on.
  [/\b(?:start|begin) (a new|another|a fresh|an additional)\b/g, 'create $1'],
  [/\bhook (\w+ )?up\b/g, 'configure $1'],
  [/\b(clean|clear|wipe|tidy) (?:out|up|away|off)\b/g, '$1'],
  [/\bup to date\b/g, 'update'],
  [/\b(?:log|sign) (?:me |us |them |him |her )?in(?:to)?\b|\b(?:log|sign)in(?:to)?\b/g, 'login'],
  [/\b(?:log|sign) (?:me |us |them |him |her )?(?:out|off)\b|\blogout\b/g, 'logout'],
  // Ending or closing one's own session is signing out ("end my current api session").
  [/\b(?:end|close|terminate|finish|kill) (?:my|our|this|the) (?:(?:current|own|active|api|rest) )*session\b/g, 'logout'],
  [/\be-?mail\b/g, 'email'],
  [/\bip address(es)?\b/g, 'ip'],
  [/\bout of\b/g, 'out from'],
  // "mail-01 is on what node?": a question asked in a statement's order is that question.
  [/(^|[,;.!?:] *)((?:[a-z0-9]+ ){0,3}?[a-z0-9]+) (is|are|runs|sits|lives) (on|in|at|from) (what|which) ([a-z]+)\b/g, '$1 $5 $6 $3 $2 $4'],
  // "which host is sqlprod-7 on", "where is exchange-dag2 running": only a VM runs on a node, so that is the VM's field.
  [/\b(?:which|what) (node|host|server) (?:(?:is|does) )?(?:the (?:vm|machine|server) )?(?:named )?([a-z0-9]+) (?:(?:currently|running|sitting|hosted|living|lives|runs|sits|resides|now|right now) )*(?:on|in|at|run on|live on)\b/g, 'which $1 is the vm named $2 running on'],
  [/\bwhere (?:is|does) (?:the (?:vm|machine|server) )?(?:named )?([a-z0-9]+) (?:(?:currently|now) )*(?:running|run|live|living|hosted|sitting)\b/g, 'which node is the vm named $1 running on'],
  // "the schedule, name is weekly-old": the name given names the thing.
  [/\b(?:the |its |his |her )?name (?:is|was|=) /g, 'named '],
  // "detach and delete the scratch disk": what is detached and then deleted is deleted.
  [/\b(?:detach|disconnect|unplug|unmount|eject|remove) and (?:then )?(delete|destroy|wipe|erase)\b/g, '$1'],
  // "stop sending alerts to ops@": the destination is to go; nothing is switched off.
  [/\bstop (?:sending|forwarding|emailing|mailing) ((?:[\w-]+ ){0,3}?)to\b/g, 'remove the $1 recipient'],
  // "stop replicating", "pause monitoring": switching an activity off is an edit, not a power action.
  [/\b(stop|pause|halt|disable) (\w+ing)\b/g, 'disable $2'],
  // "replace the NTP server (...) with time.example.com": replacing a value with another is setting it.
  [/\breplace ((?:[^\s,;.!?]+\s+){0,8}?)with\b/g, 'change $1 to'],
  // "what call gives me the hosts", "which endpoint returns the vms": what is given is the thing asked for.
  [/\b(what|which) (?:(?:call|endpoint|operation|api|request|command|one|url|path) )?(?:gives|returns|shows|lists|tells|provides|gets|fetches) (?:me |us |you )?/g, '$1 '],
  [TIME, ' schedule ']
]

/**
 * A verb the question says not to do ("don't reboot it", "instead of deleting", "rather than add another", "no need
 * to list anything"): the words between are fillers; `$1` is the verb and `$2` what it is done to, up to the end of
 * its clause ("don't touch the alert emails or the syslog target").
 */
export const NEGATED_VERB = /\b(?:do not|does not|did not|dont|doesnt|didnt|not|never|no need to|instead of|rather than|will not|wont|should not|shouldnt|must not|mustnt|(?:nobody|no one|noone) (?:should|must|is to))\s+(?:(?:to|be|want to|need to|wanna|just|really|actually|even|ever|going to|trying to)\s+)*([a-z]+)\b([^,.;:!?]*?)(?=[,.;:!?]|\s[-–]\s|\b(?:and|then|but|instead|just|only|so)\b|$)/g
/** What is to stay as it is ("but keep the vm itself", "leave the schedule exactly as it is"): no change is asked of it. */
export const KEPT_AS_IS = /\b(?:but|while|and)\s+(?:keep|leave|preserve)\b[^,.;]*|\b(?:keep|leave)\b[^,.;]*?\b(?:alone|intact|untouched|unchanged|as it is|as is|itself|themselves)\b/g
/** A thing set aside after a comma ("how much the vm disks use, not the physical drives"). */
export const NEGATED_THING = /,\s*(?:but\s+)?not\s+(?:the|any|a|an|our|my)\s+(?:[a-z-]+\s+)?[a-z-]+\b/g

/** Everyday words for a unit or a thing, searched beside the word typed (at a lower weight). Nothing specific to one operation. */
export const SYNONYMS = new Map<string, string[]>([
  // Zone names say the setting they belong to.
  ['utc', ['timezone']], ['gmt', ['timezone']], ['cet', ['timezone']], ['est', ['timezone']], ['pst', ['timezone']],
  ['gigabyte', ['gb']], ['gigabytes', ['gb']], ['terabyte', ['tb']], ['terabytes', ['tb']], ['megabytes', ['mb']],
  ['bigger', ['grow', 'larger']], ['larger', ['grow', 'bigger']], ['enlarge', ['grow']], ['increase', ['more']],
  ['remove', ['delete']], ['erase', ['delete']], ['destroy', ['delete']], ['wipe', ['delete']],
  ['restart', ['reboot']], ['reboot', ['restart']], ['alarm', ['alert']], ['percentage', ['percent']],
  ['configuration', ['settings']], ['config', ['settings']], ['setting', ['settings']], ['mail', ['email']], ['mailbox', ['email']], ['template', ['vm']], ['templates', ['vm']], ['inbox', ['email']],
  ['relocate', ['move']], ['transfer', ['move']], ['shift', ['move']], ['freeze', ['pause']], ['unfreeze', ['resume']],
  ['unregister', ['registration']], ['deregister', ['registration']], ['register', ['registration']]
])

// Verbs (and a few adjectives) that say what kind of thing is wanted: PowerShell's approved verbs and everyday admin
// English. 'pure' ones say only that; the others also name what to do, so an operation that does not know them does
// something else.
const INTENT_WORDS: Array<[QueryIntent, string, string]> = [
  ['read', 'list show view see display find fetch read lookup look tell get check inventory detail details info information exist current available ' +
    'search select inspect query count print dump browse review pull grab enumerate measure compare', 'status monitor watch wait'],
  ['create', 'create add new make build provision deploy another send forward generate open establish define fresh additional bring spin begin initiate',
    'take save copy clone duplicate upload import attach register checkpoint'],
  ['change', 'change edit modify set configure adjust update more give put increase decrease raise lower bump extra enable disable assign switch turn ' +
    'mark limit cap restrict cut reduce trim double halve tweak alter amend correct fix swap flip toggle point pass provide supply allow permit grant revoke convert rotate exclude',
  'rename resize grow expand extend shrink bigger larger insert eject mount unmount dismount connect disconnect plug unplug pin retain keep replace reset leave'],
  ['delete', 'delete del rm remove destroy drop erase purge wipe uninstall unregister detach clear clean prune nuke trash scrap ditch discard decommission retire cancel deregister', ''],
  ['action', '', 'start stop boot reboot restart shutdown poweron poweroff power migrate move vmotion pause resume suspend reset freeze unfreeze test apply install upgrade relocate bounce']
]
/** What each intent word says is wanted. */
export const INTENT_OF = new Map<string, QueryIntent[]>()
/** Intent words that say only what kind of thing is wanted, not what to do. */
export const PURE_INTENT = new Set<string>()
for (const [intent, pure, content] of INTENT_WORDS) {
  for (const w of `${pure} ${content}`.split(' ').filter(Boolean)) INTENT_OF.set(w, [...(INTENT_OF.get(w) ?? []), intent])
  for (const w of pure.split(' ').filter(Boolean)) PURE_INTENT.add(w)
}
/** INTENT_OF by stem, for the word in a verb's place ("deleting", "delet"). */
export const INTENT_OF_STEM = new Map([...INTENT_OF].map(([w, intents]) => [stem(w), intents]))
/** The intent word a stem comes from ("remov": remove), to put a participle back in its verb's place. */
export const INTENT_WORD_OF_STEM = new Map([...INTENT_OF.keys()].reverse().map((w) => [stem(w), w]))
/** What an intent word says is wanted, by the word or by its stem ("deleting"); undefined for any other word. */
export function intentsOf (word: string): QueryIntent[] | undefined {
  return INTENT_OF.get(word) ?? INTENT_OF_STEM.get(stem(word))
}
/** Intent words that also say it inside a noun phrase ("a new disk", "more memory", "the current alerts"). */
export const ADJECTIVAL = new Set(['new', 'another', 'fresh', 'additional', 'second', 'more', 'extra', 'bigger', 'larger', 'current', 'available', 'detail', 'details', 'info', 'information', 'inventory', 'status'])
/** Nouns that, as a request's first word, are its verb ("snapshot the vm", "tag it"). */
export const FIRST_WORD_INTENTS = new Map<string, QueryIntent>([['schedule', 'create'], ['snapshot', 'create'], ['backup', 'create'], ['checkpoint', 'create'],
  ['replicate', 'create'], ['email', 'create'],
  ['tag', 'change'], ['label', 'change'], ['name', 'change'], ['size', 'change'], ['resize', 'change'],
  ['login', 'action'], ['logout', 'action']])
/** Words naming the whole system: after a preposition ("log in to the cluster") they only set the scene. */
export const CONTEXT_WORDS = new Set(['cluster', 'system', 'environment', 'everything'])
/** Particles of phrasal verbs ("are the services up"): they say little and never name the thing. */
export const PARTICLES = new Set(['up', 'down', 'on', 'off', 'out', 'over', 'back', 'in', 'away'])
/** The word after these is a name ("a VM called web01"). */
export const NAMING = new Set(['called', 'named', 'name', 'titled', 'labelled', 'labeled'])
/** Words asking for one record rather than the list. */
export const ONE_RECORD = new Set(['one', 'single', 'specific', 'particular', 'uuid', 'id', 'detail', 'details', 'given'])
/** A clause starting with these is a yes/no or what-question ("is replication running", "are there alerts"): it asks to read something. */
export const QUESTION_START = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'any', 'what', 'which', 'who', 'when', 'where', 'whats', 'whos', 'wheres'])
/** What/which: the words after them are the thing asked for. */
export const WH = new Set(['what', 'which', 'whats'])
/** Auxiliaries: after a noun they make a statement ("the disk is full") or end a question's subject ("which port is it on"). */
export const AUX = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'had', 'can', 'could', 'will', 'would', 'should', 'may', 'might', 'must',
  'cant', 'cannot', 'wont', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'hasnt', 'havent', 'keeps', 'seems', 'got', 'gets', 'uses', 'needs'])
/** Words that open a noun phrase: what follows is a thing, not something to do ("wipe the old test machines"). */
export const DETERMINERS = new Set(['the', 'a', 'an', 'my', 'our', 'your', 'their', 'its', 'his', 'her', 'this', 'that', 'these', 'those', 'all', 'every', 'each', 'whatever', 'whichever',
  'some', 'any', 'no', 'another', 'other', 'both', 'several', 'many', 'more', 'most', 'less', 'fewer', 'one'])
/** Determiners of something not yet there ("a", "another"). */
export const INDEFINITE = new Set(['a', 'an', 'some', 'any', 'another'])
/** Determiners of something that is there ("the", "my"). */
export const DEFINITE = new Set(['the', 'my', 'our', 'your', 'their', 'its', 'his', 'her', 'this', 'that', 'these', 'those'])
/** A personal pronoun inside a clause starts a relative clause ("the vm i created", "the clusters we replicate to"). */
export const PRONOUNS = new Set(['i', 'we', 'you', 'they', 'he', 'she', 'who', 'whom', 'whose', 'u'])
// Words after these describe where, what for or why ("add a disk to a VM"): the thing wanted usually comes before them.
/** Prepositions of place and owner: what follows them may still name what is meant. */
export const LOCATIVE = new Set(['to', 'from', 'of', 'on', 'in', 'into', 'onto', 'inside', 'within', 'attached', 'with', 'under', 'behind', 'at', 'via', 'over', 'through', 'across', 'between'])
/** Words opening a purpose, a time or a reason: what follows them hardly names what is meant. */
export const PURPOSE = new Set(['for', 'so', 'because', 'since', 'before', 'after', 'until', 'till', 'while', 'when', 'if', 'without', 'by', 'during', 'as', 'like',
  'but', 'except', 'unless', 'though', 'although', 'whether', 'per', 'then', 'letting', 'allowing', 'ensuring', 'including'])
/** What a clause opens with before its verb ("please can you", "how do I", "I need to"). */
export const LEAD = /^(?:(?:please|pls|plz|kindly|ok|okay|so|hey|hi|hello|also|then|now|and|just|quickly|again|urgently|urgent|first|firstly|today|meanwhile|go\s+ahead(?:\s+and)?)\s+)*(?:(?:can|could|would|will|should|may|might)\s+(?:you|u|i|we|someone|somebody)\s+(?:please\s+|pls\s+)?|(?:i|we|u)\s+(?:(?:only|just|really|also|still|actually|now|then|first)\s+)?(?:need|want|wanna|would like|d like|have|must|should|gotta|am trying|m trying|try)\s+to\s+|(?:i|we)\s+(?:(?:only|just|really|also|still|actually|now|then|first)\s+)?(?:need|want|would like|d like)\s+(?=[a-z])|how\s+(?:do|can|should|would|could|to)\s+(?:i|we|you|one|u)?\s*|how\s+(?:i|we)\s+(?:(?:can|could|should|do|must)\s+)?|how\s+to\s+|help\s+me\s+(?:to\s+)?|let\s+(?:me|us)\s+|lets\s+|trying\s+to\s+|let\s+\w+\s+(?=(?:login|logout|see|use|access|change|add|create|manage)\b))?/
/** Where one clause ends and the next begins. */
export const CLAUSES = /[,;!?]+|:\s|\.(?:\s|$)|\s[-–]\s|\b(?:because|since|although|though|but|so that|so|cause|coz)\b/
