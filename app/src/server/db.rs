//! The database: one `AnyPool` over SQLite (embedded default) or PostgreSQL, chosen by
//! `DATABASE_URL` at run time. One set of queries serves both, on a portable schema (TEXT ids,
//! BIGINT epoch-ms, SMALLINT booleans, `$n` placeholders); migrations are per backend and embedded.

use sqlx::{
    AnyPool, Executor,
    any::{AnyPoolOptions, AnyRow, install_default_drivers},
    migrate::Migrator,
};

use super::config::Config;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Milliseconds since the Unix epoch: the only time representation in the schema.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// RFC 3339 UTC with milliseconds and `Z`, as the guide shows.
pub fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Db {
    /// The database's clock in epoch ms, as an SQL expression (one value throughout a
    /// statement): what several nodes share where their own clocks may disagree (the shared
    /// rate limits).
    pub fn now_ms_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS BIGINT)",
            Backend::Postgres => "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)",
        }
    }

    /// Connects (failing fast with a clear message when the server is unreachable).
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        install_default_drivers();
        let url = config.database_url.expose();
        let backend = if config.is_postgres() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let mut opts = AnyPoolOptions::new()
            .max_connections(config.db_max_connections)
            .acquire_timeout(config.db_connect_timeout);
        if backend == Backend::Sqlite {
            // These cannot go in an Any URL: WAL lets readers run beside the writer, and
            // busy_timeout makes concurrent writers wait instead of failing.
            opts = opts.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode=WAL;").await?;
                    conn.execute("PRAGMA busy_timeout=5000;").await?;
                    conn.execute("PRAGMA foreign_keys=ON;").await?;
                    conn.execute("PRAGMA synchronous=NORMAL;").await?;
                    Ok(())
                })
            });
        }
        let pool = opts.connect(url).await.map_err(|e| {
            anyhow::anyhow!("cannot connect to the database ({}): {e}", redact_url(url))
        })?;
        Ok(Self { pool, backend })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let m = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.run(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Rows that work is due on, of which each is claimed under a lease: the retention sweep's
/// checks, the notes of unfinished submissions, the outbox's deliveries. Several nodes (or
/// processes) claim from the same table; each row goes to one of them until its lease runs
/// out (a claimant that died leaves it to the next). The names are the code's own constants,
/// never input.
#[derive(Debug, Clone, Copy)]
pub struct LeasedRows {
    pub table: &'static str,
    /// The row's key (the claim updates the rows the inner query picks by it).
    pub key: &'static str,
    /// The column holding the lease's end (epoch ms, NULL when free).
    pub lease: &'static str,
    /// The column holding when the row falls due (epoch ms); the earliest are claimed first.
    pub due: &'static str,
    /// A further condition a row must meet ("" for none).
    pub only: &'static str,
    /// The columns the claim returns.
    pub returning: &'static str,
}

impl Db {
    /// Claims up to `limit` rows of `rows` that were due at `now` and whose lease is free or
    /// ran out, leasing them until `lease_until`. One statement: PostgreSQL skips the rows
    /// another transaction is claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.
    pub async fn claim_due(
        &self,
        rows: LeasedRows,
        limit: i64,
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let LeasedRows {
            table,
            key,
            lease,
            due,
            only,
            returning,
        } = rows;
        let lock = if self.backend == Backend::Postgres {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let only = if only.is_empty() {
            String::new()
        } else {
            format!("{only} AND ")
        };
        sqlx::query(&format!(
            "UPDATE {table} SET {lease} = $1 WHERE {key} IN (\
               SELECT {key} FROM {table} WHERE {only}{due} <= $2 \
               AND ({lease} IS NULL OR {lease} < $2) ORDER BY {due} LIMIT {limit} {lock}) \
             RETURNING {returning}",
            limit = limit.max(1)
        ))
        .bind(lease_until)
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }
}

/// The URL without its password, for error messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "<unparseable>".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_password() {
        assert_eq!(
            super::redact_url("postgres://u:pw@127.0.0.1:5432/db"),
            "postgres://u:***@127.0.0.1:5432/db"
        );
    }
}
