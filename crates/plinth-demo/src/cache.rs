//! `/cache`: a Redis `INCR` round trip against `REDIS_URL`.

use redis::aio::MultiplexedConnection;
use serde_json::json;

use crate::datastore::Reconnecting;
use crate::response::Reply;

/// One Redis server.
pub(crate) struct Redis {
    client: redis::Client,
    key: String,
    connection: Reconnecting<MultiplexedConnection>,
}

impl Redis {
    /// Checks the URL (`redis://[:password@]host:port[/db]`); connects on first use.
    pub(crate) fn new(url: &str, service: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("invalid REDIS_URL: {e}"))?;
        Ok(Self { client, key: format!("plinth-demo:{service}:hits"), connection: Reconnecting::new("redis") })
    }

    pub(crate) async fn round_trip(&self) -> Reply {
        let connect = async { self.client.get_multiplexed_async_connection().await.map_err(|e| e.to_string()) };
        let increment = |mut connection: MultiplexedConnection| async move {
            let hits: i64 =
                redis::cmd("INCR").arg(&self.key).query_async(&mut connection).await.map_err(|e| e.to_string())?;
            Ok(json!({ "hits": hits }))
        };
        self.connection.round_trip(connect, increment).await
    }
}
