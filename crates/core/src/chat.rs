//! Sentences the gateway posts to a team's chat (a Slack or Teams incoming
//! webhook), made of its own words and of what someone else wrote: a
//! router's or app's id, a person's name, a provider's message. What
//! someone else wrote is data, never markup: in the chat's own syntax it is
//! escaped and quoted, so `<!channel>` or `<https://x|sign in>` in a router
//! id is shown as those characters, and mentions nobody and links nowhere.
//!
//! ```
//! use numbers_core::chat::{Markup, Message};
//!
//! let m = Message::new().say("The target is ").quote("<!channel> *URGENT*").say(".");
//! assert_eq!(m.plain(), "The target is <!channel> *URGENT*.");
//! assert_eq!(m.render(Markup::Slack), "The target is `&lt;!channel&gt; *URGENT*`.");
//! ```

/// The syntax of the chat a text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// Slack's `mrkdwn` (and the chats that take Slack's webhooks):
    /// `&`, `<`, `>` are control characters; code spans show text as it is.
    Slack,
    /// Microsoft Teams' incoming webhooks: Markdown with some HTML.
    Teams,
}

impl Markup {
    /// The markup a webhook at `host` speaks: Teams' hosts by name,
    /// Slack's syntax for every other (the common one).
    pub fn for_host(host: &str) -> Self {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let teams = [
            "webhook.office.com",
            "outlook.office.com",
            "logic.azure.com",
        ];
        if teams
            .iter()
            .any(|t| host == *t || host.ends_with(&format!(".{t}")))
        {
            Self::Teams
        } else {
            Self::Slack
        }
    }

    /// Reads `slack` or `teams`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "slack" => Some(Self::Slack),
            "teams" => Some(Self::Teams),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// The gateway's own words.
    Said(String),
    /// What someone else wrote.
    Quoted(String),
}

/// A sentence of the gateway's own words and quoted data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    parts: Vec<Part>,
}

/// The most characters of one quoted value a chat is shown.
pub const MAX_QUOTED: usize = 200;

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// The gateway's own words.
    pub fn say(mut self, text: impl Into<String>) -> Self {
        self.parts.push(Part::Said(text.into()));
        self
    }

    /// What someone else wrote (an id, a name, a provider's message).
    pub fn quote(mut self, data: impl Into<String>) -> Self {
        self.parts.push(Part::Quoted(data.into()));
        self
    }

    /// This message followed by `other`.
    pub fn then(mut self, other: Message) -> Self {
        self.parts.extend(other.parts);
        self
    }

    /// The text as people read it where text is shown as text (the
    /// console, a log): quoted data as it was written.
    pub fn plain(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Said(t) | Part::Quoted(t) => t.as_str(),
            })
            .collect()
    }

    /// The text in `markup`: the gateway's words escaped, each quoted value
    /// escaped, clipped to [`MAX_QUOTED`] characters, on one line, and
    /// shown as code (Slack) or between quotation marks (Teams).
    pub fn render(&self, markup: Markup) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match (p, markup) {
                (Part::Said(t), Markup::Slack) => out.push_str(&slack(t)),
                (Part::Said(t), Markup::Teams) => out.push_str(&teams(t)),
                (Part::Quoted(t), Markup::Slack) => {
                    // A code span can hold no backtick and no line break.
                    let t = one_line(t).replace('`', "\u{2cb}");
                    out.push('`');
                    out.push_str(&slack(&t));
                    out.push('`');
                }
                (Part::Quoted(t), Markup::Teams) => {
                    out.push('\u{201c}');
                    out.push_str(&teams(&one_line(t)));
                    out.push('\u{201d}');
                }
            }
        }
        out
    }
}

/// `t` on one line, clipped.
fn one_line(t: &str) -> String {
    let mut line: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_QUOTED)
        .collect();
    if t.chars().count() > MAX_QUOTED {
        line.push('…');
    }
    line
}

/// Slack's three control characters, as its documentation says to escape them.
fn slack(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams: HTML's specials as entities, Markdown's behind a backslash.
fn teams(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOSTILE: &str =
        "<!channel> *URGENT* <https://evil.example/login|OCP session expired - sign in again>";

    #[test]
    fn a_hostile_id_mentions_nobody_and_links_nowhere_in_slack() {
        let m = Message::new()
            .say("Someone changed the router: the target is ")
            .quote(HOSTILE)
            .say(".");
        let text = m.render(Markup::Slack);
        assert_eq!(
            text,
            "Someone changed the router: the target is `&lt;!channel&gt; *URGENT* &lt;https://evil.example/login|OCP session expired - sign in again&gt;`."
        );
        assert!(!text.contains("<!") && !text.contains("<http"));
        assert_eq!(
            m.plain(),
            format!("Someone changed the router: the target is {HOSTILE}.")
        );
    }

    #[test]
    fn teams_gets_markdown_and_html_escaped() {
        let text = Message::new()
            .say("Router ")
            .quote("[click](https://evil.example) <b>x</b> `y`")
            .render(Markup::Teams);
        assert_eq!(
            text,
            "Router \u{201c}\\[click\\]\\(https://evil\\.example\\) &lt;b&gt;x&lt;/b&gt; \\`y\\`\u{201d}"
        );
    }

    #[test]
    fn the_chat_is_told_by_its_host() {
        assert_eq!(
            Markup::for_host("example.webhook.office.com"),
            Markup::Teams
        );
        assert_eq!(Markup::for_host("hooks.slack.com"), Markup::Slack);
        assert_eq!(Markup::for_host("127.0.0.1"), Markup::Slack);
        assert_eq!(
            Markup::for_host("evilwebhook.office.com.example"),
            Markup::Slack
        );
        assert_eq!(Markup::parse(" Teams "), Some(Markup::Teams));
        assert_eq!(Markup::parse("html"), None);
    }

    #[test]
    fn long_or_multi_line_data_is_clipped_to_one_line() {
        let long = "a".repeat(500);
        let text = Message::new()
            .quote(format!("x\n{long}`"))
            .render(Markup::Slack);
        assert!(!text.contains('\n'));
        assert!(text.chars().count() < MAX_QUOTED + 5, "{}", text.len());
    }

    proptest! {
        /// Whatever a quoted value holds, Slack sees no control sequence
        /// and the code span is never closed early.
        #[test]
        fn quoted_data_never_becomes_slack_markup(data in "\\PC{0,80}") {
            let text = Message::new().say("x ").quote(data).say(" y").render(Markup::Slack);
            prop_assert!(!text.contains('<') && !text.contains('>'));
            prop_assert_eq!(text.matches('`').count(), 2);
        }
    }
}
