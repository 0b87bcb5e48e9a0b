//! Aligned plain-text tables: every column as wide as its widest cell.

use std::io::Write;

/// How a column's cells are aligned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table of text cells under a header.
#[derive(Debug)]
pub struct Table {
    header: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    #[must_use]
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self {
            header: columns.iter().map(|(h, a)| ((*h).to_owned(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty, extra ones ignored).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Writes the header and the rows, columns separated by two spaces, no trailing blanks.
    pub fn write(&self, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .chain(std::iter::once(&self.header[i].0))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let header: Vec<String> = self.header.iter().map(|(h, _)| h.clone()).collect();
        self.line(out, &widths, &header)?;
        for row in &self.rows {
            self.line(out, &widths, row)?;
        }
        Ok(())
    }

    fn line(
        &self,
        out: &mut (dyn Write + Send),
        widths: &[usize],
        cells: &[String],
    ) -> std::io::Result<()> {
        let mut line = String::new();
        for (i, ((_, align), width)) in self.header.iter().zip(widths).enumerate() {
            let cell = cells.get(i).map_or("", String::as_str);
            let pad = width.saturating_sub(cell.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            match align {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        writeln!(out, "{}", line.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let mut t = Table::new(&[
            ("id", Align::Right),
            ("market", Align::Left),
            ("qty", Align::Right),
        ]);
        t.row(vec![
            "1".into(),
            "kalshi:KXFEDCUT-26DEC-CUT".into(),
            "230".into(),
        ]);
        t.row(vec![
            "12".into(),
            "polymarket:0x7f71".into(),
            "230.008771".into(),
        ]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap_or_default();
        let text = String::from_utf8(out).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "id  market                            qty");
        assert_eq!(lines[1], " 1  kalshi:KXFEDCUT-26DEC-CUT         230");
        assert_eq!(lines[2], "12  polymarket:0x7f71          230.008771");
    }
}
