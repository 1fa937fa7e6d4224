import { Type, type Static, type SchemaOptions } from '@sinclair/typebox'
import { API_METHODS } from './scale/confine.js'

/** The one error shape every failure is answered with. */
export const ErrorResponseSchema = Type.Object({
  code: Type.String({ description: 'Stable SCREAMING_SNAKE error code, e.g. VALIDATION_ERROR, UNAUTHORIZED, NO_CLUSTER.' }),
  message: Type.String({ description: 'What went wrong and what to change.' }),
  details: Type.Optional(Type.Unknown({ description: 'Structured detail: the fields at fault, suggestions, or the cluster\'s own error body.' }))
}, { $id: 'ErrorResponse', title: 'ErrorResponse', description: 'Error answer' })

/** Static type of ErrorResponseSchema. */
export type ErrorResponse = Static<typeof ErrorResponseSchema>

/** The HTTP methods a HyperCore call can use, as a tool input field with its own description. */
export function httpMethodSchema (options: SchemaOptions & { description: string }) {
  return Type.Union(API_METHODS.map((m) => Type.Literal(m)), options)
}
