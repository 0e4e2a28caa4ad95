//! PostgreSQL LISTEN for the channels on which server processes tell each other of changes.

use sea_orm::DatabaseConnection;

/// What a listener hears.
pub(crate) enum Heard<'a> {
    /// It listens (again): whatever was announced before may have been missed.
    Listening,
    /// A notification with this payload.
    Payload(&'a str),
    /// The connection was lost: notifications may be missed until it listens again.
    Lost,
}

/// On PostgreSQL, calls `on` for each notification on `channel`, each time it starts listening and
/// each time it loses the connection, until `keep_going` says stop; reconnects 5 s after a failure.
pub(crate) async fn listen(
    db: DatabaseConnection,
    channel: &'static str,
    on: impl Fn(Heard<'_>),
    keep_going: impl Fn() -> bool,
) {
    use sea_orm::sqlx::postgres::PgListener;
    while keep_going() {
        let listening = async {
            let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
            listener.listen(channel).await?;
            on(Heard::Listening);
            loop {
                let notification = listener.recv().await?;
                on(Heard::Payload(notification.payload()));
            }
        };
        let result: Result<(), sea_orm::sqlx::Error> = listening.await;
        if let Err(e) = result {
            tracing::warn!(error = %e, channel, "listening for changes failed; retrying in 5 s");
        }
        on(Heard::Lost);
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}
