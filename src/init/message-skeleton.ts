import type {PackageDefinition} from '@grpc/proto-loader'
import {isRequestIdName} from './value-template.js'

/** A field of a protobuf message as @grpc/proto-loader describes it (DescriptorProto). */
interface FieldDescriptor {
  name: string
  type: string
  typeName: string
  label: string
}

interface MessageDescriptor {
  field?: FieldDescriptor[]
  value?: Array<{name: string}>
}

/** Field names that name the resource a call acts on; they get `{{key}}`, fresh per trial. */
const KEY_NAME = /^(key|id|name|account|account_?id|[a-z]+_id|[a-z]+Id)$/

export function isKeyFieldName(name: string): boolean {
  return KEY_NAME.test(name) && !isRequestIdName(name)
}

const NUMERIC = /^TYPE_(U?INT|S?FIXED|SINT)(32|64)$|^TYPE_(DOUBLE|FLOAT)$/

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type)
}

/** The descriptor of a message or enum type named `.pkg.Name` in the package definition. */
export function descriptorOf(definition: PackageDefinition, typeName: string): MessageDescriptor | undefined {
  const entry = definition[typeName.replace(/^\./, '')] as {type?: MessageDescriptor} | undefined
  return entry?.type
}

export function fieldsOf(message: MessageDescriptor | undefined): FieldDescriptor[] {
  return message?.field ?? []
}

/**
 * A message skeleton from the field types: the resource's name `{{key}}`, request ids
 * `{{requestId}}`, other strings "", numbers 1 (so an amount changes something), bools false,
 * enums their first value, nested messages their own skeleton (three levels deep at most).
 */
export function messageSkeleton(definition: PackageDefinition, message: MessageDescriptor | undefined, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  let keyed = depth > 0
  for (const f of fieldsOf(message)) {
    let value: unknown
    if (f.type === 'TYPE_STRING' && isRequestIdName(f.name)) value = '{{requestId}}'
    else if (f.type === 'TYPE_STRING' && !keyed && isKeyFieldName(f.name)) {
      value = '{{key}}'
      keyed = true
    } else value = scalar(definition, f, depth)
    if (value === undefined) continue
    out[f.name] = f.label === 'LABEL_REPEATED' ? [value] : value
  }
  return out
}

function scalar(definition: PackageDefinition, f: FieldDescriptor, depth: number): unknown {
  if (f.type === 'TYPE_STRING') return ''
  if (f.type === 'TYPE_BOOL') return false
  if (f.type === 'TYPE_BYTES') return ''
  if (isNumericType(f.type)) return 1
  if (f.type === 'TYPE_ENUM') return descriptorOf(definition, f.typeName)?.value?.[0]?.name
  if (f.type === 'TYPE_MESSAGE' && depth < 3) return messageSkeleton(definition, descriptorOf(definition, f.typeName), depth + 1)
  return undefined
}
