//! Small components named for what the user sees.

pub mod bulk_result;
pub mod chip_input;
pub mod confirm_dialog;
pub mod dialog;
pub mod download;
pub mod drop_zone;
pub mod error_card;
pub mod form_error;
pub mod lookup_form;
pub mod miniapp_picker;
pub mod nav;
pub mod numbers_table;
pub mod page_header;
pub mod pager;
pub mod pasted_numbers;
pub mod radio_choice;
pub mod search_fields;
pub mod selection;
pub mod sign_in_dialog;
pub mod sign_in_form;
pub mod slider;
pub mod split_bar;
pub mod text_field;
pub mod timeline;
pub mod toasts;
pub mod unsaved_guard;
