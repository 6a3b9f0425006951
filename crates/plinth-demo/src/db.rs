//! `/db`: a PostgreSQL round trip (`SELECT 1` and an upsert into a tiny counter table, created if
//! absent) against `DATABASE_URL`.

use std::sync::Arc;

use serde_json::json;
use tokio_postgres::{Client, NoTls};

use crate::datastore::Reconnecting;
use crate::response::Reply;

/// The counter table: one row per service name, counting `/db` requests.
const CREATE: &str = "CREATE TABLE IF NOT EXISTS plinth_demo_hits (service text PRIMARY KEY, hits bigint NOT NULL)";
const COUNT: &str = "INSERT INTO plinth_demo_hits (service, hits) VALUES ($1, 1) \
    ON CONFLICT (service) DO UPDATE SET hits = plinth_demo_hits.hits + 1 RETURNING hits";

/// One PostgreSQL database.
pub(crate) struct Postgres {
    url: String,
    service: String,
    connection: Reconnecting<Arc<Client>>,
}

impl Postgres {
    /// Checks the URL (connection string or `postgres://` URL); connects on first use.
    pub(crate) fn new(url: &str, service: &str) -> Result<Self, String> {
        url.parse::<tokio_postgres::Config>().map_err(|e| format!("invalid DATABASE_URL: {e}"))?;
        Ok(Self { url: url.to_owned(), service: service.to_owned(), connection: Reconnecting::new("postgres") })
    }

    pub(crate) async fn round_trip(&self) -> Reply {
        let service = self.service.clone();
        let count = |client: Arc<Client>| async move {
            let one: i32 = client.query_one("SELECT 1", &[]).await.map_err(describe)?.get(0);
            let hits: i64 = client.query_one(COUNT, &[&service]).await.map_err(describe)?.get(0);
            Ok(json!({ "select": one, "hits": hits }))
        };
        self.connection.round_trip(connect(&self.url), count).await
    }
}

async fn connect(url: &str) -> Result<Arc<Client>, String> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(describe)?;
    tokio::spawn(connection);
    client.batch_execute(CREATE).await.map_err(describe)?;
    Ok(Arc::new(client))
}

/// The error with the server's message when there is one (`Display` alone says "db error").
fn describe(error: tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{error}: {}", db.message()),
        None => error.to_string(),
    }
}
