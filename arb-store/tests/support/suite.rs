//! The conformance suite of the `Store` trait: every case runs unchanged against `MemoryStore`
//! (the reference semantics), SQLite and PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use arb_core::model::{
    ClientOrderId, ExecutionId, ExecutionState, OpportunityDecision, OrderRole, OrderStatus,
    Outcome, PairAction, PairEvent, PairId, PairStatus, Relation, Side, SuggestionId,
    SuggestionStatus, VenueId, Verdict, VerdictKey, WarningKind,
};
use arb_core::store::{ExposureReservation, Lease, LeaseScope, Store, StoreError};
use rust_decimal_macros::dec;

use super::fixtures::*;

pub async fn markets_round_trip(store: Arc<dyn Store>) {
    let k = kalshi_market("FED-MAR");
    let p = poly_market("fed-march");
    let k2 = kalshi_market("CPI-APR");
    store
        .upsert_markets(&[p.clone(), k.clone(), k2.clone()])
        .await
        .expect("upsert");
    assert_eq!(store.market(&k.key).await.expect("read"), Some(k.clone()));
    let back = store.market(&p.key).await.expect("read").expect("stored");
    assert_eq!(back, p);
    assert_eq!(
        back.ext.get::<Tokens>().expect("typed ext"),
        p.ext.get::<Tokens>().expect("typed ext")
    );
    assert_eq!(back.size_step.value().to_string(), "0.000001");
    assert_eq!(
        store.markets(None).await.expect("all"),
        vec![k2.clone(), k.clone(), p.clone()],
        "sorted by venue, then market id"
    );
    assert_eq!(
        store
            .markets(Some(&VenueId::new("kalshi")))
            .await
            .expect("one venue"),
        vec![k2, k.clone()]
    );
    assert_eq!(store.market(&kalshi("NOPE")).await.expect("read"), None);

    let mut changed = k.clone();
    changed.status = arb_core::model::MarketStatus::Paused;
    changed.resolution_source = None;
    changed.rules.push_str(" Amended.");
    store
        .upsert_markets(std::slice::from_ref(&changed))
        .await
        .expect("replace");
    assert_eq!(store.market(&k.key).await.expect("read"), Some(changed));
    assert_eq!(store.markets(None).await.expect("all").len(), 3);
}

pub async fn suggestions_replace_open_ones_and_sort_by_score(store: Arc<dyn Store>) {
    let low = suggestion("CPI-APR", "cpi-april", 42.25);
    let high = suggestion("FED-MAR", "fed-march", 87.5);
    let ids = store
        .insert_suggestions(&[low.clone(), high.clone()])
        .await
        .expect("insert");
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);

    let stored = store
        .suggestion(ids[1])
        .await
        .expect("read")
        .expect("stored");
    let mut expected = high.clone();
    expected.id = Some(ids[1]);
    assert_eq!(stored, expected);

    // A new suggestion for the same two markets replaces the open one, keeping its id.
    let mut rescored = high.clone();
    rescored.score = 93.75;
    rescored.warnings = vec![];
    rescored.relation = Relation::Subset;
    rescored.settlement = vec![];
    rescored.created_at = at(11);
    let again = store
        .insert_suggestions(std::slice::from_ref(&rescored))
        .await
        .expect("replace");
    assert_eq!(again, vec![ids[1]]);
    let open = store
        .suggestions(Some(SuggestionStatus::Open), 10)
        .await
        .expect("list");
    assert_eq!(
        open.iter().map(|s| (s.id, s.score)).collect::<Vec<_>>(),
        vec![(Some(ids[1]), 93.75), (Some(ids[0]), 42.25)]
    );
    assert!(open[0].warnings.is_empty());
    assert_eq!(
        open[0].relation,
        Relation::Subset,
        "the relation is replaced too"
    );
    assert!(open[0].settlement.is_empty());
    assert_eq!(open[1].relation, Relation::Inverse);
    assert_eq!(open[1].settlement[0].kind, WarningKind::Tie);
    assert_eq!(
        store.suggestions(None, 1).await.expect("limited").len(),
        1,
        "limit is honoured"
    );

    store
        .set_suggestion_status(ids[0], SuggestionStatus::Dismissed)
        .await
        .expect("dismiss");
    let open = store
        .suggestions(Some(SuggestionStatus::Open), 10)
        .await
        .expect("list");
    assert_eq!(open.len(), 1);
    let dismissed = store
        .suggestions(Some(SuggestionStatus::Dismissed), 10)
        .await
        .expect("list");
    assert_eq!(dismissed.len(), 1);
    assert_eq!(dismissed[0].id, Some(ids[0]));

    // Once dismissed, suggesting the same markets again makes a new suggestion.
    let fresh = store
        .insert_suggestions(&[low])
        .await
        .expect("insert again");
    assert_ne!(fresh[0], ids[0]);

    let missing = store
        .set_suggestion_status(SuggestionId(999_999), SuggestionStatus::Approved)
        .await
        .expect_err("no such suggestion");
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");
}

pub async fn pairs_are_approved_paused_and_audited_atomically(store: Arc<dyn Store>) {
    let ids = store
        .insert_suggestions(&[suggestion("FED-MAR", "fed-march", 87.5)])
        .await
        .expect("suggest");
    let pair = store
        .insert_pair(&new_pair("FED-MAR", "fed-march", Some(ids[0])))
        .await
        .expect("approve");
    assert_eq!(pair.status, PairStatus::Active);
    assert_eq!(pair.a, kalshi("FED-MAR"));
    assert_eq!(pair.approved_at, at(20));
    assert_eq!(store.pair(pair.id).await.expect("read"), Some(pair.clone()));
    let suggestion = store.suggestion(ids[0]).await.expect("read").expect("kept");
    assert_eq!(suggestion.status, SuggestionStatus::Approved);
    let approved = PairEvent {
        pair_id: pair.id,
        action: PairAction::Approved,
        actor: "alice#1234".into(),
        reason: "approved with polarity inverse".into(),
        at: at(20),
    };
    assert_eq!(
        store.pair_events(pair.id).await.expect("events"),
        vec![approved.clone()]
    );

    let duplicate = store
        .insert_pair(&new_pair("FED-MAR", "fed-march", None))
        .await
        .expect_err("already paired");
    assert!(
        matches!(duplicate, StoreError::Conflict(_)),
        "{duplicate:?}"
    );

    let unknown = store
        .insert_pair(&new_pair(
            "CPI-APR",
            "cpi-april",
            Some(SuggestionId(999_999)),
        ))
        .await
        .expect_err("unknown suggestion");
    assert!(matches!(unknown, StoreError::NotFound(_)), "{unknown:?}");
    assert_eq!(
        store.pairs(None).await.expect("list"),
        vec![pair.clone()],
        "a refused approval stores nothing"
    );

    let second = store
        .insert_pair(&new_pair("CPI-APR", "cpi-april", None))
        .await
        .expect("approve without a suggestion");
    let pause = PairEvent {
        pair_id: pair.id,
        action: PairAction::Paused,
        actor: "engine".into(),
        reason: "execution x-1 ended unhedged".into(),
        at: at(25),
    };
    let paused = store
        .set_pair_status(pair.id, PairStatus::Paused, &pause)
        .await
        .expect("pause");
    assert_eq!(paused.status, PairStatus::Paused);
    assert_eq!(store.pair(pair.id).await.expect("read"), Some(paused));
    assert_eq!(
        store.pair_events(pair.id).await.expect("events"),
        vec![approved, pause.clone()]
    );
    assert_eq!(
        store.pairs(Some(PairStatus::Active)).await.expect("active"),
        vec![second.clone()]
    );
    assert_eq!(
        store
            .pairs(None)
            .await
            .expect("all")
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![pair.id, second.id],
        "ordered by id"
    );

    let missing = store
        .set_pair_status(PairId(999_999), PairStatus::Active, &pause)
        .await
        .expect_err("no such pair");
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");
}

pub async fn opportunities_are_throttled_but_executions_always_kept(store: Arc<dyn Store>) {
    let pair = PairId(7);
    let first = opportunity_record(pair, 0, dec!(26.218288), OpportunityDecision::Observed);
    let id1 = store
        .record_opportunity(&first)
        .await
        .expect("record")
        .expect("first one is kept");
    // Same pair, 1 s later, profit unchanged: throttled.
    let repeat = opportunity_record(pair, 1, dec!(26.218288), OpportunityDecision::Observed);
    assert_eq!(
        store.record_opportunity(&repeat).await.expect("record"),
        None
    );
    // Executed ones are always kept, however soon.
    let executed = opportunity_record(
        pair,
        2,
        dec!(26.218288),
        OpportunityDecision::Executed(ExecutionId::new("x-1")),
    );
    let id2 = store
        .record_opportunity(&executed)
        .await
        .expect("record")
        .expect("executed is kept");
    // A material profit change passes the throttle.
    let moved = opportunity_record(
        pair,
        3,
        dec!(12345678.000001),
        OpportunityDecision::Refused("daily loss limit reached".into()),
    );
    let id3 = store
        .record_opportunity(&moved)
        .await
        .expect("record")
        .expect("material change is kept");
    // Another pair is throttled separately.
    let other = opportunity_record(PairId(8), 3, dec!(1), OpportunityDecision::Observed);
    let id4 = store
        .record_opportunity(&other)
        .await
        .expect("record")
        .expect("other pair");

    let with_id = |mut r: arb_core::model::OpportunityRecord, id| {
        r.id = Some(id);
        r
    };
    assert_eq!(
        store.opportunities(Some(pair), 10).await.expect("list"),
        vec![
            with_id(moved, id3),
            with_id(executed, id2),
            with_id(first, id1)
        ],
        "newest first, exact"
    );
    let newest = store.opportunities(None, 2).await.expect("list");
    assert_eq!(
        newest.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![Some(id4), Some(id3)]
    );
    assert_eq!(
        newest[1].opportunity.profit_fraction.to_string(),
        "0.2109578917270411826354771245"
    );
    assert!(
        store
            .opportunities(Some(PairId(9)), 10)
            .await
            .expect("list")
            .is_empty()
    );
}

pub async fn executions_and_orders_round_trip(store: Arc<dyn Store>) {
    let pair = PairId(3);
    let fence = fence(store.as_ref(), pair).await;
    let planned = execution("x-1", pair, ExecutionState::FirstLegSent);
    let first = order("c-1", Some("x-1"));
    let mut second = order("c-2", Some("x-1"));
    second.role = OrderRole::SecondLeg;
    second.order.request.market = poly("fed-march");
    second.order.request.outcome = Outcome::No;
    store
        .save_execution(fence, &planned, &[first.clone(), second.clone()])
        .await
        .expect("save");
    assert_eq!(
        store.execution(&planned.id).await.expect("read"),
        Some(planned.clone())
    );
    let stored = store.order(&ClientOrderId::new("c-1")).await.expect("read");
    assert_eq!(stored, Some(first.clone()));
    let stored = stored.expect("present");
    assert_eq!(
        stored.order.request.qty.value().to_string(),
        "12345678.000001"
    );
    assert_eq!(
        stored.order.request.limit_price.value().to_string(),
        "0.123456"
    );

    // The state moves on together with an order update.
    let mut done = planned.clone();
    done.state = ExecutionState::Hedged;
    done.hedge_attempts = 3;
    done.note = None;
    done.updated_at = at(45);
    let filled = partially_filled(&first);
    store
        .save_execution(fence, &done, std::slice::from_ref(&filled))
        .await
        .expect("update");
    assert_eq!(
        store.execution(&done.id).await.expect("read"),
        Some(done.clone())
    );
    assert_eq!(
        store.execution_orders(&done.id).await.expect("orders"),
        vec![filled.clone(), second],
        "in the order first stored, latest state"
    );
    let back = store
        .order(&ClientOrderId::new("c-1"))
        .await
        .expect("read")
        .expect("present");
    assert_eq!(back.order.fees_paid.to_string(), "12345678.000001");
    assert_eq!(
        back.order.avg_fill_price.map(|p| p.value().to_string()),
        Some("0.120001".to_owned())
    );

    // Open executions (to recover at start-up) are the non-terminal ones, oldest first.
    let mut other = execution("x-2", pair, ExecutionState::Hedging);
    other.opportunity_id = Some(arb_core::model::OpportunityId(11));
    let third = execution("x-3", pair, ExecutionState::Planned);
    store
        .save_execution(fence, &other, &[])
        .await
        .expect("save");
    store
        .save_execution(fence, &third, &[])
        .await
        .expect("save");
    assert_eq!(
        store.open_executions().await.expect("open"),
        vec![other.clone(), third.clone()]
    );
    assert_eq!(
        store
            .executions(2)
            .await
            .expect("recent")
            .iter()
            .map(|e| e.id.as_str().to_owned())
            .collect::<Vec<_>>(),
        vec!["x-3", "x-2"],
        "newest first"
    );
    assert_eq!(store.executions(10).await.expect("all").len(), 3);
    assert_eq!(
        store
            .execution(&ExecutionId::new("nope"))
            .await
            .expect("read"),
        None
    );
    assert!(
        store
            .execution_orders(&ExecutionId::new("x-2"))
            .await
            .expect("orders")
            .is_empty()
    );
}

pub async fn client_order_ids_are_unique(store: Arc<dyn Store>) {
    let fence = fence(store.as_ref(), PairId(3)).await;
    let original = order("c-1", Some("x-1"));
    store.upsert_order(fence, &original).await.expect("insert");

    let mut other_market = order("c-1", Some("x-1"));
    other_market.order.request.market = kalshi("CPI-APR");
    let mut other_side = order("c-1", Some("x-1"));
    other_side.order.request.side = Side::Sell;
    let mut other_outcome = order("c-1", Some("x-1"));
    other_outcome.order.request.outcome = Outcome::No;
    let other_execution = order("c-1", Some("x-9"));
    let no_execution = order("c-1", None);
    for reuse in [
        other_market,
        other_side,
        other_outcome,
        other_execution,
        no_execution,
    ] {
        let err = store
            .upsert_order(fence, &reuse)
            .await
            .expect_err("client order id reused for another order");
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    }
    assert_eq!(
        store.order(&ClientOrderId::new("c-1")).await.expect("read"),
        Some(original.clone()),
        "a refused reuse changes nothing"
    );

    // The same order with a new state is an update, not a conflict.
    let mut update = partially_filled(&original);
    update.order.status = OrderStatus::Filled;
    store.upsert_order(fence, &update).await.expect("update");
    assert_eq!(
        store.order(&ClientOrderId::new("c-1")).await.expect("read"),
        Some(update)
    );

    // Orders without an execution are keyed the same way.
    let lone = order("c-lone", None);
    store.upsert_order(fence, &lone).await.expect("insert");
    store
        .upsert_order(fence, &partially_filled(&lone))
        .await
        .expect("update");
    assert_eq!(
        store
            .order(&ClientOrderId::new("c-lone"))
            .await
            .expect("read"),
        Some(partially_filled(&lone))
    );
    assert_eq!(
        store
            .order(&ClientOrderId::new("nope"))
            .await
            .expect("read"),
        None
    );
}

pub async fn failed_execution_update_leaves_no_partial_state(store: Arc<dyn Store>) {
    let pair = PairId(3);
    let fence = fence(store.as_ref(), pair).await;
    let sent = execution("x-1", pair, ExecutionState::FirstLegSent);
    let first = order("c-1", Some("x-1"));
    store
        .save_execution(fence, &sent, std::slice::from_ref(&first))
        .await
        .expect("save");
    store
        .upsert_order(fence, &order("c-foreign", Some("x-other")))
        .await
        .expect("another execution's order");

    // The next step updates the state, fills the first order, adds a hedge order — and reuses a
    // client order id of another execution. Nothing of it may be written.
    let mut next = sent.clone();
    next.state = ExecutionState::SecondLegSent;
    next.updated_at = at(50);
    let mut hedge = order("c-2", Some("x-1"));
    hedge.role = OrderRole::SecondLeg;
    let clash = order("c-foreign", Some("x-1"));
    let err = store
        .save_execution(fence, &next, &[partially_filled(&first), hedge, clash])
        .await
        .expect_err("conflicting batch");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    assert_eq!(
        store.execution(&sent.id).await.expect("read"),
        Some(sent.clone())
    );
    assert_eq!(
        store.execution_orders(&sent.id).await.expect("orders"),
        vec![first],
        "neither the fill nor the new order was written"
    );
    assert_eq!(
        store.order(&ClientOrderId::new("c-2")).await.expect("read"),
        None
    );

    // A brand-new execution whose batch conflicts is not created at all.
    let fresh = execution("x-new", pair, ExecutionState::Planned);
    let err = store
        .save_execution(fence, &fresh, &[order("c-foreign", Some("x-new"))])
        .await
        .expect_err("conflicting batch");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.execution(&fresh.id).await.expect("read"), None);
    assert_eq!(
        store.open_executions().await.expect("open"),
        vec![sent],
        "only the original execution exists"
    );
}

pub async fn concurrent_writers_lose_nothing(store: Arc<dyn Store>) {
    const TASKS: usize = 50;
    let pair = PairId(5);
    let fence = fence(store.as_ref(), pair).await;
    store
        .save_execution(
            fence,
            &execution("x-busy", pair, ExecutionState::FirstLegSent),
            &[],
        )
        .await
        .expect("save");
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let record = order(&format!("c-{i:02}"), Some("x-busy"));
                store.upsert_order(fence, &record).await?;
                store
                    .upsert_order(fence, &partially_filled(&record))
                    .await?;
                // Half of them also write an execution of their own, with its order, at once.
                if i % 2 == 0 {
                    let id = format!("x-{i:02}");
                    store
                        .save_execution(
                            fence,
                            &execution(&id, pair, ExecutionState::FirstLegSent),
                            &[order(&format!("c-{i:02}-own"), Some(&id))],
                        )
                        .await?;
                }
                Ok::<_, StoreError>(())
            })
        })
        .collect();
    for result in futures::future::join_all(tasks).await {
        result.expect("task ran").expect("write succeeded");
    }
    let orders = store
        .execution_orders(&ExecutionId::new("x-busy"))
        .await
        .expect("orders");
    assert_eq!(orders.len(), TASKS);
    let mut ids: Vec<_> = orders
        .iter()
        .map(|o| o.order.request.client_order_id.as_str().to_owned())
        .collect();
    ids.sort();
    let expected: Vec<_> = (0..TASKS).map(|i| format!("c-{i:02}")).collect();
    assert_eq!(ids, expected);
    assert!(
        orders
            .iter()
            .all(|o| o.order.status == OrderStatus::PartiallyFilled),
        "every update landed"
    );
    assert_eq!(
        store.executions(1000).await.expect("all").len(),
        1 + TASKS / 2
    );
    for i in (0..TASKS).step_by(2) {
        let own = store
            .execution_orders(&ExecutionId::new(format!("x-{i:02}")))
            .await
            .expect("orders");
        assert_eq!(own.len(), 1);
    }
}

pub async fn fills_are_deduplicated(store: Arc<dyn Store>) {
    let a = fill("f-1", kalshi("FED-MAR"), 1);
    let b = fill("f-2", poly("fed-march"), 2);
    let mut c = fill("f-3", kalshi("FED-MAR"), 3);
    c.client_order_id = None;
    c.liquidity = arb_core::model::Liquidity::Maker;
    // The same fill id on another venue is another fill.
    let d = fill("f-1", poly("fed-march"), 4);
    assert_eq!(
        store
            .insert_fills(&[a.clone(), b.clone(), a.clone(), c.clone(), d.clone()])
            .await
            .expect("insert"),
        4
    );
    assert_eq!(
        store
            .insert_fills(&[b.clone(), c.clone()])
            .await
            .expect("again"),
        0
    );
    assert_eq!(
        store.fills(None).await.expect("all"),
        vec![a.clone(), b, c.clone(), d]
    );
    let k = store.fills(Some(&kalshi("FED-MAR"))).await.expect("one");
    assert_eq!(k, vec![a, c]);
    assert_eq!(k[0].price.value().to_string(), "0.876544");
    assert_eq!(k[0].qty.value().to_string(), "12.000001");
    assert!(
        store
            .fills(Some(&kalshi("NOPE")))
            .await
            .expect("none")
            .is_empty()
    );
}

pub async fn positions_prices_and_pnl_round_trip(store: Arc<dyn Store>) {
    let kyes = position(kalshi("FED-MAR"), Outcome::Yes, dec!(12345678.000001));
    let kno = position(kalshi("FED-MAR"), Outcome::No, dec!(0.000001));
    let pno = position(poly("fed-march"), Outcome::No, dec!(150.5));
    store
        .upsert_positions(&[pno.clone(), kno.clone(), kyes.clone()])
        .await
        .expect("upsert");
    assert_eq!(
        store.positions().await.expect("all"),
        vec![kyes.clone(), kno.clone(), pno.clone()],
        "by market, YES before NO"
    );
    let mut sold = kyes.clone();
    sold.qty = qty(dec!(0));
    sold.avg_price = None;
    sold.realized_pnl = dec!(0.123456);
    store
        .upsert_positions(std::slice::from_ref(&sold))
        .await
        .expect("replace");
    assert_eq!(store.positions().await.expect("all"), vec![sold, kno, pno]);

    let snap = snapshot(kalshi("FED-MAR"));
    store
        .put_prices(std::slice::from_ref(&snap))
        .await
        .expect("put");
    assert_eq!(
        store.price(&snap.market).await.expect("read"),
        Some(snap.clone())
    );
    let mut newer = snap.clone();
    newer.yes_bid = None;
    newer.no_ask = Some(price(dec!(0.876544)));
    newer.as_of = at(61);
    store
        .put_prices(std::slice::from_ref(&newer))
        .await
        .expect("replace");
    assert_eq!(store.price(&snap.market).await.expect("read"), Some(newer));
    assert_eq!(store.price(&poly("fed-march")).await.expect("read"), None);

    for d in [3, 1, 2, 5] {
        store
            .upsert_daily_pnl(&pnl(d, dec!(12345678.000001)))
            .await
            .expect("upsert");
    }
    let replaced = pnl(2, dec!(-0.123456));
    store.upsert_daily_pnl(&replaced).await.expect("replace");
    assert_eq!(
        store.daily_pnl(day(2), day(4)).await.expect("range"),
        vec![replaced, pnl(3, dec!(12345678.000001))],
        "inclusive range, oldest first"
    );
    let all = store.daily_pnl(day(1), day(31)).await.expect("range");
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].realized.to_string(), "12345678.000001");
    assert_eq!(all[3].executions, 5);
}

/// A pair whose rules changed is re-approved with the new hashes, active again, audited.
pub async fn pairs_are_reapproved_with_new_rules_hashes(store: Arc<dyn Store>) {
    let pair = store
        .insert_pair(&new_pair("FED-MAR", "fed-march", None))
        .await
        .expect("approve");
    let changed = PairEvent {
        pair_id: pair.id,
        action: PairAction::RulesChanged,
        actor: "engine".into(),
        reason: "rules changed".into(),
        at: at(30),
    };
    store
        .set_pair_status(pair.id, PairStatus::NeedsReapproval, &changed)
        .await
        .expect("flag");
    let again = PairEvent {
        pair_id: pair.id,
        action: PairAction::Approved,
        actor: "bob".into(),
        reason: "re-approved after a rules change".into(),
        at: at(31),
    };
    let reapproved = store
        .reapprove_pair(pair.id, "new-hash-a", "new-hash-b", &again)
        .await
        .expect("reapprove");
    assert_eq!(reapproved.status, PairStatus::Active);
    assert_eq!(reapproved.rules_hash_a, "new-hash-a");
    assert_eq!(reapproved.rules_hash_b, "new-hash-b");
    assert_eq!(store.pair(pair.id).await.expect("read"), Some(reapproved));
    let events = store.pair_events(pair.id).await.expect("events");
    assert_eq!(events[1..], [changed, again]);
    let missing = store
        .reapprove_pair(PairId(999_999), "x", "y", &events[0])
        .await
        .expect_err("no such pair");
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");
}

/// Settings (the kill switch) are set, replaced, read and cleared.
pub async fn settings_are_set_replaced_and_cleared(store: Arc<dyn Store>) {
    assert_eq!(store.setting("kill_switch").await.expect("read"), None);
    store
        .put_setting("kill_switch", Some("maintenance"))
        .await
        .expect("set");
    store
        .put_setting("kill_switch", Some("daily loss (by cli)"))
        .await
        .expect("replace");
    assert_eq!(
        store.setting("kill_switch").await.expect("read").as_deref(),
        Some("daily loss (by cli)")
    );
    assert_eq!(store.setting("other").await.expect("read"), None);
    store.put_setting("kill_switch", None).await.expect("clear");
    assert_eq!(store.setting("kill_switch").await.expect("read"), None);
}

pub async fn verdicts_are_cached_replaced_and_keyed_by_all_three_hashes(store: Arc<dyn Store>) {
    let key = VerdictKey {
        rules_hash_a: "a".repeat(64),
        rules_hash_b: "b".repeat(64),
        context_hash: "c".repeat(64),
    };
    assert_eq!(store.verdict(&key).await.expect("read"), None);
    let subset = Verdict {
        relation: Relation::Subset,
        differences: vec![
            "A settles on the Dec 31 close, B at any time in 2026".into(),
            "A's source is Coinbase, B's CF Benchmarks — «différent»".into(),
        ],
        model: "judge-1".into(),
    };
    store
        .put_verdict(&key, &subset, at(1))
        .await
        .expect("store");
    assert_eq!(
        store.verdict(&key).await.expect("read"),
        Some(subset.clone())
    );
    let equivalent = Verdict {
        relation: Relation::Equivalent,
        differences: Vec::new(),
        model: "judge-2".into(),
    };
    store
        .put_verdict(&key, &equivalent, at(2))
        .await
        .expect("replace");
    assert_eq!(store.verdict(&key).await.expect("read"), Some(equivalent));
    for other in [
        VerdictKey {
            rules_hash_a: "d".repeat(64),
            ..key.clone()
        },
        VerdictKey {
            rules_hash_b: "d".repeat(64),
            ..key.clone()
        },
        VerdictKey {
            context_hash: "d".repeat(64),
            ..key.clone()
        },
    ] {
        assert_eq!(store.verdict(&other).await.expect("read"), None);
    }
}

/// The holder a refused acquisition names: another pair's holder (`LeaseHeld`) or, on SQLite,
/// the file's trading process (`TraderRunning`).
fn holder_of(err: StoreError) -> Lease {
    match err {
        StoreError::LeaseHeld(lease) | StoreError::TraderRunning(lease) => *lease,
        other => panic!("expected the lease to be held, got {other:?}"),
    }
}

pub async fn leases_are_exclusive_renewed_and_released(store: Arc<dyn Store>) {
    let (a, b) = (test_owner("a"), test_owner("b"));
    let ttl = Duration::from_secs(60);
    let seven = LeaseScope::Pair(PairId(7));
    let held = store.acquire_lease(&seven, &a, ttl).await.expect("free");
    assert_eq!(
        (held.scope.clone(), held.owner.clone()),
        (seven.clone(), a.clone())
    );
    assert!(held.expires_at > held.acquired_at);

    // Another process is refused, and told who holds it (host, pid, since).
    let refused = store
        .acquire_lease(&seven, &b, ttl)
        .await
        .expect_err("held");
    let text = refused.to_string();
    let holder = holder_of(refused);
    assert_eq!((holder.owner, holder.token), (a.clone(), held.token));
    assert_names_holder(&text, &held);

    // Renewal keeps the token and the start, and moves the end.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let renewed = store.renew_lease(&held, ttl).await.expect("renew");
    assert_eq!(
        (renewed.token, renewed.acquired_at),
        (held.token, held.acquired_at)
    );
    assert!(renewed.expires_at > held.expires_at);
    assert_eq!(store.leases().await.expect("list"), vec![renewed.clone()]);

    // Released: no longer listed, free for the other process, with a greater token.
    store.release_lease(&renewed).await.expect("release");
    assert!(store.leases().await.expect("list").is_empty());
    let taken = store
        .acquire_lease(&seven, &b, ttl)
        .await
        .expect("released");
    assert!(
        taken.token > held.token,
        "{} after {}",
        taken.token,
        held.token
    );
    let lost = store
        .renew_lease(&renewed, ttl)
        .await
        .expect_err("taken over");
    assert!(matches!(lost, StoreError::LeaseLost { .. }), "{lost:?}");
    store
        .release_lease(&renewed)
        .await
        .expect("a stale release does nothing");
    assert_eq!(store.leases().await.expect("list"), vec![taken]);
}

pub async fn expired_leases_are_taken_over(store: Arc<dyn Store>) {
    let (a, b) = (test_owner("a"), test_owner("b"));
    let eight = LeaseScope::Pair(PairId(8));
    let short = store
        .acquire_lease(&eight, &a, Duration::from_millis(300))
        .await
        .expect("free");
    holder_of(
        store
            .acquire_lease(&eight, &b, Duration::from_secs(60))
            .await
            .expect_err("not yet expired"),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(store.leases().await.expect("list").is_empty(), "expired");
    let taken = store
        .acquire_lease(&eight, &b, Duration::from_secs(60))
        .await
        .expect("expired, so free");
    assert!(taken.token > short.token);
}

pub async fn stale_fences_are_refused(store: Arc<dyn Store>) {
    let (a, b) = (test_owner("a"), test_owner("b"));
    let ttl = Duration::from_secs(60);
    let pair = PairId(9);
    let old = store
        .acquire_lease(&LeaseScope::Pair(pair), &a, ttl)
        .await
        .expect("free");
    let old_fence = old.fence().expect("pair lease");
    let sent = execution("x-9", pair, ExecutionState::FirstLegSent);
    let first = order("c-9", Some("x-9"));
    store
        .save_execution(old_fence, &sent, std::slice::from_ref(&first))
        .await
        .expect("current fence");

    // The lease changes hands (released here; expiry works the same).
    store.release_lease(&old).await.expect("release");
    let new = store
        .acquire_lease(&LeaseScope::Pair(pair), &b, ttl)
        .await
        .expect("free");
    let mut next = sent.clone();
    next.state = ExecutionState::Hedging;
    let refused = store
        .save_execution(old_fence, &next, &[partially_filled(&first)])
        .await
        .expect_err("stale token");
    assert!(
        matches!(refused, StoreError::StaleFence { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("refused"), "{refused}");
    let refused = store
        .upsert_order(old_fence, &partially_filled(&first))
        .await
        .expect_err("stale token");
    assert!(
        matches!(refused, StoreError::StaleFence { .. }),
        "{refused:?}"
    );
    assert_eq!(store.execution(&sent.id).await.expect("read"), Some(sent));
    assert_eq!(
        store.execution_orders(&next.id).await.expect("orders"),
        vec![first.clone()],
        "nothing of the refused writes was stored"
    );

    // The new holder writes; a fence of another pair is refused.
    let fence = new.fence().expect("pair lease");
    store
        .save_execution(fence, &next, &[partially_filled(&first)])
        .await
        .expect("current fence");
    let other = store
        .acquire_lease(&LeaseScope::Pair(PairId(10)), &b, ttl)
        .await
        .expect("free")
        .fence()
        .expect("pair lease");
    let refused = store
        .save_execution(other, &next, &[])
        .await
        .expect_err("another pair's fence");
    assert!(
        matches!(refused, StoreError::StaleFence { .. }),
        "{refused:?}"
    );
    let refused = store
        .upsert_order(other, &first)
        .await
        .expect_err("another pair's fence");
    assert!(
        matches!(refused, StoreError::StaleFence { .. }),
        "{refused:?}"
    );

    // An expired lease fences nothing, even when nobody took it over.
    let short = store
        .acquire_lease(
            &LeaseScope::Pair(PairId(10)),
            &b,
            Duration::from_millis(200),
        )
        .await
        .expect("own lease");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let refused = store
        .save_execution(
            short.fence().expect("pair lease"),
            &execution("x-10", PairId(10), ExecutionState::Planned),
            &[],
        )
        .await
        .expect_err("expired");
    assert!(
        matches!(refused, StoreError::StaleFence { .. }),
        "{refused:?}"
    );
}

pub async fn racing_processes_get_one_lease(store: Arc<dyn Store>) {
    const RACERS: usize = 12;
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .acquire_lease(
                        &LeaseScope::Pair(PairId(11)),
                        &test_owner(&format!("racer-{i}")),
                        Duration::from_secs(60),
                    )
                    .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for result in futures::future::join_all(tasks).await {
        match result.expect("task ran") {
            Ok(lease) => winners.push(lease),
            Err(e) => {
                holder_of(e);
            }
        }
    }
    assert_eq!(winners.len(), 1, "exactly one process holds the pair");
    assert_eq!(store.leases().await.expect("list"), winners);
}

fn reservation(id: &str, amount: rust_decimal::Decimal, ttl: Duration) -> ExposureReservation {
    ExposureReservation {
        id: id.to_owned(),
        owner: test_owner("a").id,
        amount,
        ttl,
    }
}

pub async fn exposure_reservations_share_one_limit(store: Arc<dyn Store>) {
    let minute = Duration::from_secs(60);
    let limit = dec!(100);
    store
        .reserve_exposure(&reservation("r-1", dec!(40.5), minute), dec!(0), limit)
        .await
        .expect("room");
    store
        .reserve_exposure(&reservation("r-2", dec!(29.5), minute), dec!(30), limit)
        .await
        .expect("exactly at the limit");
    let refused = store
        .reserve_exposure(&reservation("r-3", dec!(0.01), minute), dec!(30), limit)
        .await
        .expect_err("over the limit");
    match &refused {
        StoreError::ExposureLimit {
            total,
            committed,
            reserved,
            amount,
            limit: l,
        } => assert_eq!(
            (*total, *committed, *reserved, *amount, *l),
            (dec!(100.01), dec!(30), dec!(70.0), dec!(0.01), limit)
        ),
        other => panic!("expected the exposure limit, got {other:?}"),
    }
    assert!(refused.to_string().contains("across daemons"), "{refused}");
    // Reservations lapse: a short one frees its room after its time to live.
    let fresh = dec!(0);
    let short = reservation("r-4", dec!(1), Duration::from_millis(200));
    let blocked = store.reserve_exposure(&short, fresh, dec!(70)).await;
    assert!(
        matches!(blocked, Err(StoreError::ExposureLimit { .. })),
        "{blocked:?}"
    );
    store
        .reserve_exposure(&short, fresh, dec!(71))
        .await
        .expect("room for one more dollar");
    tokio::time::sleep(Duration::from_millis(400)).await;
    store
        .reserve_exposure(&reservation("r-5", dec!(1), minute), fresh, dec!(71))
        .await
        .expect("the short reservation lapsed");
}

pub async fn concurrent_reservations_never_exceed_the_limit(store: Arc<dyn Store>) {
    const TASKS: usize = 20;
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let r = reservation(&format!("c-{i}"), dec!(10), Duration::from_secs(60));
                store.reserve_exposure(&r, dec!(5), dec!(100)).await
            })
        })
        .collect();
    let mut granted = 0;
    for result in futures::future::join_all(tasks).await {
        match result.expect("task ran") {
            Ok(()) => granted += 1,
            Err(StoreError::ExposureLimit { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(granted, 9, "5 open + 9 × 10 reserved ≤ 100 < 5 + 10 × 10");
}
