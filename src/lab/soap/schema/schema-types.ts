// Shape of the generated vSphere type table (vim-schema.generated.ts).

/** [element name, type reference, optional (1) or required (0)] */
export type FieldTuple = [string, string, 0 | 1];

export interface VimSchemaJson {
  /** Data object types: base type and own fields in schema order. */
  data: Record<string, { base: string | null; fields: FieldTuple[] }>;
  /** Enumeration type names (values travel as strings). */
  enums: Record<string, 1>;
  /** Managed object types: base type and own properties. */
  managed: Record<string, { base: string | null; props: FieldTuple[] }>;
  /** Methods the lab implements: receiver type, parameters, result type (null = void). */
  methods: Record<string, { on: string; params: FieldTuple[]; result: string | null }>;
}
