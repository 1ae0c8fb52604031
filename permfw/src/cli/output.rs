//! Output for people (aligned tables, colour only on a terminal) and for scripts (`--json`). A
//! record is printed one way or the other by one helper, [`Out::rows`]: its JSON is its
//! `Serialize` (the shape the REST API serves), its table row is its [`Row`].

use std::io::{IsTerminal, Write};

use serde::Serialize;

use super::{CliError, Result};

/// A record as a row of a table: the columns' headers and the record's cells.
pub(crate) trait Row: Serialize {
    /// The headers, one per column.
    const COLUMNS: &'static [&'static str];

    /// The cells, one per column.
    fn cells(&self) -> Vec<String>;
}

/// Where a command prints.
pub(crate) struct Out {
    json: bool,
    color: bool,
}

impl Out {
    pub(crate) fn new(json: bool) -> Self {
        let color = !json && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self { json, color }
    }

    /// Records as a table, or as a JSON array with `--json`.
    pub(crate) fn rows<R: Row>(&self, rows: &[R]) -> Result<()> {
        if self.json {
            return self.json(&rows);
        }
        let cells: Vec<Vec<String>> = rows.iter().map(Row::cells).collect();
        self.table(R::COLUMNS, &cells)
    }

    /// One value as JSON, on one line.
    pub(crate) fn json(&self, value: &impl Serialize) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?;
        write(&text)
    }

    /// `value` as JSON with `--json`; otherwise the lines `text` prints.
    pub(crate) fn either(&self, value: &impl Serialize, text: impl FnOnce(&Self) -> Result<()>) -> Result<()> {
        if self.json { self.json(value) } else { text(self) }
    }

    /// A line of text (not in JSON mode).
    pub(crate) fn line(&self, text: impl std::fmt::Display) -> Result<()> {
        if self.json { Ok(()) } else { write(&text.to_string()) }
    }

    /// A table whose columns line up; the header is bold on a terminal.
    fn table(&self, headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let render = |cells: &mut dyn Iterator<Item = &str>| {
            let padded: Vec<String> =
                cells.zip(&widths).map(|(cell, width)| format!("{cell:<width$}", width = *width)).collect();
            padded.join("  ").trim_end().to_owned()
        };
        let header = render(&mut headers.iter().copied());
        if self.color {
            write(&format!("\x1b[1m{header}\x1b[0m"))?
        } else {
            write(&header)?
        }
        for row in rows {
            write(&render(&mut row.iter().map(String::as_str)))?;
        }
        if rows.is_empty() {
            write("(none)")?;
        }
        Ok(())
    }
}

/// Writes a line to standard output. A closed pipe (`manage users list | head -3`) ends the
/// output quietly; any other failure is an error.
fn write(text: &str) -> Result<()> {
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("cannot write to standard output: {err}")))
        }
        _ => Ok(()),
    }
}

pub(crate) fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}
