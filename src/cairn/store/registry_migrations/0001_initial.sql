-- Registry schema, revision 1: stack components, stacks and settings.
CREATE TABLE stack_components (
    uuid TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    flavor TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    UNIQUE (type, name)
);
CREATE TABLE stacks (
    uuid TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE stack_memberships (
    stack_uuid TEXT NOT NULL REFERENCES stacks (uuid) ON DELETE CASCADE,
    type TEXT NOT NULL,
    component_uuid TEXT NOT NULL REFERENCES stack_components (uuid),
    PRIMARY KEY (stack_uuid, type)
);
CREATE INDEX ix_memberships_component ON stack_memberships (component_uuid);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT
);
