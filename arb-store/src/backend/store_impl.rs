// The `Store` implementation shared by both backends, compiled once per backend: `postgres.rs` and
// `sqlite.rs` each `include!` it after defining `Db`, `DbRow`, `DbConn`, `DecimalParam`,
// `decimal_param`, `get_decimal`, `get_opt_decimal`, `begin_write`, `MIGRATOR`,
// `MIGRATIONS_TABLE_EXISTS`, `NOW_MS`, `FOR_SHARE`, `SERIALIZE_BUDGET` and
// `ONE_TRADER_PER_DATABASE`. The SQL is the common dialect of PostgreSQL and SQLite (`$n`
// parameters, `ON CONFLICT … DO UPDATE`, `RETURNING`, `IS NOT DISTINCT FROM`).

use arb_core::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionRecord, Fill, Market, MarketKey,
    MatchSuggestion, NewPair, OpportunityId, OpportunityRecord, Order, OrderRecord, OrderRequest,
    PairAction, PairEvent, PairId, PairStatus, Position, Price, PriceSnapshot, Qty, SuggestionId,
    SuggestionStatus, VenueId, Verdict, VerdictKey, VerifiedPair,
};
use arb_core::store::{
    ExposureReservation, Fence, Lease, LeaseOwner, LeaseScope, OpportunityThrottle, Store,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::types::Json;

use crate::codec::{corrupt, enum_text, join_tagged, parse_enum, split_tagged, sql_limit, to_u32};
use crate::error::{from_migrate, from_sqlx};

/// The store over one connection pool.
pub(crate) struct Backend {
    pool: sqlx::Pool<Db>,
    throttle: OpportunityThrottle,
}

impl Backend {
    fn new(pool: sqlx::Pool<Db>, throttle: OpportunityThrottle) -> Self {
        Self { pool, throttle }
    }

    /// Refuses a database migrated by a newer program, then applies pending migrations
    /// (none when the schema is current).
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        self.schema_version().await?;
        MIGRATOR.run(&self.pool).await.map_err(from_migrate)
    }

    /// Refuses a database whose schema is not this program's (newer, or not yet migrated),
    /// writing nothing: for stores opened read-only.
    pub(crate) async fn check_schema(&self) -> Result<(), StoreError> {
        let supported = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        match self.schema_version().await? {
            Some(version) if version == supported => Ok(()),
            found => Err(StoreError::Config(format!(
                "the database schema is at version {} and this program needs {supported}: \
                 open it once with a command that writes (e.g. `markets sync`) to migrate it",
                found.unwrap_or(0)
            ))),
        }
    }

    /// The newest migration applied (`None`: never migrated); refuses one newer than this
    /// program's.
    async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let supported = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let migrated: bool = sqlx::query_scalar(MIGRATIONS_TABLE_EXISTS)
            .fetch_one(&self.pool)
            .await
            .map_err(from_sqlx)?;
        if !migrated {
            return Ok(None);
        }
        let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await
            .map_err(from_sqlx)?;
        match newest {
            Some(database) if database > supported => Err(StoreError::SchemaTooNew {
                database,
                supported,
            }),
            newest => Ok(newest),
        }
    }

    /// Closes every connection, waiting for them to finish.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

// ---- reading columns ----

fn get<'r, T>(row: &'r DbRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get(column).map_err(|e| corrupt(column, e))
}

fn get_json<T: DeserializeOwned>(row: &DbRow, column: &str) -> Result<T, StoreError> {
    let Json(value) = get::<Json<T>>(row, column)?;
    Ok(value)
}

fn get_enum<T: DeserializeOwned>(row: &DbRow, column: &str) -> Result<T, StoreError> {
    parse_enum(column, get::<String>(row, column)?)
}

fn get_key(row: &DbRow, venue: &str, market: &str) -> Result<MarketKey, StoreError> {
    Ok(MarketKey::new(
        get::<String>(row, venue)?,
        get::<String>(row, market)?,
    ))
}

fn get_price(row: &DbRow, column: &str) -> Result<Price, StoreError> {
    Price::new(get_decimal(row, column)?).map_err(|e| corrupt(column, e))
}

fn get_opt_price(row: &DbRow, column: &str) -> Result<Option<Price>, StoreError> {
    get_opt_decimal(row, column)?
        .map(|d| Price::new(d).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn get_qty(row: &DbRow, column: &str) -> Result<Qty, StoreError> {
    Qty::new(get_decimal(row, column)?).map_err(|e| corrupt(column, e))
}

fn opt_price_param(price: Option<Price>) -> Option<DecimalParam> {
    price.map(|p| decimal_param(p.value()))
}

// ---- rows into records ----

const MARKET_COLUMNS: &str = "SELECT venue, market_id, title, subtitle, rules, resolution_source, \
     close_time, status, status_result, price_grid, size_step, min_order_qty, fees, ext FROM events";

fn market_from_row(row: &DbRow) -> Result<Market, StoreError> {
    Ok(Market {
        key: get_key(row, "venue", "market_id")?,
        title: get(row, "title")?,
        subtitle: get(row, "subtitle")?,
        rules: get(row, "rules")?,
        resolution_source: get(row, "resolution_source")?,
        close_time: get(row, "close_time")?,
        status: join_tagged(
            "events.status",
            "state",
            "result",
            get(row, "status")?,
            get(row, "status_result")?,
        )?,
        price_grid: get_json(row, "price_grid")?,
        size_step: get_qty(row, "size_step")?,
        min_order_qty: get_qty(row, "min_order_qty")?,
        fees: get_json(row, "fees")?,
        ext: get_json(row, "ext")?,
    })
}

const SUGGESTION_COLUMNS: &str = "SELECT id, a_venue, a_market, b_venue, b_market, score, parts, \
     polarity, diffs, warnings, relation, settlement, status, created_at FROM match_suggestions";

fn suggestion_from_row(row: &DbRow) -> Result<MatchSuggestion, StoreError> {
    Ok(MatchSuggestion {
        id: Some(SuggestionId(get(row, "id")?)),
        a: get_key(row, "a_venue", "a_market")?,
        b: get_key(row, "b_venue", "b_market")?,
        score: get(row, "score")?,
        parts: get_json(row, "parts")?,
        polarity: get_enum(row, "polarity")?,
        diffs: get_json(row, "diffs")?,
        warnings: get_json(row, "warnings")?,
        relation: get_enum(row, "relation")?,
        settlement: get_json(row, "settlement")?,
        status: get_enum(row, "status")?,
        created_at: get(row, "created_at")?,
    })
}

const PAIR_COLUMNS: &str = "id, a_venue, a_market, b_venue, b_market, polarity, status, \
     rules_hash_a, rules_hash_b, approved_by, approved_at";

fn pair_from_row(row: &DbRow) -> Result<VerifiedPair, StoreError> {
    Ok(VerifiedPair {
        id: PairId(get(row, "id")?),
        a: get_key(row, "a_venue", "a_market")?,
        b: get_key(row, "b_venue", "b_market")?,
        polarity: get_enum(row, "polarity")?,
        status: get_enum(row, "status")?,
        rules_hash_a: get(row, "rules_hash_a")?,
        rules_hash_b: get(row, "rules_hash_b")?,
        approved_by: get(row, "approved_by")?,
        approved_at: get(row, "approved_at")?,
    })
}

fn pair_event_from_row(row: &DbRow) -> Result<PairEvent, StoreError> {
    Ok(PairEvent {
        pair_id: PairId(get(row, "pair_id")?),
        action: get_enum(row, "action")?,
        actor: get(row, "actor")?,
        reason: get(row, "reason")?,
        at: get(row, "at")?,
    })
}

fn opportunity_from_row(row: &DbRow) -> Result<OpportunityRecord, StoreError> {
    Ok(OpportunityRecord {
        id: Some(OpportunityId(get(row, "id")?)),
        opportunity: get_json(row, "plan")?,
        decision: join_tagged(
            "arbitrage_opportunities.decision",
            "kind",
            "detail",
            get(row, "decision")?,
            get(row, "decision_detail")?,
        )?,
    })
}

const EXECUTION_COLUMNS: &str = "SELECT id, pair_id, opportunity_id, plan, first_leg_venue, \
     first_leg_market, mode, state, hedge_attempts, note, created_at, updated_at FROM executions";

fn execution_from_row(row: &DbRow) -> Result<ExecutionRecord, StoreError> {
    Ok(ExecutionRecord {
        id: ExecutionId::from(get::<String>(row, "id")?),
        pair_id: PairId(get(row, "pair_id")?),
        opportunity_id: get::<Option<i64>>(row, "opportunity_id")?.map(OpportunityId),
        plan: get_json(row, "plan")?,
        first_leg: get_key(row, "first_leg_venue", "first_leg_market")?,
        mode: get_enum(row, "mode")?,
        state: get_enum(row, "state")?,
        hedge_attempts: to_u32("hedge_attempts", get(row, "hedge_attempts")?)?,
        note: get(row, "note")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

const ORDER_COLUMNS: &str = "SELECT client_order_id, execution_id, role, venue, market_id, \
     outcome, side, limit_price, qty, time_in_force, venue_order_id, status, filled_qty, \
     avg_fill_price, fees_paid, reason, updated_at FROM orders";

fn order_from_row(row: &DbRow) -> Result<OrderRecord, StoreError> {
    Ok(OrderRecord {
        execution_id: get::<Option<String>>(row, "execution_id")?.map(ExecutionId::from),
        role: get_enum(row, "role")?,
        order: Order {
            request: OrderRequest {
                client_order_id: ClientOrderId::from(get::<String>(row, "client_order_id")?),
                market: get_key(row, "venue", "market_id")?,
                outcome: get_enum(row, "outcome")?,
                side: get_enum(row, "side")?,
                limit_price: get_price(row, "limit_price")?,
                qty: get_qty(row, "qty")?,
                time_in_force: get_enum(row, "time_in_force")?,
            },
            venue_order_id: get::<Option<String>>(row, "venue_order_id")?.map(Into::into),
            status: get_enum(row, "status")?,
            filled_qty: get_qty(row, "filled_qty")?,
            avg_fill_price: get_opt_price(row, "avg_fill_price")?,
            fees_paid: get_decimal(row, "fees_paid")?,
            reason: get(row, "reason")?,
            updated_at: get(row, "updated_at")?,
        },
    })
}

fn fill_from_row(row: &DbRow) -> Result<Fill, StoreError> {
    Ok(Fill {
        fill_id: get::<String>(row, "fill_id")?.into(),
        market: get_key(row, "venue", "market_id")?,
        outcome: get_enum(row, "outcome")?,
        side: get_enum(row, "side")?,
        price: get_price(row, "price")?,
        qty: get_qty(row, "qty")?,
        fee: get_decimal(row, "fee")?,
        liquidity: get_enum(row, "liquidity")?,
        venue_order_id: get::<String>(row, "venue_order_id")?.into(),
        client_order_id: get::<Option<String>>(row, "client_order_id")?.map(Into::into),
        ts: get(row, "ts")?,
    })
}

fn position_from_row(row: &DbRow) -> Result<Position, StoreError> {
    Ok(Position {
        market: get_key(row, "venue", "market_id")?,
        outcome: get_enum(row, "outcome")?,
        qty: get_qty(row, "qty")?,
        avg_price: get_opt_price(row, "avg_price")?,
        fees_paid: get_decimal(row, "fees_paid")?,
        realized_pnl: get_decimal(row, "realized_pnl")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn price_from_row(row: &DbRow) -> Result<PriceSnapshot, StoreError> {
    Ok(PriceSnapshot {
        market: get_key(row, "venue", "market_id")?,
        yes_bid: get_opt_price(row, "yes_bid")?,
        yes_ask: get_opt_price(row, "yes_ask")?,
        no_bid: get_opt_price(row, "no_bid")?,
        no_ask: get_opt_price(row, "no_ask")?,
        as_of: get(row, "as_of")?,
    })
}

fn pnl_from_row(row: &DbRow) -> Result<DailyPnl, StoreError> {
    Ok(DailyPnl {
        date: get(row, "day")?,
        realized: get_decimal(row, "realized")?,
        locked_in: get_decimal(row, "locked_in")?,
        unrealized: get_decimal(row, "unrealized")?,
        fees: get_decimal(row, "fees")?,
        executions: to_u32("executions", get(row, "executions")?)?,
    })
}

fn verdict_from_row(row: &DbRow) -> Result<Verdict, StoreError> {
    Ok(Verdict {
        relation: get_enum(row, "relation")?,
        differences: get_json(row, "differences")?,
        model: get(row, "model")?,
    })
}

fn rows_into<T>(
    rows: Vec<DbRow>,
    convert: fn(&DbRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(convert).collect()
}

// ---- writes shared by several operations ----

async fn insert_pair_event(conn: &mut DbConn, event: &PairEvent) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO pair_events (pair_id, action, actor, reason, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(event.pair_id.0)
    .bind(enum_text(&event.action)?)
    .bind(event.actor.as_str())
    .bind(event.reason.as_str())
    .bind(event.at)
    .execute(conn)
    .await
    .map_err(from_sqlx)?;
    Ok(())
}

/// Inserts or updates an order; a different order under the same client order id changes nothing
/// (the `WHERE` of the upsert) and is reported as a conflict.
async fn upsert_order_on(conn: &mut DbConn, record: &OrderRecord) -> Result<(), StoreError> {
    let order = &record.order;
    let request = &order.request;
    let result = sqlx::query(
        "INSERT INTO orders (client_order_id, execution_id, role, venue, market_id, outcome, side, \
         limit_price, qty, time_in_force, venue_order_id, status, filled_qty, avg_fill_price, \
         fees_paid, reason, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (client_order_id) DO UPDATE SET role = excluded.role, \
         limit_price = excluded.limit_price, qty = excluded.qty, \
         time_in_force = excluded.time_in_force, venue_order_id = excluded.venue_order_id, \
         status = excluded.status, filled_qty = excluded.filled_qty, \
         avg_fill_price = excluded.avg_fill_price, fees_paid = excluded.fees_paid, \
         reason = excluded.reason, updated_at = excluded.updated_at \
         WHERE orders.execution_id IS NOT DISTINCT FROM excluded.execution_id \
         AND orders.venue = excluded.venue AND orders.market_id = excluded.market_id \
         AND orders.outcome = excluded.outcome AND orders.side = excluded.side",
    )
    .bind(request.client_order_id.as_str())
    .bind(record.execution_id.as_ref().map(ExecutionId::as_str))
    .bind(enum_text(&record.role)?)
    .bind(request.market.venue.as_str())
    .bind(request.market.market.as_str())
    .bind(enum_text(&request.outcome)?)
    .bind(enum_text(&request.side)?)
    .bind(decimal_param(request.limit_price.value()))
    .bind(decimal_param(request.qty.value()))
    .bind(enum_text(&request.time_in_force)?)
    .bind(order.venue_order_id.as_ref().map(|v| v.as_str()))
    .bind(enum_text(&order.status)?)
    .bind(decimal_param(order.filled_qty.value()))
    .bind(opt_price_param(order.avg_fill_price))
    .bind(decimal_param(order.fees_paid))
    .bind(order.reason.as_deref())
    .bind(order.updated_at)
    .execute(conn)
    .await
    .map_err(from_sqlx)?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "client order id {} already belongs to another order",
            request.client_order_id
        )));
    }
    Ok(())
}

async fn upsert_execution_on(
    conn: &mut DbConn,
    execution: &ExecutionRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO executions (id, pair_id, opportunity_id, plan, first_leg_venue, \
         first_leg_market, mode, state, terminal, hedge_attempts, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (id) DO UPDATE SET pair_id = excluded.pair_id, \
         opportunity_id = excluded.opportunity_id, plan = excluded.plan, \
         first_leg_venue = excluded.first_leg_venue, first_leg_market = excluded.first_leg_market, \
         mode = excluded.mode, state = excluded.state, terminal = excluded.terminal, \
         hedge_attempts = excluded.hedge_attempts, note = excluded.note, \
         created_at = excluded.created_at, updated_at = excluded.updated_at \
         WHERE executions.pair_id = excluded.pair_id",
    )
    .bind(execution.id.as_str())
    .bind(execution.pair_id.0)
    .bind(execution.opportunity_id.map(|o| o.0))
    .bind(Json(&execution.plan))
    .bind(execution.first_leg.venue.as_str())
    .bind(execution.first_leg.market.as_str())
    .bind(enum_text(&execution.mode)?)
    .bind(enum_text(&execution.state)?)
    .bind(execution.state.is_terminal())
    .bind(i64::from(execution.hedge_attempts))
    .bind(execution.note.as_deref())
    .bind(execution.created_at)
    .bind(execution.updated_at)
    .execute(conn)
    .await
    .map_err(from_sqlx)?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "execution {} belongs to another pair than {}",
            execution.id, execution.pair_id
        )));
    }
    Ok(())
}

// ---- leases ----

const LEASE_COLUMNS: &str = "SELECT name, owner, host, pid, lease_group, token, acquired_ms, \
     expires_ms FROM leases";

fn lease_from_row(row: &DbRow) -> Result<Lease, StoreError> {
    let name: String = get(row, "name")?;
    let scope = LeaseScope::parse(&name).ok_or_else(|| StoreError::Corrupt {
        what: "leases.name".to_owned(),
        message: format!("`{name}` is not a lease this program writes"),
    })?;
    let time = |column: &str| {
        let ms: i64 = get(row, column)?;
        chrono::DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt {
            what: format!("leases.{column}"),
            message: format!("{ms} ms is out of range"),
        })
    };
    Ok(Lease {
        scope,
        owner: LeaseOwner {
            id: get(row, "owner")?,
            host: get(row, "host")?,
            pid: u32::try_from(get::<i64>(row, "pid")?).map_err(|e| corrupt("leases.pid", e))?,
            group: get(row, "lease_group")?,
        },
        token: u64::try_from(get::<i64>(row, "token")?).map_err(|e| corrupt("leases.token", e))?,
        acquired_at: time("acquired_ms")?,
        expires_at: time("expires_ms")?,
    })
}

/// A lease's time to live in milliseconds.
fn ttl_ms(ttl: std::time::Duration) -> Result<i64, StoreError> {
    i64::try_from(ttl.as_millis())
        .map_err(|e| StoreError::Config(format!("lease time to live {ttl:?}: {e}")))
}

/// A fence's token as stored.
fn token_param(fence: Fence) -> Result<i64, StoreError> {
    i64::try_from(fence.token).map_err(|_| StoreError::StaleFence {
        fence,
        current: "the token is out of range".to_owned(),
    })
}

/// Refuses (before anything is written) a fenced write whose token is not the pair's current,
/// unexpired lease; on PostgreSQL the lease row stays locked until the write commits.
async fn check_fence_on(conn: &mut DbConn, fence: Fence) -> Result<(), StoreError> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT token, expires_ms, {NOW_MS} FROM leases WHERE name = $1{FOR_SHARE}"
    )))
    .bind(LeaseScope::Pair(fence.pair).name())
    .fetch_optional(conn)
    .await
    .map_err(from_sqlx)?;
    let token = token_param(fence)?;
    let current = match row {
        Some((t, expires, now)) if t == token && expires > now => return Ok(()),
        Some((t, _, _)) if t == token => "the lease has expired".to_owned(),
        Some((t, _, _)) => format!("the pair's lease is at token {t}"),
        None => "the pair has no lease".to_owned(),
    };
    Err(StoreError::StaleFence { fence, current })
}

/// Refuses a fence of another pair than the one the stored execution belongs to.
async fn check_fence_pair_on(
    conn: &mut DbConn,
    fence: Fence,
    execution: &ExecutionId,
) -> Result<(), StoreError> {
    let pair: Option<i64> = sqlx::query_scalar("SELECT pair_id FROM executions WHERE id = $1")
        .bind(execution.as_str())
        .fetch_optional(conn)
        .await
        .map_err(from_sqlx)?;
    match pair {
        Some(p) if p != fence.pair.0 => Err(StoreError::StaleFence {
            fence,
            current: format!("execution {execution} belongs to pair {p}"),
        }),
        _ => Ok(()),
    }
}

/// On a one-trader database, the live lease of another process, if any.
async fn other_trader_on(conn: &mut DbConn, owner: &LeaseOwner) -> Result<Option<Lease>, StoreError> {
    if !ONE_TRADER_PER_DATABASE {
        return Ok(None);
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LEASE_COLUMNS} WHERE owner <> $1 AND expires_ms > {NOW_MS} ORDER BY acquired_ms LIMIT 1"
    )))
    .bind(owner.id.as_str())
    .fetch_optional(conn)
    .await
    .map_err(from_sqlx)?
    .as_ref()
    .map(lease_from_row)
    .transpose()
}

#[async_trait]
impl Store for Backend {
    async fn upsert_markets(&self, markets: &[Market]) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        for m in markets {
            let (status, status_result) = split_tagged(&m.status, "state", "result")?;
            sqlx::query(
                "INSERT INTO events (venue, market_id, title, subtitle, rules, resolution_source, \
                 close_time, status, status_result, price_grid, size_step, min_order_qty, fees, ext) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (venue, market_id) DO UPDATE SET title = excluded.title, \
                 subtitle = excluded.subtitle, rules = excluded.rules, \
                 resolution_source = excluded.resolution_source, close_time = excluded.close_time, \
                 status = excluded.status, status_result = excluded.status_result, \
                 price_grid = excluded.price_grid, size_step = excluded.size_step, \
                 min_order_qty = excluded.min_order_qty, fees = excluded.fees, ext = excluded.ext",
            )
            .bind(m.key.venue.as_str())
            .bind(m.key.market.as_str())
            .bind(m.title.as_str())
            .bind(m.subtitle.as_str())
            .bind(m.rules.as_str())
            .bind(m.resolution_source.as_deref())
            .bind(m.close_time)
            .bind(status)
            .bind(status_result)
            .bind(Json(&m.price_grid))
            .bind(decimal_param(m.size_step.value()))
            .bind(decimal_param(m.min_order_qty.value()))
            .bind(Json(&m.fees))
            .bind(Json(&m.ext))
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        }
        tx.commit().await.map_err(from_sqlx)
    }

    async fn market(&self, key: &MarketKey) -> Result<Option<Market>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MARKET_COLUMNS} WHERE venue = $1 AND market_id = $2"
        )))
        .bind(key.venue.as_str())
        .bind(key.market.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(market_from_row)
        .transpose()
    }

    async fn markets<'a>(&self, venue: Option<&'a VenueId>) -> Result<Vec<Market>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MARKET_COLUMNS} WHERE ($1 IS NULL OR venue = $1)"
        )))
        .bind(venue.map(VenueId::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        let mut markets = rows_into(rows, market_from_row)?;
        markets.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(markets)
    }

    async fn insert_suggestions(
        &self,
        suggestions: &[MatchSuggestion],
    ) -> Result<Vec<SuggestionId>, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let mut ids = Vec::with_capacity(suggestions.len());
        for s in suggestions {
            // The conflict target is the partial unique index of open suggestions.
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO match_suggestions (a_venue, a_market, b_venue, b_market, score, \
                 parts, polarity, diffs, warnings, relation, settlement, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12) \
                 ON CONFLICT (a_venue, a_market, b_venue, b_market) WHERE status = 'open' \
                 DO UPDATE SET score = excluded.score, parts = excluded.parts, \
                 polarity = excluded.polarity, diffs = excluded.diffs, \
                 warnings = excluded.warnings, relation = excluded.relation, \
                 settlement = excluded.settlement, created_at = excluded.created_at \
                 RETURNING id",
            )
            .bind(s.a.venue.as_str())
            .bind(s.a.market.as_str())
            .bind(s.b.venue.as_str())
            .bind(s.b.market.as_str())
            .bind(s.score)
            .bind(Json(&s.parts))
            .bind(enum_text(&s.polarity)?)
            .bind(Json(&s.diffs))
            .bind(Json(&s.warnings))
            .bind(enum_text(&s.relation)?)
            .bind(Json(&s.settlement))
            .bind(s.created_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(from_sqlx)?;
            ids.push(SuggestionId(id));
        }
        tx.commit().await.map_err(from_sqlx)?;
        Ok(ids)
    }

    async fn suggestion(&self, id: SuggestionId) -> Result<Option<MatchSuggestion>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUGGESTION_COLUMNS} WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(suggestion_from_row)
        .transpose()
    }

    async fn suggestions(
        &self,
        status: Option<SuggestionStatus>,
        limit: usize,
    ) -> Result<Vec<MatchSuggestion>, StoreError> {
        let status = status.as_ref().map(enum_text).transpose()?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUGGESTION_COLUMNS} WHERE ($1 IS NULL OR status = $1) \
             ORDER BY score DESC, id LIMIT $2"
        )))
        .bind(status)
        .bind(sql_limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, suggestion_from_row)
    }

    async fn set_suggestion_status(
        &self,
        id: SuggestionId,
        status: SuggestionStatus,
    ) -> Result<(), StoreError> {
        let result = sqlx::query("UPDATE match_suggestions SET status = $1 WHERE id = $2")
            .bind(enum_text(&status)?)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("suggestion {id}")));
        }
        Ok(())
    }

    async fn insert_pair(&self, pair: &NewPair) -> Result<VerifiedPair, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM verified_pairs \
             WHERE a_venue = $1 AND a_market = $2 AND b_venue = $3 AND b_market = $4",
        )
        .bind(pair.a.venue.as_str())
        .bind(pair.a.market.as_str())
        .bind(pair.b.venue.as_str())
        .bind(pair.b.market.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        if existing.is_some() {
            return Err(StoreError::Conflict(format!(
                "{} and {} are already paired",
                pair.a, pair.b
            )));
        }
        if let Some(suggestion) = pair.suggestion {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM match_suggestions WHERE id = $1")
                    .bind(suggestion.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(from_sqlx)?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("suggestion {suggestion}")));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO verified_pairs (a_venue, a_market, b_venue, b_market, polarity, status, \
             rules_hash_a, rules_hash_b, approved_by, approved_at, suggestion_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(pair.a.venue.as_str())
        .bind(pair.a.market.as_str())
        .bind(pair.b.venue.as_str())
        .bind(pair.b.market.as_str())
        .bind(enum_text(&pair.polarity)?)
        .bind(enum_text(&PairStatus::Active)?)
        .bind(pair.rules_hash_a.as_str())
        .bind(pair.rules_hash_b.as_str())
        .bind(pair.approved_by.as_str())
        .bind(pair.approved_at)
        .bind(pair.suggestion.map(|s| s.0))
        .fetch_one(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        let stored = VerifiedPair {
            id: PairId(id),
            a: pair.a.clone(),
            b: pair.b.clone(),
            polarity: pair.polarity,
            status: PairStatus::Active,
            rules_hash_a: pair.rules_hash_a.clone(),
            rules_hash_b: pair.rules_hash_b.clone(),
            approved_by: pair.approved_by.clone(),
            approved_at: pair.approved_at,
        };
        let event = PairEvent {
            pair_id: stored.id,
            action: PairAction::Approved,
            actor: pair.approved_by.clone(),
            reason: pair.approval_reason(),
            at: pair.approved_at,
        };
        insert_pair_event(&mut tx, &event).await?;
        if let Some(suggestion) = pair.suggestion {
            sqlx::query("UPDATE match_suggestions SET status = $1 WHERE id = $2")
                .bind(enum_text(&SuggestionStatus::Approved)?)
                .bind(suggestion.0)
                .execute(&mut *tx)
                .await
                .map_err(from_sqlx)?;
        }
        tx.commit().await.map_err(from_sqlx)?;
        Ok(stored)
    }

    async fn pair(&self, id: PairId) -> Result<Option<VerifiedPair>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PAIR_COLUMNS} FROM verified_pairs WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(pair_from_row)
        .transpose()
    }

    async fn pairs(&self, status: Option<PairStatus>) -> Result<Vec<VerifiedPair>, StoreError> {
        let status = status.as_ref().map(enum_text).transpose()?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PAIR_COLUMNS} FROM verified_pairs \
             WHERE ($1 IS NULL OR status = $1) ORDER BY id"
        )))
        .bind(status)
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, pair_from_row)
    }

    async fn set_pair_status(
        &self,
        id: PairId,
        status: PairStatus,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE verified_pairs SET status = $1 WHERE id = $2 RETURNING {PAIR_COLUMNS}"
        )))
        .bind(enum_text(&status)?)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(from_sqlx)?
        .ok_or_else(|| StoreError::NotFound(format!("pair {id}")))?;
        let updated = pair_from_row(&row)?;
        insert_pair_event(&mut tx, event).await?;
        tx.commit().await.map_err(from_sqlx)?;
        Ok(updated)
    }

    async fn reapprove_pair(
        &self,
        id: PairId,
        rules_hash_a: &str,
        rules_hash_b: &str,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE verified_pairs SET status = $1, rules_hash_a = $2, rules_hash_b = $3 \
             WHERE id = $4 RETURNING {PAIR_COLUMNS}"
        )))
        .bind(enum_text(&PairStatus::Active)?)
        .bind(rules_hash_a)
        .bind(rules_hash_b)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(from_sqlx)?
        .ok_or_else(|| StoreError::NotFound(format!("pair {id}")))?;
        let updated = pair_from_row(&row)?;
        insert_pair_event(&mut tx, event).await?;
        tx.commit().await.map_err(from_sqlx)?;
        Ok(updated)
    }

    async fn pair_events(&self, id: PairId) -> Result<Vec<PairEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT pair_id, action, actor, reason, at FROM pair_events \
             WHERE pair_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, pair_event_from_row)
    }

    async fn record_opportunity(
        &self,
        record: &OpportunityRecord,
    ) -> Result<Option<OpportunityId>, StoreError> {
        if !self.throttle.admit(record) {
            return Ok(None);
        }
        let opp = &record.opportunity;
        let (decision, detail) = split_tagged(&record.decision, "kind", "detail")?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO arbitrage_opportunities (pair_id, qty, total_cost, profit, \
             profit_fraction, detected_at, decision, decision_detail, plan) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(opp.pair_id.0)
        .bind(decimal_param(opp.qty.value()))
        .bind(decimal_param(opp.total_cost))
        .bind(decimal_param(opp.profit))
        .bind(decimal_param(opp.profit_fraction))
        .bind(opp.detected_at)
        .bind(decision)
        .bind(detail)
        .bind(Json(opp))
        .fetch_one(&self.pool)
        .await
        .map_err(from_sqlx)?;
        Ok(Some(OpportunityId(id)))
    }

    async fn opportunities(
        &self,
        pair: Option<PairId>,
        limit: usize,
    ) -> Result<Vec<OpportunityRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, decision, decision_detail, plan FROM arbitrage_opportunities \
             WHERE ($1 IS NULL OR pair_id = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(pair.map(|p| p.0))
        .bind(sql_limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, opportunity_from_row)
    }

    async fn save_execution(
        &self,
        fence: Fence,
        execution: &ExecutionRecord,
        orders: &[OrderRecord],
    ) -> Result<(), StoreError> {
        if execution.pair_id != fence.pair {
            return Err(StoreError::StaleFence {
                fence,
                current: format!("execution {} belongs to pair {}", execution.id, execution.pair_id),
            });
        }
        let mut tx = begin_write(&self.pool).await?;
        check_fence_on(&mut tx, fence).await?;
        upsert_execution_on(&mut tx, execution).await?;
        for order in orders {
            // An error returns before the commit: dropping `tx` rolls everything back.
            upsert_order_on(&mut tx, order).await?;
        }
        tx.commit().await.map_err(from_sqlx)
    }

    async fn execution(&self, id: &ExecutionId) -> Result<Option<ExecutionRecord>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EXECUTION_COLUMNS} WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(execution_from_row)
        .transpose()
    }

    async fn open_executions(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EXECUTION_COLUMNS} WHERE NOT terminal ORDER BY seq"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, execution_from_row)
    }

    async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EXECUTION_COLUMNS} ORDER BY seq DESC LIMIT $1"
        )))
        .bind(sql_limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, execution_from_row)
    }

    async fn upsert_order(&self, fence: Fence, order: &OrderRecord) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        check_fence_on(&mut tx, fence).await?;
        if let Some(execution) = &order.execution_id {
            check_fence_pair_on(&mut tx, fence, execution).await?;
        }
        upsert_order_on(&mut tx, order).await?;
        tx.commit().await.map_err(from_sqlx)
    }

    async fn order(&self, id: &ClientOrderId) -> Result<Option<OrderRecord>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ORDER_COLUMNS} WHERE client_order_id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(order_from_row)
        .transpose()
    }

    async fn execution_orders(&self, id: &ExecutionId) -> Result<Vec<OrderRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ORDER_COLUMNS} WHERE execution_id = $1 ORDER BY seq"
        )))
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, order_from_row)
    }

    async fn insert_fills(&self, fills: &[Fill]) -> Result<usize, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let mut added: u64 = 0;
        for f in fills {
            let result = sqlx::query(
                "INSERT INTO fills (venue, fill_id, market_id, outcome, side, price, qty, fee, \
                 liquidity, venue_order_id, client_order_id, ts) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (venue, fill_id) DO NOTHING",
            )
            .bind(f.market.venue.as_str())
            .bind(f.fill_id.as_str())
            .bind(f.market.market.as_str())
            .bind(enum_text(&f.outcome)?)
            .bind(enum_text(&f.side)?)
            .bind(decimal_param(f.price.value()))
            .bind(decimal_param(f.qty.value()))
            .bind(decimal_param(f.fee))
            .bind(enum_text(&f.liquidity)?)
            .bind(f.venue_order_id.as_str())
            .bind(f.client_order_id.as_ref().map(ClientOrderId::as_str))
            .bind(f.ts)
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
            added += result.rows_affected();
        }
        tx.commit().await.map_err(from_sqlx)?;
        usize::try_from(added).map_err(|e| corrupt("fills", e))
    }

    async fn fills<'a>(&self, market: Option<&'a MarketKey>) -> Result<Vec<Fill>, StoreError> {
        let rows = sqlx::query(
            "SELECT fill_id, venue, market_id, outcome, side, price, qty, fee, liquidity, \
             venue_order_id, client_order_id, ts FROM fills \
             WHERE ($1 IS NULL OR (venue = $1 AND market_id = $2)) ORDER BY seq",
        )
        .bind(market.map(|m| m.venue.as_str()))
        .bind(market.map(|m| m.market.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, fill_from_row)
    }

    async fn upsert_positions(&self, positions: &[Position]) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        for p in positions {
            sqlx::query(
                "INSERT INTO positions (venue, market_id, outcome, qty, avg_price, fees_paid, \
                 realized_pnl, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (venue, market_id, outcome) DO UPDATE SET qty = excluded.qty, \
                 avg_price = excluded.avg_price, fees_paid = excluded.fees_paid, \
                 realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at",
            )
            .bind(p.market.venue.as_str())
            .bind(p.market.market.as_str())
            .bind(enum_text(&p.outcome)?)
            .bind(decimal_param(p.qty.value()))
            .bind(opt_price_param(p.avg_price))
            .bind(decimal_param(p.fees_paid))
            .bind(decimal_param(p.realized_pnl))
            .bind(p.updated_at)
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        }
        tx.commit().await.map_err(from_sqlx)
    }

    async fn positions(&self) -> Result<Vec<Position>, StoreError> {
        let rows = sqlx::query(
            "SELECT venue, market_id, outcome, qty, avg_price, fees_paid, realized_pnl, \
             updated_at FROM positions",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        let mut positions = rows_into(rows, position_from_row)?;
        positions.sort_by(|a, b| (&a.market, a.outcome).cmp(&(&b.market, b.outcome)));
        Ok(positions)
    }

    async fn put_prices(&self, snapshots: &[PriceSnapshot]) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        for s in snapshots {
            sqlx::query(
                "INSERT INTO price_cache (venue, market_id, yes_bid, yes_ask, no_bid, no_ask, \
                 as_of) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (venue, market_id) DO UPDATE SET yes_bid = excluded.yes_bid, \
                 yes_ask = excluded.yes_ask, no_bid = excluded.no_bid, no_ask = excluded.no_ask, \
                 as_of = excluded.as_of",
            )
            .bind(s.market.venue.as_str())
            .bind(s.market.market.as_str())
            .bind(opt_price_param(s.yes_bid))
            .bind(opt_price_param(s.yes_ask))
            .bind(opt_price_param(s.no_bid))
            .bind(opt_price_param(s.no_ask))
            .bind(s.as_of)
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        }
        tx.commit().await.map_err(from_sqlx)
    }

    async fn price(&self, market: &MarketKey) -> Result<Option<PriceSnapshot>, StoreError> {
        sqlx::query(
            "SELECT venue, market_id, yes_bid, yes_ask, no_bid, no_ask, as_of FROM price_cache \
             WHERE venue = $1 AND market_id = $2",
        )
        .bind(market.venue.as_str())
        .bind(market.market.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(price_from_row)
        .transpose()
    }

    async fn put_setting<'a>(&self, key: &str, value: Option<&'a str>) -> Result<(), StoreError> {
        let query = match value {
            Some(v) => sqlx::query(
                "INSERT INTO engine_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(v),
            None => sqlx::query("DELETE FROM engine_settings WHERE key = $1").bind(key),
        };
        query.execute(&self.pool).await.map_err(from_sqlx)?;
        Ok(())
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM engine_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(from_sqlx)?;
        row.map(|r| r.try_get::<String, _>("value").map_err(from_sqlx))
            .transpose()
    }

    async fn verdict(&self, key: &VerdictKey) -> Result<Option<Verdict>, StoreError> {
        sqlx::query(
            "SELECT relation, differences, model FROM verifier_verdicts \
             WHERE rules_hash_a = $1 AND rules_hash_b = $2 AND context_hash = $3",
        )
        .bind(key.rules_hash_a.as_str())
        .bind(key.rules_hash_b.as_str())
        .bind(key.context_hash.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(verdict_from_row)
        .transpose()
    }

    async fn put_verdict(
        &self,
        key: &VerdictKey,
        verdict: &Verdict,
        judged_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO verifier_verdicts (rules_hash_a, rules_hash_b, context_hash, relation, \
             differences, model, judged_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (rules_hash_a, rules_hash_b, context_hash) DO UPDATE SET \
             relation = excluded.relation, differences = excluded.differences, \
             model = excluded.model, judged_at = excluded.judged_at",
        )
        .bind(key.rules_hash_a.as_str())
        .bind(key.rules_hash_b.as_str())
        .bind(key.context_hash.as_str())
        .bind(enum_text(&verdict.relation)?)
        .bind(Json(&verdict.differences))
        .bind(verdict.model.as_str())
        .bind(judged_at)
        .execute(&self.pool)
        .await
        .map_err(from_sqlx)?;
        Ok(())
    }

    async fn acquire_lease(
        &self,
        scope: &LeaseScope,
        owner: &LeaseOwner,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        if let Some(other) = other_trader_on(&mut tx, owner).await? {
            return Err(StoreError::TraderRunning(Box::new(other)));
        }
        // Free, expired or already the owner's: taken with the next token, in one statement.
        let taken = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO leases (name, owner, host, pid, lease_group, token, acquired_ms, \
             expires_ms) VALUES ($1, $2, $3, $4, $5, 1, {NOW_MS}, {NOW_MS} + $6) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, host = excluded.host, \
             pid = excluded.pid, lease_group = excluded.lease_group, token = leases.token + 1, \
             acquired_ms = excluded.acquired_ms, expires_ms = excluded.expires_ms \
             WHERE leases.expires_ms <= excluded.acquired_ms OR leases.owner = excluded.owner \
             RETURNING name, owner, host, pid, lease_group, token, acquired_ms, expires_ms"
        )))
        .bind(scope.name())
        .bind(owner.id.as_str())
        .bind(owner.host.as_str())
        .bind(i64::from(owner.pid))
        .bind(owner.group.as_str())
        .bind(ttl_ms(ttl)?)
        .fetch_optional(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        if let Some(row) = taken {
            let lease = lease_from_row(&row)?;
            tx.commit().await.map_err(from_sqlx)?;
            return Ok(lease);
        }
        let holder = sqlx::query(sqlx::AssertSqlSafe(format!("{LEASE_COLUMNS} WHERE name = $1")))
            .bind(scope.name())
            .fetch_one(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        Err(StoreError::LeaseHeld(Box::new(lease_from_row(&holder)?)))
    }

    async fn renew_lease(
        &self,
        lease: &Lease,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        let token = i64::try_from(lease.token).unwrap_or(i64::MAX);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE leases SET expires_ms = {NOW_MS} + $1 \
             WHERE name = $2 AND owner = $3 AND token = $4 \
             RETURNING name, owner, host, pid, lease_group, token, acquired_ms, expires_ms"
        )))
        .bind(ttl_ms(ttl)?)
        .bind(lease.scope.name())
        .bind(lease.owner.id.as_str())
        .bind(token)
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?
        .as_ref()
        .map(lease_from_row)
        .transpose()?
        .ok_or_else(|| StoreError::LeaseLost {
            scope: lease.scope.name(),
            token: lease.token,
        })
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        let token = i64::try_from(lease.token).unwrap_or(i64::MAX);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE leases SET expires_ms = {NOW_MS} \
             WHERE name = $1 AND owner = $2 AND token = $3 AND expires_ms > {NOW_MS}"
        )))
        .bind(lease.scope.name())
        .bind(lease.owner.id.as_str())
        .bind(token)
        .execute(&self.pool)
        .await
        .map_err(from_sqlx)?;
        Ok(())
    }

    async fn leases(&self) -> Result<Vec<Lease>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{LEASE_COLUMNS} WHERE expires_ms > {NOW_MS} ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, lease_from_row)
    }

    async fn reserve_exposure(
        &self,
        reservation: &ExposureReservation,
        committed: arb_core::Decimal,
        limit: arb_core::Decimal,
    ) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(SERIALIZE_BUDGET)
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM exposure_reservations WHERE expires_ms <= {NOW_MS}"
        )))
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        let rows = sqlx::query("SELECT amount FROM exposure_reservations")
            .fetch_all(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        let mut reserved = arb_core::Decimal::ZERO;
        for row in &rows {
            reserved += get_decimal(row, "amount")?;
        }
        arb_core::store::check_budget(committed, reserved, reservation.amount, limit)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO exposure_reservations (id, owner, amount, expires_ms) \
             VALUES ($1, $2, $3, {NOW_MS} + $4)"
        )))
        .bind(reservation.id.as_str())
        .bind(reservation.owner.as_str())
        .bind(decimal_param(reservation.amount))
        .bind(ttl_ms(reservation.ttl)?)
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        tx.commit().await.map_err(from_sqlx)
    }

    async fn upsert_daily_pnl(&self, pnl: &DailyPnl) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO daily_pnl (day, realized, locked_in, unrealized, fees, executions) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (day) DO UPDATE SET realized = excluded.realized, \
             locked_in = excluded.locked_in, unrealized = excluded.unrealized, \
             fees = excluded.fees, executions = excluded.executions",
        )
        .bind(pnl.date)
        .bind(decimal_param(pnl.realized))
        .bind(decimal_param(pnl.locked_in))
        .bind(decimal_param(pnl.unrealized))
        .bind(decimal_param(pnl.fees))
        .bind(i64::from(pnl.executions))
        .execute(&self.pool)
        .await
        .map_err(from_sqlx)?;
        Ok(())
    }

    async fn daily_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyPnl>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, realized, locked_in, unrealized, fees, executions FROM daily_pnl \
             WHERE day >= $1 AND day <= $2 ORDER BY day",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(from_sqlx)?;
        rows_into(rows, pnl_from_row)
    }
}
