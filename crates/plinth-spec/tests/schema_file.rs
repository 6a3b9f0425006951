//! The committed `schema/plinth.schema.json` is exactly what `plinth schema` prints.
//! Regenerate it with `PLINTH_UPDATE_SCHEMA=1 cargo test -p plinth-spec --test schema_file`.

#[test]
fn committed_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/plinth.schema.json");
    let fresh = serde_json::to_string_pretty(plinth_spec::schema::json_schema()).unwrap() + "\n";
    if std::env::var_os("PLINTH_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "schema/plinth.schema.json is stale; run PLINTH_UPDATE_SCHEMA=1 cargo test -p plinth-spec --test schema_file"
    );
}
