//! Spreadsheet formulas in cells: what would run as one (OWASP "CSV
//! Injection"), and the guard every exported cell gets against it. A cell
//! starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
//! `'`; so does every place inside a cell where a spreadsheet could split
//! it into a cell of its own (after `;`, `,`, tab or a line break: a de-DE
//! Excel splits a comma file on `;`), so `x;=1+1` is written `x;'=1+1`. A
//! plain signed number (an E.164 number such as `+12012049893`) is no
//! formula and is left as it is, so an export re-uploads unchanged.
//! [`unguard_cell`] undoes the guard when a file comes back, so
//! write-then-read gives the original value.

use std::borrow::Cow;

/// A number a spreadsheet reads as a number: a sign, digits, and perhaps a
/// decimal point (`-1.00`, `+12015550100`, `.5`).
fn is_plain_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction)
}

/// Where a spreadsheet, or a provider that trims what it stores, starts
/// reading a cell: after leading spaces, and after the quote an export
/// guards a formula with (the guard must not turn back into a live
/// formula on its way to the provider).
fn formula_start(s: &str) -> &str {
    let t = s.trim_start_matches([' ', '\u{a0}']);
    t.strip_prefix('\'')
        .unwrap_or(t)
        .trim_start_matches([' ', '\u{a0}'])
}

/// Whether a spreadsheet would run the cell as written as a formula: it
/// starts with `=`, `+`, `-`, `@`, tab or carriage return and is not a
/// plain number.
pub fn is_formula(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && !is_plain_number(s)
}

/// Whether a cell of a file sent to the provider is stored as a formula:
/// it is one once leading spaces and an export's guard quote are gone (the
/// provider trims what it stores; the reader takes the guard off).
pub fn becomes_formula(s: &str) -> bool {
    is_formula(formula_start(s))
}

/// The cell with what would make it a formula taken off.
pub(super) fn strip_formula(s: &str) -> &str {
    formula_start(s).trim_start_matches(['=', '+', '-', '@', '\t', '\r'])
}

/// Where a spreadsheet may split a cell into cells of its own: the
/// delimiters a locale or a sniffing import may use, and line breaks.
const SPLITS: [u8; 5] = [b';', b',', b'\t', b'\r', b'\n'];

/// Whether the rest of a cell from here would run as a formula (or is a
/// guard quote before one, which is guarded again to survive the round
/// trip). The rest to the cell's end is what a spreadsheet sees whatever
/// it splits on, so a number is plain only if nothing follows it.
fn starts_formula(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => !is_plain_number(s),
        Some(b'\'') => starts_formula(&s[1..]),
        _ => false,
    }
}

/// Where a part of the cell a spreadsheet could read as a cell starts:
/// the cell's start and after each split character.
fn part_starts(s: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        s.bytes()
            .enumerate()
            .filter(|(_, b)| SPLITS.contains(b))
            .map(|(i, _)| i + 1),
    )
}

/// Whether any part of the cell needs a guard. Most cells hold no
/// character a guard is about: one pass over the bytes tells.
fn needs_guard(s: &str) -> bool {
    let b = s.as_bytes();
    let suspect = matches!(
        b.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    ) || b.iter().any(|c| SPLITS.contains(c));
    suspect && part_starts(s).any(|at| starts_formula(&s[at..]))
}

/// The cell as it is safe to write for a spreadsheet: a `'` where each
/// part that would run as a formula starts.
pub fn guard_cell(s: &str) -> Cow<'_, str> {
    if !needs_guard(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    let mut copied = 0;
    for at in part_starts(s) {
        if starts_formula(&s[at..]) {
            out.push_str(&s[copied..at]);
            out.push('\'');
            copied = at;
        }
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// The cell as it was before [`guard_cell`]: borrowed unless a guard sat
/// inside it (after a split character).
pub fn unguard_cell(s: &str) -> Cow<'_, str> {
    let guard_at = |at: usize| s[at..].starts_with('\'') && starts_formula(&s[at + 1..]);
    let inner = s
        .as_bytes()
        .windows(2)
        .any(|w| w[1] == b'\'' && SPLITS.contains(&w[0]));
    if !inner {
        return Cow::Borrowed(if guard_at(0) { &s[1..] } else { s });
    }
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for at in part_starts(s) {
        if at < s.len() && guard_at(at) {
            out.push_str(&s[copied..at]);
            copied = at + 1;
        }
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}
