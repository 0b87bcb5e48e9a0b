//! The demo's market catalogues: two simulated venues listing the same real-world events in
//! their own words — some equivalent, some complementary (inverse polarity), some look-alikes
//! with a different threshold or deadline that must not be paired, and unrelated markets.

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// How a demo event is listed on the two venues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The same question: A.YES ≡ B.YES.
    Same,
    /// The complementary question: A.YES ≡ B.NO.
    Inverse,
    /// Looks the same but settles differently (threshold, date): never to be paired.
    LookAlike,
}

/// One listing on venue A (Kalshi-style wording).
#[derive(Clone, Debug)]
pub struct ListingA {
    /// Ticker-like id.
    pub id: &'static str,
    /// Event title.
    pub title: &'static str,
    /// The `yes_sub_title`.
    pub subtitle: &'static str,
    /// Rules text.
    pub rules: &'static str,
    /// Close time.
    pub close: DateTime<Utc>,
}

/// One listing on venue B (Polymarket-style wording).
#[derive(Clone, Debug)]
pub struct ListingB {
    /// Condition-id-like id.
    pub id: &'static str,
    /// The question.
    pub question: &'static str,
    /// Outcome label of YES.
    pub outcome: &'static str,
    /// Rules text.
    pub rules: &'static str,
    /// Close time.
    pub close: DateTime<Utc>,
}

/// A demo event: a listing on each venue, how they relate and the fair YES probability on A.
#[derive(Clone, Debug)]
pub struct DemoEvent {
    /// Venue A's listing.
    pub a: ListingA,
    /// Venue B's listing.
    pub b: ListingB,
    /// How B relates to A.
    pub relation: Relation,
    /// Fair probability of A's YES.
    pub fair: Decimal,
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 23, 59, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// The paired events (equivalent, inverse and look-alike).
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn events() -> Vec<DemoEvent> {
    let e = |a: ListingA, b: ListingB, relation: Relation, fair: Decimal| DemoEvent { a, b, relation, fair };
    vec![
        e(
            ListingA { id: "KXBTCY-26DEC31-T100000", title: "Bitcoin price at the end of 2026", subtitle: "Above $100,000",
                rules: "If the CF Benchmarks Bitcoin Real-Time Index is above 100,000 at 11:59 PM ET on Dec 31, 2026, the market resolves to Yes.",
                close: at(2026, 12, 31) },
            ListingB { id: "0xbtc100k", question: "Will Bitcoin be above $100k on December 31, 2026?", outcome: "Yes",
                rules: "Resolves Yes if the Bitcoin price on 12/31/2026 at 23:59 ET is above $100,000 per the CF Benchmarks index.",
                close: at(2026, 12, 31) },
            Relation::Same, dec!(0.55)),
        e(
            ListingA { id: "KXBTCY-26DEC31-T105000", title: "Bitcoin price at the end of 2026", subtitle: "Above $105,000",
                rules: "If the CF Benchmarks Bitcoin Real-Time Index is above 105,000 at 11:59 PM ET on Dec 31, 2026, the market resolves to Yes.",
                close: at(2026, 12, 31) },
            ListingB { id: "0xbtc110k", question: "Will Bitcoin be above $110k on December 31, 2026?", outcome: "Yes",
                rules: "Resolves Yes if the Bitcoin price on 12/31/2026 at 23:59 ET is above $110,000 per the CF Benchmarks index.",
                close: at(2026, 12, 31) },
            Relation::LookAlike, dec!(0.45)),
        e(
            ListingA { id: "KXFEDDECISION-26DEC-C25", title: "Fed decision in December 2026", subtitle: "Cut 25bps",
                rules: "If the FOMC announces a cut of 25 basis points to the federal funds target range at its December 2026 meeting, the market resolves to Yes.",
                close: at(2026, 12, 16) },
            ListingB { id: "0xfeddec25", question: "Fed cuts rates by 25 bps in December 2026?", outcome: "Yes",
                rules: "Resolves Yes if the Federal Reserve lowers the target federal funds rate by 25 basis points at the December 2026 FOMC meeting.",
                close: at(2026, 12, 16) },
            Relation::Same, dec!(0.62)),
        e(
            ListingA { id: "KXFEDDECISION-27JAN-C25", title: "Fed decision in January 2027", subtitle: "Cut 25bps",
                rules: "If the FOMC announces a cut of 25 basis points at its January 2027 meeting, the market resolves to Yes.",
                close: at(2027, 1, 27) },
            ListingB { id: "0xfedmar25", question: "Fed cuts rates by 25 bps in March 2027?", outcome: "Yes",
                rules: "Resolves Yes if the Federal Reserve lowers the target rate by 25 basis points at the March 2027 FOMC meeting.",
                close: at(2027, 3, 17) },
            Relation::LookAlike, dec!(0.40)),
        e(
            ListingA { id: "KXRECSSNBER-26", title: "US recession in 2026", subtitle: "Recession",
                rules: "If the NBER announces that a US recession began in 2026 before Dec 31, 2026, the market resolves to Yes.",
                close: at(2026, 12, 31) },
            ListingB { id: "0xrecession26", question: "US recession in 2026?", outcome: "Yes",
                rules: "Resolves Yes if the NBER declares a US recession starting in 2026 by December 31, 2026.",
                close: at(2026, 12, 31) },
            Relation::Same, dec!(0.18)),
        e(
            ListingA { id: "KXNBAWINS-LAL-27-T50", title: "Lakers regular season wins 2026-27", subtitle: "At least 50 wins",
                rules: "If the Los Angeles Lakers win at least 50 regular season games in the 2026-27 NBA season, the market resolves to Yes.",
                close: at(2027, 4, 12) },
            ListingB { id: "0xlakers49", question: "Will the Lakers win 49 or fewer games in the 2026-27 season?", outcome: "Yes",
                rules: "Resolves Yes if the Los Angeles Lakers win 49 or fewer regular season games in the 2026-27 NBA season.",
                close: at(2027, 4, 12) },
            Relation::Inverse, dec!(0.35)),
        e(
            ListingA { id: "KXTRUMPCOUNTRIES-27JAN01-TAI", title: "Will Donald Trump visit Taiwan before Jan 1, 2027?", subtitle: "Taiwan",
                rules: "If Donald Trump visits Taiwan before Jan 1, 2027, the market resolves to Yes.",
                close: at(2026, 12, 31) },
            ListingB { id: "0xtrumptaiwan", question: "Will Donald Trump visit Taiwan in 2026?", outcome: "Yes",
                rules: "Resolves Yes if Donald Trump is physically present in Taiwan between now and December 31, 2026.",
                close: at(2026, 12, 31) },
            Relation::Same, dec!(0.04)),
        e(
            ListingA { id: "KXVISITVEN-26MAY01", title: "Will Maria Corina Machado visit Venezuela before May 1, 2027?", subtitle: "Machado",
                rules: "If Maria Corina Machado visits Venezuela before May 1, 2027, the market resolves to Yes.",
                close: at(2027, 4, 30) },
            ListingB { id: "0xmachadomar", question: "Will Maria Corina Machado visit Venezuela by March 31, 2027?", outcome: "Yes",
                rules: "Resolves Yes if Maria Corina Machado visits Venezuela by March 31, 2027.",
                close: at(2027, 3, 31) },
            Relation::LookAlike, dec!(0.30)),
        e(
            ListingA { id: "KXSTARSHIPORBIT-26", title: "Will Starship reach orbit in 2026?", subtitle: "Before Jan 1, 2027",
                rules: "If a SpaceX Starship vehicle completes an orbital flight before Jan 1, 2027, the market resolves to Yes.",
                close: at(2026, 12, 31) },
            ListingB { id: "0xstarshiporbit", question: "SpaceX Starship reaches orbit by December 31, 2026?", outcome: "Yes",
                rules: "Resolves Yes if SpaceX's Starship completes an orbital flight by December 31, 2026.",
                close: at(2026, 12, 31) },
            Relation::Same, dec!(0.71)),
        e(
            ListingA { id: "KXGOVKY-27-DEM", title: "Kentucky governor race 2027", subtitle: "Democratic party",
                rules: "If the Democratic candidate wins the 2027 Kentucky gubernatorial election, the market resolves to Yes.",
                close: at(2027, 11, 2) },
            ListingB { id: "0xkygovrep", question: "Will the Republican win the 2027 Kentucky governor race?", outcome: "Yes",
                rules: "Resolves Yes if the Republican candidate wins the 2027 Kentucky gubernatorial election.",
                close: at(2027, 11, 2) },
            Relation::Inverse, dec!(0.58)),
        e(
            ListingA { id: "KXETHY-26DEC31-T5000", title: "Ethereum price at the end of 2026", subtitle: "Above $5,000",
                rules: "If the CF Benchmarks Ether index is above 5,000 at 11:59 PM ET on Dec 31, 2026, the market resolves to Yes.",
                close: at(2026, 12, 31) },
            ListingB { id: "0xeth5k", question: "Will Ethereum be above $5,000 on Dec 31, 2026?", outcome: "Yes",
                rules: "Resolves Yes if the Ether price on December 31, 2026 at 23:59 ET is above $5,000 per the CF Benchmarks index.",
                close: at(2026, 12, 31) },
            Relation::Same, dec!(0.33)),
        e(
            ListingA { id: "KXCPIYOY-26NOV-T3.0", title: "CPI year-over-year in November 2026", subtitle: "Above 3.0%",
                rules: "If US CPI year-over-year for November 2026, as first released by the BLS, is above 3.0%, the market resolves to Yes.",
                close: at(2026, 12, 10) },
            ListingB { id: "0xcpi35", question: "US inflation above 3.5% in November 2026?", outcome: "Yes",
                rules: "Resolves Yes if the BLS reports November 2026 CPI year-over-year above 3.5%.",
                close: at(2026, 12, 10) },
            Relation::LookAlike, dec!(0.47)),
        e(
            ListingA { id: "KXSB-61-KC", title: "Super Bowl LXI champion", subtitle: "Kansas City",
                rules: "If the Kansas City Chiefs win Super Bowl LXI, the market resolves to Yes.",
                close: at(2027, 2, 14) },
            ListingB { id: "0xsbkc", question: "Will the Kansas City Chiefs win Super Bowl LXI?", outcome: "Yes",
                rules: "Resolves Yes if the Kansas City Chiefs win Super Bowl LXI.",
                close: at(2027, 2, 14) },
            Relation::Same, dec!(0.12)),
    ]
}

/// Markets listed on only one venue: context a matcher must not pair with anything.
#[must_use]
pub fn unrelated() -> (Vec<ListingA>, Vec<ListingB>) {
    let a = |id, title, subtitle, rules| ListingA { id, title, subtitle, rules, close: at(2026, 12, 31) };
    let b = |id, question, rules| ListingB { id, question, outcome: "Yes", rules, close: at(2026, 12, 31) };
    (
        vec![
            a("KXHIGHNY-26DEC01-T45", "Highest temperature in NYC on Dec 1, 2026", "45° or above", "If the high at Central Park is 45°F or above on Dec 1, 2026, the market resolves to Yes."),
            a("KXGDP-26Q4-T2", "US GDP growth in Q4 2026", "Above 2.0%", "If the BEA advance estimate of Q4 2026 real GDP growth is above 2.0%, the market resolves to Yes."),
            a("KXOSCARPIC-27", "Best Picture at the 2027 Oscars", "Dune: Part Three", "If Dune: Part Three wins Best Picture at the 2027 Academy Awards, the market resolves to Yes."),
            a("KXAPPLEFOLD-26", "Will Apple release a foldable iPhone in 2026?", "Before Jan 1, 2027", "If Apple releases a foldable iPhone before Jan 1, 2027, the market resolves to Yes."),
            a("KXGOVSHUT-26DEC", "Government shutdown in December 2026?", "Shutdown", "If a US federal government shutdown begins in December 2026, the market resolves to Yes."),
            a("KXTSLADELIV-26Q4", "Tesla Q4 2026 deliveries", "Above 500,000", "If Tesla reports more than 500,000 deliveries for Q4 2026, the market resolves to Yes."),
        ],
        vec![
            b("0xmarsmission", "Will NASA announce a crewed Mars mission date in 2026?", "Resolves Yes if NASA officially announces a crewed Mars mission launch date in 2026."),
            b("0xeurovision", "Will Sweden win Eurovision 2027?", "Resolves Yes if Sweden wins the Eurovision Song Contest 2027."),
            b("0xopenaiipo", "OpenAI IPO in 2026?", "Resolves Yes if OpenAI completes an initial public offering in 2026."),
            b("0xgoldprice", "Will gold close above $3,000 on Dec 31, 2026?", "Resolves Yes if the LBMA gold price PM fix on December 31, 2026 is above $3,000."),
            b("0xnetflixsub", "Will Netflix report more than 320M subscribers in Q4 2026?", "Resolves Yes if Netflix reports more than 320 million paid memberships for Q4 2026."),
            b("0xucl", "Will Real Madrid win the 2026-27 Champions League?", "Resolves Yes if Real Madrid wins the 2026-27 UEFA Champions League."),
        ],
    )
}
