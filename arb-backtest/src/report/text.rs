//! The report as aligned text: dollars to four decimals, durations in seconds to the millisecond.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{Count, Report};

impl Report {
    /// The report as text, for people (`report.txt`).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_summary(&mut out);
        write_counts(&mut out, "Refused, by reason", &self.refusals);
        write_counts(
            &mut out,
            "Executions, by final state",
            &self.execution_states,
        );
        self.write_pairs(&mut out);
        self.write_hours(&mut out);
        self.write_capacity(&mut out);
        out
    }

    fn write_summary(&self, out: &mut String) {
        let r = &self.recording;
        let s = &self.settings;
        let t = &self.totals;
        let _ = writeln!(out, "Backtest {} to {}", r.start, r.end);
        let _ = writeln!(out, "  book updates replayed  {}", r.book_updates);
        let latency: Vec<String> = s
            .latency_ms
            .iter()
            .map(|(venue, (base, jitter))| format!("{venue} {base} ms (+0..{jitter} ms)"))
            .collect();
        let _ = writeln!(out, "  latency                {}", latency.join(", "));
        let _ = writeln!(out, "  seed                   {}", s.seed);
        let _ = writeln!(out, "  max trade size         ${}", usd(s.max_trade_usd));
        let _ = writeln!(
            out,
            "  starting cash / venue  ${}",
            usd(s.starting_cash_usd)
        );
        let _ = writeln!(out, "\nTotals");
        let rows = [
            ("opportunities detected", t.opportunities.to_string()),
            ("executed", t.executed.to_string()),
            ("refused", t.refused.to_string()),
            ("dislocations", t.dislocations.to_string()),
            ("unhedged executions", t.unhedged.to_string()),
            ("fills", t.fills.to_string()),
            ("contracts filled", t.contracts.normalize().to_string()),
            ("fees", format!("${}", usd(t.fees))),
            ("locked-in profit", format!("${}", usd(t.locked_in))),
            ("realised PnL", format!("${}", usd(t.realized))),
            ("unhedged, marked", format!("${}", usd(t.unrealized))),
            ("PnL", format!("${}", usd(t.pnl))),
        ];
        for (label, value) in rows {
            let _ = writeln!(out, "  {label:<22} {value:>14}");
        }
    }

    fn write_pairs(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nPairs\n  {:>4}  {:>6} {:>6} {:>6} {:>6} {:>10} {:>10} {:>10} {:>6} {:>10} {:>12} {:>12}  markets",
            "pair",
            "opps",
            "exec",
            "refus",
            "disloc",
            "longest s",
            "mean s",
            "best $",
            "fills",
            "fees $",
            "locked-in $",
            "unhedged $",
        );
        for p in &self.pairs {
            let _ = writeln!(
                out,
                "  {:>4}  {:>6} {:>6} {:>6} {:>6} {:>10} {:>10} {:>10} {:>6} {:>10} {:>12} {:>12}  {} / {}",
                p.pair.to_string(),
                p.opportunities,
                p.executed,
                p.refused,
                p.dislocations,
                seconds(p.longest_dislocation_ms),
                seconds(p.mean_dislocation_ms),
                usd(p.best_profit),
                p.fills,
                usd(p.fees),
                usd(p.locked_in),
                usd(p.unrealized),
                p.a,
                p.b,
            );
        }
    }

    fn write_hours(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nOpportunities per hour (UTC)\n  {:<20} {:>6} {:>6} {:>6}",
            "hour", "opps", "exec", "refus"
        );
        for h in &self.hours {
            let _ = writeln!(
                out,
                "  {:<20} {:>6} {:>6} {:>6}",
                h.hour.format("%Y-%m-%d %H:00").to_string(),
                h.opportunities,
                h.executed,
                h.refused
            );
        }
    }

    fn write_capacity(&self, out: &mut String) {
        if self.capacity.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\nCapacity (the same recording per maximum trade size)\n  {:>14} {:>10} {:>12} {:>14}",
            "max trade $", "execs", "fees $", "PnL $"
        );
        for c in &self.capacity {
            let _ = writeln!(
                out,
                "  {:>14} {:>10} {:>12} {:>14}",
                usd(c.max_trade_usd),
                c.executions,
                usd(c.fees),
                usd(c.pnl)
            );
        }
    }
}

fn write_counts(out: &mut String, title: &str, counts: &[Count]) {
    let _ = writeln!(out, "\n{title}");
    if counts.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for c in counts {
        let _ = writeln!(out, "  {:>6}  {}", c.count, c.label);
    }
}

/// Dollars to four decimals (the finest fee precision the venues charge to).
pub(super) fn usd(amount: Decimal) -> String {
    format!("{:.4}", amount.round_dp(4))
}

/// Milliseconds as seconds to the millisecond.
fn seconds(ms: i64) -> String {
    format!("{:.3}", Decimal::new(ms, 3))
}
