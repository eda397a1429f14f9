/**
 * Introspection is for officers: the people who write queries in GraphiQL. Systems are built
 * against the published schema, peers against the shared contract, and the secretariat reaches
 * aggregates only. The check depends on the principal, so it runs in `preExecution` on every
 * request; mercurius caches validation by query text, where it would be decided once for everyone.
 */
import { type DocumentNode, Kind, type SelectionSetNode } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import type { Principal } from '../auth/principal.ts'
import { JaringError } from '../errors.ts'

const introspectionFields = new Set(['__schema', '__type'])

/** Whether any operation selects `__schema` or `__type` (they exist on the query root only). */
function selectsIntrospection(document: DocumentNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  )
  const visited = new Set<string>()
  const rootSelects = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return introspectionFields.has(selection.name.value)
      if (selection.kind === Kind.INLINE_FRAGMENT) return rootSelects(selection.selectionSet)
      const fragment = fragments.get(selection.name.value)
      if (!fragment || visited.has(fragment.name.value)) return false
      visited.add(fragment.name.value)
      return rootSelects(fragment.selectionSet)
    })
  return document.definitions.some(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && rootSelects(definition.selectionSet),
  )
}

/** mercurius keeps one document object per query text, so each is inspected once. */
const inspected = new WeakMap<DocumentNode, boolean>()

function isIntrospection(document: DocumentNode): boolean {
  let answer = inspected.get(document)
  if (answer === undefined) {
    answer = selectsIntrospection(document)
    inspected.set(document, answer)
  }
  return answer
}

/** An officer with any role that reaches records; the secretariat's officers do not. */
function mayIntrospect(principal: Principal | null | undefined): boolean {
  return principal?.kind === 'officer' && principal.roles.some((role) => role !== 'secretariat')
}

/** mercurius `preExecution` hook. */
export async function guardIntrospection(
  _schema: unknown,
  document: DocumentNode,
  context: MercuriusContext,
): Promise<void> {
  if (!isIntrospection(document)) return
  const principal = context.reply?.request.principal as Principal | null | undefined
  if (!mayIntrospect(principal)) throw new JaringError('INTROSPECTION_FORBIDDEN')
}
