//! Small components named for what the user sees.

pub mod nav;
pub mod page_header;
