import { Type, type SchemaOptions, type TUnsafe } from '@sinclair/typebox'
import { API_METHODS, type ApiMethod } from './scale/canonical-path.js'

/** The one error shape every failure is answered with. */
export const ErrorResponseSchema = Type.Object({
  code: Type.String({ description: 'Stable SCREAMING_SNAKE error code, e.g. VALIDATION_ERROR, UNAUTHORIZED, NO_CLUSTER.' }),
  message: Type.String({ description: 'What went wrong and what to change.' }),
  details: Type.Optional(Type.Unknown({ description: 'Structured detail: the fields at fault, suggestions, or the cluster\'s own error body.' }))
}, { $id: 'ErrorResponse', title: 'ErrorResponse', description: 'Error answer' })

/**
 * A string enum as one JSON Schema `enum` (not TypeBox's anyOf of constants, which several tool hosts and models
 * drop or refuse). The description should name the values too: some hosts keep only the description.
 */
export function StringEnum<T extends string> (values: readonly T[], options: SchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: 'string', enum: [...values] })
}

/** The HTTP methods a HyperCore call can use, as a tool input field with its own description. */
export function httpMethodSchema (options: SchemaOptions & { description: string }, methods: readonly ApiMethod[] = API_METHODS): TUnsafe<ApiMethod> {
  return StringEnum(methods, { ...options, description: `${options.description} One of ${methods.join(', ')}.` })
}
