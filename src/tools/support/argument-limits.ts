import { Type, type TString } from '@sinclair/typebox'

/**
 * Longest VM name, clone or import name, snapshot label, and name-or-UUID argument the typed tools take. HyperCore
 * documents no limit of its own; 256 is far above any name people give and keeps every lookup's work small.
 */
export const MAX_NAME_LENGTH = 256

/** Longest `node` argument: a UUID (36), a LAN address (an IPv6 one is at most 45) or "node N". */
export const MAX_NODE_LENGTH = 64

/** Longest task tag argument (a tag is at most 100 characters; room for spaces around it). */
export const MAX_TASK_TAG_LENGTH = 128

// Published schemas keep every bound under 2,000: llama.cpp's grammar compiler refuses repetitions of 2,000 or more.

/** Longest share location (export target, import source): far above any SMB or HTTP location. */
export const MAX_URI_LENGTH = 1024

/** Longest VM description update_vm sets. */
export const MAX_DESCRIPTION_LENGTH = 1024

/** Most tags update_vm sets (HyperCore keeps them as one comma-separated string). */
export const MAX_TAGS = 64

/** Longest tag update_vm sets and list_vms filters by. */
export const MAX_TAG_LENGTH = 128

/** A non-empty name argument of at most MAX_NAME_LENGTH characters. */
export function nameArgument (description: string): TString {
  return Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, description })
}
