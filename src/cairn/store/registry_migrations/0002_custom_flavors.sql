-- Registry schema, revision 2: flavors registered by users (`cairn <type> flavor register`).
CREATE TABLE flavors (
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (type, name)
);
