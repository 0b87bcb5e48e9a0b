//! PnL charts drawn on the server as SVG (no script, no library): daily PnL as bars and
//! cumulative PnL as a line. Coordinates are computed in exact decimals, like the money.

use std::fmt::Write as _;

use arb_core::model::DailyPnl;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::html::{esc, usd};

/// The drawing's size and margins, in SVG user units.
const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const LEFT: i64 = 70;
const RIGHT: i64 = 10;
const TOP: i64 = 10;
const BOTTOM: i64 = 30;

/// One day of the charts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PnlPoint {
    /// The day.
    pub date: NaiveDate,
    /// What the day added: its realised PnL plus the change in locked-in and unrealised PnL.
    pub daily: Decimal,
    /// Everything up to the end of the day: realised PnL so far plus that day's locked-in and
    /// unrealised PnL.
    pub cumulative: Decimal,
}

/// The charts' points from the stored daily rows (oldest first). A day's total is its realised
/// PnL summed so far plus its snapshot of locked-in and unrealised PnL; a day's bar is the change
/// of that total since the previous recorded day.
#[must_use]
pub fn points(rows: &[DailyPnl]) -> Vec<PnlPoint> {
    let mut realized_so_far = Decimal::ZERO;
    let mut previous_total = Decimal::ZERO;
    rows.iter()
        .map(|row| {
            realized_so_far += row.realized;
            let total = realized_so_far + row.locked_in + row.unrealized;
            let point = PnlPoint {
                date: row.date,
                daily: total - previous_total,
                cumulative: total,
            };
            previous_total = total;
            point
        })
        .collect()
}

/// The vertical scale: values from `low` to `high` (zero always included) over the plot's height.
struct Scale {
    low: Decimal,
    high: Decimal,
}

impl Scale {
    fn of(values: impl Iterator<Item = Decimal>) -> Self {
        let (mut low, mut high) = (Decimal::ZERO, Decimal::ZERO);
        for v in values {
            low = low.min(v);
            high = high.max(v);
        }
        if low == high {
            high = low + Decimal::ONE;
        }
        Self { low, high }
    }

    /// The y coordinate of `value`.
    fn y(&self, value: Decimal) -> Decimal {
        let plot = Decimal::from(HEIGHT - TOP - BOTTOM);
        let ratio = (self.high - value)
            .checked_div(self.high - self.low)
            .unwrap_or(Decimal::ZERO);
        (Decimal::from(TOP) + ratio * plot).round_dp(1)
    }
}

/// The x coordinate of the centre of slot `i` of `n`, and the slot's width.
fn slot(i: usize, n: usize) -> (Decimal, Decimal) {
    let plot = Decimal::from(WIDTH - LEFT - RIGHT);
    let width = plot / Decimal::from(n.max(1));
    let centre = Decimal::from(LEFT) + width * (Decimal::from(i) + Decimal::new(5, 1));
    (centre.round_dp(1), width)
}

/// The frame shared by both charts: axes labels, the zero line, the first and last dates.
fn frame(id: &str, label: &str, scale: &Scale, points: &[PnlPoint]) -> String {
    let zero = scale.y(Decimal::ZERO);
    let mut out = format!(
        "<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(label),
        esc(label)
    );
    let _ = write!(
        out,
        "<line class=\"zero\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{zero}\" y2=\"{zero}\" stroke=\"#888\"/>",
        WIDTH - RIGHT
    );
    let mut labels = vec![scale.high, Decimal::ZERO];
    if scale.low < Decimal::ZERO {
        labels.push(scale.low);
    }
    for v in labels {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">{}</text>",
            LEFT - 6,
            scale.y(v) + Decimal::from(4),
            esc(&usd(v))
        );
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let y = HEIGHT - 8;
        let _ = write!(
            out,
            "<text x=\"{LEFT}\" y=\"{y}\" font-size=\"11\" fill=\"#444\">{}</text><text x=\"{}\" y=\"{y}\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">{}</text>",
            first.date,
            WIDTH - RIGHT,
            last.date
        );
    }
    out
}

/// Daily PnL as bars: green above zero, red below, each titled with its day and amount.
#[must_use]
pub fn daily_bars(points: &[PnlPoint]) -> String {
    let scale = Scale::of(points.iter().map(|p| p.daily));
    let mut out = frame("pnl-daily", "Daily PnL", &scale, points);
    let zero = scale.y(Decimal::ZERO);
    for (i, p) in points.iter().enumerate() {
        let (centre, width) = slot(i, points.len());
        let bar = (width * Decimal::new(7, 1))
            .min(Decimal::from(40))
            .round_dp(1);
        let y = scale.y(p.daily);
        let (top, height) = if y < zero {
            (y, zero - y)
        } else {
            (zero, y - zero)
        };
        let colour = if p.daily.is_sign_negative() {
            "#c0392b"
        } else {
            "#27ae60"
        };
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{}\" y=\"{top}\" width=\"{bar}\" height=\"{}\" fill=\"{colour}\"><title>{}: {}</title></rect>",
            centre - bar / Decimal::TWO,
            height.max(Decimal::ONE),
            p.date,
            esc(&usd(p.daily))
        );
    }
    out.push_str("</svg>");
    out
}

/// Cumulative PnL as a line with a dot per day, each titled with its day and amount.
#[must_use]
pub fn cumulative_line(points: &[PnlPoint]) -> String {
    let scale = Scale::of(points.iter().map(|p| p.cumulative));
    let mut out = frame("pnl-cumulative", "Cumulative PnL", &scale, points);
    let coords: Vec<(Decimal, Decimal)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (slot(i, points.len()).0, scale.y(p.cumulative)))
        .collect();
    let line: Vec<String> = coords.iter().map(|(x, y)| format!("{x},{y}")).collect();
    let _ = write!(
        out,
        "<polyline class=\"line\" points=\"{}\" fill=\"none\" stroke=\"#2c6fbb\" stroke-width=\"2\"/>",
        line.join(" ")
    );
    for ((x, y), p) in coords.iter().zip(points) {
        let _ = write!(
            out,
            "<circle class=\"point\" cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"#2c6fbb\"><title>{}: {}</title></circle>",
            p.date,
            esc(&usd(p.cumulative))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn row(day: u32, realized: Decimal, locked_in: Decimal, unrealized: Decimal) -> DailyPnl {
        DailyPnl {
            date: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            realized,
            locked_in,
            unrealized,
            fees: Decimal::ZERO,
            executions: 1,
        }
    }

    #[test]
    fn totals_add_realised_pnl_to_the_days_snapshot_and_bars_are_their_changes() {
        let p = points(&[
            row(1, dec!(1), dec!(2), dec!(0)),
            row(2, dec!(0.5), dec!(3), dec!(-1)),
            row(3, dec!(-4), dec!(0), dec!(0)),
        ]);
        let cumulative: Vec<Decimal> = p.iter().map(|p| p.cumulative).collect();
        let daily: Vec<Decimal> = p.iter().map(|p| p.daily).collect();
        assert_eq!(cumulative, vec![dec!(3), dec!(3.5), dec!(-2.5)]);
        assert_eq!(daily, vec![dec!(3), dec!(0.5), dec!(-6)]);
    }

    #[test]
    fn bars_go_up_for_gains_and_down_for_losses() {
        let p = points(&[
            row(1, dec!(2), dec!(0), dec!(0)),
            row(2, dec!(-3), dec!(0), dec!(0)),
        ]);
        let svg = daily_bars(&p);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 2);
        assert!(svg.contains("2026-12-01: $2.00"));
        assert!(svg.contains("2026-12-02: -$3.00"));
        assert!(svg.contains("#27ae60") && svg.contains("#c0392b"));
        let line = cumulative_line(&p);
        assert_eq!(line.matches("<circle class=\"point\"").count(), 2);
        assert!(line.contains("2026-12-02: -$1.00"));
    }
}
