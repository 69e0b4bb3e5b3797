-- Registry schema, revision 3: no table changes. The migration (registry_schema.migrate) adds a
-- `local` secrets manager named `default` and puts it in the `default` stack if that has none.
CREATE INDEX IF NOT EXISTS ix_components_type ON stack_components (type, name);
