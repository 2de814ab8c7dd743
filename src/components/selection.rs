//! Which rows are selected: click toggles a row, shift-click adds the range
//! from the last clicked row, "select page" takes every row shown.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    numbers: BTreeSet<String>,
    anchor: Option<usize>,
}

impl Selection {
    /// A click on row `index` of `rows` (the rows shown, in order).
    pub fn click(&mut self, rows: &[String], index: usize, shift: bool) {
        let Some(number) = rows.get(index) else {
            return;
        };
        match (shift, self.anchor) {
            (true, Some(anchor)) if anchor < rows.len() => {
                let (lo, hi) = (anchor.min(index), anchor.max(index));
                self.numbers.extend(rows[lo..=hi].iter().cloned());
            }
            _ => {
                if !self.numbers.remove(number) {
                    self.numbers.insert(number.clone());
                }
                self.anchor = Some(index);
            }
        }
    }

    /// Selects every row shown, or clears them if all were selected.
    pub fn toggle_page(&mut self, rows: &[String]) {
        if self.covers(rows) {
            for r in rows {
                self.numbers.remove(r);
            }
        } else {
            self.numbers.extend(rows.iter().cloned());
        }
    }

    pub fn covers(&self, rows: &[String]) -> bool {
        !rows.is_empty() && rows.iter().all(|r| self.numbers.contains(r))
    }

    pub fn contains(&self, number: &str) -> bool {
        self.numbers.contains(number)
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    pub fn numbers(&self) -> Vec<String> {
        self.numbers.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.numbers.clear();
        self.anchor = None;
    }

    /// The rows shown changed (another page): ranges start afresh.
    pub fn forget_anchor(&mut self) {
        self.anchor = None;
    }

    /// Keeps only the given numbers (after some were deleted).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.numbers.retain(|n| keep(n));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn rows() -> Vec<String> {
        (0..10).map(|i| format!("+1201555000{i}")).collect()
    }

    #[wasm_bindgen_test]
    fn click_toggles_and_shift_click_selects_the_range() {
        let rows = rows();
        let mut s = Selection::default();
        s.click(&rows, 2, false);
        assert!(s.contains(&rows[2]));
        s.click(&rows, 6, true);
        assert_eq!(s.numbers(), rows[2..=6].to_vec());
        // Shifting backwards from the same anchor adds that range too.
        s.click(&rows, 0, true);
        assert_eq!(s.len(), 7);
        s.click(&rows, 4, false);
        assert!(!s.contains(&rows[4]), "a plain click toggles off");
        assert_eq!(s.len(), 6);
    }

    #[wasm_bindgen_test]
    fn shift_click_without_anchor_is_a_plain_click() {
        let rows = rows();
        let mut s = Selection::default();
        s.click(&rows, 5, true);
        assert_eq!(s.numbers(), vec![rows[5].clone()]);
        s.forget_anchor();
        s.click(&rows, 8, true);
        assert_eq!(
            s.len(),
            2,
            "after a page change shift-click starts a new range"
        );
    }

    #[wasm_bindgen_test]
    fn select_page_and_clear() {
        let rows = rows();
        let mut s = Selection::default();
        s.toggle_page(&rows);
        assert!(s.covers(&rows));
        s.toggle_page(&rows);
        assert!(s.is_empty());
        s.toggle_page(&rows[..3]);
        s.retain(|n| n != rows[1]);
        assert_eq!(s.len(), 2);
        s.clear();
        assert!(s.is_empty() && !s.covers(&rows));
    }
}
