//! A run's plan: its phases in order, and the streams each feeds.

use super::config::{Config, Kind};

/// One phase of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Phase {
    Spaces,
    Content(Kind),
    Scan(Kind),
    Users,
    SpacePermissions,
    Groups,
    GroupMembers,
    Audit,
}

/// The phases of a run under `config`.
pub(super) fn plan(config: &Config, incremental: bool) -> Vec<Phase> {
    let s = &config.streams;
    let mut kinds = Vec::new();
    if s.pages {
        kinds.push(Kind::Page);
    }
    if s.blog_posts {
        kinds.push(Kind::Blogpost);
    }
    if s.folders {
        kinds.push(Kind::Folder);
    }
    if s.page_comments || s.blog_post_comments {
        kinds.push(Kind::Comment);
    }
    if s.page_attachments || s.blog_post_attachments {
        kinds.push(Kind::Attachment);
    }
    let mut phases = Vec::new();
    if s.spaces || s.space_permissions {
        phases.push(Phase::Spaces);
    }
    phases.extend(kinds.iter().map(|k| Phase::Content(*k)));
    if incremental {
        phases.extend(kinds.iter().map(|k| Phase::Scan(*k)));
    }
    if s.users {
        phases.push(Phase::Users);
    }
    if s.space_permissions {
        phases.push(Phase::SpacePermissions);
    }
    if s.groups {
        phases.extend([Phase::Groups, Phase::GroupMembers]);
    }
    if s.audit {
        phases.push(Phase::Audit);
    }
    phases
}

/// The stream key of a content kind (comments split by place later).
pub(super) fn stream_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Page => "pages",
        Kind::Blogpost => "blog-posts",
        Kind::Folder => "folders",
        Kind::Comment => "footer-comments",
        Kind::Attachment => "attachments",
    }
}

/// The streams a content kind's items live in.
pub(super) fn streams_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Comment => &["footer-comments", "inline-comments"],
        Kind::Page => &["pages"],
        Kind::Blogpost => &["blog-posts"],
        Kind::Folder => &["folders"],
        Kind::Attachment => &["attachments"],
    }
}

/// The key under which a run counts the items of a kind it saw.
pub(super) fn seen_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Comment => "comments",
        other => stream_of(other),
    }
}
