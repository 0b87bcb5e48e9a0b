//! The report's chart (`report.svg`): cumulative PnL over the recording's time, and the capacity
//! curve (PnL per maximum trade size). Drawn as plain SVG, coordinates in exact decimals like
//! the web console's charts, so the same report always gives the same bytes.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::report::Report;

/// The drawing's size and one panel's margins, in SVG user units.
const WIDTH: i64 = 640;
const PANEL: i64 = 240;
const LEFT: i64 = 80;
const RIGHT: i64 = 16;
const TOP: i64 = 28;
const BOTTOM: i64 = 30;

/// The report's chart as an SVG document.
#[must_use]
pub fn svg(report: &Report) -> String {
    let height = PANEL * 2;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" font-family=\"sans-serif\">\n<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#fff\"/>\n"
    );
    pnl_panel(&mut out, report);
    capacity_panel(&mut out, report);
    out.push_str("</svg>\n");
    out
}

/// A panel's vertical scale: values from `low` to `high` (zero always included).
struct Scale {
    low: Decimal,
    high: Decimal,
    /// The panel's top, in the drawing.
    top: i64,
}

impl Scale {
    fn of(values: impl Iterator<Item = Decimal>, top: i64) -> Self {
        let (mut low, mut high) = (Decimal::ZERO, Decimal::ZERO);
        for v in values {
            low = low.min(v);
            high = high.max(v);
        }
        if low == high {
            high = low + Decimal::ONE;
        }
        Self { low, high, top }
    }

    fn y(&self, value: Decimal) -> Decimal {
        let plot = Decimal::from(PANEL - TOP - BOTTOM);
        let ratio = (self.high - value)
            .checked_div(self.high - self.low)
            .unwrap_or(Decimal::ZERO);
        (Decimal::from(self.top + TOP) + ratio * plot).round_dp(1)
    }
}

/// The x coordinate of `part` of `whole` across the plot.
fn x(part: Decimal, whole: Decimal) -> Decimal {
    let plot = Decimal::from(WIDTH - LEFT - RIGHT);
    let ratio = part.checked_div(whole).unwrap_or(Decimal::ZERO);
    (Decimal::from(LEFT) + ratio * plot).round_dp(1)
}

/// Title, zero line and the value labels of a panel.
fn frame(out: &mut String, title: &str, scale: &Scale) {
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{}\" font-size=\"13\" fill=\"#222\">{title}</text>",
        scale.top + 16
    );
    let zero = scale.y(Decimal::ZERO);
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{zero}\" y2=\"{zero}\" stroke=\"#888\"/>",
        WIDTH - RIGHT
    );
    let mut labels = vec![scale.high, Decimal::ZERO];
    if scale.low < Decimal::ZERO {
        labels.push(scale.low);
    }
    for v in labels {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">${}</text>",
            LEFT - 6,
            scale.y(v) + Decimal::from(4),
            v.round_dp(2)
        );
    }
}

/// Cumulative PnL over time, as a step line from the recording's start to its end.
fn pnl_panel(out: &mut String, report: &Report) {
    let scale = Scale::of(report.pnl_curve.iter().map(|p| p.pnl), 0);
    frame(out, "Cumulative PnL", &scale);
    let (start, end) = (report.recording.start, report.recording.end);
    let span = millis(end, start).max(Decimal::ONE);
    let mut points = vec![(x(Decimal::ZERO, span), scale.y(Decimal::ZERO))];
    let mut last = scale.y(Decimal::ZERO);
    for p in &report.pnl_curve {
        let px = x(millis(p.at, start), span);
        points.push((px, last));
        last = scale.y(p.pnl);
        points.push((px, last));
    }
    points.push((x(span, span), last));
    polyline(out, &points, "#2c7be5");
    axis_labels(
        out,
        PANEL,
        &start.format("%Y-%m-%d %H:%M").to_string(),
        &end.format("%Y-%m-%d %H:%M").to_string(),
    );
}

/// PnL per maximum trade size, one point per run, evenly spaced.
fn capacity_panel(out: &mut String, report: &Report) {
    let scale = Scale::of(report.capacity.iter().map(|c| c.pnl), PANEL);
    frame(out, "Capacity: PnL per maximum trade size", &scale);
    let n = report.capacity.len();
    let slots = Decimal::from(n.max(1));
    let points: Vec<(Decimal, Decimal)> = report
        .capacity
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let centre = Decimal::from(i) + Decimal::new(5, 1);
            (x(centre, slots), scale.y(c.pnl))
        })
        .collect();
    polyline(out, &points, "#27ae60");
    for ((px, py), c) in points.iter().zip(&report.capacity) {
        let _ = writeln!(
            out,
            "<circle cx=\"{px}\" cy=\"{py}\" r=\"3\" fill=\"#27ae60\"><title>max ${}: PnL ${}</title></circle>",
            c.max_trade_usd.round_dp(2),
            c.pnl.round_dp(4)
        );
        let _ = writeln!(
            out,
            "<text x=\"{px}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">${}</text>",
            PANEL * 2 - 8,
            c.max_trade_usd.round_dp(2)
        );
    }
    if n == 0 {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#888\">no capacity runs (--capacity)</text>",
            (WIDTH + LEFT) / 2,
            PANEL + PANEL / 2
        );
    }
}

fn polyline(out: &mut String, points: &[(Decimal, Decimal)], colour: &str) {
    if points.is_empty() {
        return;
    }
    let coords: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
    let _ = writeln!(
        out,
        "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
        coords.join(" ")
    );
}

fn axis_labels(out: &mut String, bottom: i64, first: &str, last: &str) {
    let y = bottom - 8;
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{y}\" font-size=\"11\" fill=\"#444\">{first}</text><text x=\"{}\" y=\"{y}\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">{last}</text>",
        WIDTH - RIGHT
    );
}

/// Milliseconds from `since` to `at`.
fn millis(at: DateTime<Utc>, since: DateTime<Utc>) -> Decimal {
    Decimal::from((at - since).num_milliseconds())
}
