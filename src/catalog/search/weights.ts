import type { Field } from './build-index.js'

// One-word aliases name the thing outright; a word inside a longer alias ("mail server") says less on its own.
// The names of another resource its summary speaks of ("a snapshot of a VM") are the words that resource answers to.
/** How much a word found in each document field lifts an operation's search score. */
export const BOOST: Record<Field, number> = { names: 3, aliases: 2, path: 2.5, summary: 2, fieldTerms: 1.5, tag: 1, fields: 0.8, description: 0.7, fieldText: 0.3, related: 0.4 }
/** How surely a word found in a field means the operation covers it: its names and vocabulary fully, its prose less. */
export const QUALITY: Record<Field, number> = { names: 1, aliases: 1, path: 1, summary: 1, fieldTerms: 1, tag: 0.8, fields: 0.9, description: 0.7, fieldText: 0.5, related: 0.85 }

// How much a word weighs. A pure intent word only helps rank (PURE_WEIGHT in the search), it is not part of what must
// be covered; a name ("web01", "the sql box") hardly counts, a word no document knows half, an adjective before a noun
// less than the noun, and a topic the API does not offer as much as two words.
/** Ranking weight of a word that only says what kind of thing is wanted ("add", "show"). */
export const PURE_WEIGHT = 0.3
/** Share of the meaning a name carries ("web01", "the sql box"). */
export const NAME_WEIGHT = 0.15
/** Share of the meaning a word no document knows carries. */
export const UNKNOWN_WEIGHT = 0.5
/** Share of the meaning an adjective or a noun describing another carries. */
export const MODIFIER_WEIGHT = 0.4
/** Weight of a topic the API does not offer, against which no operation scores. */
export const UNSUPPORTED_WEIGHT = 2

// A clause that only sets the scene ("the disk is full, make it bigger") and a relative clause ("the vm I created") say
// less about what is wanted than the request itself.
/** Factor on the words of a clause that only sets the scene. */
export const BACKGROUND = 0.2
/** Factor on the words of a relative clause. */
export const RELATIVE = 0.4
/** Most the scene's words weigh together, as a share of what the request's own words weigh. */
export const SCENE_SHARE = 0.5

// Tie-breaks between resources that share a word.
/** Factor on an operation whose resource does not belong to a VM when the thing is on, of or from a machine ("the disk of web-01"). */
export const OFF_VM = 0.75
/** Factor on an operation whose resource only holds the thing's word in its name or fields, beside one that answers to it. */
export const NOT_NAMED = 0.85
