//! Virtual rows for long tables: only the rows in view (and a few either
//! side) are in the DOM, with a spacer row above and below standing for the
//! rest, so 10^4 rows scroll smoothly. The numbers table, the history table
//! and the CSV preview use it.

use leptos::prelude::*;

/// Height of one row in pixels; CSS `.numbers-table tr` uses the same.
const ROW_HEIGHT: usize = 40;
const VIEWPORT_ROWS: usize = 16;
const OVERSCAN: usize = 8;

/// The rows to render for a scroll position: `start..end` of `len`.
fn visible_range(scroll_top: f64, len: usize) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT as f64) as usize;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + VIEWPORT_ROWS + OVERSCAN).min(len);
    (start, end)
}

/// Which rows of a scrolled table are rendered. Copy: signals.
#[derive(Clone, Copy)]
pub struct VirtualRows {
    scroll_top: RwSignal<f64>,
    len: Signal<usize>,
    range: Memo<(usize, usize)>,
}

impl VirtualRows {
    /// Rows of a table that has `len()` of them.
    pub fn new(len: impl Fn() -> usize + Send + Sync + 'static) -> Self {
        let scroll_top = RwSignal::new(0.0);
        let len = Signal::derive(len);
        Self {
            scroll_top,
            len,
            range: Memo::new(move |_| visible_range(scroll_top.get(), len.get())),
        }
    }

    /// The rows to render: `start..end`.
    pub fn range(&self) -> (usize, usize) {
        self.range.get()
    }

    /// The height of the empty row above (`before`) or below the rendered
    /// rows, in whole pixels (integers: no float formatting in the first
    /// visit's code).
    pub fn spacer(&self, before: bool) -> String {
        let (start, end) = self.range.get();
        let count = if before {
            start
        } else {
            self.len.get().saturating_sub(end)
        };
        format!("{}px", count * ROW_HEIGHT)
    }

    /// Follows the scrolling element's position (its `on:scroll`).
    pub fn on_scroll(&self, ev: &web_sys::Event) {
        let el: web_sys::Element = event_target(ev);
        self.scroll_top.set(f64::from(el.scroll_top()));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::visible_range;

    #[wasm_bindgen_test]
    fn the_rows_in_view_and_a_few_either_side_are_rendered() {
        assert_eq!(visible_range(0.0, 10_000), (0, 24));
        assert_eq!(visible_range(4_000.0, 10_000), (92, 124));
        assert_eq!(visible_range(-5.0, 3), (0, 3));
        assert_eq!(visible_range(1e9, 50), (50, 50));
    }
}
